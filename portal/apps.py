from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _ensure_groups(sender, **kwargs):
    # post_migrate is sent once per app; run once, after the last, when every permission exists.
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label != last.label:
        return
    from portal.accounts.groups import ensure_groups

    ensure_groups()


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(_ensure_groups, dispatch_uid="portal.ensure_groups")

        from portal import admin_choosers, audit, heap, search_records, signals, usage  # noqa: F401
        from portal.accounts import signals as account_signals
        from portal.page_cache import connect_invalidation
        from search.registry import register

        connect_invalidation()
        audit.connect()
        heap.connect()
        usage.connect()
        account_signals.connect()
        register(search_records.StandardPageRecordSource())
        admin_choosers.register_user_source()
        admin_choosers.register_topic_source()
