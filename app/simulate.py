"""`flask --app wsgi simulate`: the demo competition's judges score over the real /judge
socket of a running server, so the public boards move as they would on the day.

Each judge is a client of its own, as a tablet is: it downloads its assignments over the
REST API with a bearer token, connects to /judge, and sends its marks one at a time,
waiting for each acknowledgement (docs/api.md). All judges together keep to `--rate`
marks per second. The marks are plausible, not random noise:
- each competitor has an ability, so the same people tend to lead;
- a judgement (J) panel mostly agrees (its scores differ by at most 1), but now and then a
  judge scores out of tolerance; the server then pushes `rediscuss` to the panel and each
  judge re-scores to the panel's median, as a panel does after talking it over;
- a measurement (M) aspect is full marks, a tolerance value or zero, and is entered by two
  judges with the same value (the second confirms it);
- a competitor the judge has a conflict of interest with (`conflict: true`) is skipped.
Marks already stored are left alone, so a second run carries on where the first stopped.

It runs next to the server on the same database, like `flask issue-token`: that is how it
issues the judges' tokens (revoked again when it stops; they expire on their own after
TOKEN_HOURS should it be killed). Judges without an account cannot hold a token; with
`--all-judges` they get one made for the simulation (sim-judge-<id>, no password).
"""

from __future__ import annotations

import contextlib
import json
import random
import statistics
import threading
import time
import uuid
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import click
import requests
import socketio
from flask.cli import with_appcontext
from sqlalchemy import select

from app.domain.vocabulary import JudgeRole, UserRole
from app.extensions import db
from app.models import ApiToken, Competition, Judge, JudgeAssignment, SkillProject
from app.models.base import utcnow
from app.services import accounts
from app.services.demo_data import COMPETITION_NAME

NS = "/judge"
WAIT = 10.0  # seconds for an acknowledgement or an HTTP answer
GRACE = 1.5  # seconds of quiet after the last mark before "every mark is in"
TOKEN_HOURS = 12
TOKEN_LABEL = "simulate"  # noqa: S105 (a label, not a secret)
CONFIRMING_JUDGES = 2  # judges who enter each M aspect
# Refusals that stored nothing because the server was busy: a tablet sends these again.
RETRY_CODES = ("unavailable",)
PARALLEL = 16  # judges downloading their assignments or connecting at the same time


# ------------------------------------------------------------------ the command


@click.command("simulate")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True,
              help="The running server (make run serves on port 5000).")
@click.option("--rate", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
              help="Marks per second, all judges together.")
@click.option("--projects", default="",
              help="Only these project codes, comma separated (e.g. S01,S02).")
@click.option("--duration", type=click.FloatRange(min=0.1), default=None,
              help="Stop after this many seconds (default: when every mark is in).")
@click.option("--competition", "competition_ref", default=None,
              help="Competition id or name (default: the demo competition).")
@click.option("--all-judges", is_flag=True,
              help="Give panel judges without an account one, so every project moves.")
@click.option("--disagree", type=click.FloatRange(0, 1), default=0.04, show_default=True,
              help="Chance that a judge's J score is out of tolerance with the panel.")
@click.option("--seed", type=int, default=2020, show_default=True,
              help="Seed for the competitors' abilities and the judges' scores.")
@click.option("--json", "as_json", is_flag=True, help="Also print the figures as JSON.")
@with_appcontext
def simulate(url: str, rate: float, projects: str, duration: float | None,
             competition_ref: str | None, all_judges: bool, disagree: float, seed: int,
             as_json: bool) -> None:
    """Drive the demo's judges through the real /judge socket of a running server."""
    competition = _competition(competition_ref)
    codes = {c.strip().upper() for c in projects.split(",") if c.strip()}
    chosen = [p for p in competition.projects if not codes or p.code.upper() in codes]
    if not chosen:
        raise click.ClickException(f"no project {projects!r} in {competition.name}")
    logins = _logins(chosen, all_judges)
    if not logins:
        raise click.ClickException(
            "no panel judge of these projects has an account; try --all-judges")
    try:
        run = Run(url.rstrip("/"), rate, {p.id for p in chosen}, seed, disagree)
        summary = run.start(logins, duration)
    finally:
        _revoke([login.token for login in logins])
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))


