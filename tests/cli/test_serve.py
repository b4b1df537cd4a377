"""`chuhai init` + `chuhai serve` as a person runs them: installed script, production settings, a fresh SQLite
data directory, gunicorn serving pages and static files."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("chuhai")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.fixture
def fresh_env(tmp_path):
    """The environment of a new install: production settings, embedded SQLite in a new data dir."""
    drop = {"DJANGO_SETTINGS_MODULE", "CHUHAI_DATABASE_URL", "CHUHAI_SECRET_KEY", "CHUHAI_DEBUG"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["CHUHAI_DATA_DIR"] = str(tmp_path / "var")
    return env


def chuhai(env, *args, **kwargs):
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=300, **kwargs)


def test_init_then_serve(fresh_env):
    refused = chuhai(fresh_env, "serve", "--port", str(free_port()))
    assert refused.returncode == 1 and "chuhai init" in refused.stderr and "Traceback" not in refused.stderr

    assert chuhai(fresh_env, "init").returncode == 0
    started = time.monotonic()
    again = chuhai(fresh_env, "init")
    assert again.returncode == 0 and time.monotonic() - started < 10

    port = free_port()
    server = subprocess.Popen([str(SCRIPT), "serve", "--port", str(port), "--workers", "1"], env=fresh_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _headers, page = get(port, "/accounts/login/")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert status == 200
        status, headers, _ = get(port, "/")
        assert status == 302 and "/accounts/login/" in headers["Location"]
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page)
        assert stylesheet, "the login page links its stylesheet"
        assert get(port, stylesheet.group(1))[0] == 200
    finally:
        server.send_signal(signal.SIGTERM)
        out, _err = server.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out
