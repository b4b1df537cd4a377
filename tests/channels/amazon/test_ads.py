"""Amazon Sponsored Products report downloads (CSV and XLSX) and the ad-row writer."""

import datetime as dt
import gzip
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from chuhai.analytics.models import AdPerformance
from chuhai.channels.amazon.ads import SponsoredProductsReport
from chuhai.channels.ingest.errors import ErrorCollector, FileRejected
from chuhai.channels.ingest.reading import load_payload
from chuhai.channels.ingest.runner import import_file
from chuhai.channels.ingest.sources import ParseContext
from chuhai.channels.services import create_account

from ..damage import mutated

FIXTURES = Path(__file__).parent / "fixtures"
SEARCH_TERMS = FIXTURES / "ads_sp_search_term.csv"
ADVERTISED = FIXTURES / "ads_sp_advertised_product.csv"
NOV_1, NOV_2, NOV_30 = dt.date(2025, 11, 1), dt.date(2025, 11, 2), dt.date(2025, 11, 30)


@pytest.fixture
def amazon_us(db):
    return create_account("AMZ-US", "amazon", "US")


def parse(path, account):
    errors = ErrorCollector(Path(path).name)
    ctx = ParseContext(account=account, file_name=Path(path).name)
    return list(SponsoredProductsReport().parse(load_payload(path), ctx, errors)), errors.errors


def test_search_term_report_with_trailing_space_headers_and_dollar_amounts(amazon_us):
    records, errors = parse(SEARCH_TERMS, amazon_us)
    assert errors == []
    assert {r.report_type for r in records} == {"sp_search_term"}
    exact, product, auto = records
    assert (exact.start_date, exact.end_date, exact.portfolio, exact.currency) == (NOV_1, NOV_30, "Oral care", "USD")
    assert (exact.campaign, exact.ad_group, exact.targeting, exact.match_type, exact.search_term) == (
        "SP - Toothbrush - Exact", "Toothbrush exact", "bamboo toothbrush", "EXACT", "bamboo toothbrush")
    assert (exact.impressions, exact.clicks, exact.orders, exact.units) == (12408, 153, 48, 61)
    assert (exact.spend, exact.sales) == (Decimal("125.46"), Decimal("1234.56"))
    assert (product.targeting, product.match_type, product.search_term) == ('asin="B08ABC1234"', "-", "b08abc1234")
    assert (auto.portfolio, auto.targeting, auto.sales, auto.orders) == ("", "*", Decimal("0"), 0)


def test_advertised_product_daily_rows_with_month_first_us_dates(amazon_us):
    records, errors = parse(ADVERTISED, amazon_us)
    assert errors == []
    assert {r.report_type for r in records} == {"sp_advertised_product"}
    assert [(r.start_date, r.end_date, r.advertised_sku, r.advertised_asin) for r in records] == [
        (NOV_1, NOV_1, "TB-BLK-01", "B08XYZ1234"), (NOV_1, NOV_1, "TB-WHT-01", "B08XYZ1235"),
        (NOV_2, NOV_2, "TB-BLK-01", "B08XYZ1234")]
    assert (records[2].spend, records[2].sales, records[2].orders, records[2].units) == (
        Decimal("16.80"), Decimal("77.94"), 6, 6)
    assert records[0].targeting == records[0].search_term == ""


def test_fourteen_day_columns_are_used_only_without_seven_day_ones_and_marked(amazon_us):
    records, errors = parse(FIXTURES / "ads_sp_14day.csv", amazon_us)
    assert errors == []
    (row,) = records
    assert row.report_type == "sp_advertised_product_14d"
    assert (row.sales, row.orders, row.units, row.spend) == (Decimal("60.00"), 4, 5, Decimal("17.60"))


def test_seven_day_columns_win_when_both_windows_are_present(amazon_us, tmp_path):
    path = tmp_path / "both.csv"
    path.write_text("Date,Campaign Name,Impressions,Clicks,Spend,14 Day Total Sales ,7 Day Total Sales ,"
                    "14 Day Total Orders (#),7 Day Total Orders (#)\n"
                    "2025-11-01,SP - A,100,5,$4.00,$90.00,$60.00,3,2\n")
    (row,), errors = parse(path, amazon_us)
    assert errors == []
    assert (row.report_type, row.sales, row.orders) == ("sp_campaign", Decimal("60.00"), 2)


def test_mexico_dates_are_day_first(db):
    account = create_account("AMZ-MX", "amazon", "MX")
    (row,), errors = parse(FIXTURES / "ads_sp_mx_dayfirst.csv", account)
    assert errors == []
    assert (row.start_date, row.end_date, row.currency) == (NOV_1, NOV_30, "MXN")
    assert (row.spend, row.sales, row.clicks) == (Decimal("393.60"), Decimal("2149.50"), 96)


