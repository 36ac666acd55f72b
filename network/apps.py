from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = "Network"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from network import admin_forms, home, invitations, search_records, signals  # noqa: F401
        from portal.home import register_dashboard_section
        from search.registry import register_facet_labels

        search_records.register_sources()
        register_facet_labels("country", search_records.country_labels)
        admin_forms.register_autocomplete_sources()
        register_dashboard_section(home.directory_entry_section)
