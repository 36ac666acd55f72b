from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = "Network"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from network import indexing, search_records

        search_records.register_sources()
        indexing.connect()
