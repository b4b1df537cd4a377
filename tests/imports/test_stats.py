"""``chuhai stats`` counts what imports bring in, the import log and the SKUs still to map."""

from __future__ import annotations

from chuhai.catalog.services import create_product
from chuhai.channels.ingest.runner import import_file
from chuhai.core.stats import entity_counts

from .support import BAD, GOOD

NEW_KEYS = {"settlements", "ledger_lines", "fba_snapshots", "customer_returns", "ad_rows", "imports",
            "unmapped_skus"}


def test_stats_count_imports_and_open_unmapped_skus(account, cable, write):
    from chuhai.catalog.mapping import map_channel_sku

    before = entity_counts()
    assert NEW_KEYS | {"products", "orders", "order_lines", "users"} <= set(before)
    assert before["imports"] == before["unmapped_skus"] == 0

    import_file("test-orders", write("march.csv", GOOD), account)
    import_file("test-orders", write("bad.csv", BAD), account)
    counts = entity_counts()
    assert (counts["imports"], counts["unmapped_skus"], counts["orders"]) == (2, 1, 3)

    map_channel_sku(account, "MYSTERY-9", create_product("GADGET-9", name_en="Gadget"))
    assert entity_counts()["unmapped_skus"] == 0

