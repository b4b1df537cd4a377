"""Available-to-sell (ATS): how many units each channel listing should show, and what changed since the last push.

Per listing::

    available = Σ (on hand − reserved) over the warehouses the listing's account may draw on
                (:func:`chuhai.inventory.allocation.eligible_warehouses`; a bundle: the fewest complete kits
                its components make, ``min(floor(component available / quantity per bundle))``)
    after_buffer = max(available − safety buffer, 0)
    shown = floor(after_buffer × share shown %), capped at the maximum shown,
            and 0 when after_buffer is below the "zero below" minimum

The buffer and the limits come from the account's :class:`~chuhai.inventory.channel_rules.AllocationRule` (its
model defaults when the account has none: no buffer, 100 %, no cap, no minimum). A listing that is not active,
of an inactive account or of an inactive product shows 0. Reservations are already in ``reserved``, so an
order that arrived but has not shipped is never offered twice (the oversell anchors' users complain about).

Listings Amazon fulfils (a SKU the account's FBA inventory report lists) are shown with the stock of the rule's
FBA warehouse, for information only: Amazon sets their quantity itself, and a quantity uploaded for an FBA SKU
would turn it into a merchant-fulfilled offer, so they are never "changed" and never exported.

Everything is computed set-based: one aggregate over :class:`StockBalance` per distinct set of eligible
warehouses, one query each for listings, rules, bundle components, FBA SKUs and last pushes, whatever the
number of listings.

Export files (what the seller uploads by hand until live API pushes exist):

- Amazon "Price & Quantity" inventory file (Seller Central → Add products via upload; help page 200385490,
  "Required Price and Quantity file fields"): tab-delimited text with the header row
  ``sku  price  minimum-seller-allowed-price  maximum-seller-allowed-price  quantity  handling-time
  fulfillment-channel``. Only ``sku`` and ``quantity`` are filled: blank price/handling-time/channel fields are
  left unchanged by Amazon, and Amazon-fulfilled SKUs must not carry a quantity, so they are left out.
- Shopify inventory CSV (Products → Inventory → Export / Import; help page "Exporting or importing inventory
  with a CSV file"): ``Handle, Title, Option1 Name, Option1 Value, Option2 Name, Option2 Value, Option3 Name,
  Option3 Value, SKU, HS Code, COO, Location, Bin name, Incoming (not editable), Unavailable (not editable),
  Committed (not editable), Available (not editable), On hand (current), On hand (new)``. The import only reads
  ``On hand (new)``, which gets the ATS. ``Handle`` is the listing's "ASIN / item id" field (store the Shopify
  product handle there for Shopify listings); the option columns stay empty because chuhai does not keep
  Shopify's option values. Shopify subtracts its own committed (unfulfilled) orders from on hand, and chuhai has
  already subtracted their reservations, so a Shopify order that both know is counted twice until it ships:
  the shop may briefly show fewer units than it could, never more.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chuhai.catalog.models import BundleComponent, Listing, ListingStatus
from chuhai.channels.models import Platform

from .allocation import eligible_warehouses
from .channel_rules import AllocationRule, ListingStockPush
from .ledger import StockBalance
from .models import FbaInventorySnapshot

if TYPE_CHECKING:
    import datetime as dt

AMAZON, SHOPIFY = "amazon", "shopify"
EXPORT_FORMATS = (AMAZON, SHOPIFY)
#: ListingStockPush.method of each export file.
PUSH_METHODS = {AMAZON: "amazon-file", SHOPIFY: "shopify-csv"}

AMAZON_COLUMNS = ("sku", "price", "minimum-seller-allowed-price", "maximum-seller-allowed-price", "quantity",
                  "handling-time", "fulfillment-channel")
SHOPIFY_COLUMNS = ("Handle", "Title", "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value",
                   "Option3 Name", "Option3 Value", "SKU", "HS Code", "COO", "Location", "Bin name",
                   "Incoming (not editable)", "Unavailable (not editable)", "Committed (not editable)",
                   "Available (not editable)", "On hand (current)", "On hand (new)")


@dataclass(frozen=True)
class ChannelLimits:
    """The part of an allocation rule that decides what a channel is shown."""

    safety_buffer: int = 0
    ats_percent: int = 100
    ats_max: int | None = None
    ats_min: int = 0

    @classmethod
    def of(cls, rule: AllocationRule | None) -> ChannelLimits:
        rule = rule or AllocationRule()  # an account without a rule: the model's defaults
        return cls(rule.safety_buffer, rule.ats_percent, rule.ats_max, rule.ats_min)

    def apply(self, available: int) -> int:
        """Buffer first, then the minimum (on the units really available), then the share and the cap."""
        after_buffer = max(available - self.safety_buffer, 0)
        if after_buffer < self.ats_min:
            return 0
        shown = after_buffer * self.ats_percent // 100
        if self.ats_max is not None:
            shown = min(shown, self.ats_max)
        return shown


@dataclass(frozen=True)
class ListingAts:
    """One listing's available-to-sell and what was last pushed to the channel."""

    listing: Listing
    available: int
    quantity: int
    last_pushed: int | None
    pushed_at: dt.datetime | None
    fulfilled_by_amazon: bool
    sellable: bool

    @property
    def account_code(self) -> str:
        return self.listing.account.code

    @property
    def channel_sku(self) -> str:
        return self.listing.channel_sku

    @property
    def sku(self) -> str:
        return self.listing.product.sku

    @property
    def changed(self) -> bool:
        """The channel should be told: never pushed, or pushed a different quantity (FBA: Amazon's business)."""
        return not self.fulfilled_by_amazon and self.last_pushed != self.quantity

    def as_dict(self) -> dict:
        return {
            "account": self.account_code, "channel_sku": self.channel_sku, "sku": self.sku,
            "listing_status": self.listing.status, "available": self.available, "quantity": self.quantity,
            "last_pushed": self.last_pushed, "pushed_at": self.pushed_at, "changed": self.changed,
            "fulfilled_by_amazon": self.fulfilled_by_amazon,
        }


