"""
Nothing stale is served (issue 22, fault 1): a page or a search rendered anywhere around a change
(while it is being committed, after the commit and before the index has it, while the index
write is being committed, between that commit and the page cache's new generation, or by a
request that began before it all and stores after) is never served once the change and its
indexing are done. The interleavings are driven: another web worker is a thread with its own
database connection, the moments are the transactions' own steps, and a render held mid-request
waits on an event. The cache is Redis (a private redis-server), the database PostgreSQL.
"""

import threading

import pytest

from django.core.cache import cache
from django.db import connections, transaction
from django.test import override_settings

from wagtail.models import Site

from library.models import ResourcePage
from library.search_records import SOURCE_NAME
from portal import page_cache
from portal.access import Audience
from portal.models import NetworkSettings
from search import service
from search.indexing import deferred_indexing
from search.registry import get_source
from tests.clients import Client
from tests.library.factories import library_index, resource
from tests.reliability.conftest import needs_postgresql
from tests.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WORD = "okapiscreening"
SEARCH = f"/search/?q={WORD}"
# Rendered at the moment under test, never before: its first render is the one that moment makes.
SEARCH_AT_THE_MOMENT = f"/search/?q={WORD}&sort=newest"


@pytest.fixture
def shared_cache(db, home_page, private_redis):
    """The page cache on for real, in Redis, shared by every thread."""
    needs_postgresql()
    # The site settings row is created on first use; create it now, not during a cached request.
    NetworkSettings.for_site(Site.objects.get(is_default_site=True))
    library_index()
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private_redis.url,
            "KEY_PREFIX": "portal",
        }
    }
    with override_settings(CACHES=caches, PAGE_CACHE_SECONDS=300):
        yield private_redis
        cache.clear()


def in_another_worker(function):
    """`function()` run as another web worker runs it: in its own thread, with its own
    database connection (so it reads only what is committed)."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001 - raised again in the test's thread
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the other worker's request never finished"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def shows(path, text=WORD):
    """Whether an anonymous visitor is shown `text` at `path` (a search page repeats the
    query: a result is told by its address)."""
    response = Client().get(path)
    assert response.status_code in (200, 302, 403, 404), path
    return response.status_code == 200 and text.encode() in response.content


def make_members_only(page):
    page.audience = Audience.MEMBERS
    page.save_revision().publish()


class HeldRender:
    """A request in another worker held once its page is rendered, before the page cache decides
    whether to store it, until `release()`."""

    def __init__(self, monkeypatch, path, text):
        self.rendered = threading.Event()
        self.go_on = threading.Event()
        self.outcome = {}
        storable = page_cache._is_storable

        def held(response):
            if threading.current_thread() is self.thread:
                self.rendered.set()
                assert self.go_on.wait(timeout=120), "never released"
            return storable(response)

        monkeypatch.setattr(page_cache, "_is_storable", held)
        self.thread = threading.Thread(target=self._run, args=(path, text))
        self.thread.start()
        assert self.rendered.wait(timeout=120), "the held request never rendered"

    def _run(self, path, text):
        try:
            self.outcome["shown"] = text.encode() in Client().get(path).content
        finally:
            connections.close_all()

    def release(self):
        self.go_on.set()
        self.thread.join(timeout=120)
        assert not self.thread.is_alive()
        return self.outcome["shown"]


def test_a_page_rendered_while_a_change_is_being_committed_is_not_served_after_it(shared_cache):
    guide = resource(f"Guide {WORD}")
    paths = ["/library/", guide.url, "/"]
    with transaction.atomic():
        make_members_only(guide)
        # Another worker renders the pages meanwhile from what is committed (still public)
        # and stores them.
        for path in paths:
            assert in_another_worker(lambda path=path: shows(path)), path
    for path in paths:
        assert not shows(path), path
        assert not shows(path), path  # nor from the cache the first visit filled


MOMENTS = [
    "while the change is being committed",
    "after the change is committed, before the index has it",
    "while the index write is being committed",
    "after the index write is committed, before the new generation",
]


@pytest.mark.parametrize("moment", [*MOMENTS, "a search began before the change, stored after"])
def test_a_resource_made_members_only_never_reaches_an_anonymous_search_page_whatever_the_timing(
    shared_cache, monkeypatch, moment
):
    guide = resource(f"Screening {WORD}")  # indexed when it commits
    found = guide.url
    assert shows(SEARCH, found) and shows(SEARCH, found)  # cached, and served from the cache
    renders = []

    def search_at(name):
        if name == moment:
            renders.append(in_another_worker(lambda: shows(SEARCH_AT_THE_MOMENT, found)))

    held = None
    if moment.startswith("a search began"):
        held = HeldRender(monkeypatch, SEARCH_AT_THE_MOMENT, found)

    # The change, its index write held back so that each step is a moment of its own.
    with deferred_indexing() as batch:
        with transaction.atomic():
            make_members_only(guide)
            search_at("while the change is being committed")
        search_at("after the change is committed, before the index has it")
        batch.discard()
    records = get_source(SOURCE_NAME).records_for(ResourcePage.objects.get(pk=guide.pk))
    with transaction.atomic():
        # Registered first: runs after the commit, before the page cache's own callback.
        transaction.on_commit(
            lambda: search_at("after the index write is committed, before the new generation")
        )
        service.replace_records(SOURCE_NAME, str(guide.pk), records)
        search_at("while the index write is being committed")

    if held is not None:
        renders.append(held.release())
    assert len(renders) == 1  # the moment happened
    for path in (SEARCH, SEARCH_AT_THE_MOMENT):
        assert not shows(path, found), path
        assert not shows(path, found), path
    assert not shows(f"/api/search/?q={WORD}", found)


def test_public_pages_answer_while_the_cache_is_stopped_and_started_under_requests(
    shared_cache,
):
    pytest.importorskip("portal.cache", reason="the outage-tolerant cache backend")
    guide = resource(f"Guide {WORD}")
    paths = ["/", "/library/", guide.url, "/meetings/", "/network/", SEARCH]
    tolerant = {
        "default": {
            "BACKEND": "portal.cache.TolerantRedisCache",
            "LOCATION": shared_cache.url,
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5,
                        "RETRY_SECONDS": 0.05},
        }
    }  # fmt: skip
    statuses = []
    stop = threading.Event()

    def visitors():
        try:
            while not stop.is_set():
                for path in paths:
                    statuses.append((path, Client().get(path).status_code))
        finally:
            connections.close_all()

    def answered(count):
        return lambda: len(statuses) >= count

    with override_settings(CACHES=tolerant):
        thread = threading.Thread(target=visitors)
        thread.start()
        try:
            wait_for(answered(len(paths)), 60, "no request was answered")
            shared_cache.stop()
            wait_for(answered(len(statuses) + 2 * len(paths)), 60, "requests stalled, cache down")
            shared_cache.start()
            wait_for(answered(len(statuses) + 2 * len(paths)), 60, "requests stalled, cache up")
        finally:
            stop.set()
            thread.join(timeout=120)
        assert [entry for entry in statuses if entry[1] != 200] == []

        def cached_again():
            Client().get("/library/")
            return Client().get("/library/").get("X-Page-Cache") == "hit"

        wait_for(cached_again, 20, "pages were not cached again once the cache was back")
