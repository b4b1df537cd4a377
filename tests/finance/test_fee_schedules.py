"""The default fee schedules: seeded by migrate, idempotent, never overwriting finance's edits, and sourced."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from chuhai.demo.catalog import demo_catalogue
from chuhai.finance.fee_schedule_data import (
    CATEGORY_MAPS,
    default_rates,
    load_default_schedules,
    save_fee_schedule,
    schedule_key,
)
from chuhai.finance.fees import FeeSchedule, FeeScheduleKind

pytestmark = pytest.mark.django_db


def test_migrate_seeded_every_default_row_once():
    keys = [schedule_key(s) for s in FeeSchedule.objects.all()]
    assert len(keys) == len(set(keys))
    assert {r.key() for r in default_rates()} <= set(keys)
    assert FeeSchedule.history.filter(history_type="+").count() >= len(default_rates())


def test_loading_again_inserts_nothing_and_keeps_finance_edits():
    row = FeeSchedule.objects.get(platform="amazon", marketplace="US", kind=FeeScheduleKind.REFERRAL_PERCENT,
                                  category="Cables")
    save_fee_schedule(row, {"percent": Decimal("14"), "source": "finance: negotiated"})
    before = FeeSchedule.objects.count()

    assert load_default_schedules() == 0
    assert FeeSchedule.objects.count() == before
    row.refresh_from_db()
    assert row.percent == 14 and row.source == "finance: negotiated"


def test_a_deleted_default_row_comes_back():
    FeeSchedule.objects.filter(platform="tiktok").delete()
    assert load_default_schedules() == 1
    assert FeeSchedule.objects.get(platform="tiktok").percent == 6


def test_every_default_row_is_sourced_and_fits_the_model():
    for rate in default_rates():
        assert "http" in rate.source and "2026-11-22" in rate.source, rate
        assert len(rate.source) <= FeeSchedule._meta.get_field("source").max_length
        assert (rate.percent is None) != (rate.amount is None), rate
        assert rate.valid_to is None or rate.valid_to >= rate.valid_from


def test_mapped_categories_are_our_product_categories():
    ours = {spec.category for spec in demo_catalogue()}
    for mapping in CATEGORY_MAPS.values():
        assert set(mapping) <= ours


def test_fba_bands_of_a_card_cover_the_weights_without_gaps():
    for start in (dt.date(2024, 4, 15), dt.date(2026, 1, 15)):
        for tier in ("small_standard", "large_standard"):
            bands = sorted((r.weight_from_g, r.weight_to_g) for r in default_rates()
                           if r.size_tier == tier and r.valid_from == start)
            assert bands[0][0] == 0
            assert all(b[0] == a[1] + 1 for a, b in zip(bands, bands[1:], strict=False))


def test_saving_validates_the_row_as_a_whole():
    with pytest.raises(ValidationError) as err:
        save_fee_schedule(None, {"platform": "amazon", "marketplace": "uk", "kind": FeeScheduleKind.REFERRAL_PERCENT,
                                 "currency": "gbp", "valid_from": dt.date(2026, 1, 1), "source": "x"})
    assert "percent" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        save_fee_schedule(None, {"platform": "nowhere", "kind": FeeScheduleKind.PAYMENT_FIXED, "amount": Decimal(1),
                                 "currency": "USD", "valid_from": dt.date(2026, 2, 1),
                                 "valid_to": dt.date(2026, 1, 1), "source": "x"})
    assert {"platform", "valid_to"} <= set(err.value.message_dict)
    row = save_fee_schedule(None, {"platform": "amazon", "marketplace": "uk", "kind": FeeScheduleKind.REFERRAL_PERCENT,
                                   "percent": Decimal("15.3"), "currency": "gbp", "valid_from": dt.date(2026, 1, 1),
                                   "source": "x"})
    assert (row.marketplace, row.currency) == ("GB", "GBP")
