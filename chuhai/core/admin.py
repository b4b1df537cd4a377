from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ApiToken, CompanySettings


@admin.register(CompanySettings)
class CompanySettingsAdmin(SimpleHistoryAdmin):
    list_display = ["name", "base_currency", "time_zone", "country"]

    def has_add_permission(self, request):
        return not CompanySettings.objects.exists()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "hint", "created_at", "last_used_at"]
    exclude = ["key_hash"]

    def has_add_permission(self, request):
        return False  # tokens are issued with `chuhai users token NAME`, which shows the secret once
