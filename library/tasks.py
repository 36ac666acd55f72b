"""Background work of the library: text extraction, on the `extraction` queue (see the routes in
portal/settings/base.py: `library.tasks.extract_*`)."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from library import extraction

logger = logging.getLogger(__name__)

# Celery's own limit is a backstop for the extractor's deadline, which is checked between pages.
SOFT_TIME_LIMIT = extraction.DEFAULTS["LIBRARY_EXTRACTION_MAX_SECONDS"] + 60


@shared_task(ignore_result=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=SOFT_TIME_LIMIT + 30)
def extract_document_text(document_id):
    """Extract the text of one document, record the outcome on it, and re-index every record
    that shows it. Idempotent; a missing document is not an error; a file replaced meanwhile
    is left for the task its replacement enqueued."""
    from library.models import LibraryDocument

    document = LibraryDocument.objects.filter(pk=document_id).first()
    if document is None:
        return
    file_name = document.file.name
    Extraction = LibraryDocument.Extraction
    outcome = {"extracted_text": "", "page_count": None, "extraction_error": ""}
    try:
        result = extraction.extract(_read(document), document.file_extension)
    except extraction.UnsupportedFormat as error:
        outcome.update(extraction_status=Extraction.UNSUPPORTED, extraction_error=str(error))
    except extraction.ExtractionError as error:
        outcome.update(extraction_status=Extraction.FAILED, extraction_error=str(error))
    except SoftTimeLimitExceeded:
        outcome.update(
            extraction_status=Extraction.FAILED,
            extraction_error=_("Extraction took too long and was stopped."),
        )
    except Exception as error:
        # A parser bug on a hostile file must not take the worker down nor leave the status
        # pending for ever; the traceback goes to the log for the developers.
        logger.exception("Text extraction of document %s failed unexpectedly", document_id)
        outcome.update(
            extraction_status=Extraction.FAILED,
            extraction_error=_("The file could not be read (%(error)s).")
            % {"error": type(error).__name__},
        )
    else:
        outcome.update(
            extraction_status=Extraction.EXTRACTED,
            extracted_text=result.text,
            page_count=result.page_count,
            extraction_error=result.note,
        )
    updated = LibraryDocument.objects.filter(pk=document_id, file=file_name).update(
        extracted_at=timezone.now(), **outcome
    )
    if updated:
        reindex_records_showing(document_id)


def _read(document):
    max_bytes = extraction.limit("LIBRARY_EXTRACTION_MAX_BYTES")
    try:
        size = document.file.size
    except OSError as error:
        raise extraction.ExtractionError(_("The file is missing from storage.")) from error
    if size > max_bytes:
        raise extraction.ExtractionError(
            _("The file is %(size)s; text is extracted from files up to %(max)s.")
            % {"size": filesizeformat(size), "max": filesizeformat(max_bytes)}
        )
    with document.file.open("rb") as handle:
        return handle.read(max_bytes + 1)


def reindex_records_showing(document_id):
    """Ask search to rebuild the records of every object that shows the document (resources
    attaching it, meetings listing it...: each app registers its lookup with search)."""
    from search.indexing import enqueue_objects_showing

    return enqueue_objects_showing([document_id])
