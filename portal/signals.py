"""Keeping the search records of the portal's own pages in step: publishing, unpublishing or
moving a standard page re-indexes it, deleting it removes its records (after commit, through
search.indexing)."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from wagtail.signals import page_published, page_unpublished, post_page_move

from portal.models import StandardPage
from portal.search_records import SOURCE_NAME
from search.indexing import enqueue_index, enqueue_removal


@receiver(page_published, sender=StandardPage)
@receiver(page_unpublished, sender=StandardPage)
@receiver(post_page_move, sender=StandardPage)
def reindex_standard_page(sender, instance, **kwargs):
    enqueue_index(SOURCE_NAME, instance.pk)


@receiver(pre_delete, sender=StandardPage)
def remove_standard_page(sender, instance, **kwargs):
    enqueue_removal(SOURCE_NAME, instance.pk)
