"""Run the live benchmark for each async mode: the app against a bare Flask-SocketIO server.

    python bench/live_run.py [--modes threading,gevent] [--connections 1000] [--duration 20]
                             [--gap 50] [--rate 20] [--interval 0.1] [--keep]

For each mode: a fresh copy of one seeded SQLite database (bench/seed.py: one project of 20
competitors, a 5-judge panel), the app served as `flask --app wsgi serve` does, with the
live coalescer's LIVE_UPDATE_INTERVAL set by --interval. bench/live.mjs (Node,
socket.io-client) opens the spectators and a judge: first sequential marks (send, wait
until every spectator has the update, pause --gap ms), then --rate marks/s for the
throughput figure. Then bench/live_baseline.py, a bare Flask-SocketIO server in the same
mode, gets the same two runs. The server is pinned to core 0 and Node to core 1 with
`taskset` where it exists. Needs `npm ci` in bench/ first (make bench-live).
It prints figures; it asserts no timing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from run import BENCH, ROOT, environment, free_port, seed, wait_healthy

TARGET = {"p99_ms": 150.0, "ratio": 1.5, "updates_per_s": 10.0, "kib_per_spectator": 100.0}

def pinned(core: int, command: list[str], pin: bool) -> list[str]:
    return ["taskset", "-c", str(core), *command] if pin else command


def start(command: list[str], env: dict[str, str], log: Path, url: str
          ) -> subprocess.Popen[bytes]:
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, server, log)
    except BaseException:
        stop(server)
        raise
    return server


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=20)


def load(url: str, server: subprocess.Popen[bytes], seed_json: Path, out: Path,
         args: argparse.Namespace, *, baseline: bool, rate: float) -> dict[str, Any]:
    command = ["node", "live.mjs", "--url", url, "--seed", str(seed_json),
               "--connections", str(args.connections), "--duration", str(args.duration),
               "--warmup", str(args.warmup), "--gap", str(args.gap), "--rate", str(rate),
               "--timeout", str(args.timeout), "--server-pid", str(server.pid),
               "--json", str(out)]
    if baseline:
        command.append("--baseline")
    if args.no_deflate:
        command.append("--no-deflate")
    load_average = os.getloadavg()[0]
    subprocess.run(pinned(1, command, args.pin), cwd=BENCH, check=True,
                   timeout=args.duration + args.warmup + args.timeout + 600)
    result: dict[str, Any] = json.loads(out.read_text())
    result["load_before"] = round(load_average, 2)
    return result


def run_mode(mode: str, workdir: Path, seed_db: Path, seed_json: Path,
             args: argparse.Namespace) -> dict[str, Any]:
    """Four runs, each on a freshly started server (the app on a fresh copy of the seed):
    app and baseline, sequential and then at --rate."""
    figures: dict[str, Any] = {"mode": mode}
    servers = {
        # As an operator starts it; LIVE_UPDATE_INTERVAL comes from the environment.
        "app": [sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--port"],
        "baseline": [sys.executable, str(BENCH / "live_baseline.py"), "--port"],
    }
    runs = [("", 0.0)] + ([("_rate", args.rate)] if args.rate > 0 else [])
    for target, command in servers.items():
        for suffix, rate in runs:
            name = f"{mode}-{target}{suffix.replace('_', '-')}"
            db = workdir / f"{name}.sqlite"
            if target == "app":
                shutil.copy(seed_db, db)
            env = {**environment(db, mode), "LIVE_UPDATE_INTERVAL": str(args.interval)}
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            pacing = f"{rate:g} marks/s" if rate else f"sequential, gap {args.gap} ms"
            print(f"\n== {mode}, {target}, {pacing}: {args.connections} spectators",
                  flush=True)
            server = start(pinned(0, [*command, str(port)], args.pin), env,
                           workdir / f"{name}.log", url)
            try:
                figures[f"{target}{suffix}"] = load(
                    url, server, seed_json, workdir / f"{name}.json", args,
                    baseline=target == "baseline", rate=rate)
            finally:
                stop(server)
    return figures


def _ms(run: dict[str, Any] | None, key: str) -> str:
    if run is None:
        return "-"
    value = run["all_have_it_ms"][key]
    return "-" if value is None else f"{value:.1f}"


def ratio(r: dict[str, Any]) -> float | None:
    app, base = r["app"]["all_have_it_ms"]["p99"], r["baseline"]["all_have_it_ms"]["p99"]
    return app / base if app is not None and base else None


def table(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    def rate(target: str) -> Any:
        def cell(r: dict[str, Any]) -> str:
            run = r.get(f"{target}_rate")
            if run is None:
                return "-"
            behind = run["timeouts"] or (run["delivery_ms"]["p99"] or 0) > 1000
            return f"{run['updates_per_s']:.2f}" + (" (falling behind)" if behind else "")
        return cell

    def memory(target: str) -> Any:
        def cell(r: dict[str, Any]) -> str:
            rss = r[target]["rss_kib"]
            return f"{rss['per_spectator']:.1f} / {rss['per_spectator_end']:.1f}"
        return cell

    def delivery(target: str) -> Any:
        return lambda r: (f"{r[f'{target}_rate']['delivery_ms']['p99']}"
                          if f"{target}_rate" in r else "-")

    def ratio_cell(r: dict[str, Any]) -> str:
        value = ratio(r)
        return "-" if value is None else f"{value:.2f}"

    paced = f"{args.rate:g} marks/s" if args.rate > 0 else "- (no paced run)"
    rows = [
        ("app: all have it p50 ms", lambda r: _ms(r["app"], "p50"), ""),
        ("app: all have it p99 ms", lambda r: _ms(r["app"], "p99"), "≤ 150"),
        ("baseline: all have it p50 ms", lambda r: _ms(r["baseline"], "p50"), ""),
        ("baseline: all have it p99 ms", lambda r: _ms(r["baseline"], "p99"), ""),
        ("ratio app/baseline (p99)", ratio_cell, "≤ 1.5"),
        ("app: timeouts (sequential)", lambda r: str(r["app"]["timeouts"]), "0"),
        ("baseline: timeouts (sequential)", lambda r: str(r["baseline"]["timeouts"]), "0"),
        (f"app: updates/s at {paced}", rate("app"), "≥ 10"),
        ("app: delivery p99 ms (paced run)", delivery("app"), ""),
        (f"baseline: updates/s at {paced}", rate("baseline"), ""),
        ("app: KiB per spectator (connected/after)", memory("app"), "≤ 100"),
        ("baseline: KiB per spectator (conn./after)", memory("baseline"), ""),
        ("app: bytes per update (decoded)",
         lambda r: str(r["app"]["bytes_per_update"]["decoded"]), ""),
        ("app: bytes per update (wire)",
         lambda r: str(r["app"]["bytes_per_update"]["wire"]), ""),
        ("load average before (app run)", lambda r: f"{r['app']['load_before']:.2f}", ""),
        ("verdict", verdict, ""),
    ]
    header = ["", *(r["mode"] for r in results), "target"]
    lines = [header] + [[name, *(cell(r) for r in results), target]
                        for name, cell, target in rows]
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True))
                     for line in lines)


def verdict(r: dict[str, Any]) -> str:
    app = r["app"]
    value = ratio(r)
    misses = []
    if app["all_have_it_ms"]["p99"] is None or app["all_have_it_ms"]["p99"] > TARGET["p99_ms"] \
            or app["timeouts"]:
        misses.append("p99")
    if value is None or value > TARGET["ratio"]:
        misses.append("ratio")
    if "app_rate" in r and r["app_rate"]["updates_per_s"] < TARGET["updates_per_s"]:
        misses.append("updates/s")
    if max(app["rss_kib"]["per_spectator"], app["rss_kib"]["per_spectator_end"]) \
            > TARGET["kib_per_spectator"]:
        misses.append("memory")
    return "meets targets" if not misses else "misses " + ", ".join(misses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="threading,gevent")
    parser.add_argument("--connections", type=int, default=1000, help="spectators")
    parser.add_argument("--duration", type=int, default=20, help="measured seconds per run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before measuring")
    parser.add_argument("--gap", type=int, default=50,
                        help="ms between one mark's arrival everywhere and the next send")
    parser.add_argument("--rate", type=float, default=20,
                        help="marks/s for the throughput run (0: no throughput run)")
    parser.add_argument("--timeout", type=int, default=5,
                        help="seconds to wait for every spectator to have an update")
    parser.add_argument("--interval", type=float, default=0.1,
                        help="the app's LIVE_UPDATE_INTERVAL (the app's default is 0.1)")
    parser.add_argument("--no-deflate", action="store_true",
                        help="spectators do not offer per-message deflate (browsers do)")
    parser.add_argument("--no-pin", dest="pin", action="store_false",
                        help="do not pin the server and Node to separate cores")
    parser.add_argument("--keep", action="store_true", help="keep the databases and logs")
    args = parser.parse_args()
    if args.interval <= 0:
        parser.error("--interval must be above 0: at 0 the app never flushes boards by itself")
    args.pin = args.pin and shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
    # A thousand sockets on each side: lift the soft limit on open files (children inherit).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    workdir = Path(tempfile.mkdtemp(prefix="saiping-bench-live-"))
    try:
        print(f"seeding one project in {workdir} …", flush=True)
        seed_db, seed_json = seed(workdir, 5)
        print(f"interval {args.interval} s, gap {args.gap} ms, throughput run at "
              f"{args.rate:g} marks/s, {'pinned' if args.pin else 'not pinned'}", flush=True)
        results = [run_mode(mode, workdir, seed_db, seed_json, args)
                   for mode in args.modes.split(",")]
        print("\n" + table(results, args))
    finally:
        if args.keep:
            print(f"\nkept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