# -- where each account may draw stock from -----------------------------------------------------------------------

def _available_by_product(warehouse_ids: frozenset[int]) -> dict[int, int]:
    """Σ(on hand − reserved) per product over ``warehouse_ids``: one aggregate query."""
    if not warehouse_ids:
        return {}
    rows = (StockBalance.objects.filter(warehouse_id__in=warehouse_ids).order_by().values("product_id")
            .annotate(free=Sum(F("on_hand") - F("reserved"))))
    return {row["product_id"]: row["free"] or 0 for row in rows}


def _bundle_recipes() -> dict[int, dict[int, int]]:
    """Every bundle's stocked components, nested bundles expanded: ``{bundle_id: {component_id: qty}}``."""
    direct: dict[int, list[tuple[int, int]]] = {}
    for bundle_id, component_id, qty in BundleComponent.objects.values_list("bundle_id", "component_id",
                                                                            "quantity"):
        direct.setdefault(bundle_id, []).append((component_id, qty))
    expanded: dict[int, dict[int, int]] = {}

    def expand(product_id: int, path: tuple[int, ...]) -> dict[int, int]:
        if product_id not in direct:
            return {product_id: 1}
        if product_id in expanded:
            return expanded[product_id]
        if product_id in path:  # a bundle containing itself sells nothing rather than looping
            return {}
        totals: dict[int, int] = {}
        for component_id, qty in direct[product_id]:
            for leaf, leaf_qty in expand(component_id, (*path, product_id)).items():
                totals[leaf] = totals.get(leaf, 0) + qty * leaf_qty
        expanded[product_id] = totals
        return totals

    for bundle_id in direct:
        expand(bundle_id, ())
    return expanded


