"""
Template tags of the portal's page frame: main navigation with the current section marked,
breadcrumbs, file-type labels, and the link filter every list of page links goes through. None
of them runs a query except the breadcrumbs of a Wagtail page (one, for its ancestors).
"""

from pathlib import PurePosixPath

from django import template
from django.utils.translation import gettext_lazy as _

from portal.access import visible_pages

register = template.Library()

# The portal's sections, by URL prefix: they name the main navigation and the breadcrumbs of
# pages that are not Wagtail pages (the directory, the action list, search, notifications).
SECTIONS = [
    ("/library/", _("Library")),
    ("/meetings/", _("Meetings")),
    ("/meetings/actions/", _("Action points")),
    ("/network/", _("Directory")),
    ("/network/people/", _("People")),
    ("/search/", _("Search")),
    ("/notifications/", _("Notifications")),
]
MAIN_NAVIGATION = ["/library/", "/meetings/", "/network/", "/search/"]


@register.inclusion_tag("components/main_navigation.html", takes_context=True)
def main_navigation(context):
    """The main sections, the one the visitor is in marked for assistive technology."""
    path = context["request"].path
    labels = dict(SECTIONS)
    return {
        "items": [
            {"url": prefix, "label": labels[prefix], "current": path.startswith(prefix)}
            for prefix in MAIN_NAVIGATION
        ],
        **context.flatten(),
    }


@register.inclusion_tag("components/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """
    The trail to the current page, without the page itself (its heading follows): a Wagtail
    page's ancestors below the tree's root, else the sections whose URL contains this one's.
    Nothing on the home page.
    """
    request = context["request"]
    page = context.get("page")
    if request.path == "/":
        return {"crumbs": []}
    if page is not None and hasattr(page, "get_ancestors"):
        crumbs = [
            {"url": ancestor.get_url(request), "label": ancestor.title}
            for ancestor in page.get_ancestors().filter(depth__gt=1)
        ]
        if crumbs:
            crumbs[0]["label"] = _("Home")
        return {"crumbs": crumbs}
    crumbs = [{"url": "/", "label": _("Home")}]
    crumbs += [
        {"url": prefix, "label": label}
        for prefix, label in SECTIONS
        if request.path.startswith(prefix) and request.path != prefix
    ]
    return {"crumbs": crumbs}


@register.filter
def file_type(document):
    """A document's type as a short label from its file name: "PDF", "DOCX"; "" if none."""
    name = getattr(getattr(document, "file", None), "name", "") or str(document or "")
    return PurePosixPath(name).suffix.lstrip(".").upper()


@register.filter
def openable_by(pages, user):
    """The pages a link may be rendered to for `user` (live, and visible to them), in order:
    `{% for resource in item.resources.all|openable_by:user %}`. See portal.access.visible_pages."""
    return visible_pages(pages, user)
