"""Backup and restore (app.services.backup; `flask backup`, `flask restore`).

The round trip: a migrated database with published results, approved promotions and
issued certificates made through the real services is backed up while a writer keeps
committing audit rows, restored into a fresh database, and opened by a second app: the
boards, promotions and certificates are the source's, every other table too, and the
writer's rows are a whole-transaction prefix of the source's. On SQLite always; on
PostgreSQL (pg_dump, pg_restore) when SAIPING_TEST_DATABASE_URL names a server.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import make_url, select, text
from sqlalchemy.exc import DatabaseError

from app import create_app
from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import AuditEvent, Certificate, Competition, Promotion
from app.services import accounts, certificates, promotion, promotion_rules, results
from app.services.backup import BackupError, backup, human_size, restore
from tests import builders
from tests.conftest import TEST_SECRET
from tests.services.test_ceremony import scored_board
from tests.services.test_promotion import TOP3_TO_TECHNICIAN, configure_body, ready

ROOT = Path(__file__).resolve().parents[2]
DATABASE_ENV = "SAIPING_TEST_DATABASE_URL"
WRITER_ACTION = "backup.writer"
WAIT = 30.0  # seconds: the longest the writer may take to commit a few transactions


def make_app(url: str, tmp_path: Path) -> Flask:
    return create_app({
        "DEMO_LOGINS_FILE": tmp_path / "demo_logins.txt",
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_ENABLED": False,
        "LIVE_UPDATE_INTERVAL": 0,
    })


def migrate(url: str) -> None:
    """`flask db upgrade` in its own process (Alembic reconfigures logging): the schema
    as production has it, with its append-only triggers and alembic_version."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "SECRET_KEY": TEST_SECRET},
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


# ------------------------------------------------------------------ the two backends


@dataclass
class Backend:
    name: str
    source: str  # the live database's URL
    fresh: Callable[[str], str]  # a new, empty database's URL, by suffix
    dump_suffix: str


@contextmanager
def sqlite_backend(tmp_path: Path) -> Iterator[Backend]:
    yield Backend("sqlite", f"sqlite:///{tmp_path / 'live.db'}",
                  lambda suffix: f"sqlite:///{tmp_path / f'restored-{suffix}.db'}", ".sqlite")


@contextmanager
def postgres_backend(server: str) -> Iterator[Backend]:
    import psycopg
    from psycopg import sql

    url = make_url(server)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    made: list[str] = []

    def create(suffix: str) -> str:
        name = f"saiping_backup_{os.getpid()}_{suffix}"
        with closing(psycopg.connect(admin, autocommit=True, connect_timeout=5)) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        return url.set(database=name).render_as_string(hide_password=False)

    try:
        yield Backend("postgresql", create("live"), create, ".dump")
    finally:
        with closing(psycopg.connect(admin, autocommit=True, connect_timeout=5)) as conn:
            for name in made:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)))


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        with sqlite_backend(tmp_path) as found:
            yield found
        return
    server = os.environ.get(DATABASE_ENV)
    if not server:
        pytest.skip(f"{DATABASE_ENV} is not set: no PostgreSQL server to test against")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed")
    with postgres_backend(server) as found:
        yield found


# ------------------------------------------------------------------ what must survive


def build_competition() -> int:
    """Published, signed-off results with 3 approved promotions and 3 issued
    certificates, through the services (as tests/services/test_promotion.py does)."""
    c = scored_board()
    organiser = accounts.create_user("organiser", UserRole.ORGANISER, "organiser password")
    ready(c)
    configure_body(c)
    promotion_rules.save(c.competition, organiser, TOP3_TO_TECHNICIAN)
    promotion.run(c.competition)
    assert promotion.approve(c.competition, organiser) == 3
    assert len(certificates.issue(c.competition)) == 3
    return int(c.competition.id)


