"""Tracking exports from 17TRACK and AfterShip: status mapping, all-or-nothing files, idempotent re-imports."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from chuhai.channels.ingest.errors import CellError
from chuhai.logistics.models import Shipment, TrackingEvent
from chuhai.logistics.shipping import create_shipment
from chuhai.logistics.tracking_import import import_tracking_file, map_status

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.mark.parametrize(("raw", "sub", "description", "expected"), [
    # 17TRACK main statuses
    ("NotFound", "NotFound_Other", "", "pending"),
    ("InfoReceived", "", "", "info_received"),
    ("InTransit", "InTransit_CustomsProcessing", "", "in_transit"),
    ("Expired", "Expired_Other", "", "expired"),
    ("AvailableForPickup", "", "", "available_for_pickup"),
    ("OutForDelivery", "", "", "out_for_delivery"),
    ("DeliveryFailure", "DeliveryFailure_NoBody", "", "attempt_fail"),
    ("Delivered", "Delivered_Other", "", "delivered"),
    ("Exception", "Exception_Lost", "", "exception"),
    ("Exception", "Exception_Returning", "", "returning"),
    ("Exception", "Exception_Returned", "", "returned"),
    # AfterShip tags and subtags
    ("Pending", "", "", "pending"),
    ("InTransit", "InTransit_007", "Departure scan", "in_transit"),
    ("AttemptFail", "AttemptFail_001", "", "attempt_fail"),
    ("Exception", "Exception_004", "Customs delay", "exception"),
    ("Exception", "Exception_010", "", "returning"),
    ("Exception", "Exception_011", "", "returned"),
    ("Exception", "Returning to sender", "", "returning"),
    # display labels, legacy codes, Chinese labels
    ("In Transit", "", "", "in_transit"),
    ("Failed Attempt", "", "", "attempt_fail"),
    ("Out for delivery", "", "", "out_for_delivery"),
    ("40", "", "", "delivered"),
    ("35", "", "", "attempt_fail"),
    ("成功签收", "", "", "delivered"),
    ("到达待取", "", "", "available_for_pickup"),
    ("Delivered_003", "", "", "delivered"),
    # the carrier's words reveal the return leg when the sub-status does not
    ("Exception", "", "Returned to sender", "returned"),
    ("InTransit", "", "Item being returned to sender", "returning"),
    ("Delivered", "", "Delivered to sender", "returned"),
    ("Delivered", "", "Delivered, front door", "delivered"),
    ("Exception", "", "Return to sender in progress", "returning"),
    ("InfoReceived", "", "Label created: return to sender if undeliverable", "info_received"),
])
def test_status_mapping(raw, sub, description, expected):
    assert map_status(raw, sub, description) == expected


def test_an_unknown_status_is_a_cell_error():
    with pytest.raises(CellError):
        map_status("Teleported")


@pytest.fixture
def shipped(shop, make_order):
    """Three shipments whose numbers appear in the fixture files (RR…CN, YT…, 1Z…, 9400…)."""
    o1 = make_order("2001", [(shop["mug"], 1)])
    o2 = make_order("2002", [(shop["lid"], 1)])
    o3 = make_order("2003", [(shop["mug"], 1)])
    o4 = make_order("2004", [(shop["lid"], 1)])
    return {
        "yt": create_shipment(o1, "yunexpress", "YT2412345678901234"),
        "rr": create_shipment(o2, "china-post", "RR123456789CN"),
        "ups": create_shipment(o3, "ups", "1Z999AA10123456784"),
        "usps": create_shipment(o4, "usps", "9400111206213642173009"),
    }


def test_17track_export_updates_shipments_and_lists_unknown_numbers(shipped):
    result = import_tracking_file(FIXTURES / "17track_events.csv")

    assert result.ok, result.errors
    assert result.format == "17track"
    assert result.rows_read == 9
    assert result.events_created == 8
    assert result.unknown_tracking_numbers == ["LX000000000CN"]
    yt = Shipment.objects.get(pk=shipped["yt"].pk)
    assert yt.status == "delivered"
    assert yt.delivered_at == dt.datetime(2026, 3, 8, 15, 20, tzinfo=UTC)
    assert yt.status_at == yt.delivered_at
    assert yt.order.status == "delivered"  # its only parcel arrived
    rr = Shipment.objects.get(pk=shipped["rr"].pk)
    assert (rr.status, rr.delivered_at) == ("returning", None)
    assert list(rr.events.values_list("status", flat=True)) == ["in_transit", "attempt_fail", "returning"]
    event = rr.events.get(status="attempt_fail")
    assert (event.raw_status, event.location, event.source) == (
        "DeliveryFailure/DeliveryFailure_InvalidAddress", "Brooklyn", "17track")


def test_reimporting_the_same_file_changes_nothing(shipped):
    import_tracking_file(FIXTURES / "17track_events.csv")
    before = list(TrackingEvent.objects.order_by("id").values_list("id", "status"))

    again = import_tracking_file(FIXTURES / "17track_events.csv")

    assert again.ok
    assert (again.events_created, again.events_unchanged, again.shipments_updated) == (0, 8, 0)
    assert list(TrackingEvent.objects.order_by("id").values_list("id", "status")) == before


def test_aftership_export_is_recognised_and_mapped(shipped):
    result = import_tracking_file(FIXTURES / "aftership_export.csv")

    assert result.ok, result.errors
    assert (result.format, result.events_created, result.unknown_tracking_numbers) == ("aftership", 5, [])
    ups = Shipment.objects.get(pk=shipped["ups"].pk)
    assert ups.status == "returned"
    assert ups.status_at == dt.datetime(2026, 3, 10, 17, 30, tzinfo=UTC)  # -08:00 kept as the instant it is
    assert list(ups.events.values_list("status", flat=True)) == ["info_received", "in_transit", "attempt_fail",
                                                                 "returned"]
    assert Shipment.objects.get(pk=shipped["usps"].pk).status == "available_for_pickup"


def test_a_bad_file_is_rejected_whole_with_located_errors(shipped):
    result = import_tracking_file(FIXTURES / "bad_status_and_time.csv")

    assert result.status == "rejected"
    located = {(e.line, e.column, e.value) for e in result.errors}
    assert (3, "Status", "Teleported") in located
    assert (4, "Time", "next tuesday") in located
    assert (5, "Number", None) in located
    assert not TrackingEvent.objects.exists()  # line 2 was fine, but nothing of the file is written
    assert Shipment.objects.get(pk=shipped["yt"].pk).status == "pending"


def test_a_missing_column_is_named(shipped):
    result = import_tracking_file(FIXTURES / "missing_status_column.csv", fmt="17track")
    assert result.status == "rejected"
    assert result.errors[0].column.startswith("Status") and "required column missing" in result.errors[0].message


def test_an_excel_export_in_a_zip_reads_the_same(shipped, tmp_path):
    import csv
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    with open(FIXTURES / "17track_events.csv", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    xlsx = tmp_path / "export.xlsx"
    workbook.save(xlsx)
    zipped = tmp_path / "export.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(xlsx, "17track export.xlsx")

    result = import_tracking_file(zipped)

    assert result.ok, result.errors
    assert (result.format, result.events_created) == ("17track", 8)


def test_a_number_shared_by_two_carriers_needs_the_carrier_column(shop, make_order, tmp_path):
    create_shipment(make_order("2101", [(shop["mug"], 1)]), "4px", "SAME123")
    create_shipment(make_order("2102", [(shop["lid"], 1)]), "yanwen", "SAME123")
    path = tmp_path / "shared.csv"
    path.write_text("Tracking Number,Courier,Tag,Checkpoint Time,Checkpoint Message\n"
                    "SAME123,yanwen,InTransit,2026-03-02T10:00:00Z,Departed\n"
                    "SAME123,,Delivered,2026-03-05T10:00:00Z,Delivered\n", encoding="utf-8")

    rejected = import_tracking_file(path)
    assert rejected.status == "rejected" and "several shipments" in rejected.errors[0].message

    shutil.copy(path, tmp_path / "fixed.csv")
    (tmp_path / "fixed.csv").write_text(path.read_text().replace("SAME123,,", "SAME123,4px,"), encoding="utf-8")
    result = import_tracking_file(tmp_path / "fixed.csv")
    assert result.ok
    assert Shipment.objects.get(carrier__code="yanwen").status == "in_transit"
    assert Shipment.objects.get(carrier__code="4px").status == "delivered"
