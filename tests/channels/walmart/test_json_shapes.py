"""Property: an API dump with any value replaced by any other JSON value (a string where a number belongs, a list
where an object belongs, huge numbers…) yields only well-formed orders or located errors — never a traceback.
Covers both JSON sources (Walmart and WooCommerce), which walk nested structures of whatever shape the file has."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuhai.channels.ingest.errors import ErrorCollector, FileRejected
from chuhai.channels.ingest.reading import Payload
from chuhai.channels.ingest.sources import ParseContext
from chuhai.channels.services import create_account
from chuhai.channels.walmart.orders import WalmartOrdersJson
from chuhai.channels.woocommerce.orders import WooCommerceOrdersJson
from chuhai.orders.models import OrderStatus

CHANNELS = Path(__file__).parent.parent
CASES = {
    "walmart": (WalmartOrdersJson, CHANNELS / "walmart/fixtures/orders_response.json"),
    "woocommerce": (WooCommerceOrdersJson, CHANNELS / "woocommerce/fixtures/orders_list.json"),
}
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**20, max_value=10**20) | st.floats(allow_nan=False)
    | st.text(max_size=12) | st.sampled_from(["", "1.5E+18", "-3", "USD", "Shipped", "2017-13-40T00:00:00"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)


def paths(node, prefix=()):
    """Every (path) to a value in the document."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from paths(value, (*prefix, i))


def replaced(document, path, value):
    if not path:
        return value
    copy = json.loads(json.dumps(document))
    node = copy
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return copy


@pytest.mark.parametrize("platform", sorted(CASES))
@pytest.mark.django_db
def test_any_value_in_any_place_gives_orders_or_located_errors(platform):
    source_class, fixture = CASES[platform]
    account = create_account("ACC", platform, "US")
    document = json.loads(fixture.read_text(encoding="utf-8"))
    all_paths = list(paths(document))

    @settings(max_examples=150, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.sampled_from(all_paths), JSON_VALUES)
    def check(path, value):
        payload = Payload("dump.json", json.dumps(replaced(document, path, value)).encode())
        errors = ErrorCollector(payload.name)
        try:
            records = list(source_class().parse(payload, ParseContext(account=account, file_name="dump.json"),
                                                errors))
        except FileRejected as exc:
            assert exc.errors and all(e.message for e in exc.errors)
            return
        for record in records:
            assert record.external_id and record.purchased_at.tzinfo is not None
            assert record.status in OrderStatus.values and record.lines
            assert all(ln.quantity > 0 and ln.channel_sku for ln in record.lines)
        assert all(e.message for e in errors.errors)

    check()
