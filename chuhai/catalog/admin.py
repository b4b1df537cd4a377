from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import BundleComponent, Listing, Product


class BundleComponentInline(admin.TabularInline):
    model = BundleComponent
    fk_name = "bundle"
    extra = 0
    autocomplete_fields = ["component"]


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ["sku", "name_en", "name_zh", "category", "purchase_cost", "cost_currency", "is_bundle", "is_active"]
    list_filter = ["is_bundle", "is_active", "category", "has_battery"]
    search_fields = ["sku", "name_en", "name_zh", "brand"]
    inlines = [BundleComponentInline]


@admin.register(Listing)
class ListingAdmin(SimpleHistoryAdmin):
    list_display = ["account", "channel_sku", "product", "external_id", "marketplace", "price", "currency", "status"]
    list_filter = ["account", "status", "marketplace"]
    search_fields = ["channel_sku", "external_id", "product__sku"]
    list_select_related = ["account", "product"]
    autocomplete_fields = ["product"]
