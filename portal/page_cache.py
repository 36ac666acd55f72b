"""
A shared cache of anonymous responses to public pages, so that the pages everyone sees cost a
cache read. Safe by construction: only anonymous GET/HEAD requests without a session cookie are
answered from it, and only responses that say nothing about anyone are stored (200, HTML or
feed, no Set-Cookie, not private/no-store). Any content change bumps a generation number that
is part of every key, which invalidates every stored page at once; entries also expire.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.cache import patch_response_headers
from django.utils.translation import get_language, get_language_from_request

GENERATION_KEY = "page-cache:generation"
CACHEABLE_TYPES = ("text/html", "application/atom+xml", "application/xml", "text/calendar")


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def invalidate(**kwargs):
    """Forget every cached page (content changed somewhere)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def _key(request, gen):
    # A page is in the visitor's language (their choice's cookie, else their browser's).
    language = get_language_from_request(request)
    digest = hashlib.sha256(f"{language} {request.build_absolute_uri()}".encode()).hexdigest()
    return f"page-cache:{gen}:{request.method}:{digest}"


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


class AnonymousPageCacheMiddleware:
    """Placed after the authentication middleware; see the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.PAGE_CACHE_SECONDS <= 0 or not _is_anonymous_request(request):
            return self.get_response(request)
        key = _key(request, generation())
        cached = cache.get(key)
        if cached is not None:
            cached["X-Page-Cache"] = "hit"
            return cached
        response = self.get_response(request)
        if _is_storable(response) and not request.user.is_authenticated:
            patch_response_headers(response, cache_timeout=0)
            response["X-Page-Cache"] = "miss"
            if hasattr(response, "render") and callable(response.render):
                response.render()
            cache.set(key, response, settings.PAGE_CACHE_SECONDS)
        return response


CONTENT_APPS = ("portal", "network", "library", "meetings", "wagtailcore", "wagtaildocs")


def _content_changed(sender, **kwargs):
    if sender._meta.app_label in CONTENT_APPS and sender._meta.model_name not in (
        "user",
        "invitation",
    ):
        invalidate()


def connect_invalidation():
    """Any save or delete of content (pages, revisions, snippets, documents) clears the cache."""
    post_save.connect(_content_changed, dispatch_uid="page_cache.post_save")
    post_delete.connect(_content_changed, dispatch_uid="page_cache.post_delete")
    m2m_changed.connect(_content_changed, dispatch_uid="page_cache.m2m_changed")


def shared_key(name, user, *state):
    """A cache key for something shared by everyone of `user`'s tier asking the same `state`:
    under the content generation (so never stale), the tier (so nobody is given what their tier
    may not see) and the language (labels are translated)."""
    from portal.access import audience_of

    digest = hashlib.sha256(repr(state).encode()).hexdigest()[:32]
    return f"{name}:{generation()}:{audience_of(user)}:{get_language()}:{digest}"


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
