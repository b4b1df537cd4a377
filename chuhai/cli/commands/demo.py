"""``chuhai demo``: load the demo business (a Shenzhen electronics-accessory seller) and print its logins."""

from __future__ import annotations

import sys

from ..arguments import non_negative_int, positive_int
from ..errors import CliError

SERVE_HINT = "Start the server with `chuhai serve` (make demo does) and log in with one of:"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo", help="load the demo business into the database",
        description="Load a believable demo business (~120 SKUs, 9 channel accounts, 12 months of orders) and its demo "
                    "users into the database, then exit. Deterministic for a given seed. Run `chuhai init` first.",
    )
    parser.add_argument("--orders", type=positive_int, default=20000, help="number of orders (default: %(default)s)")
    parser.add_argument("--seed", type=non_negative_int, default=42, help="random seed (default: %(default)s)")
    parser.add_argument("--logins", action="store_true",
                        help="only print the demo logins (when the demo is loaded)")
    parser.set_defaults(run=run)


class StageBars:
    """One tqdm bar per loader stage, on stderr: ``progress(stage, done, total)`` opens a bar per new stage."""

    def __init__(self, file=None):
        self.file = file or sys.stderr
        self.stage: str | None = None
        self.bar = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total or None, desc=stage, file=self.file, leave=True, dynamic_ncols=True)
        self.bar.update(done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def print_logins(loader) -> None:
    print(SERVE_HINT)
    print("Demo logins (username / password / role):")
    for username, password, role in loader.DEMO_LOGINS:
        print(f"  {username} / {password}  ({role})")


def _loader():
    try:
        from chuhai.demo import loader
    except ImportError as exc:
        raise CliError(f"the demo loader is not available in this installation ({exc})") from exc
    return loader


def run(args) -> int:
    loader = _loader()
    if args.logins:
        if not loader.is_demo_loaded():
            raise CliError("the demo business is not loaded in this database; run `chuhai demo` first")
        print_logins(loader)
        return 0
    bars = StageBars()
    try:
        summary = loader.load_demo(orders=args.orders, seed=args.seed, progress=bars)
    except loader.DemoAlreadyLoaded:
        bars.close()
        print("The demo business is already loaded in this database.")
        print_logins(loader)
        return 0
    finally:
        bars.close()
    print("Demo business loaded:")
    for key, value in (summary or {}).items():
        print(f"  {key}: {value:,}" if isinstance(value, int) and not isinstance(value, bool) else f"  {key}: {value}")
    print_logins(loader)
    return 0
