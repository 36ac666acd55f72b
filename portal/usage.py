"""
Who may fetch a file (a document or an image): whoever may see at least one live page that shows
it. This is the one usage rule behind document downloads (library.downloads) and image files
(portal.images); the collection a file was filed in, and the order hooks run in, play no part.

Where a page shows a file is read from Wagtail's reference index, whose rows carry the field path
of each reference (`content_path`): "minutes." or "public_summary." for rich text,
"documents.12.document" for a child object's foreign key, "body.<block id>" for a StreamField
block. What a page shows at a path may be addressed to an audience of its own (a meeting's
minutes are members-only on a public meeting), so each page type may say which audience a file
has on its pages, with one class method:

    @classmethod
    def audiences_at(cls, obj, paths_by_page):
        '''{page id: audience} for the pages of this type that show `obj`.'''

`paths_by_page` maps the id of every page of this type that the reference index lists as showing
`obj` to the content paths of those references. The method answers with the audience `obj` has on
each page (the lowest where a page shows it in several places), never below the page's own; it may
add pages that show `obj` through a relation the reference index does not follow (Wagtail does not
index a ParentalManyToManyField). It need not check whether a page is live: this module does. It
is called for every page type that defines it, with or without references, in a fixed number of
queries. A page type without it shows everything at its own `audience` (public when it has none).

Then the lowest audience among the live pages wins; a page under one of Wagtail's privacy
restrictions counts for the secretariat only (never guessed wider).

Wagtail rebuilds a page's references in a background task after the commit; publishing rebuilds
them at once, in the publishing transaction (`connect`), so that a file moved from a public part
into a restricted one is never served on the old references while a worker is busy or down.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType

from wagtail.models import Page, PageViewRestriction, ReferenceIndex, get_page_models
from wagtail.signals import page_published

from portal.access import Audience, can_see, is_secretariat, lowest


def may_fetch(user, audience):
    """Whether `user` may fetch a file whose `usage_audience` is `audience`: the secretariat
    always (files not yet shown anywhere, previews), anyone else when a live place shows it to
    their tier."""
    if audience == Audience.PUBLIC:
        # Asked first: a public file costs no look-up of who is asking.
        return True
    if is_secretariat(user):
        return True
    return audience is not None and can_see(user, audience)


def usage_audience(obj, direct_uses=None):
    """The lowest audience among the live pages that show `obj`, or None when no live page does
    (then only the secretariat may fetch it). `direct_uses` ({page id: audience}) adds uses the
    caller read itself (a resource's attachments). A fixed number of queries: the references,
    one or two per page type that shows `obj` or defines `audiences_at`, the live pages and their
    privacy restrictions."""
    uses = {}
    for page_id, audience in (direct_uses or {}).items():
        _add_use(uses, page_id, audience)
    references = _references_by_page_type(obj)
    for model, paths_by_page in references.items():
        if not hasattr(model, "audiences_at"):
            for page_id, audience in _own_audiences(model, paths_by_page).items():
                _add_use(uses, page_id, audience)
    for model in get_page_models():
        if hasattr(model, "audiences_at") and not model._meta.proxy:
            for page_id, audience in model.audiences_at(obj, references.get(model, {})).items():
                _add_use(uses, page_id, audience)
    if not uses:
        return None
    live = dict(Page.objects.live().filter(pk__in=uses).values_list("pk", "path"))
    if not live:
        return None
    restricted = _restricted_paths(live.values())
    return lowest(
        Audience.SECRETARIAT if _is_restricted(path, restricted) else uses[page_id]
        for page_id, path in live.items()
    )


def _add_use(uses, page_id, audience):
    page_id = int(page_id)
    uses[page_id] = lowest([uses.get(page_id), audience])


def _references_by_page_type(obj):
    """{page model: {page id: [content path, ...]}} from the reference index (one query)."""
    page_type = ContentType.objects.get_for_model(Page)
    found = defaultdict(lambda: defaultdict(list))
    rows = (
        ReferenceIndex.get_references_to(obj)
        .filter(base_content_type=page_type)
        .values_list("content_type_id", "object_id", "content_path")
    )
    for content_type_id, object_id, content_path in rows:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            # A page type since removed from the code: its pages cannot be served.
            continue
        found[model][int(object_id)].append(content_path)
    return {model: dict(paths) for model, paths in found.items()}


def _own_audiences(model, paths_by_page):
    """Every reference on a page of `model` has the page's own audience (one query when the
    page type has an audience, none otherwise)."""
    if not any(field.name == "audience" for field in model._meta.concrete_fields):
        return dict.fromkeys(paths_by_page, Audience.PUBLIC)
    return dict(model._default_manager.filter(pk__in=paths_by_page).values_list("pk", "audience"))


def _restricted_paths(page_paths):
    """The tree paths, among the pages' own and their ancestors', that carry a privacy
    restriction (one query)."""
    step = Page.steplen
    candidates = {path[:end] for path in page_paths for end in range(step, len(path) + 1, step)}
    return set(
        PageViewRestriction.objects.filter(page__path__in=candidates).values_list(
            "page__path", flat=True
        )
    )


def _is_restricted(path, restricted):
    return any(path.startswith(ancestor) for ancestor in restricted)


def _index_references_at_publishing(sender, instance, **kwargs):
    ReferenceIndex.create_or_update_for_object(instance)


def connect():
    """Rebuild a page's references when it is published (see the module docstring)."""
    page_published.connect(
        _index_references_at_publishing, dispatch_uid="portal.usage.index_references"
    )
