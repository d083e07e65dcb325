from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Register")

    def ready(self):
        from registry.groups import setup_groups_after_migrate

        post_migrate.connect(setup_groups_after_migrate, sender=self)

        from registry import audit  # noqa: F401  (connects the write log)
        from registry.lib import cache

        cache.connect()
