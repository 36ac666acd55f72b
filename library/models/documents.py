"""
The library's documents. The document model exists from the first migration because Wagtail's
custom document model cannot be swapped in later.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.documents.models import AbstractDocument
from wagtail.documents.models import Document as WagtailDocument


class LibraryDocument(AbstractDocument):
    """A Wagtail document that also carries its extracted text, for search, and the state of the
    extraction, so editors can see why a file has no searchable text."""

    class Extraction(models.TextChoices):
        PENDING = "pending", _("Pending")
        EXTRACTED = "extracted", _("Extracted")
        FAILED = "failed", _("Failed")
        UNSUPPORTED = "unsupported", _("Not a text format")

    extracted_text = models.TextField(_("extracted text"), blank=True, editable=False)
    extraction_status = models.CharField(
        _("text extraction"),
        max_length=12,
        choices=Extraction.choices,
        default=Extraction.PENDING,
        editable=False,
    )
    extraction_error = models.TextField(_("extraction error"), blank=True, editable=False)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True, editable=False)
    extracted_at = models.DateTimeField(_("extracted at"), null=True, blank=True, editable=False)

    admin_form_fields = WagtailDocument.admin_form_fields

    class Meta(AbstractDocument.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    @property
    def format_label(self):
        """The file's type as readers name it (PDF, DOCX...), from its extension."""
        return (self.file_extension or "").upper()