def outcome(competition_id: int) -> dict[str, Any]:
    """The results boards, promotions and certificates as the app reads them."""
    competition = db.session.get(Competition, competition_id)
    assert competition is not None
    boards = [((b.project.code, b.division.kind.value), b.lines)
              for b in results.competition_boards(competition)]
    promotions = sorted((
        (p.competitor.name, p.status, p.current, p.old_level, p.new_level, p.rank, p.reason,
         p.rule.version if p.rule else None, p.snapshot)
        for p in db.session.scalars(select(Promotion))), key=lambda p: (p[0], p[1]))
    issued = sorted((
        (cert.number, cert.name, cert.status, cert.level, cert.rank, cert.issued_on,
         cert.issuing_body, cert.id_last4, cert.id_hash)
        for cert in db.session.scalars(select(Certificate))), key=lambda cert: cert[0])
    return {"boards": boards, "promotions": promotions, "certificates": issued}


def every_row(skip: tuple[str, ...] = ("audit_event",)) -> dict[str, list[tuple[Any, ...]]]:
    """Every model table, row by row in primary-key order, and alembic_version."""
    rows = {table.name: [tuple(row) for row in db.session.execute(
                select(table).order_by(*table.primary_key.columns))]
            for table in db.metadata.sorted_tables if table.name not in skip}
    rows["alembic_version"] = [tuple(row) for row in db.session.execute(
        text("SELECT version_num FROM alembic_version"))]
    return rows


def audit_rows() -> list[tuple[Any, ...]]:
    return [(e.id, e.action, e.entity, e.entity_id, e.details)
            for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


class Writer(threading.Thread):
    """The server writing while the backup runs: a transaction of two audit rows at a
    time, as fast as the database takes them."""

    def __init__(self, app: Flask) -> None:
        super().__init__(daemon=True)
        self.app = app
        self.done = threading.Event()
        self.committed = 0
        self.errors: list[BaseException] = []

    def run(self) -> None:
        with self.app.app_context():
            try:
                while not self.done.is_set():
                    for half in ("a", "b"):
                        db.session.add(AuditEvent(action=WRITER_ACTION, entity="writer",
                                                  entity_id=self.committed,
                                                  details={"n": self.committed, "half": half}))
                    db.session.commit()
                    self.committed += 1
            except BaseException as error:  # reported by the test, not lost in the thread
                self.errors.append(error)
            finally:
                db.session.remove()

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + WAIT
        while self.committed < count and not self.errors:
            assert time.monotonic() < deadline, f"the writer committed {self.committed}"
            time.sleep(0.005)
        assert not self.errors, self.errors


# ------------------------------------------------------------------ the round trip


def test_a_backup_taken_while_writing_restores_the_same_results_and_certificates(
        backend: Backend, tmp_path: Path) -> None:
    migrate(backend.source)
    live = make_app(backend.source, tmp_path)
    dump = tmp_path / f"backup{backend.dump_suffix}"
    fresh = backend.fresh("restored")
    with live.app_context():
        competition_id = build_competition()
        before = outcome(competition_id)
        tables = every_row()
        db.session.commit()  # end the read transaction: the writer and backup run alone
        # Not vacuous: medals, eight ranks, three certificates, promotions decided.
        [(_, lines)] = before["boards"]
        assert [line.rank for line in lines] == list(range(1, 9))
        assert [line.award and line.award.value for line in lines[:4]] == [
            "gold", "silver", "bronze", "excellence"]
        assert [cert[2] for cert in before["certificates"]] == ["valid"] * 3
        assert [p[1] for p in before["promotions"] if p[2]].count("issued") == 3

        writer = Writer(live)
        writer.start()
        try:
            writer.wait_for(20)
            started = writer.committed
            made = live.test_cli_runner().invoke(args=["backup", "--output", str(dump)])
            ended = writer.committed
            writer.wait_for(ended + 20)  # the writer carries on after the backup
        finally:
            writer.done.set()
            writer.join(WAIT)
        assert not writer.errors and not writer.is_alive()
        assert made.exit_code == 0, made.output
        size = dump.stat().st_size
        assert made.output == (f"{backend.name} backup written: {dump} "
                               f"({human_size(size)})\n")
        assert stat.S_IMODE(dump.stat().st_mode) == 0o600  # it holds personal data

        restored = live.test_cli_runner().invoke(
            args=["restore", str(dump), "--into", fresh])
        assert restored.exit_code == 0, restored.output
        assert restored.output.startswith(f"restored {dump} into ")

        # Restoring over the live database is refused, and changes nothing.
        over = live.test_cli_runner().invoke(
            args=["restore", str(dump), "--into", backend.source])
        assert over.exit_code == 1
        assert "already has" in over.output and "restore only into a new" in over.output

        # The source is as it was, apart from the writer's rows.
        assert outcome(competition_id) == before
        assert every_row() == tables
        source_audit = audit_rows()
        db.session.remove()
        db.engine.dispose()

    reopened = make_app(fresh, tmp_path)
    with reopened.app_context():
        assert outcome(competition_id) == before
        assert every_row() == tables
        # The writer's rows: exactly a prefix of the source's, whole transactions only,
        # at least what was committed before the backup began.
        copied = audit_rows()
        assert copied == source_audit[:len(copied)]
        writes = [row for row in copied if row[1] == WRITER_ACTION]
        assert len(writes) % 2 == 0
        assert started <= len(writes) // 2 <= ended
        # The public certificate check answers from the restored database, by number and
        # by ID number (the keyed hashes survived, under the same SECRET_KEY).
        number, name = before["certificates"][0][:2]
        assert [cert.number for cert in certificates.verify(
            certificates.Lookup(name=name, number=number))] == [number]
        assert [cert.number for cert in certificates.verify(certificates.Lookup(
            name="张伟", id_number=builders.valid_id_number(100)))] != []
        # The schema came too: the append-only trigger refuses a delete, and new rows get
        # new ids (PostgreSQL's sequences were restored with the data).
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text("DELETE FROM audit_event"))
        db.session.rollback()
        db.session.add(AuditEvent(action="after.restore", entity="test", details={}))
        db.session.commit()
        assert audit_rows()[-1][0] > copied[-1][0]

        # Restoring again into what is now a database with tables is refused.
        again = reopened.test_cli_runner().invoke(
            args=["restore", str(dump), "--into", fresh])
        assert again.exit_code == 1
        assert "already has" in again.output and "restore only into a new" in again.output
        db.session.rollback()
        assert every_row() == tables
        db.session.remove()
        db.engine.dispose()


