from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "chuhai.finance"
    verbose_name = _("Finance")

    def ready(self):
        # After every migrate: unsettled orders get fee estimates from published rates right away; rows finance
        # has edited are left alone (see chuhai.finance.fee_schedule_data).
        post_migrate.connect(seed_fee_schedules, sender=self, dispatch_uid="chuhai.finance.seed_fee_schedules")


def seed_fee_schedules(sender, using="default", **kwargs):
    from django.db import connections

    from .fee_schedule_data import load_default_schedules
    from .fees import FeeSchedule

    tables = connections[using].introspection.table_names()
    if FeeSchedule._meta.db_table not in tables or FeeSchedule.history.model._meta.db_table not in tables:
        return  # migrated backwards past the fee schedule table
    load_default_schedules()
