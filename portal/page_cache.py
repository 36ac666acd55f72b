"""
Shared caches of what everyone sees, and how they follow the data.

The anonymous page cache answers anonymous GET/HEAD requests without a session cookie, and
stores only responses that say nothing about anyone (200, HTML or feed, no Set-Cookie, not
private/no-store). `shared_key` names a fragment or list shared by everyone of a tier (the
library's facets, a meeting's record, the home page's sections).

Sections. The site is cut into sections: `pages` (home and standard pages), `library`,
`meetings`, `network` (the directory) and `search` (the search index). Each has a generation, a
random token in the cache that a change of the section replaces; a cached thing carries the
tokens of the sections it is built from and is used only while they are all current. Two maps
below say which is which, and nothing else does:

- WRITES: the sections a write to a content model changes, by model or else by app; a model not
  named (users, revisions, logs, deliveries, the outbox...) changes nothing served.
- READS: the sections a cached thing is built from: a page by its page type or else its app, a
  view by its URL name or else its namespace, a shared fragment by the name its caller asks.
  Anything not named reads every section.

A write also changes the sections of whatever references the object written (Wagtail's
reference index: rich-text links, choosers, a meeting's host country), asked once per
transaction, at commit: a resource made members-only reaches the standard page linking to it.
Many-to-many relations are not in that index, so READS names those sections (a meeting page
lists the resources it discussed: it reads the library). A page moved changes every section.

The search section changes with the index, never with content: `search.service` marks it once
it has written records (and made them visible), so a search rendered between a publication and
its indexing is dropped when the index changes, and one rendered after shows the change.

When. A write marks its sections in its transaction; the generations change after the commit
(`transaction.on_commit`), when every other connection can read the change. Until then the
writing transaction alone uses private tokens for its sections: it sees its own writes, nobody
else reads what it stores, and a rollback leaves only orphans that expire. A request reads the
generations when it starts (one cache read for every section) and what it stores carries those:
a request that began before a change can only store under tokens already abandoned, and the page
cache does not even store when the tokens changed while it rendered.

A cache that does not answer reads as empty (portal.cache makes Redis errors misses): a missing
generation is a fresh token that matches nothing, so pages are rendered and not stored.
"""

import contextvars
import hashlib
import logging
import uuid
from collections import defaultdict
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.cache import patch_response_headers
from django.utils.translation import get_language, get_language_from_request

logger = logging.getLogger(__name__)

SECTIONS = ("pages", "library", "meetings", "network", "search")
CONTENT = ("pages", "library", "meetings", "network")

# What a write changes. () is content shown only where something references it (a document's
# title in a resource's attachments, an image): the referrers' sections change.
WRITES = {
    "library": ("library",),
    "library.librarydocument": (),
    "meetings": ("meetings",),
    "meetings.calendartoken": None,  # a person's own calendar link
    "network": ("network",),
    "portal.homepage": ("pages",),
    "portal.standardpage": ("pages",),
    "portal.portalimage": (),
    # Shown on every page: the site's name and footer, the taxonomy's labels.
    "portal.networksettings": SECTIONS,
    "portal.topic": SECTIONS,
    "portal.language": SECTIONS,
    "wagtailcore.site": SECTIONS,
    "wagtailcore.locale": SECTIONS,
    "wagtailcore.pageviewrestriction": SECTIONS,
}

# What a cached thing reads.
READS = {
    "portal.homepage": CONTENT,  # what is new in each section
    "portal": ("pages",),
    "library": ("library", "network"),  # resources name countries, organisations, people
    "meetings": ("meetings", "network"),  # host countries, organisers, owners
    "meetings.meetingpage": ("meetings", "library", "network"),  # + the resources discussed
    "meeting-record": ("meetings", "library", "network"),
    "network": ("network",),
    "network:referral": ("network", "library"),  # + the guidance that applies
    "search": ("search",),
}

# A save of only these fields is a draft, a lock or a comment: nothing served changes.
DRAFT_FIELDS = frozenset(
    {
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "has_unpublished_changes",
        "wagtail_admin_comments",
        "locked",
        "locked_at",
        "locked_by",
    }
)
CACHEABLE_TYPES = ("text/html", "application/atom+xml", "application/xml", "text/calendar")

