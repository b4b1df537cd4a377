from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import FxRate, ManualFxRate


@admin.register(FxRate)
class FxRateAdmin(admin.ModelAdmin):
    list_display = ["date", "currency", "per_eur", "source"]
    list_filter = ["currency", "source"]
    date_hierarchy = "date"

    def has_change_permission(self, request, obj=None):
        return False  # published reference data: add a manual rate instead of editing it


@admin.register(ManualFxRate)
class ManualFxRateAdmin(SimpleHistoryAdmin):
    list_display = ["base", "quote", "rate", "valid_from", "note", "created_by"]
    list_filter = ["base", "quote"]
