"""
Links inside rich text (minutes, summaries, resource bodies) follow the one link rule: a link to a
page is rendered only for a viewer who may open it (portal.access.may_open), otherwise its text
stays and the link goes. Wagtail expands rich-text links without knowing who is reading, so the
request's user is held for the length of the request (RichTextViewerMiddleware); where there is
no request (emails, indexing), the reader is treated as the public.
"""

import contextvars

from django.utils.html import escape

from wagtail.rich_text.pages import PageLinkHandler

from portal.access import may_open

_viewer = contextvars.ContextVar("portal_rich_text_viewer", default=None)


class PolicyPageLinkHandler(PageLinkHandler):
    """Wagtail's page link, rendered only where the viewer may open the page."""

    @classmethod
    def expand_db_attributes_many(cls, attrs_list):
        viewer = _viewer.get()
        return [
            f'<a href="{escape(page.localized.url)}">' if may_open(viewer, page) else "<a>"
            for page in cls.get_many(attrs_list)
        ]


class RichTextViewerMiddleware:
    """Holds the request's user (with the tier its session grants) while the response is made."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _viewer.set(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            _viewer.reset(token)
