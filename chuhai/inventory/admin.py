from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "type", "country", "time_zone", "is_active"]
    list_filter = ["type", "country"]
    search_fields = ["code", "name"]