def _competition(ref: str | None) -> Competition:
    if ref is None:
        found = db.session.scalar(select(Competition).where(Competition.name == COMPETITION_NAME))
        if found is None:
            raise click.ClickException("no demo competition: run `flask --app wsgi seed-demo`")
        return found
    found = db.session.get(Competition, int(ref)) if ref.isdigit() else db.session.scalar(
        select(Competition).where(Competition.name == ref))
    if found is None:
        raise click.ClickException(f"no competition {ref!r}")
    return found


@dataclass(frozen=True)
class Login:
    judge_id: int
    username: str
    token: str


def _logins(projects: list[SkillProject], all_judges: bool) -> list[Login]:
    """A short-lived bearer token for each panel judge (裁判员) of these projects."""
    judges = list(db.session.scalars(
        select(Judge).join(JudgeAssignment)
        .where(JudgeAssignment.project_id.in_([p.id for p in projects]),
               JudgeAssignment.role == JudgeRole.JUDGE)
        .distinct().order_by(Judge.id)))
    made = 0
    for judge in judges:
        if judge.user is None and all_judges:
            judge.user = accounts.create_user(f"sim-judge-{judge.id}", UserRole.JUDGE,
                                              display_name=judge.name)
            db.session.commit()
            made += 1
    if made:
        click.echo(f"made {made} judge account(s) for the simulation (sim-judge-<id>, "
                   "no password)")
    logins = []
    for judge in judges:
        user = judge.user
        if user is None or not user.active or user.role not in (UserRole.JUDGE,
                                                                 UserRole.CHIEF_JUDGE):
            continue
        token = accounts.issue_token(user, TOKEN_LABEL)
        _token_row(token).expires_at = utcnow() + timedelta(hours=TOKEN_HOURS)
        logins.append(Login(judge.id, user.username, token))
    db.session.commit()
    skipped = len(judges) - len(logins)
    if skipped:
        click.echo(f"{skipped} panel judge(s) have no account and sit this out "
                   "(--all-judges gives them one)")
    return logins


def _token_row(token: str) -> ApiToken:
    row = db.session.scalar(select(ApiToken).where(
        ApiToken.token_hash == accounts.token_hash(token)))
    assert row is not None
    return row


def _revoke(tokens: list[str]) -> None:
    db.session.rollback()
    now = utcnow()
    for token in tokens:
        _token_row(token).revoked_at = now
    db.session.commit()


# ------------------------------------------------------------------ what judges score


@dataclass(frozen=True)
class Task:
    competitor_id: int
    aspect_id: int
    kind: str  # "J" or "M"
    value: float | None = None  # None: re-score to the latest median the panel was sent
    rescore: bool = False
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))


class Scores:
    """Plausible marks, the same for a given seed: abilities per competitor, a shared
    "true" level per competitor and J aspect, and each judge's take on it."""

    def __init__(self, seed: int, disagree: float) -> None:
        self.seed = seed
        self.disagree = disagree

    def _rng(self, *key: object) -> random.Random:
        # Seeded on purpose: the same run gives the same marks (nothing here is secret).
        return random.Random(":".join(str(k) for k in (self.seed, *key)))  # noqa: S311

    def ability(self, competitor_id: int) -> float:
        return self._rng("ability", competitor_id).uniform(0.25, 0.95)

    def judgement(self, competitor_id: int, aspect_id: int, judge_id: int) -> int:
        level = self.ability(competitor_id) * 3 + self._rng(
            "level", competitor_id, aspect_id).uniform(-0.8, 0.4)
        base = min(2, max(0, int(level)))  # judges then say base or base + 1
        rng = self._rng("judge", competitor_id, aspect_id, judge_id)
        if rng.random() < self.disagree:
            return 3 if base <= 1 else 0  # two or more away from the others
        return base + (1 if rng.random() < level - int(level) else 0)

    def measurement(self, competitor_id: int, aspect_id: int, allowed: list[float]) -> float:
        """Full marks, a tolerance value or zero; every judge enters the same."""
        ability = self.ability(competitor_id)
        draw = self._rng("measure", competitor_id, aspect_id).random()
        values = sorted(allowed)
        if draw < ability or len(values) == 1:
            return values[-1]
        middle = values[1:-1]
        if middle and draw < ability + (1 - ability) * 0.6:
            return self._rng("tolerance", competitor_id, aspect_id).choice(middle)
        return values[0]


