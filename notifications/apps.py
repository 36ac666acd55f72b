from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.home import register_dashboard_section

        from . import signals  # noqa: F401  (connects the handlers)
        from .home import my_subscriptions

        register_dashboard_section(my_subscriptions)
