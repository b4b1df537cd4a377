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


class AdPerformance(models.Model):
    """One row of a Sponsored Products report (per day or period × campaign × ad group × advertised SKU × target).

    Stored as reported; ACOS/TACOS/ROAS are defined in the metric layer, never here.
    """

    account = models.ForeignKey("channels.ChannelAccount", on_delete=models.PROTECT, related_name="ad_rows")
    report_type = models.CharField(_("report"), max_length=40, default="sp_advertised_product")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    portfolio = models.CharField(_("portfolio"), max_length=200, blank=True)
    campaign = models.CharField(_("campaign"), max_length=300)
    ad_group = models.CharField(_("ad group"), max_length=300, blank=True)
    advertised_sku = models.CharField(_("advertised SKU"), max_length=100, blank=True)
    advertised_asin = models.CharField(_("advertised ASIN"), max_length=20, blank=True)
    targeting = models.CharField(_("targeting"), max_length=300, blank=True)
    match_type = models.CharField(_("match type"), max_length=40, blank=True)
    search_term = models.CharField(_("customer search term"), max_length=300, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    impressions = models.BigIntegerField(_("impressions"), default=0)
    clicks = models.BigIntegerField(_("clicks"), default=0)
    spend = models.DecimalField(_("spend"), max_digits=20, decimal_places=6, default=0)
    sales = models.DecimalField(_("attributed sales"), max_digits=20, decimal_places=6, default=0)
    orders = models.IntegerField(_("attributed orders"), default=0)
    units = models.IntegerField(_("attributed units"), default=0)
    import_run = models.ForeignKey("channels.ImportRun", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="ad_rows")

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("advertising row")
        verbose_name_plural = _("advertising rows")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "report_type", "start_date", "end_date", "campaign", "ad_group",
                        "advertised_sku", "advertised_asin", "targeting", "match_type", "search_term"],
                name="ad_performance_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start_date} {self.campaign}"
