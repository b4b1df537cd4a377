"""The imports page (upload, result, history) and the unmapped-SKU page (list, map), by role."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from chuhai.catalog.models import Listing, UnmappedSku
from chuhai.catalog.services import create_product
from chuhai.channels.ingest.runner import import_file
from chuhai.channels.models import ImportRun
from chuhai.orders.models import Order, OrderLine

from .support import BAD, GOOD


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def post_import(client, *files, **extra):
    data = {"account": "AMZ-US", "source": "test-orders", "files": list(files), **extra}
    return client.post("/imports/", data)


# -- imports page -------------------------------------------------------------------------------------------------
def test_operations_uploads_and_sees_the_result_and_the_history(client_as, account, cable, role_users):
    client = client_as("operations")
    page = client.get("/imports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html and 'value="test-orders"' in html

    response = post_import(client, upload("Orders March.csv", GOOD))

    assert response.status_code == 200
    html = response.content.decode()
    assert Order.objects.count() == 3
    run = ImportRun.objects.get()
    assert (run.file_name, run.user, run.status, run.created) == (
        "Orders March.csv", role_users["operations"], "succeeded", 3)
    assert run.file_sha256 == hashlib.sha256(GOOD.encode()).hexdigest()
    assert 'id="import-results"' in html and 'data-status="succeeded"' in html
    assert run.file_sha256[:12] in html  # the history table, in the same response
    assert "operations_user" in html


def test_several_files_in_one_upload(client_as, account, cable):
    response = post_import(client_as("admin"), upload("good.csv", GOOD), upload("bad.csv", BAD))
    html = response.content.decode()
    assert html.count('class="import-result"') == 2
    assert 'data-status="rejected"' in html and 'data-status="succeeded"' in html
    assert Order.objects.count() == 3  # only the good file's orders


def test_rejected_upload_shows_its_errors_and_writes_nothing(client_as, account, cable):
    response = post_import(client_as("operations"), upload("bad.csv", BAD))
    html = response.content.decode()
    assert 'data-status="rejected"' in html
    row = html.split('class="table import-errors"')[1]
    assert '<td class="num">3</td><td class="mono">qty</td><td class="mono">two</td><td>not a number</td>' in row
    assert Order.objects.count() == 0
    run = ImportRun.objects.get()
    assert run.status == "rejected" and run.errors[0]["line"] == 3


def test_dry_run_from_the_page_writes_nothing(client_as, account, cable):
    response = post_import(client_as("operations"), upload("march.csv", GOOD), dry_run="on")
    assert 'data-status="dry_run"' in response.content.decode()
    assert Order.objects.count() == 0 and ImportRun.objects.get().status == "dry_run"


def test_finance_may_upload(client_as, account, cable, role_users):
    response = post_import(client_as("finance"), upload("march.csv", GOOD))
    assert response.status_code == 200
    assert ImportRun.objects.get().user == role_users["finance"]
    assert Order.objects.count() == 3


@pytest.mark.parametrize("role", ["viewer", "purchasing"])
def test_read_only_roles_see_the_history_but_may_not_upload(client_as, account, cable, write, role):
    import_file("test-orders", write("earlier.csv", GOOD), account)
    client = client_as(role)
    page = client.get("/imports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "earlier.csv" in html and 'enctype="multipart/form-data"' not in html
    assert post_import(client, upload("march.csv", GOOD)).status_code == 403
    assert ImportRun.objects.count() == 1
    export = client.get("/imports/?export=csv")
    assert export.status_code == 200 and "earlier.csv" in export.content.decode("utf-8-sig")


def test_user_without_a_role_is_refused(client, account):
    nobody = get_user_model().objects.create_user("nobody", password="x-long-password")
    client.force_login(nobody)
    assert client.get("/imports/").status_code == 403
    assert client.get("/unmapped-skus/").status_code == 403


def test_source_must_come_from_the_accounts_platform(client_as, account):
    from chuhai.channels.services import create_account

    create_account("EBAY-US", "ebay", "US")
    response = post_import(client_as("operations"), upload("march.csv", GOOD), account="EBAY-US")
    assert response.status_code == 200
    assert "test-orders reports come from amazon" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_bad_mapping_yaml_is_shown_on_the_form(client_as, account):
    response = post_import(client_as("operations"), upload("march.csv", GOOD), mapping_text="columns: [a\n")
    assert "not valid YAML" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_navigation_links_both_pages(client_as, account):
    html = client_as("operations").get("/imports/").content.decode()
    assert 'href="/imports/"' in html and 'href="/unmapped-skus/"' in html


def test_zh_hans_pages_are_translated(client_as, account):
    client = client_as("operations")
    html = client.get("/imports/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "导入报表文件" in html and "导入记录" in html and "未映射 SKU" in html


# -- unmapped SKUs page -------------------------------------------------------------------------------------------
@pytest.fixture
def imported(account, cable, write):
    import_file("test-orders", write("march.csv", GOOD), account)
    return UnmappedSku.objects.get(channel_sku="MYSTERY-9")


def test_viewer_sees_unmapped_skus_with_sales_but_cannot_map(client_as, imported):
    client = client_as("viewer")
    html = client.get("/unmapped-skus/").content.decode()
    assert 'data-channel-sku="MYSTERY-9"' in html and "Mystery gadget" in html
    assert "CNY" in html  # sales in the base currency
    assert 'class="map-form"' not in html
    create_product("GADGET-9", name_en="Gadget")
    assert client.post(f"/unmapped-skus/{imported.pk}/map/", {"sku": "GADGET-9"}).status_code == 403
    assert not Listing.objects.filter(channel_sku="MYSTERY-9").exists()
    export = client.get("/unmapped-skus/?export=csv").content.decode("utf-8-sig")
    assert "MYSTERY-9" in export


def test_operations_maps_a_sku_from_the_page(client_as, imported):
    gadget = create_product("GADGET-9", name_en="Gadget")
    client = client_as("operations")
    html = client.get("/unmapped-skus/").content.decode()
    assert 'class="map-form"' in html and '<option value="GADGET-9">' in html

    response = client.post(f"/unmapped-skus/{imported.pk}/map/", {"sku": "GADGET-9", "next": "/unmapped-skus/"},
                           follow=True)

    assert response.redirect_chain[-1][0] == "/unmapped-skus/"
    html = response.content.decode()
    assert "2 past order lines were linked" in html
    assert 'data-channel-sku="MYSTERY-9"' not in html
    assert set(OrderLine.objects.filter(channel_sku="MYSTERY-9").values_list("product", flat=True)) == {gadget.pk}


def test_mapping_to_an_unknown_product_changes_nothing(client_as, imported):
    response = client_as("operations").post(f"/unmapped-skus/{imported.pk}/map/", {"sku": "NOPE"}, follow=True)
    assert "No product with SKU NOPE." in response.content.decode()
    imported.refresh_from_db()
    assert imported.resolved_at is None
    assert not Listing.objects.filter(channel_sku="MYSTERY-9").exists()


def test_unmapped_page_filters_by_account(client_as, imported):
    from chuhai.channels.services import create_account

    create_account("AMZ-CA", "amazon", "CA")
    client = client_as("viewer")
    assert 'data-channel-sku="MYSTERY-9"' not in client.get("/unmapped-skus/?account=AMZ-CA").content.decode()
    fragment = client.get("/unmapped-skus/?account=AMZ-US", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-channel-sku="MYSTERY-9"' in fragment and "<html" not in fragment
