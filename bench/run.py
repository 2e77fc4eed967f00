"""Run the judging benchmark for each async mode and print the figures side by side.

    python bench/run.py [--modes threading,gevent] [--connections 100] [--duration 20]
                        [--rate 0] [--keep]

For each mode: a fresh copy of one seeded SQLite database (bench/seed.py), one server
process (`flask --app wsgi serve`, SOCKETIO_ASYNC_MODE=<mode>) on a free loopback port,
then bench/judging.mjs (Node, socket.io-client) drives the load. Afterwards it counts
"database is locked" in the server's log and checks that the database holds exactly the
mark versions that were acknowledged. Needs `npm ci` in bench/ first (make bench-judging).
It prints figures; it asserts no timing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import closing
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TARGET = {"acked_per_s": 200.0, "p99_ms": 50.0, "locked": 0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(db: Path, mode: str = "threading") -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "PYTHONUNBUFFERED": "1",
           "SECRET_KEY": "bench-secret-key-0123456789abcdef", "SOCKETIO_ASYNC_MODE": mode}
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    return env


def seed(workdir: Path, judges: int) -> tuple[Path, Path]:
    db = workdir / "seed.sqlite"
    env = environment(db)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    seeded = subprocess.run([sys.executable, str(BENCH / "seed.py"), "--judges", str(judges)],
                            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
                            timeout=600)
    seed_json = workdir / "seed.json"
    seed_json.write_text(seeded.stdout.strip().splitlines()[-1])
    with closing(sqlite3.connect(db)) as connection:  # fold the WAL in: one file to copy
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db, seed_json


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            with opener.open(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz within 60 s")


def run_mode(mode: str, workdir: Path, seed_db: Path, seed_json: Path,
             args: argparse.Namespace) -> dict[str, Any]:
    db = workdir / f"{mode}.sqlite"
    shutil.copy(seed_db, db)
    log = workdir / f"{mode}-server.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--port", str(port)],
            cwd=ROOT, env=environment(db, mode), stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, server, log)
        load = os.getloadavg()[0]
        result_json = workdir / f"{mode}-result.json"
        subprocess.run(
            ["node", "judging.mjs", "--url", url, "--seed", str(seed_json),
             "--connections", str(args.connections), "--duration", str(args.duration),
             "--warmup", str(args.warmup), "--rate", str(args.rate),
             "--json", str(result_json)],
            cwd=BENCH, check=True, timeout=args.duration + args.warmup + 180)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)
    result: dict[str, Any] = json.loads(result_json.read_text())
    result["mode"] = mode
    result["load_before"] = round(load, 2)
    result["locked_in_log"] = log.read_text(errors="replace").count("database is locked")
    with closing(sqlite3.connect(db)) as connection:
        stored = connection.execute(
            "SELECT count(*) FROM mark_version WHERE device_id = 'bench'").fetchone()[0]
    result["stored_versions"] = stored
    return result


def verdict(r: dict[str, Any]) -> str:
    ok = (r["acked_per_s"] >= TARGET["acked_per_s"] and r["latency_ms"]["p99"] <= TARGET["p99_ms"]
          and r["locked_in_log"] == 0 and r["database_locked_in_acks"] == 0)
    return "meets target" if ok else "misses target"


def _stored(r: dict[str, Any]) -> str:
    """Every acknowledged mark is stored; a mark whose ack timed out may be stored too."""
    acked, stored, lost = r["acked_total"], r["stored_versions"], r["ack_timeouts_total"]
    if acked == stored:
        return "yes"
    if acked < stored <= acked + lost:
        return f"yes, + {stored - acked} of {lost} ack timeouts"
    return f"NO: {acked} acked, {stored} stored"


def table(results: list[dict[str, Any]]) -> str:
    rows = [
        ("acknowledged marks/s", lambda r: f"{r['acked_per_s']:.1f}", "≥ 200"),
        ("ack latency p50 ms", lambda r: f"{r['latency_ms']['p50']:.1f}", ""),
        ("ack latency p95 ms", lambda r: f"{r['latency_ms']['p95']:.1f}", ""),
        ("ack latency p99 ms", lambda r: f"{r['latency_ms']['p99']:.1f}", "≤ 50"),
        ("ack latency max ms", lambda r: f"{r['latency_ms']['max']:.1f}", ""),
        ("refusals by code", lambda r: json.dumps(r["refusals"]) if r["refusals"] else "none",
         ""),
        ('"database is locked" (log)', lambda r: str(r["locked_in_log"]), "0"),
        ("acked = stored versions", _stored, "yes"),
        ("load average before", lambda r: f"{r['load_before']:.2f}", ""),
        ("verdict", verdict, ""),
    ]
    header = ["", *(r["mode"] for r in results), "target"]
    lines = [header] + [[name, *(cell(r) for r in results), target]
                        for name, cell, target in rows]
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True))
                     for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="threading,gevent")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--duration", type=int, default=20, help="measured seconds")
    parser.add_argument("--warmup", type=int, default=3, help="seconds before measuring")
    parser.add_argument("--rate", type=float, default=0,
                        help="pace the judges to this many marks/s in all (0: unpaced)")
    parser.add_argument("--keep", action="store_true", help="keep the databases and logs")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="saiping-bench-"))
    try:
        print(f"seeding {args.connections} judges in {workdir} …", flush=True)
        seed_db, seed_json = seed(workdir, args.connections)
        results = []
        for mode in args.modes.split(","):
            pacing = f"paced to {args.rate:g} marks/s" if args.rate else "unpaced"
            print(f"\n== {mode}: {args.connections} connections, {pacing}, "
                  f"{args.duration} s", flush=True)
            results.append(run_mode(mode, workdir, seed_db, seed_json, args))
        print("\n" + table(results))
    finally:
        if args.keep:
            print(f"\nkept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
