"""``chuhai serve``: the web application under gunicorn (threads, so the embedded SQLite database is fine)."""

from __future__ import annotations

import errno
import socket

from ..arguments import non_negative_int, port, positive_int
from ..errors import CliError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the web application",
        description="Serve chuhai with gunicorn (threaded workers) under production settings. "
                    "Run `chuhai init` first.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=port, default=8000, help="TCP port (default: %(default)s)")
    parser.add_argument("--workers", type=positive_int, default=2,
                        help="worker processes (default: %(default)s)")
    parser.add_argument("--threads", type=positive_int, default=8,
                        help="threads per worker (default: %(default)s)")
    parser.add_argument("--timeout", type=non_negative_int, default=120,
                        help="seconds before a silent worker is restarted (default: %(default)s)")
    parser.set_defaults(run=run)


def make_application(options: dict):
    """A gunicorn application serving ``chuhai.wsgi:application`` with ``options`` as gunicorn settings."""
    from gunicorn.app.base import BaseApplication

    class ChuhaiApplication(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from chuhai.wsgi import application

            return application

    return ChuhaiApplication()


def url_for(host: str, port_number: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port_number}/"


def check_port_free(host: str, port_number: int) -> None:
    """Fail with one clear line now rather than letting gunicorn retry and log five errors."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port_number))
        except OSError as exc:
            hint = ("; is chuhai already running? choose another --port" if exc.errno == errno.EADDRINUSE
                    else "; check --host")
            raise CliError(f"cannot listen on {host}:{port_number} ({exc.strerror}){hint}") from exc


def run(args) -> int:
    from django.db import connections

    from .init import pending_migrations

    if pending_migrations():
        raise CliError("the database is not set up or needs migrating: run `chuhai init` first")
    check_port_free(args.host, args.port)
    connections.close_all()  # workers are forked: never share the parent's connection
    bind = f"[{args.host}]:{args.port}" if ":" in args.host else f"{args.host}:{args.port}"
    options = {
        "bind": [bind],
        "workers": args.workers,
        "threads": args.threads,
        "worker_class": "gthread",
        "timeout": args.timeout,
        "graceful_timeout": 10,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "chuhai",
    }
    print(f"chuhai is serving on {url_for(args.host, args.port)}  (Ctrl+C stops it)", flush=True)
    make_application(options).run()
    return 0