# The generations a request has read, from its start (set by the middleware; None elsewhere).
_request_tokens = contextvars.ContextVar("page_cache_request_tokens", default=None)


def reads(label):
    """The sections a cached thing named `label` (see READS) is built from."""
    if label in READS:
        return READS[label]
    prefix = label.split(".")[0].split(":")[0]
    return READS.get(prefix, SECTIONS)


# -- generations -------------------------------------------------------------------------------


def _generation_key(section):
    return f"page-cache:generation:{section}"


def _shared_tokens(sections):
    """The current token of each section, read from the cache in one go; a missing one (first
    use, evicted, cache down) gets a fresh token."""
    keys = {section: _generation_key(section) for section in sections}
    found = cache.get_many(list(keys.values())) if keys else {}
    return {section: found.get(key) or _first_token(key) for section, key in keys.items()}


def _first_token(key):
    token = uuid.uuid4().hex
    if not cache.add(key, token, None):
        token = cache.get(key) or token  # another process set it first
    return token


def generations(sections):
    """{section: token} as this transaction and request see them: the transaction's private
    token for a section it has written, else the token the request read at its start (read
    then, for every section at once), else the cache's now."""
    private = _private_tokens()
    request_tokens = _request_tokens.get()
    wanted = [section for section in sections if section not in private]
    if request_tokens is None:
        shared = _shared_tokens(wanted)
    else:
        if any(section not in request_tokens for section in wanted):
            request_tokens.update(_shared_tokens([s for s in SECTIONS if s not in private]))
        shared = request_tokens
    return {section: private.get(section) or shared[section] for section in sections}


def generation(*sections):
    """A short name for the generations of `sections`, for a cache key."""
    tokens = generations(sections or SECTIONS)
    joined = " ".join(f"{section}={tokens[section]}" for section in sorted(tokens))
    return hashlib.sha256(joined.encode()).hexdigest()[:24]


def _bump(sections):
    """New generations now for `sections` (committed changes), seen at once by this request."""
    if not sections:
        return
    tokens = {section: uuid.uuid4().hex for section in sections}
    cache.set_many({_generation_key(section): token for section, token in tokens.items()}, None)
    request_tokens = _request_tokens.get()
    if request_tokens is not None:
        request_tokens.update(tokens)


def invalidate(*sections):
    """Forget what is cached of `sections` (every section if none is named), now."""
    sections = sections or SECTIONS
    _bump(sections)
    state = _pending()
    if state is not None:
        state.remint(sections)


# -- changes, after the commit -----------------------------------------------------------------


class _Pending:
    """What one transaction has written so far: its sections (with the private tokens it reads
    them by) and the objects whose referrers are asked at commit."""

    def __init__(self, connection):
        self.tokens = {}
        self.objects = set()
        self.done = False
        self.callback = self.commit  # one bound method, found again by identity
        transaction.on_commit(self.callback, robust=True)
        self.hooks = connection.run_on_commit

    def add(self, sections, objects):
        self.remint(sections)
        self.objects.update(objects)

    def remint(self, sections):
        for section in sections:
            self.tokens[section] = uuid.uuid4().hex

    def alive(self, connection):
        """Still waiting for its transaction's commit (not run, not rolled back)."""
        if self.done or not connection.in_atomic_block:
            return False
        if connection.run_on_commit is self.hooks:
            return True
        # A savepoint was rolled back (the list rebuilt) or the transaction ended.
        if any(hook[1] is self.callback for hook in connection.run_on_commit):
            self.hooks = connection.run_on_commit
            return True
        return False

    def commit(self):
        self.done = True
        _bump(set(self.tokens) | _referrer_sections(self.objects))


def _pending(create=False):
    connection = transaction.get_connection()
    state = getattr(connection, "_page_cache_pending", None)
    if state is not None and not state.alive(connection):
        state = connection._page_cache_pending = None
    if state is None and create and connection.in_atomic_block:
        state = connection._page_cache_pending = _Pending(connection)
    return state


