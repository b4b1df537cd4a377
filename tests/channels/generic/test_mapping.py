"""The mapping file is checked before any row is read: every mistake is listed at once, in words a person can
act on."""

from __future__ import annotations

import pytest

from chuhai.channels.generic.mapping import MappingError, bundled_mapping, parse_mapping, read_mapping

ISSUE_MAPPING = {
    "columns": {"order_id": "InvoiceNo", "sku": "StockCode", "product_name": "Description", "quantity": "Quantity",
                "unit_price": "UnitPrice", "purchase_time": "InvoiceDate", "customer_id": "CustomerID",
                "ship_country": "Country"},
    "constants": {"currency": "GBP"},
    "formats": {"purchase_time": "%Y-%m-%d %H:%M:%S"},
    "cancellation": {"column": "InvoiceNo", "prefix": "C"},
}


def problems(data) -> list[str]:
    with pytest.raises(MappingError) as info:
        parse_mapping(data)
    return info.value.problems


def test_the_issue_mapping_is_valid_as_written():
    m = parse_mapping(ISSUE_MAPPING)
    assert m.columns["order_id"] == "InvoiceNo"
    assert m.constants == {"currency": "GBP"}
    assert (m.cancellation_column, m.cancellation_prefix, m.credit_status) == ("InvoiceNo", "C", "refunded")
    assert m.formats["purchase_time"] == ("%Y-%m-%d %H:%M:%S",)


def test_committed_online_retail_mapping_is_valid():
    m = parse_mapping(bundled_mapping("online_retail"))
    assert m.columns == ISSUE_MAPPING["columns"]
    assert str(m.zone) == "Europe/London"
    assert m.countries == {}  # odd country names are kept visible, not decided in the shipped mapping


def test_missing_required_columns_are_all_named():
    found = problems({"columns": {"sku": "StockCode"}, "constants": {"currency": "GBP"}})
    text = " ".join(found)
    for field in ("order_id", "quantity", "unit_price", "purchase_time"):
        assert f"columns.{field} is required" in text
    assert "columns.sku" not in text


def test_currency_must_come_from_a_column_or_a_constant():
    data = {**ISSUE_MAPPING, "constants": {}}
    assert any(p.startswith("currency:") for p in problems(data))
    parse_mapping({**data, "columns": {**ISSUE_MAPPING["columns"], "currency": "Currency"}})


@pytest.mark.parametrize(("change", "expected"), [
    ({"colums": {}}, "unknown section 'colums'"),
    ({"columns": {**ISSUE_MAPPING["columns"], "colour": "Colour"}}, "columns.colour: unknown field"),
    ({"constants": {"currency": "POUNDS"}}, "'POUNDS' is not an ISO 4217 currency code"),
    ({"constants": {"currency": "GBP", "status": "done"}}, "constants.status: 'done' is not a status"),
    ({"constants": {"currency": "GBP", "sku": "X"}}, "constants.sku: unknown field"),
    ({"formats": {"purchase_time": "YYYY-MM-DD"}}, "formats.purchase_time: give strptime formats"),
    ({"formats": {"quantity": "%d"}}, "formats.quantity: formats apply to"),
    ({"cancellation": {"column": "InvoiceNo"}}, "cancellation: needs both column and prefix"),
    ({"cancellation": {"column": "InvoiceNo", "prefix": "C", "when": "x"}}, "cancellation.when: unknown key"),
    ({"countries": {"EIRE": "Ireland-ish"}}, "countries.EIRE"),
    ({"timezone": "Mars/Olympus"}, "timezone: 'Mars/Olympus' is not an IANA time zone"),
    ({"dayfirst": "yes"}, "dayfirst: use true or false"),
])
def test_each_kind_of_mistake_is_reported(change, expected):
    found = problems({**ISSUE_MAPPING, **change})
    assert any(expected in p for p in found), found


def test_countries_section_records_a_persons_decision():
    m = parse_mapping({**ISSUE_MAPPING, "countries": {"EIRE": "IE", "RSA": "ZAF"}})
    assert m.countries == {"eire": "IE", "rsa": "ZA"}


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("columns:\n  order_id: InvoiceNo\n  sku: [StockCode\n", encoding="utf-8")
    with pytest.raises(MappingError) as info:
        read_mapping(path)
    assert "line " in info.value.problems[0]
