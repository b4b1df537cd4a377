"""Admin: carriers are edited here (names, tracking URL templates); shipments and their events can be inspected."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Carrier, Shipment, ShipmentLine, TrackingEvent


@admin.register(Carrier)
class CarrierAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "name_zh", "is_line_haul", "tracking_url_template")
    list_filter = ("is_line_haul",)
    search_fields = ("code", "name", "name_zh")


class ShipmentLineInline(admin.TabularInline):
    model = ShipmentLine
    extra = 0
    raw_id_fields = ("order_line",)


class TrackingEventInline(admin.TabularInline):
    model = TrackingEvent
    extra = 0
    fields = ("occurred_at", "status", "raw_status", "description", "location", "source")


@admin.register(Shipment)
class ShipmentAdmin(SimpleHistoryAdmin):
    list_display = ("id", "order", "carrier", "tracking_number", "warehouse", "shipped_at", "status", "delivered_at")
    list_filter = ("status", "carrier")
    search_fields = ("tracking_number", "order__external_id")
    raw_id_fields = ("order",)
    list_select_related = ("order", "carrier", "warehouse")
    inlines = (ShipmentLineInline, TrackingEventInline)
