"""
Who may download a document: whoever may view at least one live page that uses it, the
secretariat always, nobody else. The collection an editor filed a document in plays no part:
the pages that show it decide. Resource attachments are read directly; any other page (a
meeting, a standard page linking the file) is found through Wagtail's reference index.

A page that shows documents to different audiences (e.g. a meeting whose papers are members-only
but whose report is public) may define `document_audience(document) -> audience or None`; other
pages show what they link to their own `audience` (public when they have none).
"""

from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from wagtail.models import Page, ReferenceIndex

from portal.access import RANK, Audience, can_see, is_secretariat


def download_audience(document):
    """The lowest audience among the live pages that use `document`, or None when no live page
    does. A fixed number of queries."""
    from library.models import ResourceAttachment

    audiences = set(
        ResourceAttachment.objects.filter(document=document, page__live=True).values_list(
            "page__audience", flat=True
        )
    )
    if Audience.PUBLIC not in audiences:
        page_type = ContentType.objects.get_for_model(Page)
        page_ids = {
            int(object_id)
            for object_id in ReferenceIndex.get_references_to(document)
            .filter(base_content_type=page_type)
            .values_list("object_id", flat=True)
        }
        for page in Page.objects.live().filter(pk__in=page_ids).specific(defer=False):
            audiences.add(_page_audience(page, document))
    audiences.discard(None)
    if not audiences:
        return None
    return min(audiences, key=lambda audience: RANK.get(str(audience), 99))


def _page_audience(page, document):
    if hasattr(page, "document_audience"):
        return page.document_audience(document)
    if page.get_view_restrictions().exists():
        # Wagtail's own privacy settings: only the secretariat, never guessed wider.
        return Audience.SECRETARIAT
    return getattr(page, "audience", Audience.PUBLIC)


def may_download(user, audience):
    """Whether `user` may download a document whose `download_audience` is `audience`."""
    if is_secretariat(user):
        return True
    return audience is not None and can_see(user, audience)


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
