from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "chuhai.logistics"
    verbose_name = _("Logistics")

    def ready(self):
        # After every migrate: a fresh install can ship and link tracking numbers right away.
        post_migrate.connect(seed_carriers, sender=self, dispatch_uid="chuhai.logistics.seed_carriers")


def seed_carriers(sender, using="default", **kwargs):
    from django.db import connections

    from .carriers import ensure_default_carriers
    from .models import Carrier

    if Carrier._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated backwards past the carrier table
    ensure_default_carriers()
