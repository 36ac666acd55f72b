"""
Who may download a document: whoever may view at least one live place that shows it, the
secretariat always, nobody else (portal.usage, the rule documents share with images). Each page
type says which audience a document has on it (`audiences_at`): a meeting paper its own, the
meeting's minutes and agenda the record's (members-only at least), a resource's attachment the
resource's. The collection an editor filed a document in plays no part, nor the order hooks run
in: there is one `before_serve_document` hook (library.wagtail_hooks).

A resource's attachments are read directly, as well as through the reference index, so that a
file attached at publishing counts before the index has caught up.
"""

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from portal.usage import usage_audience


def download_audience(document):
    """The lowest audience among the live places that show `document`, or None when no live
    page does. A fixed number of queries (see portal.usage)."""
    from library.models import ResourceAttachment

    attachments = ResourceAttachment.objects.filter(document=document).values_list(
        "page_id", "page__audience"
    )
    return usage_audience(document, direct_uses=dict(attachments))


def restricted_download(document):
    """Serve a members-only file: always as an attachment (never rendered in the browser),
    never sniffed into another type, never kept by a shared cache.

    A plain HttpResponse, not a FileResponse: Wagtail's serve view only honours a
    `before_serve_document` hook's answer when it is an HttpResponse (uploads are capped at
    DOCUMENT_MAX_UPLOAD_SIZE, so reading the file whole is bounded)."""
    with document.file.open("rb") as handle:
        content = handle.read()
    content_type = (
        "application/octet-stream"
        if document.content_type == "text/html"
        else document.content_type or "application/octet-stream"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    patch_cache_control(response, private=True, no_store=True)
    return response