def write_xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


XLSX_HEADER = ["Start Date", "End Date", "Portfolio name", "Currency", "Campaign Name", "Ad Group Name",
               "Advertised SKU", "Advertised ASIN", "Impressions", "Clicks", "Click-Thru Rate (CTR)",
               "Cost Per Click (CPC)", "Spend", "7 Day Total Sales ", "Total Advertising Cost of Sales (ACOS) ",
               "7 Day Total Orders (#)", "7 Day Total Units (#)", "7 Day Advertised SKU Sales "]


def test_xlsx_with_number_and_date_cells_and_trailing_space_headers(amazon_us, tmp_path):
    path = write_xlsx(tmp_path / "sp.xlsx", [
        XLSX_HEADER,
        [dt.datetime(2025, 11, 1), dt.datetime(2025, 11, 30), "Oral care", "USD", "SP - Toothbrush - Exact",
         "Toothbrush exact", "TB-BLK-01", "B08XYZ1234", 12408, 153, 0.0123, 0.82, 125.46, 1234.56, 0.1016, 48, 61,
         1112.45],
        [dt.datetime(2025, 11, 1), dt.datetime(2025, 11, 30), None, "USD", "SP - Auto", "Auto", 100234, "B08XYZ1235",
         874, 3, 0.0034, 0.72, 2.16, 0, None, 0, 0, 0],
    ])
    records, errors = parse(path, amazon_us)
    assert errors == []
    first, second = records
    assert (first.start_date, first.end_date, first.report_type) == (NOV_1, NOV_30, "sp_advertised_product")
    assert (first.spend, first.sales, first.impressions, first.units) == (
        Decimal("125.46"), Decimal("1234.56"), 12408, 61)
    assert (second.advertised_sku, second.portfolio, second.sales) == ("100234", "", Decimal(0))


def test_xlsx_sku_that_excel_turned_into_a_float_is_an_error(amazon_us, tmp_path):
    path = write_xlsx(tmp_path / "sp.xlsx", [
        XLSX_HEADER,
        [dt.datetime(2025, 11, 1), dt.datetime(2025, 11, 30), None, "USD", "SP - Auto", "Auto", 1.2345678901e20,
         "B08XYZ1235", 874, 3, 0.0034, 0.72, 2.16, 0, None, 0, 0, 0],
    ])
    _, errors = parse(path, amazon_us)
    assert [(e.line, e.column) for e in errors] == [(2, "Advertised SKU")]


def test_gzip_report_reads_like_the_plain_one(amazon_us, tmp_path):
    packed = tmp_path / "sp.csv.gz"
    packed.write_bytes(gzip.compress(SEARCH_TERMS.read_bytes()))
    assert parse(packed, amazon_us) == parse(SEARCH_TERMS, amazon_us)


def test_cp1252_export_decodes(db, tmp_path):
    account = create_account("AMZ-FR", "amazon", "FR")
    path = tmp_path / "sp.csv"
    path.write_bytes("Date,Campaign Name,Ad Group Name,Impressions,Clicks,Spend,7 Day Total Sales \n"
                     "15/11/2025,SP – Brosse à dents,Écologique,1 204,17,\"13,43 €\",\"1.051,96 €\"\n"
                     .encode("cp1252"))
    (row,), errors = parse(path, account)
    assert errors == []
    assert (row.start_date, row.campaign, row.ad_group) == (dt.date(2025, 11, 15), "SP – Brosse à dents",
                                                            "Écologique")
    assert (row.impressions, row.spend, row.sales, row.currency) == (1204, Decimal("13.43"), Decimal("1051.96"),
                                                                    "EUR")


def test_malformed_cells_are_reported_with_line_and_column(amazon_us):
    records, errors = parse(FIXTURES / "ads_sp_malformed.csv", amazon_us)
    assert records == []
    located = {(e.line, e.column, e.value) for e in errors}
    assert located == {
        (2, "Impressions", "1,2O4"),
        (2, "Spend", "$13.4x"),
        (3, "Date", "13/45/2025"),
        (4, "Campaign Name", None),
        (4, "7 Day Total Units (#)", "-1"),
    }


def test_row_for_another_country_is_an_error(db):
    uk = create_account("AMZ-UK", "amazon", "GB")
    records, errors = parse(SEARCH_TERMS, uk)
    assert records == []
    assert {(e.line, e.column, e.value) for e in errors} == {(line, "Country", "United States") for line in (2, 3, 4)}