def _private_tokens():
    state = _pending()
    return state.tokens if state is not None else {}


def mark_changed(sections, objects=()):
    """`sections` change (and those referencing `objects`, as (model, pk) pairs) when the
    current transaction commits, or now outside one."""
    state = _pending(create=True)
    if state is None:
        _bump(set(sections) | _referrer_sections(objects))
    else:
        state.add(sections, objects)


def index_changed():
    """The search index has new records: search pages change once they are committed."""
    mark_changed(("search",))


def _sections_written(model):
    """WRITES for `model`: a tuple of sections, or None for a model that is not content."""
    meta = model._meta
    if meta.label_lower in WRITES:
        return WRITES[meta.label_lower]
    return WRITES.get(meta.app_label)


def _referrer_sections(objects):
    """The sections of whatever references `objects` in Wagtail's reference index (one query).
    If it cannot be read, every content section."""
    if not objects:
        return set()
    from django.contrib.contenttypes.models import ContentType

    from wagtail.models import ReferenceIndex

    by_type = defaultdict(set)
    for model, pk in objects:
        # The content type references are filed under (a page's is Page's).
        by_type[ReferenceIndex._get_base_content_type(model).pk].add(str(pk))
    condition = reduce(
        or_, (Q(to_content_type_id=ct, to_object_id__in=ids) for ct, ids in by_type.items())
    )
    try:
        referrers = list(
            ReferenceIndex.objects.filter(condition)
            .values_list("content_type_id", flat=True)
            .distinct()
        )
    except DatabaseError:
        logger.warning("page cache: references unreadable; every content section changes")
        return set(CONTENT)
    sections = set()
    for content_type_id in referrers:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        sections.update((_sections_written(model) or ()) if model is not None else CONTENT)
    return sections


def _changed(instance, referenced=True):
    model = type(instance)
    if model._meta.label_lower == "wagtailcore.page":
        # Saved through the base class (a move, a copy); a migration's model has no type.
        model = getattr(instance, "specific_class", None)
        if model is None:
            mark_changed(SECTIONS)
            return
    sections = _sections_written(model)
    if sections is None:
        return
    mark_changed(sections, [(model, instance.pk)] if referenced else ())


def _saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields and set(update_fields) <= DRAFT_FIELDS):
        return
    # Nothing references a row just created.
    _changed(instance, referenced=not created)


def _deleted(sender, instance, **kwargs):
    _changed(instance)


def _relations_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        _changed(instance)


def _published(sender, instance, **kwargs):
    # A bulk publication (portal.bulk_publish) sends this and no post_save.
    _changed(instance)


def _moved(sender, instance, **kwargs):
    mark_changed(SECTIONS)  # every URL below it changed, wherever it is linked


def connect_invalidation():
    """Content writes change their sections after the commit (see the module docstring)."""
    from wagtail.signals import page_published, page_unpublished, post_page_move

    post_save.connect(_saved, dispatch_uid="page_cache.post_save")
    post_delete.connect(_deleted, dispatch_uid="page_cache.post_delete")
    m2m_changed.connect(_relations_changed, dispatch_uid="page_cache.m2m_changed")
    page_published.connect(_published, dispatch_uid="page_cache.page_published")
    page_unpublished.connect(_published, dispatch_uid="page_cache.page_unpublished")
    post_page_move.connect(_moved, dispatch_uid="page_cache.post_page_move")


# -- the anonymous page cache ------------------------------------------------------------------


def _entry_key(request):
    # A page is in the visitor's language (their choice's cookie, else their browser's).
    language = get_language_from_request(request)
    digest = hashlib.sha256(f"{language} {request.build_absolute_uri()}".encode()).hexdigest()
    return f"page-cache:{request.method}:{digest}"


def _is_anonymous_request(request):
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.path.startswith(settings.PAGE_CACHE_EXCLUDED_PREFIXES)
    )


def _is_storable(response):
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and response.get("Content-Type", "").split(";")[0] in CACHEABLE_TYPES
    )