def plan_tasks(assignments: dict[str, dict[str, Any]], project_ids: set[int],
               scores: Scores) -> dict[str, list[Task]]:
    """Every judge's marks still to send, in the order a panel works: module by module,
    competitor by competitor. `assignments` maps each username to its download."""
    # Who enters each competitor's M aspects: the first judges (by id) free to score them.
    free: dict[int, list[int]] = {}
    for data in assignments.values():
        for project in data["projects"]:
            if project["id"] in project_ids:
                for competitor in project["competitors"]:
                    if not competitor.get("conflict"):
                        free.setdefault(competitor["id"], []).append(project["judge_id"])
    enters_m = {c: set(sorted(ids)[:CONFIRMING_JUDGES]) for c, ids in free.items()}
    plans: dict[str, list[Task]] = {}
    for username, data in assignments.items():
        tasks: list[Task] = []
        for project in data["projects"]:
            if project["id"] not in project_ids or not project.get("scheme_active"):
                continue
            judge_id = project["judge_id"]
            done = {(m["competitor_id"], m["aspect_id"]) for m in project["marks"]}
            for module in sorted(project["modules"], key=lambda m: m["letter"]):
                if module["locked"]:
                    continue
                for competitor in project["competitors"]:
                    cid = competitor["id"]
                    if competitor.get("conflict"):
                        continue  # 回避: the judge must not score this competitor
                    for aspect in module["aspects"]:
                        if (cid, aspect["id"]) in done:
                            continue
                        if aspect["type"] == "J":
                            tasks.append(Task(cid, aspect["id"], "J", float(
                                scores.judgement(cid, aspect["id"], judge_id))))
                        elif judge_id in enters_m.get(cid, ()):
                            tasks.append(Task(cid, aspect["id"], "M", scores.measurement(
                                cid, aspect["id"], aspect["allowed_values"])))
        plans[username] = tasks
    return plans


# ------------------------------------------------------------------ running


