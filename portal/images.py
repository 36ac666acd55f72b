"""
Image files are served by the portal, never straight from MEDIA_ROOT: every rendition's URL (what
`{% image %}`, rich text and the admin's thumbnails print) is this view's, which asks the usage
rule documents follow (portal.usage): an image may be fetched by whoever may see at least one
live page that shows it, and by the secretariat always (the admin's previews and choosers). An
image used only in members-only places (a members-only resource, a meeting's minutes) is
therefore not fetchable by an anonymous visitor, and one used nowhere live only by the
secretariat. Those refused get a 404: an image's existence is not confirmed to them.

A public image is cheap to serve: a few indexed queries and the file handed to the server's
`sendfile`, or a 304 with no file read when the browser already holds it. Browsers and shared
caches must revalidate it (`no-cache`), so an image that stops being public stops being served
at once. A restricted image is never stored (`private, no-store`).
"""

import posixpath

from django.http import FileResponse, Http404, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from wagtail.images import get_image_model

from portal.access import Audience
from portal.usage import may_fetch, usage_audience


def image_audience(image):
    """The audience an image has: the lowest among the live pages that show it, or None (see
    portal.usage)."""
    return usage_audience(image)


@require_safe
def image_file(request, image_id, rendition_id, filename):
    """One rendition's file, for those the usage rule lets fetch it."""
    rendition = (
        get_image_model()
        .get_rendition_model()
        .objects.filter(pk=rendition_id, image_id=image_id)
        .select_related("image")
        .first()
    )
    if rendition is None or posixpath.basename(rendition.file.name) != filename:
        raise Http404
    audience = image_audience(rendition.image)
    if not may_fetch(request.user, audience):
        raise Http404
    public = audience == Audience.PUBLIC
    # A rendition's file never changes under its id (a new crop or file makes a new rendition).
    etag = f'"rendition-{rendition.pk}"'
    if public and etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        try:
            handle = rendition.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle)
    if public:
        response["ETag"] = etag
        patch_cache_control(response, public=True, no_cache=True)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response
