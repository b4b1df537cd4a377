"""``chuhai advise --answers FILE.yaml [--json] [--ledger/--no-ledger]``: both outputs, a bad file, the ledger."""

from __future__ import annotations

import json
import textwrap

import pytest
import yaml

from chuhai.cli.main import main
from chuhai.strategy.rules import DAYS

from .advice_builders import NEUTRAL, recent_sales

STARTUP = """\
months_selling: 3
monthly_revenue_cny: 20000
cash_runway_months: 4
team: {platform_ops: true, content_brand: false, tech_data: false, overseas_logistics: false}
supply_chain: average
category: {kind: fast_moving, avg_price_usd: 15, repeat_potential: low}
markets: [US]
channels_now: [amazon]
goals: [validate_product]
"""


@pytest.fixture
def empty_ledger(db):
    """No sale in the database: the default --ledger finds no evidence (the metric layer still runs)."""
    from chuhai.analytics.metric_layer import engine

    yield
    engine.close()


def cli(capsys, *argv):
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, text: str):
    path = tmp_path / "answers.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def test_json_output(capsys, tmp_path, empty_ledger):
    code, out, err = cli(capsys, "advise", "--answers", write(tmp_path, STARTUP), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"primary", "mix", "stage", "reasons", "risks", "plan", "kpis"}
    assert data["primary"] == "platform" and data["stage"] == "survival"
    assert round(sum(data["mix"].values()), 2) == 1
    assert {"stage_startup", "weak_capital"} <= {r["rule"] for r in data["reasons"]}
    assert "platform_dependency" in {r["rule"] for r in data["risks"]}
    assert [s["days"] for s in data["plan"]][0] == DAYS[0]


def test_text_output_lists_everything(capsys, tmp_path, empty_ledger):
    code, out, err = cli(capsys, "advise", "--answers", write(tmp_path, STARTUP))
    assert code == 0, err
    _code, raw, _err = cli(capsys, "advise", "--answers", write(tmp_path, STARTUP), "--json")
    data = json.loads(raw)
    assert out.startswith("Primary model: Platform\n")
    assert "Stage: Survival (0–6 months, from months selling)" in out
    for model, label in (("platform", "Platform"), ("own_site", "Own site"), ("distribution", "Distribution")):
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(label) and "%" in ln)
        assert line.endswith(f"{int(data['mix'][model] * 100)} %")
    for reason in data["reasons"]:
        assert f"{reason['text']} [{reason['rule']}, {reason['source']}]" in out
    for risk in data["risks"]:
        assert f"{risk['level'].upper()}: {risk['text']}" in out
    for period in DAYS:
        assert f"Days {period}" in out
    assert all(step["text"] in out for step in data["plan"])
    kpi_line = next(ln for ln in out.splitlines() if ln.startswith("KPIs to watch"))
    assert all(k in kpi_line for k in data["kpis"])


def test_a_bad_answer_names_file_line_and_column(capsys, tmp_path, empty_ledger):
    path = write(tmp_path, STARTUP.replace("supply_chain: average", "supply_chain: excellent"))
    code, out, err = cli(capsys, "advise", "--answers", path, "--json")
    assert code == 1 and out == ""
    assert err.strip() == (f"chuhai: error: {path}, line 5, column 15: supply_chain: 'excellent' is not "
                           "allowed; allowed values: weak, average, strong")
    assert "Traceback" not in err


def test_broken_yaml_and_missing_file(capsys, tmp_path, empty_ledger):
    path = write(tmp_path, "months_selling: [4\n")
    code, _out, err = cli(capsys, "advise", "--answers", path)
    assert code == 1 and f"{path}, line 2, column 1: invalid YAML" in err
    code, _out, err = cli(capsys, "advise", "--answers", str(tmp_path / "missing.yaml"))
    assert code == 1 and "cannot read the file" in err


def test_no_ledger_needs_every_required_answer(capsys, tmp_path, db):
    partial = {k: v for k, v in NEUTRAL.items() if k not in ("months_selling", "monthly_revenue_cny")}
    path = write(tmp_path, yaml.safe_dump(partial))
    code, _out, err = cli(capsys, "advise", "--answers", path, "--no-ledger")
    assert code == 1 and "months_selling: missing" in err


def test_ledger_flag_without_sales_says_so(capsys, tmp_path, transactional_db):
    from chuhai.analytics.metric_layer import engine

    try:
        code, out, err = cli(capsys, "advise", "--answers", write(tmp_path, STARTUP), "--ledger", "--json")
    finally:
        engine.close()
    assert code == 0
    assert "the ledger has no sale yet" in err
    assert json.loads(out)["stage"] == "survival"


# -- the ledger path: missing answers filled from the orders ------------------------------------------------------

@pytest.fixture
def ledger(transactional_db):
    from chuhai.analytics.metric_layer import engine

    recent_sales()
    yield
    engine.close()


def test_the_ledger_fills_missing_answers_and_sets_the_stage(capsys, tmp_path, ledger):
    from chuhai.strategy.evidence import gather_evidence

    partial = {k: v for k, v in NEUTRAL.items()
               if k not in ("months_selling", "monthly_revenue_cny", "markets", "channels_now")}
    path = write(tmp_path, yaml.safe_dump(partial))
    evidence = gather_evidence()
    code, out, err = cli(capsys, "advise", "--answers", path, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["stage"] == evidence.stage
    assert "stage_from_ledger" in {r["rule"] for r in data["reasons"]}
    # Amazon holds far more than 70 % of the ledger's net sales
    dependency = next(r for r in data["risks"] if r["rule"] == "platform_dependency")
    assert "Amazon" in dependency["text"]

    code, out, err = cli(capsys, "advise", "--answers", path)
    assert code == 0, err
    assert "Filled from the ledger: months_selling, monthly_revenue_cny, markets, channels_now" in out
    assert "from the ledger)" in out

    code, _out, err = cli(capsys, "advise", "--answers", path, "--no-ledger")
    assert code == 1 and "months_selling: missing" in err