class Pacer:
    """All judges together keep to `rate` sends per second: each caller takes the next
    free slot and sleeps until it comes. No slot is handed out past the deadline, so a run
    of `duration` seconds sends at most rate × duration + 1 marks, however late the main
    thread notices the time is up."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next = time.monotonic()
        self.deadline: float | None = None
        self.lock = threading.Lock()

    def begin(self, now: float, duration: float | None) -> None:
        with self.lock:
            self.next = now
            self.deadline = now + duration if duration is not None else None

    def wait(self, stop: threading.Event) -> bool:
        """True when the caller may send now; False when the run is over."""
        with self.lock:
            slot = max(time.monotonic(), self.next)
            if self.deadline is not None and slot > self.deadline:
                return False
            self.next = slot + self.interval
        stop.wait(max(0.0, slot - time.monotonic()))
        return not stop.is_set()


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    acked: set[str] = field(default_factory=set)  # client ids the server stored
    refused: Counter[str] = field(default_factory=Counter)
    rediscussed: set[tuple[int, int]] = field(default_factory=set)
    rescored: int = 0
    retried: int = 0
    latencies: list[float] = field(default_factory=list)
    last_activity: float = field(default_factory=time.monotonic)

    def ack(self, task: Task, ack: dict[str, Any], seconds: float) -> None:
        with self.lock:
            self.last_activity = time.monotonic()
            self.latencies.append(seconds)
            if ack.get("ok"):
                self.acked.add(task.client_id)
                if task.rescore:
                    self.rescored += 1
            else:
                self.refused[str(ack.get("error", {}).get("code", "unknown"))] += 1

    def touch(self) -> None:
        with self.lock:
            self.last_activity = time.monotonic()


class JudgeBot:
    """One judge's tablet: its own connection, its outbox, one mark in flight at a time."""

    def __init__(self, run: Run, login: Login, tasks: list[Task]) -> None:
        self.run = run
        self.login = login
        self.outbox: deque[Task] = deque(tasks)
        self.scores: dict[tuple[int, int], float] = {}  # what this judge has stored
        self.versions: dict[tuple[int, int], int] = {}
        self.targets: dict[tuple[int, int], int] = {}  # re-scores asked for by `rediscuss`
        self.lock = threading.Lock()
        self.busy = False
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.5)
        self.client.on("rediscuss", self._on_rediscuss, namespace=NS)
        self.thread = threading.Thread(target=self._work, name=f"judge-{login.username}",
                                       daemon=True)

    def know(self, marks: list[dict[str, Any]]) -> None:
        for mark in marks:
            key = (mark["competitor_id"], mark["aspect_id"])
            self.scores[key], self.versions[key] = mark["value"], mark["version"]

    def connect(self) -> None:
        self.client.connect(self.run.url, namespaces=[NS], transports=["websocket"],
                            auth={"token": self.login.token}, wait_timeout=WAIT)

    @property
    def idle(self) -> bool:
        with self.lock:
            return not self.outbox and not self.busy

    def left(self) -> int:
        with self.lock:
            return len(self.outbox) + int(self.busy)

    def _on_rediscuss(self, data: dict[str, Any]) -> None:
        """The panel is out of tolerance: re-score to its median, like the others will."""
        key = (int(data["competitor_id"]), int(data["aspect_id"]))
        scores = sorted(int(s) for s in data["scores"])
        target = scores[(len(scores) - 1) // 2]
        self.run.stats.touch()
        with self.run.stats.lock:
            self.run.stats.rediscussed.add(key)
        with self.lock:
            if self.scores.get(key) == target:
                return
            if key not in self.targets:
                self.outbox.appendleft(Task(key[0], key[1], "J"))
            self.targets[key] = target  # a later push replaces an earlier target

    def _next(self) -> tuple[Task, dict[str, Any]] | None:
        with self.lock:
            while self.outbox:
                task = self.outbox.popleft()
                key = (task.competitor_id, task.aspect_id)
                if task.value is None:  # a re-score: to the latest target, unless there
                    target = self.targets.pop(key, None)
                    if target is None or self.scores.get(key) == target:
                        continue
                    task = replace(task, value=float(target), rescore=True)
                assert task.value is not None
                payload: dict[str, Any] = {
                    "client_id": task.client_id, "competitor_id": task.competitor_id,
                    "aspect_id": task.aspect_id, "expected_version": self.versions.get(key, 0),
                    "device_id": f"simulate-{self.login.username}"[:100],
                    "tablet_time": utcnow().isoformat()}
                if task.kind == "J":
                    payload["score"] = int(task.value)
                else:
                    payload["value"] = task.value
                self.busy = True
                return task, payload
        return None

    def _work(self) -> None:
        run = self.run
        while not run.stop.is_set():
            job = self._next()
            if job is None:
                run.stop.wait(0.05)
                continue
            task, payload = job
            if not run.pacer.wait(run.stop):
                with self.lock:
                    self.outbox.appendleft(task)  # not sent: still to do
                    self.busy = False
                break
            started = time.monotonic()
            try:
                ack = self.client.call("submit_mark", payload, namespace=NS, timeout=WAIT)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                    socketio.exceptions.SocketIOError):
                # No acknowledgement: the mark may or may not be stored. Send it again with
                # the same client_id (the server answers a repeat with the first ack).
                with self.lock:
                    self.outbox.appendleft(task)
                    self.busy = False
                with run.stats.lock:
                    run.stats.retried += 1
                run.stop.wait(0.5)
                continue
            ack = ack if isinstance(ack, dict) else {"ok": False, "error": {"code": "no_ack"}}
            self._stored(payload, ack)
            run.stats.ack(task, ack, time.monotonic() - started)
            busy = ack.get("error", {}).get("code") in RETRY_CODES
            with self.lock:
                if busy:
                    self.outbox.appendleft(task)  # nothing was stored: the outbox keeps it
                self.busy = False
            if busy:
                run.stop.wait(0.5)

    def _stored(self, payload: dict[str, Any], ack: dict[str, Any]) -> None:
        key = (payload["competitor_id"], payload["aspect_id"])
        with self.lock:
            if ack.get("ok"):
                self.scores[key] = float(payload.get("score", payload.get("value", 0)))
                self.versions[key] = int(ack["version"])
            elif "current_version" in ack.get("error", {}):
                self.versions[key] = int(ack["error"]["current_version"])

    def close(self) -> None:
        with contextlib.suppress(Exception):  # a socket already gone is closed enough
            self.client.disconnect()


