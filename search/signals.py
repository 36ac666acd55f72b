"""Keeping every process's thesaurus in step: a concept or term saved or deleted makes each
process read the thesaurus again (see search.thesaurus.changed)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from search import thesaurus
from search.models import Concept, ConceptTerm


@receiver(post_save, sender=Concept)
@receiver(post_save, sender=ConceptTerm)
@receiver(post_delete, sender=Concept)
@receiver(post_delete, sender=ConceptTerm)
def thesaurus_changed(sender, **kwargs):
    thesaurus.changed()