def test_repeated_row_is_an_error_naming_the_first(amazon_us, tmp_path):
    lines = SEARCH_TERMS.read_text().splitlines(keepends=True)
    path = tmp_path / "doubled.csv"
    path.write_text("".join(lines + [lines[1]]))
    _, errors = parse(path, amazon_us)
    assert [(e.line, e.column) for e in errors] == [(5, "Campaign Name")]
    assert "line 2" in errors[0].message


def test_without_a_sales_column_the_file_is_rejected_naming_it(amazon_us, tmp_path):
    path = tmp_path / "sp.csv"
    path.write_text("Date,Campaign Name,Impressions,Clicks,Spend\n2025-11-01,SP - A,100,5,$4.00\n")
    with pytest.raises(FileRejected) as rejected:
        parse(path, amazon_us)
    assert rejected.value.errors[0].column == "7 Day Total Sales"


# -- through the import runner and the ad-row writer --------------------------------------------------------------

def ad_rows(account):
    return {(r.start_date, r.search_term): r for r in AdPerformance.objects.filter(account=account)}


def test_import_then_reimport_changes_nothing_and_late_attribution_updates(amazon_us, tmp_path):
    first = import_file("amazon-ads-sp", SEARCH_TERMS, amazon_us)
    assert (first.status, first.rows_read, first.created, first.updated, first.unchanged) == ("succeeded", 3, 3, 0, 0)
    stored = ad_rows(amazon_us)[(NOV_1, "bamboo toothbrush")]
    assert (stored.spend, stored.sales, stored.report_type) == (Decimal("125.46"), Decimal("1234.56"), "sp_search_term")

    again = import_file("amazon-ads-sp", SEARCH_TERMS, amazon_us)
    assert (again.status, again.created, again.updated, again.unchanged) == ("succeeded", 0, 0, 3)

    later = tmp_path / "sp-later.csv"
    later.write_text(SEARCH_TERMS.read_text().replace('"$1,234.56",10.16%,9.84,48,61', '"$1,260.54",9.95%,10.05,50,63'))
    changed = import_file("amazon-ads-sp", later, amazon_us)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    row = ad_rows(amazon_us)[(NOV_1, "bamboo toothbrush")]
    assert (row.sales, row.orders, row.units, row.import_run_id) == (Decimal("1260.54"), 50, 63, changed.run_id)
    assert AdPerformance.objects.filter(account=amazon_us).count() == 3


def test_xlsx_imports_end_to_end_and_reimports_unchanged(amazon_us, tmp_path):
    path = write_xlsx(tmp_path / "sp.xlsx", [
        XLSX_HEADER,
        [dt.datetime(2025, 11, 1), dt.datetime(2025, 11, 30), "Oral care", "USD", "SP - Toothbrush - Exact",
         "Toothbrush exact", "TB-BLK-01", "B08XYZ1234", 12408, 153, 0.0123, 0.82, 125.46, 1234.56, 0.1016, 48, 61,
         1112.45],
    ])
    assert import_file("amazon-ads-sp", path, amazon_us).created == 1
    again = import_file("amazon-ads-sp", path, amazon_us)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_seven_and_fourteen_day_reports_of_the_same_day_do_not_overwrite_each_other(amazon_us, tmp_path):
    seven = tmp_path / "seven.csv"
    seven.write_text(FIXTURES.joinpath("ads_sp_14day.csv").read_text().replace("14 Day", "7 Day")
                     .replace("$60.00", "$48.00"))
    import_file("amazon-ads-sp", seven, amazon_us)
    fourteen = import_file("amazon-ads-sp", FIXTURES / "ads_sp_14day.csv", amazon_us)
    assert fourteen.created == 1
    assert dict(AdPerformance.objects.values_list("report_type", "sales")) == {
        "sp_advertised_product": Decimal("48"), "sp_advertised_product_14d": Decimal("60")}


def test_malformed_file_is_rejected_and_writes_nothing(amazon_us):
    result = import_file("amazon-ads-sp", FIXTURES / "ads_sp_malformed.csv", amazon_us)
    assert result.status == "rejected" and len(result.errors) == 5
    assert not AdPerformance.objects.exists()


# -- malformed files never half-import nor fail with an internal error --------------------------------------------

@pytest.mark.parametrize("seed", range(40))
def test_a_damaged_cell_is_imported_whole_or_rejected_whole(amazon_us, tmp_path, seed):
    result = import_file("amazon-ads-sp", mutated(SEARCH_TERMS, seed, tmp_path, ","), amazon_us)
    assert result.status in ("succeeded", "rejected"), result.errors
    if result.status == "rejected":
        assert result.errors and all(e.message for e in result.errors)
        assert not AdPerformance.objects.exists()
