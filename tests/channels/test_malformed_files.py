"""Property: whatever happens to a report file, an import either succeeds or is rejected with located errors and
changes nothing — never half an import, never an internal error (issue 3, "Done means")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuhai.analytics.models import AdPerformance
from chuhai.catalog.models import UnmappedSku
from chuhai.channels.ingest.registry import available_sources
from chuhai.channels.ingest.runner import import_file
from chuhai.channels.services import create_account
from chuhai.finance.fx import load_ecb_rates, set_manual_rate
from chuhai.finance.models import FxRate, LedgerLine, ManualFxRate, Settlement
from chuhai.inventory.models import FbaInventorySnapshot
from chuhai.logistics.models import CustomerReturn
from chuhai.orders.models import Order, OrderLine

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
#: source → (platform, marketplace, a valid fixture)
CASES = {
    "amazon-orders": ("amazon", "US", "amazon/fixtures/orders_multi_item.txt"),
    "amazon-settlement": ("amazon", "US", "amazon/fixtures/settlement_v2_consistent.txt"),
    "amazon-transactions": ("amazon", "US", "amazon/fixtures/transactions_us_2020s.csv"),
    "amazon-fba-inventory": ("amazon", "US", "amazon/fixtures/fba_myi_unsuppressed.txt"),
    "amazon-returns": ("amazon", "US", "amazon/fixtures/returns_customer.txt"),
    "amazon-ads-sp": ("amazon", "US", "amazon/fixtures/ads_sp_advertised_product.csv"),
    "shopify-orders": ("shopify", "CL", "shopify/fixtures/orders_clp_real.csv"),
    "ebay-orders": ("ebay", "US", "ebay/fixtures/orders_us.csv"),
    "shopee-orders": ("shopee", "ID", "shopee/fixtures/orders_id.csv"),
    "tiktok-orders": ("tiktok", "TH", "tiktok/fixtures/orders_th.csv"),
    "lazada-orders": ("lazada", "MY", "lazada/fixtures/orders_my.csv"),
    "woocommerce-orders": ("woocommerce", "US", "woocommerce/fixtures/orders_list.json"),
    "walmart-orders": ("walmart", "US", "walmart/fixtures/orders_response.json"),
    "generic-orders": ("distributor", "GB", "generic/fixtures/online_retail_excerpt.csv"),
}
TABLES = (Order, OrderLine, Settlement, LedgerLine, FbaInventorySnapshot, CustomerReturn, AdPerformance, UnmappedSku)
GARBAGE = ["", "x", "-1", "1e400", "NaN", "9" * 30, "１２", "2026-13-45", "$", "1.23E+17", '"', "\t", "\r\n",
           "é", "\x00", "€", ",", ";", "0"]


@pytest.fixture(scope="module")
def rates(django_db_setup, django_db_blocker):
    """ECB rates for every fixture's dates, loaded once for the module (outside the per-test transactions)."""
    with django_db_blocker.unblock():
        load_ecb_rates(since=dt.date(2010, 1, 1))
        set_manual_rate("USD", "CLP", Decimal("950"), dt.date(2010, 1, 1), note="not published by the ECB")
    yield
    with django_db_blocker.unblock():
        FxRate.objects.all().delete()
        ManualFxRate.objects.all().delete()


def counts():
    return tuple(model.objects.count() for model in TABLES)


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """The file with one realistic kind of damage: a cell's text replaced, bytes cut out, a line repeated or
    dropped, random bytes spliced in, or the file cut short."""
    kind = draw(st.sampled_from(["cell", "cut", "repeat", "drop", "bytes", "truncate"]))
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if kind == "bytes":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=12)) + data[at:]
    if kind == "cut":
        a = draw(st.integers(0, len(data)))
        return data[:a] + data[a + draw(st.integers(1, 40)):]
    lines = data.split(b"\n")
    i = draw(st.integers(0, len(lines) - 1))
    if kind == "repeat":
        lines.insert(i, lines[i])
    elif kind == "drop":
        del lines[i]
    else:
        sep = b"\t" if b"\t" in lines[i] else b","
        cells = lines[i].split(sep)
        j = draw(st.integers(0, len(cells) - 1))
        cells[j] = draw(st.sampled_from(GARBAGE)).encode()
        lines[i] = sep.join(cells)
    return b"\n".join(lines)


@pytest.mark.parametrize("source", sorted(CASES))
def test_damaged_files_import_whole_or_not_at_all(source, rates, db, tmp_path):
    if source not in available_sources():
        pytest.skip(f"{source} is not installed")
    platform, marketplace, fixture = CASES[source]
    account = create_account("ACC", platform, marketplace)
    original = (HERE / fixture).read_bytes()
    mapping = None
    if source == "generic-orders":
        mapping = yaml.safe_load((ROOT / "chuhai/channels/generic/mappings/online_retail.yaml").read_text())
    assert import_file(source, HERE / fixture, account, mapping=mapping).ok, "the undamaged fixture must import"
    path = tmp_path / Path(fixture).name

    @settings(max_examples=25, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.data())
    def check(data):
        path.write_bytes(data.draw(damaged(original)))
        before = counts()
        result = import_file(source, path, account, mapping=mapping)
        assert result.status in ("succeeded", "rejected"), [str(e) for e in result.errors]
        if result.status == "rejected":
            assert result.errors and all(e.message for e in result.errors)
            assert counts() == before, "a rejected file changed data"

    check()
