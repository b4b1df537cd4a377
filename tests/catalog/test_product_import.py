"""The product-list import against the real database: encodings, headers, Excel quirks, all-or-nothing."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest

from chuhai.catalog.models import Product
from chuhai.catalog.product_import import ProductImportError, import_products

BOM = b"\xef\xbb\xbf"

CHINESE_CSV = (
    "货号,品名,中文名称,采购价,币种,重量(g),长,宽,高,品牌,类目,海关编码,原产国,带电,危险品,备注\n"
    "A-001,USB-C Cable 1m,数据线1米,12.50,CNY,35,120,30,20,Anker,Cables,8544.42,CN,否,否,ignored\n"
    "0012345,Power Bank 10000mAh,充电宝,58,cny,210,140,70,15,,,850760,China,是,否,\n"
)


def write_bytes(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def write_xlsx(tmp_path, rows: list[list], name: str = "products.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def snapshot():
    """Every product's importable state, to prove that a rejected file changed nothing."""
    return sorted(Product.objects.values_list("sku", "name_en", "name_zh", "purchase_cost", "cost_currency",
                                              "weight_g", "updated_at"))


@pytest.mark.django_db
def test_csv_with_bom_and_chinese_headers(tmp_path):
    path = write_bytes(tmp_path, "产品.csv", BOM + CHINESE_CSV.encode("utf-8"))

    result = import_products(path)

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    cable = Product.objects.get(sku="A-001")
    assert cable.name_en == "USB-C Cable 1m" and cable.name_zh == "数据线1米"
    assert cable.purchase_cost == Decimal("12.50") and cable.cost_currency == "CNY"
    assert (cable.weight_g, cable.length_mm, cable.width_mm, cable.height_mm) == (35, 120, 30, 20)
    assert (cable.brand, cable.category, cable.hs_code, cable.country_of_origin) == ("Anker", "Cables", "854442", "CN")
    assert cable.has_battery is False and cable.is_hazmat is False
    # A SKU that looks numeric keeps its leading zeros; country names and 是/否 are understood.
    bank = Product.objects.get(sku="0012345")
    assert bank.cost_currency == "CNY" and bank.country_of_origin == "CN" and bank.has_battery is True
    assert bank.history.count() == 1  # audit history is written by the bulk import too


@pytest.mark.django_db
def test_gbk_csv_from_chinese_excel(tmp_path):
    text = "SKU编码,中文名称,采购成本,货币\nG-1,蓝牙耳机,33.3,CNY\n"
    path = write_bytes(tmp_path, "gbk.csv", text.encode("gbk"))

    import_products(path)

    assert Product.objects.get(sku="G-1").name_zh == "蓝牙耳机"


@pytest.mark.django_db
def test_xlsx_numbers_stay_text_and_header_is_found_below_a_title(tmp_path):
    path = write_xlsx(tmp_path, [
        ["My product list 2026"],
        [],
        ["Seller SKU", "Name", "Purchase Cost", "Currency", "Weight (g)", "Battery"],
        [100234, "Phone stand", 12.5, "CNY", 120, True],
        ["C-2", "Cable", 3, "USD", 35.0, "no"],
    ])

    result = import_products(path)

    assert result.created == 2
    stand = Product.objects.get(sku="100234")  # calamine reads 100234.0; the SKU is the text "100234"
    assert stand.purchase_cost == Decimal("12.5") and stand.weight_g == 120 and stand.has_battery is True
    cable = Product.objects.get(sku="C-2")
    assert cable.purchase_cost == Decimal("3") and cable.cost_currency == "USD" and cable.weight_g == 35


