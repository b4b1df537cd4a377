from django.contrib import admin

from .models import Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ["product"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["external_id", "account", "purchased_at", "status", "fulfilment_channel", "ship_country",
                    "order_total", "currency"]
    list_filter = ["account", "status", "fulfilment_channel"]
    search_fields = ["external_id", "customer_ref"]
    date_hierarchy = "purchased_at"
    list_select_related = ["account"]
    inlines = [OrderLineInline]
