"""The analytics app stores no tables yet; this unmanaged model only carries its permissions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dashboard(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_dashboard", _("Can view dashboards and reports"))]
        verbose_name = _("dashboard")

    def __str__(self) -> str:
        return "dashboard"
