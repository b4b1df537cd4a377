"""Saving allocation rules: ordered steps numbered 1..n, countries as ISO codes, FBA only as the FBA warehouse,
ATS limits in range; a refused rule changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from chuhai.channels.services import create_account
from chuhai.inventory import rule_services
from chuhai.inventory.allocation import candidate_warehouses, eligible_warehouses
from chuhai.inventory.channel_rules import AllocationRule, AllocationStep
from chuhai.inventory.models import Warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db):
    return {
        "account": create_account("AMZ-UK", "amazon", "GB"),
        "sz": Warehouse.objects.create(code="SZ", type="domestic", country="CN"),
        "uk": Warehouse.objects.create(code="UK-3PL", type="overseas_3pl", country="GB"),
        "de": Warehouse.objects.create(code="DE-3PL", type="overseas_3pl", country="DE"),
        "fba": Warehouse.objects.create(code="FBA-UK", type="fba", country="GB"),
    }


def test_save_numbers_steps_in_order_and_normalises_countries(setup, role_users):
    rule = rule_services.save_rule(setup["account"], [(setup["uk"], "uk, ie"), (setup["de"], ["de", "AT"]),
                                                      (setup["sz"], "")],
                                   allow_split=True, fba_warehouse=setup["fba"], safety_buffer=3, ats_percent=80,
                                   ats_max=50, ats_min=2, user=role_users["operations"])
    steps = list(rule.steps.order_by("position").values_list("position", "warehouse__code", "countries"))
    assert steps == [(1, "UK-3PL", "GB IE"), (2, "DE-3PL", "DE AT"), (3, "SZ", "")]
    # the allocator reads it: a GB order tries UK first then SZ; the channel may sell all three warehouses
    assert [w.code for w in candidate_warehouses(setup["account"], "GB")] == ["UK-3PL", "SZ"]
    assert [w.code for w in eligible_warehouses(setup["account"])] == ["UK-3PL", "DE-3PL", "SZ"]
    assert rule.history.first().history_user == role_users["operations"]
    described = rule_services.describe(setup["account"])
    assert described["steps"][0] == {"position": 1, "warehouse": "UK-3PL", "countries": ["GB", "IE"]}
    assert (described["fba_warehouse"], described["ats_percent"], described["is_default"]) == ("FBA-UK", 80, False)


def test_saving_again_replaces_the_steps(setup):
    rule_services.save_rule(setup["account"], [(setup["uk"], ""), (setup["sz"], "")])
    rule_services.save_rule(setup["account"], [(setup["sz"], ""), (setup["uk"], "GB")])
    assert AllocationRule.objects.count() == 1
    assert list(AllocationStep.objects.order_by("position").values_list("warehouse__code", flat=True)) == [
        "SZ", "UK-3PL"]


@pytest.mark.parametrize(("kwargs", "field", "fragment"), [
    ({"steps_of": ["fba"]}, "steps", "FBA warehouse"),
    ({"steps_of": ["uk", "uk"]}, "steps", "already an earlier step"),
    ({"countries": "US XX"}, "steps", "XX"),
    ({"fba_of": "uk"}, "fba_warehouse", "not an FBA warehouse"),
    ({"ats_percent": 101}, "ats_percent", "0 to 100"),
    ({"safety_buffer": -1}, "safety_buffer", "0 or more"),
    ({"ats_max": -5}, "ats_max", "0 or more"),
])
def test_invalid_rules_are_refused_with_the_field(setup, kwargs, field, fragment):
    rule_services.save_rule(setup["account"], [(setup["sz"], "")], safety_buffer=1)
    kwargs = dict(kwargs)
    steps = [(setup[code], kwargs.pop("countries", "")) for code in kwargs.pop("steps_of", ["uk"])]
    fba = setup[kwargs.pop("fba_of")] if "fba_of" in kwargs else None
    with pytest.raises(ValidationError) as caught:
        rule_services.save_rule(setup["account"], steps, fba_warehouse=fba, **kwargs)
    assert fragment in " ".join(caught.value.message_dict[field])
    rule = AllocationRule.objects.get()  # unchanged
    assert rule.safety_buffer == 1 and list(rule.steps.values_list("warehouse__code", flat=True)) == ["SZ"]


def test_inactive_warehouse_refused(setup):
    setup["de"].is_active = False
    setup["de"].save()
    with pytest.raises(ValidationError, match="not active"):
        rule_services.save_rule(setup["account"], [(setup["de"], "")])


def test_delete_rule_falls_back_to_the_default(setup):
    rule_services.save_rule(setup["account"], [(setup["uk"], "")])
    assert rule_services.delete_rule(setup["account"]) is True
    assert rule_services.describe(setup["account"])["is_default"] is True
    assert sorted(w.code for w in eligible_warehouses(setup["account"])) == ["DE-3PL", "SZ", "UK-3PL"]
    assert rule_services.delete_rule(setup["account"]) is False
