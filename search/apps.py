from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from search import thesaurus
        from search.models import Concept, ConceptTerm

        for model in (Concept, ConceptTerm):
            post_save.connect(thesaurus.changed, sender=model, dispatch_uid=f"thesaurus-{model}")
            post_delete.connect(
                thesaurus.changed, sender=model, dispatch_uid=f"thesaurus-del-{model}"
            )
