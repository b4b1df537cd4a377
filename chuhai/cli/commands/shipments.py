"""``chuhai shipments list|add`` and ``chuhai tracking import``: ship orders and read tracking exports from the shell.

Shipping goes through :func:`chuhai.logistics.shipping.create_shipment` (shipment, stock movement and order status
in one transaction); tracking files through :func:`chuhai.logistics.tracking_import.import_tracking_file`.
"""

from __future__ import annotations

import sys

from ..arguments import positive_int
from ..errors import CliError
from ..output import print_json, print_table

TRACKING_FORMATS = ("auto", "17track", "aftership")


def register(subparsers) -> None:
    parser = subparsers.add_parser("shipments", help="list and record shipments to customers",
                                   description="Shipments to customers: carrier, tracking number, tracking status.")
    commands = parser.add_subparsers(dest="shipments_command", metavar="SUBCOMMAND", required=True)

    listing = commands.add_parser("list", help="list shipments, newest first",
                                  description="List shipments, newest first.")
    listing.add_argument("--carrier", metavar="CODE", help="only this carrier")
    listing.add_argument("--status", metavar="STATUS", help="only this tracking status (e.g. in_transit)")
    listing.add_argument("--account", metavar="CODE", help="only orders of this channel account")
    listing.add_argument("--limit", type=positive_int, default=100, help="at most this many (default: 100)")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(run=run_list)

    add = commands.add_parser(
        "add", help="ship an order",
        description="Record that an order (all its open lines, or the given ones) left the warehouse: the shipment, "
                    "the outbound stock movement and the order status, all or nothing.")
    add.add_argument("order", metavar="ORDER_ID", help="the order id on its channel")
    add.add_argument("--account", required=True, metavar="CODE", help="channel account code")
    add.add_argument("--carrier", required=True, metavar="CODE", help="carrier code (e.g. ups, yunexpress)")
    add.add_argument("--tracking", required=True, metavar="NUMBER", help="tracking number")
    add.add_argument("--service", default="", help="carrier service, e.g. Ground")
    add.add_argument("--line", dest="lines", type=positive_int, action="append", metavar="N",
                     help="ship only this line number (repeatable; default: every open line)")
    add.add_argument("--as", dest="as_user", metavar="USERNAME", help="record the shipment as this user")
    add.add_argument("--json", action="store_true", help="print JSON instead of text")
    add.set_defaults(run=run_add)

    tracking = subparsers.add_parser("tracking", help="import tracking events",
                                     description="Tracking events from 17TRACK or AfterShip exports.")
    tracking_commands = tracking.add_subparsers(dest="tracking_command", metavar="SUBCOMMAND", required=True)
    imp = tracking_commands.add_parser(
        "import", help="import a 17TRACK or AfterShip export",
        description="Import tracking events from a CSV/Excel export. Each file is all or nothing; re-importing "
                    "changes nothing; tracking numbers that are not chuhai shipments are listed and skipped.")
    imp.add_argument("paths", nargs="+", metavar="FILE")
    imp.add_argument("--format", default="auto", choices=TRACKING_FORMATS,
                     help="the export's layout (default: recognise it from the header)")
    imp.add_argument("--json", action="store_true", help="print JSON instead of text")
    imp.set_defaults(run=run_import)


def _user(username: str | None):
    if not username:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CliError(f"no active user {username!r} (see `chuhai users list`)")
    return user


def shipment_row(shipment) -> dict:
    return {
        "id": shipment.pk, "account": shipment.order.account.code, "order": shipment.order.external_id,
        "carrier": shipment.carrier.code, "service": shipment.service, "tracking_number": shipment.tracking_number,
        "tracking_url": shipment.tracking_url, "warehouse": shipment.warehouse.code if shipment.warehouse_id else None,
        "shipped_at": shipment.shipped_at, "status": shipment.status, "status_at": shipment.status_at,
        "delivered_at": shipment.delivered_at,
    }


def run_list(args) -> int:
    from chuhai.logistics.models import Shipment, TrackingStatus

    qs = Shipment.objects.select_related("order__account", "carrier", "warehouse").order_by("-shipped_at", "-id")
    if args.status:
        if args.status not in TrackingStatus.values:
            raise CliError(f"unknown status {args.status!r}; choose one of {', '.join(TrackingStatus.values)}")
        qs = qs.filter(status=args.status)
    if args.carrier:
        qs = qs.filter(carrier__code=args.carrier)
    if args.account:
        qs = qs.filter(order__account__code=args.account)
    rows = [shipment_row(s) for s in qs[:args.limit]]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No shipments.")
        return 0
    print_table(["ID", "SHIPPED", "ACCOUNT", "ORDER", "CARRIER", "TRACKING", "WAREHOUSE", "STATUS"],
                [(r["id"], r["shipped_at"].strftime("%Y-%m-%d %H:%M"), r["account"], r["order"], r["carrier"],
                  r["tracking_number"], r["warehouse"] or "", r["status"]) for r in rows], right=(0,))
    return 0


def run_add(args) -> int:
    from chuhai.logistics.shipping import create_shipment
    from chuhai.orders.models import Order

    order = Order.objects.select_related("account").filter(account__code=args.account,
                                                           external_id=args.order).first()
    if order is None:
        raise CliError(f"no order {args.order!r} on account {args.account!r}")
    lines = None
    if args.lines:
        by_no = dict(order.lines.filter(line_no__in=args.lines).values_list("line_no", "pk"))
        missing = [str(n) for n in args.lines if n not in by_no]
        if missing:
            raise CliError(f"order {args.order} has no line {', '.join(missing)}")
        lines = [by_no[n] for n in args.lines]
    shipment = create_shipment(order, args.carrier, args.tracking, service=args.service, lines=lines,
                               user=_user(args.as_user))
    shipment.refresh_from_db()
    order.refresh_from_db()
    if args.json:
        print_json({**shipment_row(shipment), "order_status": order.status})
        return 0
    where = f" from {shipment.warehouse.code}" if shipment.warehouse_id else ""
    print(f"Shipped order {order.external_id}{where} with {shipment.carrier.name}, tracking number "
          f"{shipment.tracking_number}; the order is now {order.status.replace('_', ' ')}.")
    if shipment.tracking_url:
        print(f"Track: {shipment.tracking_url}")
    return 0


def run_import(args) -> int:
    from tqdm import tqdm

    from chuhai.logistics.tracking_import import import_tracking_file

    results = []
    for path in tqdm(args.paths, desc="tracking import", unit="file", file=sys.stderr,
                     disable=not sys.stderr.isatty(), leave=False):
        try:
            results.append(import_tracking_file(path, args.format))
        except OSError as exc:
            raise CliError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if args.json:
        print_json([r.as_dict() for r in results])
    else:
        for r in results:
            if r.ok:
                print(f"{r.file}: {r.format}, {r.rows_read} rows, {r.events_created} new events, "
                      f"{r.events_unchanged} already known, {r.shipments_updated} shipments updated.")
                if r.unknown_tracking_numbers:
                    print(f"  not chuhai shipments (skipped): {', '.join(r.unknown_tracking_numbers)}")
            else:
                print(f"{r.file}: rejected, nothing imported:")
                for error in r.errors:
                    print(f"  {error}")
    return 0 if all(r.ok for r in results) else 1
