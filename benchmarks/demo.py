#!/usr/bin/env python3
"""Benchmark the demo: how long ``chuhai demo --orders 100000`` takes, and how fast the home page is with that data.

Runs the installed console script (``.venv/bin/chuhai``) in subprocesses against a fresh temporary data directory
(embedded SQLite), exactly as a user would: ``chuhai init``, then the timed ``chuhai demo``; then ``chuhai serve``
on a free port, logs in as demo/demo through the real login form (CSRF token + session cookie) and requests the
home page repeatedly, printing p50/p95/max against the targets (load ≤ 60 s; home page p95 ≤ 300 ms).

    .venv/bin/python benchmarks/demo.py                      # the full benchmark (about a minute and a half)
    .venv/bin/python benchmarks/demo.py --orders 20000       # a quicker look
    .venv/bin/python benchmarks/demo.py --data-dir var/bench # keep the data dir; a second run skips the load

``CHUHAI_DATABASE_URL`` is ignored unless ``--database-url`` is given, so the benchmark never writes into the
database of a real installation; pass ``--database-url`` only with a disposable, empty database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
LOAD_TARGET_S = 60.0
P95_TARGET_MS = 300.0
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Run ``cmd`` to completion; returns (seconds, stdout). Stops the benchmark with its output if it fails."""
    started = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"benchmark: `{' '.join(cmd[1:])}` failed with exit code {result.returncode}")
    return elapsed, result.stdout


def wait_until_serving(client: httpx.Client, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"benchmark: `chuhai serve` exited with code {server.returncode}")
        try:
            if client.get("/accounts/login/").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("benchmark: the server did not answer within a minute")


def log_in(client: httpx.Client, username: str, password: str) -> None:
    """Log in through the real form: GET for the CSRF token (and cookie), POST, keep the session cookie."""
    page = client.get("/accounts/login/")
    match = CSRF_INPUT.search(page.text)
    if not match:
        raise SystemExit("benchmark: no CSRF token on the login page")
    response = client.post("/accounts/login/", data={
        "csrfmiddlewaretoken": match.group(1), "username": username, "password": password, "next": "/",
    }, headers={"Referer": str(client.base_url) + "accounts/login/"})
    if response.status_code != 302 or "sessionid" not in client.cookies:
        raise SystemExit(f"benchmark: login as {username} failed (HTTP {response.status_code})")


def measure(client: httpx.Client, path: str, requests: int, warmup: int) -> list[float]:
    """Milliseconds per request for ``requests`` sequential GETs of ``path`` after ``warmup`` untimed ones."""
    for _ in range(warmup):
        client.get(path).raise_for_status()
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"benchmark: GET {path} answered HTTP {response.status_code}")
        timings.append(elapsed)
    return timings


def percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000, help="orders to load (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--requests", type=int, default=200, help="timed home-page requests (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first (default: %(default)s)")
    parser.add_argument("--path", default="/", help="page to time (default: the home page)")
    parser.add_argument("--chuhai", default=str(ROOT / ".venv" / "bin" / "chuhai"), help="the console script")
    parser.add_argument("--data-dir", help="use and keep this data dir (a loaded demo there is reused)")
    parser.add_argument("--database-url", help="benchmark this (disposable, empty) database instead of SQLite")
    parser.add_argument("--check", action="store_true", help="exit with 1 when a target is missed")
    args = parser.parse_args(argv)

    if not Path(args.chuhai).exists():
        raise SystemExit(f"benchmark: {args.chuhai} not found; run `make setup` (or pass --chuhai)")
    data_dir = Path(args.data_dir).resolve() if args.data_dir else Path(tempfile.mkdtemp(prefix="chuhai-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("CHUHAI_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["CHUHAI_DATA_DIR"] = str(data_dir)
    if args.database_url:
        env["CHUHAI_DATABASE_URL"] = args.database_url
    database = "PostgreSQL" if args.database_url else f"SQLite {sqlite3.sqlite_version}"
    print(f"chuhai benchmark — {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, {platform.python_implementation()} "
          f"{platform.python_version()}, {os.cpu_count()} CPUs, {database}, data dir {data_dir}")

    results_ok = True
    marker = data_dir / ".bench-demo-loaded"
    try:
        init_s, _out = run_timed([args.chuhai, "init"], env)
        print(f"chuhai init                      {init_s:7.1f} s")
        if marker.exists():
            print(f"chuhai demo                      (reused: loaded by an earlier run, {marker.read_text().strip()})")
        else:
            load_s, out = run_timed([args.chuhai, "demo", "--orders", str(args.orders), "--seed", str(args.seed)], env)
            if "already loaded" in out:
                print("chuhai demo                      (this database already held the demo: not timed)")
            else:
                ok = load_s <= LOAD_TARGET_S or args.orders != 100_000
                results_ok &= ok
                target = f"target ≤ {LOAD_TARGET_S:.0f} s: {verdict(ok)}" if args.orders == 100_000 else "no target"
                print(f"chuhai demo --orders {args.orders:<10} {load_s:7.1f} s   ({target})")
                if args.data_dir:
                    marker.write_text(f"{args.orders} orders in {load_s:.1f} s")

        port = free_port()
        server = subprocess.Popen([args.chuhai, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0) as client:
                wait_until_serving(client, server)
                log_in(client, "demo", "demo")
                timings = measure(client, args.path, args.requests, args.warmup)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        p50, p95 = statistics.median(timings), percentile(timings, 95)
        ok = p95 <= P95_TARGET_MS
        results_ok &= ok
        print(f"GET {args.path} × {args.requests} (after {args.warmup} warm-ups, logged in as demo, sequential): "
              f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {max(timings):.0f} ms, mean {statistics.fmean(timings):.0f} ms"
              f"   (target p95 ≤ {P95_TARGET_MS:.0f} ms: {verdict(ok)})")
    finally:
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0 if results_ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