class Run:
    def __init__(self, url: str, rate: float, project_ids: set[int], seed: int,
                 disagree: float) -> None:
        self.url = url
        self.rate = rate
        self.project_ids = project_ids
        self.scores = Scores(seed, disagree)
        self.pacer = Pacer(rate)
        self.stats = Stats()
        self.stop = threading.Event()

    def _assignments(self, login: Login) -> dict[str, Any]:
        try:
            response = requests.get(f"{self.url}/api/v1/judge/assignments", timeout=WAIT,
                                    headers={"Authorization": f"Bearer {login.token}"})
        except requests.RequestException as error:
            raise click.ClickException(f"cannot reach {self.url}: {error}") from None
        if response.status_code != 200:
            raise click.ClickException(
                f"{self.url} refused {login.username}'s assignments ({response.status_code}):"
                " is it serving the same database?")
        data: dict[str, Any] = response.json()
        return data

    def start(self, logins: list[Login], duration: float | None) -> dict[str, Any]:
        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            downloads = dict(zip([login.username for login in logins],
                                 pool.map(self._assignments, logins), strict=True))
        plans = plan_tasks(downloads, self.project_ids, self.scores)
        bots = [JudgeBot(self, login, plans[login.username]) for login in logins]
        for bot in bots:
            bot.know([m for p in downloads[bot.login.username]["projects"]
                      for m in p["marks"]])
        total = sum(len(tasks) for tasks in plans.values())
        click.echo(f"simulate: {len(bots)} judges, {len(self.project_ids)} project(s), "
                   f"{total} marks to send at {self.rate:g}/s to {self.url}"
                   + (f" for {duration:g} s" if duration else ""))
        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            failures = [f"{bot.login.username}: {error}" for bot, error in zip(
                bots, pool.map(self._connect, bots), strict=True) if error]
        if failures:
            self._close(bots)
            raise click.ClickException(
                f"could not connect to {self.url}{NS}: {'; '.join(failures[:3])}")
        started = time.monotonic()
        self.pacer.begin(started, duration)
        for bot in bots:
            bot.thread.start()
        try:
            self._watch(bots, started, duration)
        except KeyboardInterrupt:
            click.echo("interrupted")
        finally:
            self.stop.set()
            elapsed = time.monotonic() - started
            for bot in bots:
                bot.thread.join(timeout=WAIT + 1)
            self._close(bots)
        return self._summary(bots, elapsed)

    @staticmethod
    def _connect(bot: JudgeBot) -> str | None:
        try:
            bot.connect()
        except socketio.exceptions.ConnectionError as error:
            return str(error) or "refused"
        return None

    def _watch(self, bots: list[JudgeBot], started: float, duration: float | None) -> None:
        """Print progress every second until the time is up or every mark is in."""
        last_print, last_acked = started, 0
        while True:
            time.sleep(0.1)
            now = time.monotonic()
            if duration is not None and now - started >= duration:
                return
            if all(bot.idle for bot in bots) and now - self.stats.last_activity >= GRACE:
                return
            if now - last_print >= 1.0:
                acked = len(self.stats.acked)
                click.echo(f"{now - started:6.1f} s  acked {acked} "
                           f"({(acked - last_acked) / (now - last_print):.1f}/s)  "
                           f"{self._refusals()}  re-discussed {len(self.stats.rediscussed)}"
                           f"  left {sum(bot.left() for bot in bots)}")
                last_print, last_acked = now, acked

    def _refusals(self) -> str:
        refused = self.stats.refused
        if not refused:
            return "refused 0"
        detail = ", ".join(f"{code} {n}" for code, n in refused.most_common())
        return f"refused {sum(refused.values())} ({detail})"

    @staticmethod
    def _close(bots: list[JudgeBot]) -> None:
        threads = [threading.Thread(target=bot.close, daemon=True) for bot in bots]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=5)

    def _summary(self, bots: list[JudgeBot], seconds: float) -> dict[str, Any]:
        stats = self.stats
        latencies = sorted(stats.latencies)
        p50 = statistics.median(latencies) if latencies else 0.0
        p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0
        acked = len(stats.acked)
        left = sum(bot.left() for bot in bots)
        click.echo(f"done in {seconds:.1f} s: {acked} marks acked ({acked / seconds:.1f}/s), "
                   f"{self._refusals()}, {len(stats.rediscussed)} panels re-discussed "
                   f"({stats.rescored} re-scores), {left} left; ack p50 {p50 * 1000:.0f} ms, "
                   f"p95 {p95 * 1000:.0f} ms")
        return {"seconds": round(seconds, 2), "acked": acked, "refused": dict(stats.refused),
                "rediscussed": len(stats.rediscussed), "rescored": stats.rescored,
                "retried": stats.retried, "left": left, "judges": len(bots),
                "ack_p50_ms": round(p50 * 1000, 1), "ack_p95_ms": round(p95 * 1000, 1)}