def _units(product, free: Mapping[int, int], recipes: Mapping[int, dict[int, int]]) -> int:
    """Sellable units of ``product``: its own free stock, or for a bundle the complete kits its components make."""
    if not product.is_bundle:
        return max(free.get(product.pk, 0), 0)
    recipe = recipes.get(product.pk)
    if not recipe:
        return 0
    return max(min(max(free.get(pid, 0), 0) // qty for pid, qty in recipe.items()), 0)


def _fba_skus(account_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(account, seller SKU) pairs that Amazon's FBA inventory report has listed."""
    return set(FbaInventorySnapshot.objects.filter(account_id__in=list(account_ids)).order_by()
               .values_list("account_id", "sku").distinct())


# -- the computation ----------------------------------------------------------------------------------------------

def _listings(account=None, sku: str = ""):
    qs = Listing.objects.select_related("account", "product", "stock_push").order_by("account__code", "channel_sku")
    if account is not None:
        qs = qs.filter(account=account)
    if sku:
        qs = qs.filter(Q(product__sku__icontains=sku) | Q(channel_sku__icontains=sku))
    return qs


def compute(account=None, sku: str = "") -> list[ListingAts]:
    """ATS of every listing (of ``account``; whose SKU or channel SKU contains ``sku``), by account and channel
    SKU. A fixed number of queries, whatever the number of listings."""
    listings = list(_listings(account, sku))
    if not listings:
        return []
    accounts = {listing.account_id: listing.account for listing in listings}
    rules = {rule.account_id: rule for rule in AllocationRule.objects.filter(account_id__in=accounts)}
    warehouse_sets = {aid: frozenset(w.pk for w in eligible_warehouses(acc)) for aid, acc in accounts.items()}
    fba_sets = {aid: frozenset([rule.fba_warehouse_id]) if rule.fba_warehouse_id else frozenset()
                for aid, rule in rules.items()}
    free_by_set = {ids: _available_by_product(ids) for ids in {*warehouse_sets.values(), *fba_sets.values()}}
    recipes = _bundle_recipes() if any(listing.product.is_bundle for listing in listings) else {}
    fba_skus = _fba_skus(accounts)

    rows = []
    for listing in listings:
        fba = (listing.account_id, listing.channel_sku) in fba_skus
        ids = fba_sets.get(listing.account_id, frozenset()) if fba else warehouse_sets[listing.account_id]
        available = _units(listing.product, free_by_set.get(ids, {}), recipes)
        sellable = (listing.status == ListingStatus.ACTIVE and listing.account.is_active
                    and listing.product.is_active)
        if not sellable:
            quantity = 0
        elif fba:
            quantity = available
        else:
            quantity = ChannelLimits.of(rules.get(listing.account_id)).apply(available)
        push = getattr(listing, "stock_push", None)
        rows.append(ListingAts(listing, available, quantity, push.quantity if push else None,
                               push.pushed_at if push else None, fba, sellable))
    return rows


def changed_since_last_push(account=None, sku: str = "") -> list[ListingAts]:
    """Listings whose channel should be sent a new quantity: never pushed, or pushed a different number."""
    return [row for row in compute(account, sku) if row.changed]


def record_push(quantities: Mapping[Listing | int, int], method: str, user=None) -> int:
    """Remember what was sent (or exported) to each listing's channel, so the next "changed" list starts from it.
    ``quantities`` maps listings (or their ids) to the quantity pushed. One upsert; returns the rows written."""
    now = timezone.now()
    rows = []
    for listing, quantity in quantities.items():
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise ValueError(_("a pushed quantity must be a whole number ≥ 0, not %(value)s") % {"value": repr(quantity)})
        listing_id = listing if isinstance(listing, int) else listing.pk
        push = ListingStockPush(listing_id=listing_id, quantity=quantity, pushed_at=now, method=method[:40])
        if getattr(user, "pk", None):
            push.pushed_by = user
        rows.append(push)
    if not rows:
        return 0
    fields = ["quantity", "pushed_at", "method", "pushed_by"]
    ListingStockPush.objects.bulk_create(rows, update_conflicts=True, unique_fields=["listing"],
                                         update_fields=fields, batch_size=1000)
    return len(rows)


# -- export files -------------------------------------------------------------------------------------------------

def exportable(rows: Iterable[ListingAts], fmt: str) -> list[ListingAts]:
    """The rows an export file of ``fmt`` carries: that platform's listings, never Amazon-fulfilled ones."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(_("unknown export format %(format)s; choose one of %(choices)s") % {
            "format": repr(fmt), "choices": ", ".join(EXPORT_FORMATS)})
    return [row for row in rows if row.listing.account.platform == fmt and not row.fulfilled_by_amazon]


def amazon_inventory_file(rows: Iterable[ListingAts]) -> bytes:
    """Amazon's Price & Quantity flat file (tab-delimited, UTF-8): quantity only; blank fields stay unchanged."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(AMAZON_COLUMNS)
    for row in rows:
        writer.writerow([row.channel_sku, "", "", "", row.quantity, "", ""])
    return buffer.getvalue().encode("utf-8")


def shopify_inventory_csv(rows: Iterable[ListingAts], location: str) -> bytes:
    """Shopify's inventory CSV for one location: ``On hand (new)`` carries the ATS, the rest identifies the
    variant (see the module docstring for what chuhai can and cannot fill in)."""
    if not location.strip():
        raise ValueError(_("the Shopify location name is required (as spelled in Shopify → Settings → Locations)"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SHOPIFY_COLUMNS)
    for row in rows:
        product = row.listing.product
        writer.writerow([
            row.listing.external_id, product.name, "", "", "", "", "", "", row.channel_sku, product.hs_code,
            product.country_of_origin, location.strip(), "", "", "", "", "", "", row.quantity,
        ])
    return buffer.getvalue().encode("utf-8")


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    #: listing id → quantity in the file (what :func:`record_push` remembers)
    quantities: dict[int, int]
    method: str

    @property
    def rows(self) -> int:
        return len(self.quantities)


def export(account, fmt: str, *, changed_only: bool = False, location: str = "", user=None,
           record: bool = True) -> ExportFile:
    """The channel file of one account's listings (only the changed ones if asked), and — unless ``record`` is
    False — the quantities in it remembered as pushed. A caller that must first store the file (the CLI) passes
    ``record=False`` and calls ``record_push(file.quantities, file.method, user)`` once it is written."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(_("unknown export format %(format)s; choose one of %(choices)s") % {
            "format": repr(fmt), "choices": ", ".join(EXPORT_FORMATS)})
    if account.platform != fmt:
        name = Platform(fmt).label
        raise ValueError(_("%(account)s sells on %(platform)s: the %(name)s file is for %(name)s accounts") % {
            "account": account.code, "platform": account.get_platform_display(), "name": name})
    rows = exportable(compute(account), fmt)
    if changed_only:
        rows = [row for row in rows if row.changed]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    quantities = {row.listing.pk: row.quantity for row in rows}
    if fmt == AMAZON:
        file = ExportFile(amazon_inventory_file(rows), f"{account.code}-inventory-{stamp}.txt",
                          "text/tab-separated-values; charset=utf-8", quantities, PUSH_METHODS[fmt])
    else:
        file = ExportFile(shopify_inventory_csv(rows, location or account.name or account.code),
                          f"{account.code}-inventory-{stamp}.csv", "text/csv; charset=utf-8", quantities,
                          PUSH_METHODS[fmt])
    if record:
        record_push(file.quantities, file.method, user=user)
    return file
