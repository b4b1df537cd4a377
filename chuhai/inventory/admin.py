from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "type", "country", "time_zone", "is_active"]
    list_filter = ["type", "country"]
    search_fields = ["code", "name"]


from .ledger import StockBalance, StockMovement  # noqa: E402


class ReadOnlyAdmin(admin.ModelAdmin):
    """The ledger is append-only and balances change only through chuhai.inventory.stock: the admin only reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "product", "warehouse", "kind", "state", "quantity", "reference", "user"]
    list_filter = ["kind", "state", "warehouse"]
    search_fields = ["product__sku", "reference"]
    list_select_related = ["product", "warehouse", "user"]


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ["product", "warehouse", "on_hand", "reserved", "inbound", "unsellable"]
    list_filter = ["warehouse"]
    search_fields = ["product__sku"]
    list_select_related = ["product", "warehouse"]
