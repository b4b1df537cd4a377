from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ChannelAccount


@admin.register(ChannelAccount)
class ChannelAccountAdmin(SimpleHistoryAdmin):
    """Credentials are never shown in the admin: only their masked form, read-only."""

    list_display = ["code", "name", "platform", "marketplace", "currency", "operating_model", "is_active"]
    list_filter = ["platform", "operating_model", "is_active"]
    search_fields = ["code", "name"]
    exclude = ["credentials"]
    readonly_fields = ["masked_credentials"]
