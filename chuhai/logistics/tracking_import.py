"""Tracking events from the CSV / Excel exports of 17TRACK and AfterShip, mapped onto one canonical status set.

Sellers already pay a tracking service; chuhai reads its export instead of polling 2,000 carriers itself. Both
services normalise carrier scans into a small vocabulary (17TRACK: ``NotFound, InfoReceived, InTransit, Expired,
AvailableForPickup, OutForDelivery, DeliveryFailure, Delivered, Exception`` with sub-statuses such as
``Exception_Returning``; AfterShip: tags ``Pending, InfoReceived, InTransit, OutForDelivery, AttemptFail, Delivered,
AvailableForPickup, Exception, Expired`` with subtags such as ``Exception_010`` returning to sender). Both map onto
:class:`~chuhai.logistics.models.TrackingStatus`; "returning" and "returned" come from the sub-status or, failing
that, from the carrier's words ("returned to sender").

One file is one transaction: any bad row (unknown status, unreadable time) rejects the whole file with the line,
column and value, and nothing is written. Re-importing a file changes nothing (an event is unique per shipment,
time, status and description). Tracking numbers chuhai does not know are listed, not fatal: tracking services
follow parcels of other shops and channels too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from chuhai.channels.ingest import values
from chuhai.channels.ingest.errors import CellError, ErrorCollector, FileRejected, RowError
from chuhai.channels.ingest.reading import ColumnSpec, Table, cell, load_payload, read_table
from chuhai.orders.models import OrderStatus

from .models import Shipment, TrackingEvent, TrackingStatus

S = TrackingStatus
SEVENTEEN_TRACK, AFTERSHIP, AUTO = "17track", "aftership", "auto"
FORMATS = (SEVENTEEN_TRACK, AFTERSHIP)

# -- status mapping ---------------------------------------------------------------------------------------------

#: Main statuses of both services (and their display labels, legacy 17TRACK codes and Chinese UI labels), keyed by
#: :func:`status_key`. The two vocabularies never disagree where they overlap.
MAIN_STATUSES: dict[str, TrackingStatus] = {
    # AfterShip tags
    "pending": S.PENDING, "inforeceived": S.INFO_RECEIVED, "intransit": S.IN_TRANSIT,
    "outfordelivery": S.OUT_FOR_DELIVERY, "attemptfail": S.ATTEMPT_FAIL, "delivered": S.DELIVERED,
    "availableforpickup": S.AVAILABLE_FOR_PICKUP, "exception": S.EXCEPTION, "expired": S.EXPIRED,
    # AfterShip display labels
    "informationreceived": S.INFO_RECEIVED, "failedattempt": S.ATTEMPT_FAIL,
    # 17TRACK main statuses
    "notfound": S.PENDING, "deliveryfailure": S.ATTEMPT_FAIL,
    # 17TRACK v1 names and numeric codes
    "pickup": S.AVAILABLE_FOR_PICKUP, "undelivered": S.ATTEMPT_FAIL, "alert": S.EXCEPTION,
    "0": S.PENDING, "10": S.IN_TRANSIT, "20": S.EXPIRED, "30": S.AVAILABLE_FOR_PICKUP, "35": S.ATTEMPT_FAIL,
    "40": S.DELIVERED, "50": S.EXCEPTION,
    # 17TRACK's Chinese interface
    "查询不到": S.PENDING, "收到信息": S.INFO_RECEIVED, "运输途中": S.IN_TRANSIT, "运输过久": S.EXPIRED,
    "到达待取": S.AVAILABLE_FOR_PICKUP, "派送途中": S.OUT_FOR_DELIVERY, "投递失败": S.ATTEMPT_FAIL,
    "成功签收": S.DELIVERED, "可能异常": S.EXCEPTION,
    # our own values, so a file exported from chuhai (or hand-made) reads back
    **{value.replace("_", ""): S(value) for value in S.values},
}

#: Sub-statuses that say more than the main status: the parcel is on its way back, or back.
SUB_STATUSES: dict[str, TrackingStatus] = {
    "exception_returning": S.RETURNING, "exception_returned": S.RETURNED,  # 17TRACK
    "exception_010": S.RETURNING, "exception_011": S.RETURNED,  # AfterShip
    "returningtosender": S.RETURNING, "returnedtosender": S.RETURNED,  # AfterShip subtag messages
}

#: 17TRACK event stages (API v2 ``stage``) that name the return leg.
STAGES: dict[str, TrackingStatus] = {"returning": S.RETURNING, "returned": S.RETURNED}

RETURNED_WORDS = re.compile(
    r"returned to (?:the )?(?:sender|shipper|origin)|delivered to (?:the )?(?:sender|shipper)|"
    r"return(?:ed)? (?:parcel )?received by (?:the )?sender|已退回|退回妥投|退件签收", re.IGNORECASE)
RETURNING_WORDS = re.compile(
    r"return(?:ing)? to (?:the )?(?:sender|shipper|origin)|being returned|return in progress|"
    r"returned? (?:parcel )?in transit|退回中|正在退回", re.IGNORECASE)
#: Statuses whose description may reveal the return leg ("Exception: returned to sender"). An info-received or
#: pending event never does; a delivered event does only when it was delivered back to the sender.
RETURN_PRONE = {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.ATTEMPT_FAIL, S.EXCEPTION, S.EXPIRED, S.AVAILABLE_FOR_PICKUP,
                S.DELIVERED}


def status_key(text: str) -> str:
    """``"In Transit"``, ``"in_transit"``, ``"InTransit"`` → ``"intransit"``."""
    return re.sub(r"[\s_\-/]+", "", str(text or "")).casefold()


def map_status(raw_status: str, sub_status: str = "", description: str = "", stage: str = "") -> TrackingStatus:
    """The canonical status of one event. Raises :class:`CellError` for a main status neither service uses."""
    main = MAIN_STATUSES.get(status_key(raw_status))
    sub = SUB_STATUSES.get(str(sub_status or "").strip().casefold()) or SUB_STATUSES.get(status_key(sub_status))
    if main is None:
        if sub is not None:  # a file holding only the sub-status column's value in the status column
            return sub
        sub_main = MAIN_STATUSES.get(status_key(str(raw_status).split("_", 1)[0])) if "_" in str(raw_status) else None
        if sub_main is None:
            raise CellError(_("not a 17TRACK or AfterShip status (e.g. InTransit, Delivered, Exception)"), raw_status)
        main = sub_main
    if sub is not None:
        return sub
    staged = STAGES.get(status_key(stage))
    if staged is not None:
        return staged
    if main in RETURN_PRONE and description:
        # "being returned to sender" is still on its way: the progressive wording wins over "returned to sender"
        if main != S.DELIVERED and RETURNING_WORDS.search(description):
            return S.RETURNING
        if RETURNED_WORDS.search(description):
            return S.RETURNED
    return main


# -- file layouts -----------------------------------------------------------------------------------------------

COMMON_OPTIONAL = {
    "carrier": ("Carrier", "Courier", "carrier", "slug", "Courier Slug", "Carrier Name", "运输商", "物流商"),
    "location": ("Location", "Checkpoint Location", "Event Location", "location", "地点", "位置"),
}

LAYOUTS: dict[str, tuple[dict, dict]] = {
    # 17TRACK: the batch export of its web tracker and its API's fields (number, latest_status.status/sub_status,
    # events[].time_iso/description/location/stage) flattened to one row per event.
    SEVENTEEN_TRACK: (
        {
            "tracking_number": ("Number", "Tracking Number", "number", "tracking_number", "Tracking No", "单号",
                                "运单号", "物流单号"),
            "status": ("Status", "Main Status", "Package Status", "latest_status", "status", "包裹状态", "状态"),
            "time": ("Time", "Event Time", "time_iso", "time_utc", "Latest Event Time", "Last Event Time",
                     "Update Time", "Date", "时间", "事件时间", "最新事件时间"),
        },
        {
            **COMMON_OPTIONAL,
            "sub_status": ("Sub Status", "Sub-status", "sub_status", "SubStatus", "子状态"),
            "description": ("Event", "Description", "Event Description", "Latest Event", "description", "Details",
                            "事件", "最新事件", "详情"),
            "stage": ("Stage", "stage"),
        },
    ),
    # AfterShip: the shipments export and its checkpoint fields (tag, subtag, checkpoint_time, message, location).
    AFTERSHIP: (
        {
            "tracking_number": ("Tracking Number", "tracking_number", "Tracking No."),
            "status": ("Status", "Tag", "tag", "Delivery Status", "Checkpoint Tag", "Checkpoint Status"),
            "time": ("Checkpoint Time", "checkpoint_time", "Last Checkpoint Time", "Latest Checkpoint Time",
                     "Latest event time", "Last Updated At", "updated_at"),
        },
        {
            **COMMON_OPTIONAL,
            "sub_status": ("Subtag", "subtag", "Sub-status", "Sub Status", "Checkpoint Subtag",
                           "Subtag Message", "subtag_message"),
            "description": ("Checkpoint Message", "message", "Checkpoint", "Latest Event", "Latest Checkpoint",
                            "Message", "Description"),
        },
    ),
}

#: Header words only one of the two services uses (normalized).
AFTERSHIP_MARKS = {"courier", "slug", "tag", "subtag", "checkpoint time", "checkpoint message", "checkpoint_time",
                   "checkpoint location", "last checkpoint time", "checkpoint tag", "checkpoint subtag"}
SEVENTEEN_TRACK_MARKS = {"number", "sub status", "sub_status", "time_iso", "time_utc", "stage", "package status",
                         "main status", "单号", "包裹状态", "运输商"}


def _is_header(cells: list[str]) -> bool:
    """The header is the first line naming a tracking number column (a missing status column is then reported
    by name, rather than as "no header")."""
    return bool(set(cells) & {"number", "tracking number", "tracking_number", "tracking no", "tracking no.", "单号",
                              "运单号", "物流单号"})


def detect_format(table: Table) -> str:
    names = set(table.columns.index)
    aftership = len(names & AFTERSHIP_MARKS)
    seventeen = len(names & SEVENTEEN_TRACK_MARKS)
    return AFTERSHIP if aftership > seventeen else SEVENTEEN_TRACK


# -- import -----------------------------------------------------------------------------------------------------

@dataclass
class ParsedEvent:
    line: int
    tracking_number: str
    carrier: str
    occurred_at: dt.datetime
    status: str
    raw_status: str
    description: str
    location: str


@dataclass
class TrackingImportResult:
    """What one file did (or would have done: ``status`` rejected means nothing was written)."""

    file: str
    format: str = ""
    status: str = "imported"  # imported | rejected
    rows_read: int = 0
    events_created: int = 0
    events_unchanged: int = 0
    shipments_updated: int = 0
    unknown_tracking_numbers: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "imported"

    def as_dict(self) -> dict:
        return {
            "file": self.file, "format": self.format, "status": self.status, "rows_read": self.rows_read,
            "events_created": self.events_created, "events_unchanged": self.events_unchanged,
            "shipments_updated": self.shipments_updated, "unknown_tracking_numbers": self.unknown_tracking_numbers,
            "errors": [e.as_dict() for e in self.errors],
        }


def _clip(text: str | None, field_name: str) -> str:
    limit = TrackingEvent._meta.get_field(field_name).max_length
    return (text or "")[:limit]


def parse_events(table: Table, fmt: str, errors: ErrorCollector) -> tuple[list[ParsedEvent], int]:
    required, optional = LAYOUTS[fmt]
    spec = ColumnSpec(table, required, optional)
    events, rows = [], 0
    for row in table.rows:
        rows += 1
        number = cell(row, spec, "tracking_number", values.identifier, errors, required=True)
        raw_status = cell(row, spec, "status", values.text, errors, required=True)
        occurred_at = cell(row, spec, "time", lambda v: values.timestamp(v, tz=dt.UTC), errors, required=True)
        sub_status = cell(row, spec, "sub_status", values.text, errors, default="")
        description = cell(row, spec, "description", values.text, errors, default="")
        stage = cell(row, spec, "stage", values.text, errors, default="") if "stage" in spec.positions else ""
        if not (number and raw_status and occurred_at):
            continue
        try:
            status = map_status(raw_status, sub_status, description, stage)
        except CellError as exc:
            errors.add(row.line, spec.names["status"], raw_status, exc.message)
            continue
        events.append(ParsedEvent(
            line=row.line, tracking_number=number.replace(" ", ""),
            carrier=cell(row, spec, "carrier", values.text, errors, default=""),
            occurred_at=occurred_at, status=status,
            raw_status=_clip("/".join(p for p in (raw_status, sub_status) if p), "raw_status"),
            description=_clip(description, "description"),
            location=_clip(cell(row, spec, "location", values.text, errors, default=""), "location"),
        ))
    return events, rows


def _shipments_by_number(events: list[ParsedEvent], errors: ErrorCollector) -> dict[tuple[str, str], Shipment]:
    """(tracking number, carrier text) → shipment. A number two carriers share is told apart by the file's carrier
    column (our code or name); when it cannot be, that row is an error."""
    numbers = {e.tracking_number for e in events}
    candidates: dict[str, list[Shipment]] = {}
    for shipment in Shipment.objects.filter(tracking_number__in=numbers).select_related("carrier"):
        candidates.setdefault(shipment.tracking_number, []).append(shipment)
    found, ambiguous = {}, set()
    for event in events:
        key = (event.tracking_number, event.carrier)
        options = candidates.get(event.tracking_number, [])
        if key in found or key in ambiguous or not options:
            continue
        if len(options) > 1:
            wanted = status_key(event.carrier)
            options = [s for s in options if wanted and wanted in (status_key(s.carrier.code), status_key(s.carrier.name))]
            if len(options) != 1:
                ambiguous.add(key)
                errors.add(event.line, "carrier", event.carrier or None,
                           _("tracking number %(number)s belongs to several shipments; give the carrier code to tell "
                             "them apart") % {"number": event.tracking_number})
                continue
        found[key] = options[0]
    return found


def refresh_shipment_status(shipment: Shipment) -> bool:
    """Status, status time and delivery time from the latest event. True when the shipment changed."""
    latest = shipment.events.order_by("-occurred_at", "-id").first()
    if latest is None:
        return False
    delivered_at = None
    if latest.status == S.DELIVERED:
        delivered_at = shipment.events.filter(status=S.DELIVERED).order_by("occurred_at").values_list(
            "occurred_at", flat=True).first()
    changed = (shipment.status, shipment.status_at, shipment.delivered_at) != (latest.status, latest.occurred_at,
                                                                              delivered_at)
    if changed:
        shipment.status, shipment.status_at, shipment.delivered_at = latest.status, latest.occurred_at, delivered_at
        shipment.save(update_fields=["status", "status_at", "delivered_at"])
        _mark_order_delivered(shipment)
    return changed


def _mark_order_delivered(shipment: Shipment) -> None:
    """A shipped order whose every parcel is delivered is delivered."""
    order = shipment.order
    if order.status != OrderStatus.SHIPPED:
        return
    if not order.shipments.exclude(status=S.DELIVERED).exists():
        order.status = OrderStatus.DELIVERED
        order.save(update_fields=["status", "updated_at"])


def _write(events: list[ParsedEvent], shipments: dict, source: str, result: TrackingImportResult) -> None:
    touched: dict[int, Shipment] = {}
    wanted: dict[tuple, TrackingEvent] = {}
    for event in events:
        shipment = shipments.get((event.tracking_number, event.carrier))
        if shipment is None:
            continue
        key = (shipment.pk, event.occurred_at, event.status, event.description)
        if key in wanted:
            continue
        wanted[key] = TrackingEvent(shipment=shipment, occurred_at=event.occurred_at, status=event.status,
                                    raw_status=event.raw_status, description=event.description,
                                    location=event.location, source=source)
        touched[shipment.pk] = shipment
    existing = set(TrackingEvent.objects.filter(shipment_id__in=touched).values_list(
        "shipment_id", "occurred_at", "status", "description"))
    new = [event for key, event in wanted.items() if key not in existing]
    TrackingEvent.objects.bulk_create(new)
    result.events_created = len(new)
    result.events_unchanged = len(wanted) - len(new)
    for shipment in touched.values():
        result.shipments_updated += refresh_shipment_status(shipment)


def import_tracking_file(path: str | Path, fmt: str = AUTO, display_name: str | None = None) -> TrackingImportResult:
    """Import one 17TRACK or AfterShip export (CSV, TSV, XLSX; gzip/zip opened). ``fmt`` ``auto`` decides from
    the header. Never raises for a bad file: the result says ``rejected`` and lists where and why."""
    if fmt not in (AUTO, *FORMATS):
        raise ValueError(_("unknown tracking format %(format)s; choose 17track, aftership or auto") % {
            "format": repr(fmt)})
    name = display_name or Path(path).name
    result = TrackingImportResult(file=name)
    try:
        payload = load_payload(path, display_name=name)
        table = read_table(payload, is_header=_is_header)
        result.format = detect_format(table) if fmt == AUTO else fmt
        errors = ErrorCollector(payload.name)
        events, result.rows_read = parse_events(table, result.format, errors)
        shipments = _shipments_by_number(events, errors)
        errors.raise_if_any()
        known = {number for number, _carrier in shipments}
        result.unknown_tracking_numbers = sorted({e.tracking_number for e in events} - known)
        with transaction.atomic():
            _write(events, shipments, result.format, result)
    except FileRejected as exc:
        result.status, result.errors = "rejected", exc.errors
        result.events_created = result.events_unchanged = result.shipments_updated = 0
    return result



def import_tracking_upload(upload, fmt: str = AUTO) -> TrackingImportResult:
    """:func:`import_tracking_file` for a file that arrived over HTTP (upload page, API)."""
    import os
    import tempfile

    name = Path(upload.name or "tracking.csv").name
    if hasattr(upload, "temporary_file_path"):
        return import_tracking_file(upload.temporary_file_path(), fmt, display_name=name)
    handle, path = tempfile.mkstemp(prefix="chuhai-tracking-", suffix="".join(Path(name).suffixes[-2:])[:20])
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return import_tracking_file(path, fmt, display_name=name)
    finally:
        os.unlink(path)