@pytest.mark.django_db
def test_xlsx_error_names_the_excel_row(tmp_path):
    path = write_xlsx(tmp_path, [
        ["Title row"],
        ["sku", "weight_g"],
        ["OK-1", 10],
        ["BAD-1", 12.5],
    ])

    with pytest.raises(ProductImportError) as info:
        import_products(path)

    [error] = info.value.errors
    assert (error.line, error.column, error.value) == (4, "weight_g", "12.5")
    assert "whole number" in error.reason
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_reimport_is_a_no_op_and_changes_are_updates(tmp_path):
    path = write_bytes(tmp_path, "list.csv", BOM + CHINESE_CSV.encode("utf-8"))
    import_products(path)
    before = snapshot()
    history_before = Product.history.count()

    again = import_products(path)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot() == before and Product.history.count() == history_before

    # A partial sheet updates what it gives; empty cells keep the current values.
    update = write_bytes(tmp_path, "update.csv", b"sku,cost,currency,weight_g\nA-001,13.00,CNY,\n")
    result = import_products(update)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert result.changes[0].fields == ("purchase_cost",)
    cable = Product.objects.get(sku="A-001")
    assert cable.purchase_cost == Decimal("13.00") and cable.weight_g == 35 and cable.name_zh == "数据线1米"
    assert cable.history.count() == 2


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing(tmp_path):
    Product.objects.create(sku="A-001", name_en="Old name")
    path = write_bytes(tmp_path, "list.csv", BOM + CHINESE_CSV.encode("utf-8"))
    before = snapshot()

    result = import_products(path, dry_run=True)

    assert (result.created, result.updated, result.dry_run) == (1, 1, True)
    assert {(c.sku, c.action) for c in result.changes} == {("A-001", "update"), ("0012345", "create")}
    assert snapshot() == before


@pytest.mark.django_db
def test_bad_rows_are_all_reported_and_nothing_changes(tmp_path):
    Product.objects.create(sku="KEEP-1", name_en="Untouched", purchase_cost=Decimal("1"), cost_currency="CNY")
    before = snapshot()
    text = (
        "sku,name,cost,currency,weight\n"
        "KEEP-1,Renamed,2,CNY,10\n"  # valid on its own: must not be applied because other rows fail
        "NEW-1,Fine,5,CNY,10\n"
        "B-2,Bad cost,abc,CNY,1\n"
        "B-3,Bad currency,1,EURO,1\n"
        "NEW-1,Repeated,1,CNY,1\n"
    )
    path = write_bytes(tmp_path, "bad.csv", text.encode())

    with pytest.raises(ProductImportError) as info:
        import_products(path)

    located = {(e.line, e.column, e.value) for e in info.value.errors}
    assert located == {(4, "cost", "abc"), (5, "currency", "EURO"), (6, "sku", "NEW-1")}
    assert all(e.file == "bad.csv" for e in info.value.errors)
    assert "bad.csv, line 4, column 'cost', value 'abc'" in str(info.value)
    assert snapshot() == before
    assert not Product.objects.filter(sku="NEW-1").exists()


@pytest.mark.django_db
def test_excel_mangled_skus_are_rejected(tmp_path):
    csv_path = write_bytes(tmp_path, "sci.csv", b"sku,name\n1.23E+11,Scientific\nOK-1,Fine\n")
    with pytest.raises(ProductImportError) as info:
        import_products(csv_path)
    [error] = info.value.errors
    assert (error.line, error.column, error.value) == (2, "sku", "1.23E+11")
    assert "scientific notation" in error.reason

    # In a workbook, an 18-digit number typed into a General cell has already lost its last digits.
    xlsx_path = write_xlsx(tmp_path, [["sku", "name"], [123456789012345678, "Too long"]])
    with pytest.raises(ProductImportError) as info:
        import_products(xlsx_path)
    assert info.value.errors[0].line == 2 and "15 digits" in info.value.errors[0].reason
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_missing_sku_column_and_cost_without_currency(tmp_path):
    no_sku = write_bytes(tmp_path, "no_sku.csv", b"name,cost\nCable,1\n")
    with pytest.raises(ProductImportError, match="no SKU column"):
        import_products(no_sku)

    no_currency = write_bytes(tmp_path, "costs.csv", "货号,采购价\nP-1,9.9\n".encode())
    with pytest.raises(ProductImportError, match="currency"):
        import_products(no_currency)
    import_products(no_currency, default_currency="cny")
    product = Product.objects.get(sku="P-1")
    assert (product.purchase_cost, product.cost_currency) == (Decimal("9.9"), "CNY")


@pytest.mark.django_db
def test_ten_thousand_rows_use_bulk_queries(tmp_path, django_assert_max_num_queries):
    lines = ["sku,name,cost,currency,weight_g"]
    lines += [f"BULK-{i:05d},Item {i},{i % 97}.50,CNY,{i % 500}" for i in range(10_000)]
    path = write_bytes(tmp_path, "big.csv", "\n".join(lines).encode())

    # Batched writes: SQLite caps a statement at 999 parameters (~45 products per INSERT), so a few hundred
    # queries; a per-row regression would need at least 10,000.
    with django_assert_max_num_queries(1000):
        result = import_products(path)

    assert result.created == 10_000
    assert Product.objects.count() == 10_000
    assert Product.history.count() == 10_000
