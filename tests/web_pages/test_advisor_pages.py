"""The advisor's pages (/strategy/…): who may see and who may change, the questionnaire → advice → print flow,
"from your data" prefills, the advice's KPIs per role, past advice, the rule catalogue, and the capability
self-assessment with its radar data and export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.test import Client

from chuhai.analytics.dashboards import company_today
from chuhai.analytics.metric_layer import METRICS, run
from chuhai.analytics.metric_layer import engine as layer_engine
from chuhai.strategy import engine, services
from chuhai.strategy.answers import parse_answers
from chuhai.strategy.evidence import gather_evidence
from chuhai.strategy.models import AdviceRecord, CapabilityAssessment
from tests.strategy.advice_builders import growing_ledger

FORM = {
    "months_selling": "8", "monthly_revenue_cny": "30000", "cash_runway_months": "5",
    "team_platform_ops": "on", "supply_chain": "strong", "category_kind": "high_ticket",
    "category_avg_price_usd": "120", "category_repeat_potential": "high", "markets": "us, DE",
    "channels_now": ["amazon", "shopify"], "goals": ["build_brand"],
}
PAGES = ["/strategy/", "/strategy/history/", "/strategy/rules/", "/strategy/capability/"]


def chart_option(html: str, script_id: str) -> dict:
    found = re.search(rf'<script id="{script_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found, f"no {script_id} in the page"
    return json.loads(found.group(1))


def advise(client, data=None) -> AdviceRecord:
    response = client.post("/strategy/", data or FORM)
    assert response.status_code == 302, response.content.decode()[-2000:]
    record = AdviceRecord.objects.order_by("-id").first()
    assert response["Location"] == f"/strategy/advice/{record.pk}/"
    return record


@pytest.fixture
def ledger(transactional_db):
    """Two accounts (Amazon, eBay) with 14 months of sales in USD, and rates to CNY today."""
    yield growing_ledger()
    layer_engine.close()


# -- access --------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("url", [*PAGES, "/strategy/advice/1/", "/strategy/advice/1/print/"])
def test_anonymous_goes_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["viewer", "purchasing", "operations", "finance", "admin"])
def test_every_role_sees_the_pages_and_the_navigation_entry(client_as, role):
    client = client_as(role)
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    assert 'href="/strategy/"' in client.get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["viewer", "purchasing"])
def test_read_only_roles_see_no_forms_and_cannot_post(client_as, role):
    client = client_as(role)
    html = client.get("/strategy/").content.decode()
    assert 'id="advisor-readonly"' in html and 'id="advisor-submit"' not in html
    assert client.post("/strategy/", FORM).status_code == 403
    capability = client.get("/strategy/capability/").content.decode()
    assert 'id="capability-readonly"' in capability and 'id="capability-form"' not in capability
    scores = {"assessed_on": "2026-11-01", "product_differentiation": "3", "supply_chain_integration": "3",
              "digital_operations": "3"}
    assert client.post("/strategy/capability/", scores).status_code == 403
    assert not AdviceRecord.objects.exists() and not CapabilityAssessment.objects.exists()


@pytest.mark.django_db
def test_posts_need_the_csrf_token(role_users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(role_users["operations"])
    assert client.post("/strategy/", FORM).status_code == 403
    html = client.get("/strategy/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert not AdviceRecord.objects.exists()


# -- questionnaire → advice ---------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("role", ["operations", "finance"])
def test_the_questionnaire_runs_and_stores_the_advice(client_as, role_users, role):
    client = client_as(role)
    html = client.get("/strategy/").content.decode()
    assert 'id="advisor-no-data"' in html and "from your data" not in html.split('id="advisor-form"')[1]
    record = advise(client)
    assert record.created_by == role_users[role]
    assert record.answers["markets"] == ["US", "DE"]
    assert record.answers["team"] == {"platform_ops": True, "content_brand": False, "tech_data": False,
                                      "overseas_logistics": False}
    assert record.answers["category"] == {"kind": "high_ticket", "avg_price_usd": "120",
                                          "repeat_potential": "high"}
    assert record.from_ledger == []


@pytest.mark.django_db
def test_a_bad_answer_shows_the_form_again_and_stores_nothing(client_as):
    client = client_as("operations")
    response = client.post("/strategy/", {**FORM, "markets": "US, XX", "supply_chain": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not a country code: XX" in html and "This field is required." in html
    assert not AdviceRecord.objects.exists()


@pytest.mark.django_db
def test_the_advice_page_shows_mix_reasons_with_rules_risks_and_plan(client_as):
    client = client_as("operations")
    record = advise(client)
    html = client.get(f"/strategy/advice/{record.pk}/").content.decode()
    advice = record.advice
    assert f'data-primary="{advice["primary"]}"' in html
    option = chart_option(html, "chart-advice-mix-option")
    shares = option["series"][0]["data"]
    assert len(shares) == 3 and abs(sum(shares) - 100) <= 1.5
    labels = option["yAxis"]["data"]
    assert sorted(labels) == ["Distribution", "Own site", "Platform"]
    # the bars follow the stored mix, model by model
    names = {"platform": "Platform", "own_site": "Own site", "distribution": "Distribution"}
    for model, weight in advice["mix"].items():
        assert abs(shares[labels.index(names[model])] - weight * 100) < 1
    catalogue = client.get("/strategy/rules/").content.decode()
    assert advice["reasons"], "the answers fire rules"
    for reason in advice["reasons"]:
        assert f'href="/strategy/rules/#rule-{reason["rule"]}"' in html
        assert reason["source"] in html
        assert f'id="rule-{reason["rule"]}"' in catalogue
    for risk in advice["risks"]:
        badge = {"high": "badge-bad", "medium": "badge-warn", "low": "badge-muted"}[risk["level"]]
        assert re.search(rf'data-rule="{risk["rule"]}" data-level="{risk["level"]}"><span class="badge {badge}">',
                         html)
    for step in advice["plan"]:
        assert f'data-rule="{step["rule"]}"' in html
    assert f'href="/strategy/advice/{record.pk}/print/"' in html


@pytest.mark.django_db
def test_the_rule_catalogue_lists_every_rule(client_as):
    html = client_as("viewer").get("/strategy/rules/").content.decode()
    rules = engine.rule_catalogue()
    assert len(rules) > 10
    for rule in rules:
        assert f'<tr id="rule-{rule["id"]}"' in html and rule["source"] in html


@pytest.mark.django_db
def test_the_printable_page_is_standalone_a4(client_as):
    client = client_as("operations")
    record = advise(client)
    response = client_as("viewer").get(f"/strategy/advice/{record.pk}/print/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "@page" in html and "size: A4" in html and "@media print" in html
    assert 'class="sidebar"' not in html and "Log out" not in html  # no navigation
    assert 'id="advice-primary"' in html and 'id="advice-reasons"' in html
    assert 'data-chart="' not in html  # bars in HTML, printable without scripts
    for reason in record.advice["reasons"]:
        assert f'data-rule="{reason["rule"]}"' in html
    assert client.get("/strategy/advice/999999/print/").status_code == 404


@pytest.mark.django_db
def test_past_advice_lists_and_exports(client_as):
    client = client_as("operations")
    first = advise(client)
    second = advise(client, {**FORM, "months_selling": "40", "cash_runway_months": "24"})
    html = client_as("viewer").get("/strategy/history/").content.decode()
    assert f'href="/strategy/advice/{first.pk}/"' in html and f'href="/strategy/advice/{second.pk}/"' in html
    response = client.get("/strategy/history/?export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Given at", "Primary model", "Stage"]
    assert [r[1] for r in rows[1:]] == [second.primary, first.primary]
    advise_again = client.get(f"/strategy/?from={first.pk}").content.decode()
    assert 'name="months_selling" value="8"' in advise_again


# -- with the ledger -----------------------------------------------------------------------------------------------

def test_ledger_answers_are_prefilled_marked_and_kept_as_from_your_data(ledger, client_as):
    client = client_as("operations")
    html = client.get("/strategy/").content.decode()
    evidence = gather_evidence(today=ledger)
    assert 'id="advisor-has-data"' in html
    for key in ("months_selling", "monthly_revenue_cny", "markets", "channels_now"):
        assert f'data-from-data="{key}"' in html
    assert f'name="months_selling" value="{evidence.months_active}"' in html
    assert 'name="markets" value="US"' in html
    assert re.search(r'name="channels_now" value="amazon"[^>]*checked', html)

    unchanged = {**FORM, "months_selling": str(evidence.months_active),
                 "monthly_revenue_cny": str(evidence.monthly_revenue_cny), "markets": "US",
                 "channels_now": list(evidence.channels_now)}
    record = advise(client, unchanged)
    assert record.from_ledger == ["months_selling", "monthly_revenue_cny", "markets", "channels_now"]
    page = client.get(f"/strategy/advice/{record.pk}/").content.decode()
    assert page.count('<span class="from-data">from your data</span>') == 4
    history = client.get("/strategy/history/").content.decode()
    assert "Months selling, Monthly revenue (CNY), Markets, Channels you sell on now" in history

    changed = advise(client, {**unchanged, "months_selling": "3", "markets": "US, JP"})
    assert changed.from_ledger == ["monthly_revenue_cny", "channels_now"]
    assert changed.answers["months_selling"] == 3 and changed.answers["markets"] == ["US", "JP"]


def test_the_advice_kpis_show_metric_values_the_role_may_see(ledger, client_as):
    record = advise(client_as("operations"))
    today = company_today()
    start = today - dt.timedelta(days=89)
    metric_kpis = [k for k in record.advice["kpis"] if k in METRICS]
    assert "net_sales" in metric_kpis
    finance_only = {k for k in metric_kpis if METRICS[k].permission == "finance.access_finance"}
    assert finance_only, "every stage names a profit KPI"

    viewer = client_as("viewer").get(f"/strategy/advice/{record.pk}/").content.decode()
    shown = set(re.findall(r'data-kpi="([^"]+)"', viewer))
    assert "net_sales" in shown and not shown & finance_only
    net_sales = run(["net_sales"], date_from=start, date_to=today).rows[0]["net_sales"]
    assert net_sales > 0
    row = re.search(r'data-kpi="net_sales" data-measured="1"><td[^>]*>[^<]*</td><td class="num">([^<]+)</td>',
                    viewer).group(1)
    assert row == f"{net_sales:,.2f} USD"

    finance = client_as("finance").get(f"/strategy/advice/{record.pk}/").content.decode()
    assert finance_only <= set(re.findall(r'data-kpi="([^"]+)"', finance))


# -- capability ----------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_capability_assessments_draw_the_radar_latest_over_previous(client_as, role_users):
    client = client_as("operations")
    html = client.get("/strategy/capability/").content.decode()
    assert 'id="capability-empty"' in html and "chart-capability-radar-option" not in html
    entries = [("2026-03-01", 2, 3, 1), ("2026-11-01", 4, 4, 3), ("2026-06-01", 3, 2, 2)]
    for day, pd, sc, do in entries:
        response = client.post("/strategy/capability/", {
            "assessed_on": day, "product_differentiation": pd, "supply_chain_integration": sc,
            "digital_operations": do, "note": f"note {day}"})
        assert response.status_code == 302 and response["Location"] == "/strategy/capability/"
    assert CapabilityAssessment.objects.filter(created_by=role_users["operations"]).count() == 3

    option = chart_option(client.get("/strategy/capability/").content.decode(), "chart-capability-radar-option")
    assert [i["name"].replace("\n", " ") for i in option["radar"]["indicator"]] == [
        "Product differentiation", "Supply-chain integration", "Digital operations"]
    assert all(i["max"] == 5 for i in option["radar"]["indicator"])
    series = option["series"][0]["data"]
    assert [s["value"] for s in series] == [[4, 4, 3], [3, 2, 2]]  # latest by day, then the one before
    assert "2026-11-01" in series[0]["name"] and "2026-06-01" in series[1]["name"]

    response = client.get("/strategy/capability/?export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Assessed on", "Product differentiation", "Supply-chain integration",
                           "Digital operations"]
    assert [r[:4] for r in rows[1:]] == [["2026-11-01", "4", "4", "3"], ["2026-06-01", "3", "2", "2"],
                                         ["2026-03-01", "2", "3", "1"]]
    xlsx = client.get("/strategy/capability/?export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].endswith('.xlsx"')


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["0", "6", ""])
def test_a_score_outside_1_to_5_is_refused_by_the_page(client_as, bad):
    client = client_as("operations")
    response = client.post("/strategy/capability/", {
        "assessed_on": "2026-11-01", "product_differentiation": "3", "supply_chain_integration": bad,
        "digital_operations": "3"})
    assert response.status_code == 200
    assert 'class="form-row has-error"' in response.content.decode()
    assert not CapabilityAssessment.objects.exists()


@pytest.mark.django_db
def test_advice_uses_the_latest_assessment(client_as):
    client = client_as("operations")
    services.record_assessment(assessed_on=dt.date(2026, 11, 1), product_differentiation=1,
                               supply_chain_integration=1, digital_operations=1)
    record = advise(client)
    assert record.advice == engine.advise(parse_answers(record.answers), None,
                                          capability=CapabilityAssessment.objects.get()).to_json()


@pytest.mark.django_db
def test_a_user_without_a_role_is_refused(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("nobody", password="x-long-password"))
    for url in PAGES:
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_chart_labels_follow_the_page_language(client_as):
    from django.utils import translation

    client = client_as("operations")
    record = advise(client)
    services.record_assessment(assessed_on=dt.date(2026, 11, 1), product_differentiation=3,
                               supply_chain_integration=3, digital_operations=3)
    client.cookies["django_language"] = "zh-hans"
    mix = chart_option(client.get(f"/strategy/advice/{record.pk}/").content.decode(), "chart-advice-mix-option")
    radar = chart_option(client.get("/strategy/capability/").content.decode(), "chart-capability-radar-option")
    with translation.override("zh-hans"):
        from chuhai.strategy.services import CAPABILITIES
        from chuhai.web.pages.views.advisor_common import MODEL_NAMES

        models = sorted(str(MODEL_NAMES[m]) for m in ("platform", "own_site", "distribution"))
        axes = [str(label) for _key, label in CAPABILITIES]
    assert sorted(mix["yAxis"]["data"]) == models
    assert any(ch >= "\u4e00" for name in models for ch in name)  # the model names have a Chinese catalogue entry
    assert [i["name"].replace("\n", " ") for i in radar["radar"]["indicator"]] == axes
