"""Listings: the channel SKUs mapped to our products (read-only here; created by the CLI, API and later syncs)."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.utils.translation import gettext as _

from .. import queries, specs
from ..filters import ListingFilter
from ..tables import table_response


@permission_required("catalog.view_listing", raise_exception=True)
def listing_list(request):
    filters = ListingFilter(request.GET)
    return table_response(
        request, spec=specs.LISTINGS, queryset=queries.listings(**filters.values()), template="web/pages/list.html",
        context={"title": _("Listings"), "filter_form": filters},
    )