def _read_by(request, response):
    """READS of what was served: its Wagtail page's type, else its view."""
    from wagtail.models import Page

    page = (getattr(response, "context_data", None) or {}).get("page")
    if isinstance(page, Page):
        return reads(page._meta.label_lower)
    match = request.resolver_match
    if match is not None:
        if match.view_name in READS:
            return READS[match.view_name]
        if match.namespace:
            return reads(match.namespace)
    return SECTIONS


def _start(key):
    """The entry stored under `key` and every section's token, in one cache read; the tokens
    become the request's."""
    private = _private_tokens()
    keys = {section: _generation_key(section) for section in SECTIONS if section not in private}
    found = cache.get_many([key, *keys.values()])
    shared = {section: found.get(k) or _first_token(k) for section, k in keys.items()}
    _request_tokens.get().update(shared)
    return found.get(key), {**shared, **private}


def _current(entry, tokens):
    return (
        isinstance(entry, tuple)
        and len(entry) == 2
        and all(tokens.get(section) == token for section, token in entry[0].items())
    )


class AnonymousPageCacheMiddleware:
    """Placed after the authentication middleware; see the module docstring. Every request
    reads the generations at its start through it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reset = _request_tokens.set({})
        try:
            if settings.PAGE_CACHE_SECONDS <= 0 or not _is_anonymous_request(request):
                return self.get_response(request)
            return self._cached(request)
        finally:
            _request_tokens.reset(reset)

    def _cached(self, request):
        key = _entry_key(request)
        entry, started = _start(key)
        if _current(entry, started):
            response = entry[1]
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _is_storable(response) and not request.user.is_authenticated:
            patch_response_headers(response, cache_timeout=0)
            response["X-Page-Cache"] = "miss"
            if hasattr(response, "render") and callable(response.render):
                response.render()
            sections = _read_by(request, response)
            rendered_under = {section: started[section] for section in sections}
            # Changed while rendering: what was read may be either side of the change.
            now = {**_shared_tokens(sections), **_private_tokens()}
            if all(now[section] == token for section, token in rendered_under.items()):
                cache.set(key, (rendered_under, response), settings.PAGE_CACHE_SECONDS)
        return response


# -- fragments shared by a tier ----------------------------------------------------------------


def shared_key(name, user, *state, sections=SECTIONS):
    """A cache key for something shared by everyone of `user`'s tier asking the same `state`:
    under the generations of the `sections` it reads (so never stale), the tier (so nobody is
    given what their tier may not see) and the language (labels are translated)."""
    from portal.access import audience_of

    digest = hashlib.sha256(repr(state).encode()).hexdigest()[:32]
    return f"{name}:{generation(*sections)}:{audience_of(user)}:{get_language()}:{digest}"


def form_state(form):
    """A valid filter form's choices, as a key's state: what is set, objects by their pk."""
    return sorted(
        (name, str(getattr(value, "pk", value)))
        for name, value in form.cleaned_data.items()
        if value
    )


class CachedIds:
    """
    A queryset as a paginator sees it, when the same list is asked by many: the total and each
    page's ids are cached under `key` (see `shared_key`); a page's rows are always read from the
    database, by id, through `detail` (its select_related and prefetches). The ids are found by
    a narrow sort (no joins beyond the ordering's), whatever the size of the list.
    """

    def __init__(self, queryset, key, detail=None, timeout=600):
        self.queryset = queryset
        self.key = key
        self.detail = detail or (lambda queryset: queryset)
        self.timeout = timeout

    def count(self):
        key = f"{self.key}:count"
        total = cache.get(key)
        if total is None:
            total = self.queryset.count()
            cache.set(key, total, self.timeout)
        return total

    def __getitem__(self, bounds):
        key = f"{self.key}:ids:{bounds.start}:{bounds.stop}"
        ids = cache.get(key)
        if ids is None:
            ids = list(self.queryset.values_list("pk", flat=True)[bounds])
            cache.set(key, ids, self.timeout)
        found = self.detail(self.queryset.order_by()).in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]
