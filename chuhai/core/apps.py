from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "chuhai.core"
    verbose_name = _("Core")

    def ready(self):
        post_migrate.connect(_sync_roles_after_last_app, dispatch_uid="chuhai.sync_roles")


def _sync_roles_after_last_app(sender, app_config, **kwargs):
    """post_migrate fires once per app that has models; permissions are complete after the last of them."""
    from django.apps import apps

    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if app_config is with_models[-1]:
        from .roles import sync_roles

        sync_roles()
