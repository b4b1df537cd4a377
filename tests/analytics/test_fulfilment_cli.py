"""``chuhai health [--account CODE] [--json]``."""

from __future__ import annotations

import json

import pytest

from chuhai.cli.main import main

from .fulfilment_builders import account, breaching_account

pytestmark = pytest.mark.django_db


def run(capsys, *argv):
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_health_prints_figures_against_targets(capsys):
    breaching_account()
    account("AMZ-DE", marketplace="DE")
    code, out, _err = run(capsys, "health")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["ACCOUNT", "KPI"]
    odr = next(line for line in lines if line.startswith("AMZ-US") and "Order defect rate" in line)
    assert "25.00 %" in odr and "< 1 %" in odr and "BREACH" in odr and "60 d" in odr and "1/4" in odr
    de_lines = [line for line in lines if line.startswith("AMZ-DE")]
    assert len(de_lines) == 4 and all("no data" in line and "—" in line for line in de_lines)
    assert "SHOP-1" not in out
    assert lines[-1] == "2 breach(es)."


def test_health_json_for_one_account(capsys):
    breaching_account()
    code, out, _err = run(capsys, "health", "--account", "AMZ-US", "--json")
    assert code == 0
    body = json.loads(out)
    assert [a["account"] for a in body] == ["AMZ-US"]
    kpis = {k["id"]: k for k in body[0]["kpis"]}
    assert (kpis["late_shipment_rate"]["value"], kpis["late_shipment_rate"]["status"]) == ("33.33", "breach")
    assert (kpis["valid_tracking_rate"]["target"], kpis["valid_tracking_rate"]["direction"]) == ("95", "above")
    assert kpis["cancel_rate"]["window_days"] == 7


def test_health_rejects_an_unknown_account(capsys):
    breaching_account()
    code, _out, err = run(capsys, "health", "--account", "SHOP-1")
    assert code == 1 and "no Amazon account 'SHOP-1'" in err and "Traceback" not in err


def test_health_without_amazon_accounts(capsys):
    code, out, _err = run(capsys, "health")
    assert code == 0 and "No Amazon accounts yet" in out


def test_stats_counts_order_defects(capsys):
    breaching_account()
    code, out, _err = run(capsys, "stats", "--json")
    assert code == 0 and json.loads(out)["order_defects"] == 1
