"""Writing Sponsored Products rows: upserted on AdPerformance's unique key (account, report type, dates, campaign,
ad group, advertised SKU/ASIN, target, match type, search term).

Re-importing a report changes nothing; a re-download of the same period whose numbers moved (Amazon keeps
attributing sales for days after a click) updates the rows whose figures changed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from chuhai.analytics.models import AdPerformance

from ..records import AdRecord
from .base import WriteContext
from .fba import upsert

AD_KEY = ("report_type", "start_date", "end_date", "campaign", "ad_group", "advertised_sku", "advertised_asin",
          "targeting", "match_type", "search_term")
AD_FIELDS = ("portfolio", "currency", "impressions", "clicks", "spend", "sales", "orders", "units")


def write_ad_rows(records: Iterable[AdRecord], ctx: WriteContext) -> None:
    def stored(batch: list[AdRecord]) -> models.QuerySet:
        return AdPerformance.objects.filter(
            account=ctx.account, start_date__in={r.start_date for r in batch},
            campaign__in={r.campaign for r in batch})

    upsert(AdPerformance, records, ctx, key=AD_KEY, fields=AD_FIELDS, stored=stored)
