"""The questionnaire: parsing, defaults, the YAML shape round trip, and errors that name file, line and column."""

from __future__ import annotations

import textwrap
from decimal import Decimal

import pytest

from chuhai.strategy.answers import (
    GOALS,
    SUPPLY_CHAIN,
    AnswersError,
    Team,
    load_answers,
    parse_answers,
    read_answers_file,
)

from .advice_builders import NEUTRAL, answers_dict

ISSUE_EXAMPLE = """\
months_selling: 4              # 0 if not started
monthly_revenue_cny: 30000
cash_runway_months: 5
team: {platform_ops: true, content_brand: false, tech_data: false, overseas_logistics: false}
supply_chain: weak
category: {kind: fast_moving, avg_price_usd: 15, repeat_potential: low}
markets: [US, DE]
channels_now: [amazon]
goals: [validate_product, build_brand, expand_markets]
"""


def write(tmp_path, text: str, name: str = "answers.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_issue_example_loads(tmp_path):
    a = load_answers(write(tmp_path, ISSUE_EXAMPLE))
    assert a.months_selling == 4
    assert a.monthly_revenue_cny == Decimal("30000")
    assert a.cash_runway_months == 5
    assert a.team == Team(platform_ops=True)
    assert a.supply_chain == "weak"
    assert (a.category.kind, a.category.avg_price_usd, a.category.repeat_potential) == \
        ("fast_moving", Decimal("15"), "low")
    assert a.markets == ("US", "DE")
    assert a.channels_now == ("amazon",)
    assert a.goals == ("validate_product", "build_brand", "expand_markets")


def test_to_dict_round_trips_and_is_json_ready():
    import json

    a = parse_answers(NEUTRAL)
    data = a.to_dict()
    assert parse_answers(data) == a
    assert json.loads(json.dumps(data)) == data
    assert data["monthly_revenue_cny"] == "80000"


def test_optional_keys_default_to_nothing():
    data = {k: v for k, v in NEUTRAL.items() if k not in ("team", "markets", "channels_now", "goals")}
    a = parse_answers(data)
    assert a.team == Team(False, False, False, False)
    assert (a.markets, a.channels_now, a.goals) == ((), (), ())


def test_values_are_normalised():
    a = parse_answers(answers_dict(markets=["uk", "de", "DE"], channels_now="Amazon, own_site",
                                   supply_chain="Strong", monthly_revenue_cny="1,250.50"))
    assert a.markets == ("GB", "DE")
    assert a.channels_now == ("amazon", "own_site")
    assert a.supply_chain == "strong"
    assert a.monthly_revenue_cny == Decimal("1250.50")
    assert a.models_now == {"platform", "own_site"}
    assert a.platforms_now == ("amazon",)


def test_dropship_and_distribution_channels_are_distribution():
    a = parse_answers(answers_dict(channels_now=["dropship", "distribution", "shopify"]))
    assert a.models_now == {"distribution", "own_site"}
    assert a.platforms_now == ()


@pytest.mark.parametrize(("changes", "fragments"), [
    ({"supply_chain": "great"}, ["supply_chain", "'great'", ", ".join(SUPPLY_CHAIN)]),
    ({"goals": ["get_rich"]}, ["goals.0", "'get_rich'", ", ".join(GOALS)]),
    ({"channels_now": ["myspace"]}, ["channels_now.0", "amazon", "own_site", "distribution"]),
    ({"markets": ["XX"]}, ["markets.0", "'XX'", "ISO 3166"]),
    ({"months_selling": -1}, ["months_selling", "whole number"]),
    ({"months_selling": True}, ["months_selling", "whole number"]),
    ({"monthly_revenue_cny": "lots"}, ["monthly_revenue_cny", "amount"]),
    ({"team": {"platform_ops": "maybe"}}, ["team.platform_ops", "true, false"]),
    ({"team": {"sales": True}}, ["team.sales", "unknown key", "overseas_logistics"]),
    ({"category": {"kind": "luxury"}}, ["category.kind", "fast_moving, high_ticket, mixed"]),
    ({"colour": "red"}, ["colour", "unknown key", "months_selling"]),
])
def test_bad_values_name_the_key_and_what_is_allowed(changes, fragments):
    with pytest.raises(AnswersError) as caught:
        parse_answers(answers_dict(**changes), source="form")
    message = str(caught.value)
    assert message.startswith("form: ")
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize("key", ["months_selling", "monthly_revenue_cny", "cash_runway_months", "supply_chain",
                                 "category"])
def test_required_answers(key):
    data = {k: v for k, v in NEUTRAL.items() if k != key}
    with pytest.raises(AnswersError, match=f"{key}: missing"):
        parse_answers(data)


def test_a_missing_category_field_is_named():
    data = answers_dict()
    del data["category"]["repeat_potential"]
    with pytest.raises(AnswersError, match="category.repeat_potential: missing"):
        parse_answers(data)


def test_a_bad_value_in_the_file_names_line_and_column(tmp_path):
    path = write(tmp_path, ISSUE_EXAMPLE.replace("supply_chain: weak", "supply_chain: strongest"))
    with pytest.raises(AnswersError) as caught:
        load_answers(path)
    assert str(caught.value) == (f"{path}, line 5, column 15: supply_chain: 'strongest' is not allowed; "
                                 "allowed values: weak, average, strong")


def test_a_bad_nested_value_names_its_own_place(tmp_path):
    path = write(tmp_path, """\
        months_selling: 4
        monthly_revenue_cny: 30000
        cash_runway_months: 5
        supply_chain: weak
        category:
          kind: fast_moving
          avg_price_usd: 15
          repeat_potential: sometimes
        channels_now:
          - amazon
          - friendster
        """)
    with pytest.raises(AnswersError, match=r"line 8, column 21: category.repeat_potential: 'sometimes'"):
        load_answers(path)
    path.write_text(path.read_text().replace("sometimes", "low"))
    with pytest.raises(AnswersError, match=r"line 11, column 5: channels_now.1: 'friendster' is not allowed"):
        load_answers(path)


def test_an_unknown_key_is_reported_where_it_is_typed(tmp_path):
    path = write(tmp_path, ISSUE_EXAMPLE + "budget: 1000\n")
    with pytest.raises(AnswersError, match=r"line 10, column \d+: budget: unknown key 'budget'"):
        load_answers(path)


def test_a_missing_key_points_at_the_mapping_that_lacks_it(tmp_path):
    path = write(tmp_path, ISSUE_EXAMPLE.replace("avg_price_usd: 15, ", ""))
    with pytest.raises(AnswersError, match=r"line 6, column 1: category.avg_price_usd: missing"):
        load_answers(path)


def test_broken_yaml_names_line_and_column(tmp_path):
    path = write(tmp_path, "months_selling: 4\nteam: {platform_ops: true\nsupply_chain: weak\n")
    with pytest.raises(AnswersError, match=rf"^{path}, line \d+, column \d+: invalid YAML"):
        load_answers(path)


def test_a_file_that_is_not_a_mapping(tmp_path):
    with pytest.raises(AnswersError, match="expected a mapping"):
        load_answers(write(tmp_path, "- months_selling\n"))


def test_a_missing_file(tmp_path):
    with pytest.raises(AnswersError, match="cannot read the file"):
        read_answers_file(tmp_path / "nope.yaml")
