"""
Keeping search and extracted text in step with the library. Indexing hangs on Wagtail's
publish/unpublish/move signals (a draft save changes nothing readers see); a document's text is
extracted when it is created or its file replaced. Everything is recorded in the changing
transaction and enqueued after commit, by id (portal.outbox).
"""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from wagtail.signals import page_published, page_unpublished, post_page_move

from library.models import (
    Indicator,
    IndicatorSetItem,
    LibraryDocument,
    LibraryIndexPage,
    ResourcePage,
)
from library.search_records import INDICATOR_SOURCE_NAME, SOURCE_NAME, indicators_of_pages
from portal import outbox
from search.indexing import enqueue_index, enqueue_removal


def _reindex_indicators(page):
    """A set's indicators are shown to whoever may see a live set holding them: re-index those
    it holds now and those it held before this save (see `remember_indicators`)."""
    before = getattr(page, "_indicators_before", set())
    page._indicators_before = set()
    now = {indicator_id for _source, indicator_id in indicators_of_pages([page.pk])}
    for indicator_id in sorted(before | now):
        enqueue_index(INDICATOR_SOURCE_NAME, indicator_id)


@receiver(pre_save, sender=ResourcePage)
def remember_indicators(sender, instance, update_fields=None, raw=False, **kwargs):
    # Publishing saves the whole page with its rows: note the rows it had (one query).
    if raw or instance.pk is None or update_fields is not None:
        return
    instance._indicators_before = {
        indicator_id for _source, indicator_id in indicators_of_pages([instance.pk])
    }


def _reindex(page):
    enqueue_index(SOURCE_NAME, page.pk)
    _reindex_indicators(page)
    # Publishing or withdrawing an edition changes whether the one it supersedes is current.
    if page.supersedes_id:
        enqueue_index(SOURCE_NAME, page.supersedes_id)
    # A translation published or withdrawn puts its original in a group of translations or
    # takes it out.
    if page.translation_of_id:
        enqueue_index(SOURCE_NAME, page.translation_of_id)


@receiver(page_published, sender=ResourcePage)
def index_published_resource(sender, instance, **kwargs):
    _reindex(instance)


@receiver(page_unpublished, sender=ResourcePage)
def remove_unpublished_resource(sender, instance, **kwargs):
    enqueue_removal(SOURCE_NAME, instance.pk)
    _reindex_indicators(instance)
    if instance.supersedes_id:
        enqueue_index(SOURCE_NAME, instance.supersedes_id)
    if instance.translation_of_id:
        enqueue_index(SOURCE_NAME, instance.translation_of_id)


@receiver(post_page_move, sender=ResourcePage)
def reindex_moved_resource(sender, instance, **kwargs):
    enqueue_index(SOURCE_NAME, instance.pk)
    _reindex_indicators(instance)


@receiver(post_save, sender=Indicator)
def index_changed_indicator(sender, instance, raw=False, **kwargs):
    # Its wording or details changed: its record too (none while no live set holds it), and
    # those of the sets holding it, whose text includes it.
    if raw:
        return
    enqueue_index(INDICATOR_SOURCE_NAME, instance.pk)
    for page_id in IndicatorSetItem.objects.filter(indicator=instance).values_list(
        "page_id", flat=True
    ):
        enqueue_index(SOURCE_NAME, page_id)


@receiver(post_delete, sender=Indicator)
def remove_deleted_indicator(sender, instance, **kwargs):
    enqueue_removal(INDICATOR_SOURCE_NAME, instance.pk)


@receiver(post_page_move, sender=LibraryIndexPage)
def reindex_resources_of_moved_library(sender, instance, **kwargs):
    # Every resource's URL changed with its parent's.
    for page_id in ResourcePage.objects.child_of(instance).values_list("pk", flat=True):
        enqueue_index(SOURCE_NAME, page_id)


@receiver(pre_delete, sender=ResourcePage)
def remember_predecessor(sender, instance, **kwargs):
    # After deletion the row (and its link) is gone; note what must be re-indexed.
    instance._predecessor_id = instance.supersedes_id
    instance._original_id = instance.translation_of_id
    instance._indicators_before = {
        indicator_id for _source, indicator_id in indicators_of_pages([instance.pk])
    }


@receiver(post_delete, sender=ResourcePage)
def remove_deleted_resource(sender, instance, **kwargs):
    enqueue_removal(SOURCE_NAME, instance.pk)
    _reindex_indicators(instance)
    predecessor_id = getattr(instance, "_predecessor_id", None)
    if predecessor_id:
        enqueue_index(SOURCE_NAME, predecessor_id)
    original_id = getattr(instance, "_original_id", None)
    if original_id:
        enqueue_index(SOURCE_NAME, original_id)


@receiver(pre_save, sender=LibraryDocument)
def notice_replaced_file(sender, instance, **kwargs):
    if instance.pk is None:
        instance._file_changed = True
        return
    previous = sender.objects.filter(pk=instance.pk).values_list("file", flat=True).first()
    instance._file_changed = previous != instance.file.name
    if instance._file_changed:
        # The old text describes the old file: clear it until the new one is read.
        instance.extraction_status = LibraryDocument.Extraction.PENDING
        instance.extracted_text = ""
        instance.extraction_error = ""
        instance.page_count = None
        instance.extracted_at = None


@receiver(post_save, sender=LibraryDocument)
def extract_new_file(sender, instance, created, raw=False, **kwargs):
    if raw or not getattr(instance, "_file_changed", created):
        return
    enqueue_extraction(instance.pk)


def enqueue_extraction(document_id):
    """Extract the document's text after commit; recorded in the outbox, so a lost message is
    dispatched again by its sweep."""
    from library.tasks import extract_document_text

    outbox.enqueue(extract_document_text, document_id)
