"""The web shell on the server side: login, permissions, the home page, error pages, language."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.html import escape

from chuhai.analytics.dashboard import home_summary
from chuhai.analytics.metric_layer import METRICS, engine
from chuhai.channels.services import create_account
from chuhai.core.models import CompanySettings
from chuhai.orders.models import Order, OrderLine

from .helpers import make_sales


@pytest.fixture(autouse=True)
def company(db):
    settings = CompanySettings.load()
    settings.base_currency, settings.time_zone = "CNY", "Asia/Shanghai"
    settings.save()
    yield settings
    engine.close()  # the home page's figures come from the metric layer (DuckDB): let PostgreSQL drop the test db


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_login_form_logs_in_and_lands_on_dashboard(client, role_users):
    page = client.get("/accounts/login/")
    assert b'name="username"' in page.content and b"csrfmiddlewaretoken" in page.content
    response = client.post("/accounts/login/", {"username": "viewer_user", "password": "viewer-pass-123"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_shows_error(client, role_users):
    response = client.post("/accounts/login/", {"username": "viewer_user", "password": "nope"})
    assert response.status_code == 200
    assert b"msg-error" in response.content


def test_user_without_dashboard_permission_gets_403(client):
    user = get_user_model().objects.create_user("nobody", password="x-pass-123")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403
    assert b"403" in response.content


@pytest.mark.parametrize("role", ["admin", "operations", "finance", "purchasing", "viewer"])
def test_every_role_sees_the_dashboard(client_as, role):
    response = client_as(role).get("/")
    assert response.status_code == 200
    assert response.context["user_role"] == role


def test_logout_is_a_post(client_as):
    client = client_as("viewer")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_empty_state_without_orders(client_as):
    response = client_as("viewer").get("/")
    assert b'id="empty-state"' in response.content
    assert b"chuhai demo" in response.content
    assert b"data-chart" not in response.content


def test_home_shows_the_service_figures(client_as, transactional_db):
    # The figures come from the metric layer, which reads committed data (DuckDB, its own connection).
    make_sales()
    response = client_as("viewer").get("/")
    summary = home_summary()
    html = response.content.decode()
    assert 'id="empty-state"' not in html
    # make_sales: five shipped orders, no credit notes or cancelled items.
    assert summary["totals"]["orders"] == 5 and summary["totals"]["units"] == 3 + 1 + 2 + 1 + 4
    # net sales = Σ price × quantity × rate: 3 × 12.99 × 7.1 + 39.00 × 7.1 + 2 × 35.00 × 7.8 + 11.50 × 7.8
    # + 4 × 9.99 × 7.1 = 276.687 + 276.90 + 546.00 + 89.70 + 283.716 = 1473.003
    assert summary["totals"]["sales"] == Decimal("1473.00")
    # The sales KPI, formatted in the base currency for English (CLDR writes CNY as CN¥).
    assert f"CN¥{summary['totals']['sales']:,.2f}" in html and "CN¥1,473.00" in html
    for account in ("AMZ-US", "AMZ-DE", "TIKTOK-US"):
        assert account in html
    assert response.context["charts"]["sales_by_channel"]["series"][0]["data"] == [
        float(a["sales"]) for a in reversed(summary["by_account"])
    ]


def test_home_labels_and_tooltips_are_the_metric_layers(client_as, transactional_db):
    make_sales()
    client = client_as("viewer")
    html = client.get("/").content.decode()
    with translation.override("en"):
        net_sales, definition = str(METRICS["net_sales"].name), str(METRICS["net_sales"].definition)
    assert f'<div class="kpi-label">{net_sales}</div>' in html
    assert f'id="kpi-sales" title="{escape(definition)}"' in html
    with translation.override("zh-hans"):
        net_sales_zh = str(METRICS["net_sales"].name)
        aov_zh = str(METRICS["aov"].name)
    assert net_sales_zh != net_sales
    html_zh = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert f'<div class="kpi-label">{net_sales_zh}</div>' in html_zh
    assert f'<div class="kpi-label">{aov_zh}</div>' in html_zh


def _one_line_order(external_id, days_ago, quantity, **fields):
    """An AMZ-US order of ``quantity`` × 10.00 USD at 7.1, ``days_ago`` days ago."""
    account = create_account("AMZ-US", "amazon", "US")
    fields = {"status": "shipped", **fields}
    order = Order.objects.create(
        account=account, external_id=external_id, marketplace="US",
        purchased_at=timezone.now() - dt.timedelta(days=days_ago), fulfilment_channel="merchant",
        currency="USD", base_currency="CNY", fx_rate=Decimal("7.1"), **fields)
    OrderLine.objects.create(order=order, line_no=1, channel_sku="ANY", quantity=quantity,
                             unit_price=Decimal("10.00"))


def test_period_without_sales(client_as, transactional_db):
    _one_line_order("OLD-1", 40, 1)
    client = client_as("viewer")
    html = client.get("/?days=7").content.decode()
    assert 'id="empty-period"' in html and 'id="empty-state"' not in html and "data-chart" not in html
    html = client.get("/?days=90").content.decode()
    assert 'id="empty-period"' not in html and 'id="chart-daily-sales"' in html
    assert "CN¥71.00" in html  # 10.00 × 7.1


def test_a_period_with_only_a_credit_note_shows_it(client_as, transactional_db):
    _one_line_order("CR-1", 2, -1, status="refunded", document_type="credit")
    response = client_as("viewer").get("/?days=7")
    summary = response.context["summary"]
    # A credit note is not an order; its goods value is netted: −10.00 × 7.1
    assert summary["totals"]["orders"] == 0 and summary["totals"]["sales"] == Decimal("-71.00")
    html = response.content.decode()
    assert 'id="empty-period"' not in html and 'id="table-accounts"' in html


def test_period_switch(client_as, transactional_db):
    make_sales()
    client = client_as("viewer")
    assert client.get("/?days=7").context["summary"]["days"] == 7
    assert client.get("/?days=12345").context["summary"]["days"] == 30
    assert client.get("/?days=abc").context["summary"]["days"] == 30


def test_navigation_follows_permissions(client_as):
    html = client_as("operations").get("/").content.decode()
    with translation.override("en"):
        assert "Exchange rates" not in html  # finance pages are not for operations
    nav_urls = [item["url"] for item in client_as("admin").get("/").context["nav"]]
    assert nav_urls[0] == "/"


def test_404_page_uses_the_shell(client_as):
    response = client_as("viewer").get("/no-such-page/")
    assert response.status_code == 404
    assert b"chuhai.css" in response.content


def test_language_cookie_and_browser_language(client_as):
    client = client_as("viewer")
    with translation.override("zh-hans"):
        dashboard_zh = translation.gettext("Dashboard")
    assert dashboard_zh != "Dashboard", "zh-hans catalogue is missing"
    assert dashboard_zh in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in html and dashboard_zh in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


def test_static_vendor_files_are_local(client_as):
    html = client_as("viewer").get("/").content.decode()
    assert "/static/vendor/htmx.min.js" in html and "http" not in html.split("<body>")[0].replace("http-equiv", "")