# ------------------------------------------------------------------ SQLite details


def _sqlite_db(path: Path, rows: int) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE mark (id INTEGER PRIMARY KEY, value TEXT)")
        conn.executemany("INSERT INTO mark (value) VALUES (?)",
                         [(f"committed {i}",) for i in range(rows)])
        conn.commit()


def _values(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [row[0] for row in conn.execute("SELECT value FROM mark ORDER BY id")]


def test_sqlite_backup_does_not_wait_for_an_open_write_and_leaves_it_out(
        tmp_path: Path) -> None:
    live, copy = tmp_path / "live.db", tmp_path / "copy.sqlite"
    _sqlite_db(live, 1000)
    with closing(sqlite3.connect(live, isolation_level=None)) as server:
        server.execute("BEGIN IMMEDIATE")  # the server holds the write lock ...
        server.execute("INSERT INTO mark (value) VALUES ('uncommitted')")
        finished: list[object] = []

        def run() -> None:
            try:
                finished.append(backup(f"sqlite:///{live}", copy))
            except BaseException as error:  # reported below, not lost in the thread
                finished.append(error)

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(10)
        assert not thread.is_alive(), "the backup waited for the writer"
        assert [type(found).__name__ for found in finished] == ["Backup"], finished
        server.execute("COMMIT")  # ... and commits after the backup
    assert _values(copy) == [f"committed {i}" for i in range(1000)]
    assert _values(live)[-1] == "uncommitted"
    with closing(sqlite3.connect(copy)) as conn:  # one self-contained file, not WAL
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    # Nothing else: no -wal or -shm beside it, no .copy.sqlite.partial left behind.
    assert sorted(p.name for p in tmp_path.iterdir() if "copy" in p.name) == ["copy.sqlite"]


def test_a_default_backup_is_timestamped_and_never_overwrites(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    _sqlite_db(live, 3)
    at = datetime(2026, 5, 1, 8, 30, 15, tzinfo=UTC)
    made = backup(f"sqlite:///{live}", directory=tmp_path / "backups", now=at)
    assert made.path == tmp_path / "backups" / "saiping-20260501-083015.sqlite"
    assert stat.S_IMODE(made.path.parent.stat().st_mode) == 0o700
    first = made.path.read_bytes()
    _sqlite_db(tmp_path / "other.db", 5)
    with pytest.raises(BackupError, match="already exists"):
        backup(f"sqlite:///{tmp_path / 'other.db'}", directory=tmp_path / "backups", now=at)
    assert made.path.read_bytes() == first


def test_restore_checks_what_it_is_given(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    _sqlite_db(live, 3)
    copy = backup(f"sqlite:///{live}", tmp_path / "copy.sqlite").path
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    with pytest.raises(BackupError, match="is not a backup"):
        restore(not_a_backup, f"sqlite:///{tmp_path / 'new.db'}")
    pg_dump = tmp_path / "x.dump"
    pg_dump.write_bytes(b"PGDMP\x01\x0f\x00")
    with pytest.raises(BackupError, match="postgresql backup; it cannot be restored into a "
                                          "sqlite database"):
        restore(pg_dump, f"sqlite:///{tmp_path / 'new.db'}")
    with pytest.raises(BackupError, match="in-memory"):
        restore(copy, "sqlite://")
    with pytest.raises(BackupError, match="no SQLite database at"):
        backup(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path / "never.sqlite")
    assert not (tmp_path / "missing.db").exists() and not (tmp_path / "never.sqlite").exists()
    # A relative path is under the base folder (the app's instance folder), as for
    # DATABASE_URL; an empty file there is fresh enough.
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "new.db").touch()
    assert restore(copy, "sqlite:///new.db", base=tmp_path / "instance") == str(
        tmp_path / "instance" / "new.db")
    assert _values(tmp_path / "instance" / "new.db") == _values(live)


# ------------------------------------------------------------------ pg_dump from the CLI


def _postgres_cli(tmp_path: Path) -> Flask:
    return make_app("postgresql+psycopg://saiping:s3cret-Pw@127.0.0.1:1/saiping", tmp_path)


def test_backup_says_so_when_pg_dump_is_missing(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without pg_dump
    result = _postgres_cli(tmp_path).test_cli_runner().invoke(
        args=["backup", "--output", str(tmp_path / "x.dump")])
    assert result.exit_code == 1
    assert "pg_dump not found on PATH" in result.output
    assert "postgresql-client" in result.output
    assert not (tmp_path / "x.dump").exists()


def test_pg_dump_gets_the_password_in_its_environment_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "pg_dump"
    # Records its arguments and PGPASSWORD, and writes an archive where --file says.
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$(dirname "$0")/args"\n'
                    'printf "%s" "$PGPASSWORD" > "$(dirname "$0")/password"\n'
                    'for a in "$@"; do case "$a" in --file=*) printf PGDMP > "${a#--file=}";;'
                    ' esac; done\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    result = _postgres_cli(tmp_path).test_cli_runner().invoke(
        args=["backup", "--output", str(tmp_path / "x.dump")])
    assert result.exit_code == 0, result.output
    assert result.output == f"postgresql backup written: {tmp_path / 'x.dump'} (5 bytes)\n"
    args = (tools / "args").read_text().splitlines()
    assert args == ["--format=custom", "--no-password", f"--file={tmp_path / '.x.dump.partial'}",
                    "--dbname=postgresql://saiping@127.0.0.1:1/saiping"]
    assert (tools / "password").read_text() == "s3cret-Pw"


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_a_failed_pg_dump_exits_non_zero_without_the_password_or_a_file(
        tmp_path: Path) -> None:
    result = _postgres_cli(tmp_path).test_cli_runner().invoke(
        args=["backup", "--output", str(tmp_path / "x.dump")])
    assert result.exit_code == 1
    assert "pg_dump failed (exit 1)" in result.output and "port 1" in result.output
    assert "s3cret-Pw" not in result.output
    assert list(tmp_path.glob("*.dump*")) == [] and list(tmp_path.glob(".x.dump*")) == []
