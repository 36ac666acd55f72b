"""
What the portal accepts as an uploaded document: judged by content, not by name. Web pages,
SVG and scripts are refused outright (served from the portal's own address they could run in a
member's session); every other file must be what its extension says.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from wagtail.documents.forms import BaseDocumentForm

SNIFF_BYTES = 8192
ZIP_FORMATS = {"docx", "xlsx", "pptx", "odt"}
TEXT_FORMATS = {"txt", "csv"}
ACTIVE_CONTENT = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|script|svg|iframe|object|embed)\b|^\s*#!",
    re.IGNORECASE,
)


def check_document(name, head):
    """Raise ValidationError naming the problem when `head` (first bytes) does not fit `name`."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ACTIVE_CONTENT.search(head[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf")):
        raise ValidationError(
            _("%(name)s is a web page, SVG image or script; these cannot be uploaded."),
            params={"name": name},
            code="active_content",
        )
    if extension == "pdf" and not head.startswith(b"%PDF-"):
        raise ValidationError(
            _("%(name)s is named .pdf but is not a PDF file."), params={"name": name}, code="type"
        )
    if extension in ZIP_FORMATS and not head.startswith(b"PK\x03\x04"):
        raise ValidationError(
            _("%(name)s is named .%(ext)s but is not a %(ext)s file."),
            params={"name": name, "ext": extension},
            code="type",
        )
    if extension in TEXT_FORMATS and b"\x00" in head:
        raise ValidationError(
            _("%(name)s is named .%(ext)s but is not a text file."),
            params={"name": name, "ext": extension},
            code="type",
        )


class SafeDocumentForm(BaseDocumentForm):
    """The Wagtail document form with the content check (WAGTAILDOCS_DOCUMENT_FORM_BASE)."""

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and "file" in self.changed_data:
            position = uploaded.tell() if hasattr(uploaded, "tell") else 0
            uploaded.seek(0)
            head = uploaded.read(SNIFF_BYTES)
            uploaded.seek(position)
            check_document(uploaded.name, head)
        return uploaded
