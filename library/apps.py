from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = "Library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from library import admin_forms, signals  # noqa: F401  (connects the receivers)
        from library.home import latest_guidance
        from library.referral import agreement_pairs, referral_guidance
        from library.search_records import (
            IndicatorRecordSource,
            ResourceRecordSource,
            resources_showing,
            topic_labels,
            type_labels,
        )
        from network.referral import register_agreement_pairs, register_referral_resources
        from portal.home import register_home_section
        from search.registry import register, register_document_lookup, register_facet_labels

        register(ResourceRecordSource())
        register(IndicatorRecordSource())
        register_document_lookup(resources_showing)
        register_facet_labels("type", type_labels)
        register_facet_labels("topic", topic_labels)
        register_home_section(latest_guidance)
        register_referral_resources(referral_guidance)
        register_agreement_pairs(agreement_pairs)
        admin_forms.register_autocomplete_sources()
