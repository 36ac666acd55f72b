"""The index stays in step with an Elasticsearch cluster that goes down: a write it misses is
recorded in the database and replayed, and until it has caught up searches read the database
backend, which every write reaches first. Tested with the real client against a cluster that
cannot be reached (port 9 refuses at once); the catch-up itself against a live cluster when
ELASTICSEARCH_URL is set."""

import os
import uuid

import pytest

from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from portal.access import Audience
from search import pending, service
from search.models import IndexedRecord, PendingIndexWrite
from search.tasks import replay_pending_writes, update_index
from tests.clients import Client
from tests.library.factories import resource
from tests.search.conftest import make_record

DOWN = "http://127.0.0.1:9"
ES_URL = os.environ.get("ELASTICSEARCH_URL", "")
RESOURCE = "library.resource"


@pytest.fixture
def cluster_down(db, settings):
    settings.ELASTICSEARCH_URL = DOWN
    service._es_down_until = 0.0
    yield
    service._es_down_until = 0.0


def a_fresh_process():
    """A web process that has never seen the cluster fail (its circuit is closed)."""
    service._es_down_until = 0.0


def pending_objects():
    return set(PendingIndexWrite.objects.values_list("backend", "source", "object_id"))


def make_members_only(page):
    page.audience = Audience.MEMBERS
    page.save_revision().publish()


def test_a_resource_made_members_only_while_the_cluster_is_down_stays_hidden_from_anonymous_search(
    cluster_down, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = resource("Quokka shelter guide", summary="Where quokkas shelter.")
    assert pending_objects() == {("elasticsearch", RESOURCE, str(page.pk))}
    token = PendingIndexWrite.objects.get().token

    with django_capture_on_commit_callbacks(execute=True):
        make_members_only(page)
    # The same object again: still one row, recorded anew.
    row = PendingIndexWrite.objects.get()
    assert (row.source, row.object_id) == (RESOURCE, str(page.pk)) and row.token != token

    a_fresh_process()
    results = service.search("quokka", None)
    assert results.total == 0
    assert results.backend == service.database_backend().name
    # The database answered without asking the cluster (which would have opened the circuit).
    assert service._es_available()
    assert Client().get("/api/search/", {"q": "quokka"}).json()["total"] == 0
    assert "Quokka shelter guide" not in Client().get("/search/", {"q": "quokka"}).content.decode()
    assert [hit.title for hit in service.search("quokka", member).hits] == ["Quokka shelter guide"]


def test_a_replay_against_a_cluster_still_down_loses_nothing(cluster_down):
    service.replace_records(RESOURCE, "7", [make_record(7, "Quokka", source=RESOURCE)])
    service.replace_records(RESOURCE, "8", [])
    before = pending_objects()
    assert before == {("elasticsearch", RESOURCE, "7"), ("elasticsearch", RESOURCE, "8")}

    a_fresh_process()
    result = pending.replay()
    assert (result.written, result.remaining) == (0, 2)
    assert "ConnectionError" in result.error
    replay_pending_writes.delay()  # the scheduled task, eager here
    assert pending_objects() == before
    first = PendingIndexWrite.objects.order_by("id").first()
    assert first.attempts == 2 and "ConnectionError" in first.last_error
    assert service.active_backend() is service.database_backend()


def test_writes_while_the_cluster_is_known_down_are_recorded_without_asking_it(cluster_down):
    service.replace_records(RESOURCE, "1", [make_record(1, "One", source=RESOURCE)])
    assert not service._es_available()  # the failure opened the circuit
    service.add_records([make_record(n, f"Note {n}", source=RESOURCE) for n in (2, 3)])
    service.add_records([make_record(3, "Note 3", source=RESOURCE, part="members")])
    assert {object_id for _, _, object_id in pending_objects()} == {"1", "2", "3"}
    assert IndexedRecord.objects.filter(source=RESOURCE).count() == 4  # the database has them all


def test_a_pending_write_is_rolled_back_with_the_write_it_belongs_to(cluster_down):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        service.replace_records(RESOURCE, "1", [make_record(1, "One", source=RESOURCE)])
        raise RuntimeError
    assert pending_objects() == set()
    assert not IndexedRecord.objects.exists()


def test_without_a_cluster_nothing_is_recorded(db, settings):
    settings.ELASTICSEARCH_URL = ""
    service.replace_records(RESOURCE, "1", [make_record(1, "One", source=RESOURCE)])
    assert pending_objects() == set()
    assert pending.replay().written == 0


class TestScheduledRepair:
    def test_update_repairs_the_database_and_leaves_the_cluster_writes_pending(
        self, cluster_down, notes, capsys
    ):
        notes.objects["1"] = {"id": "1", "title": "Quokka rules", "body": "quokka"}
        notes.objects["2"] = {"id": "2", "title": "Wombat rules", "body": "wombat"}
        # Drift: the database lost one record, the other is stale.
        service.replace_records("tests.note", "2", [make_record(2, "Old title")])
        PendingIndexWrite.objects.all().delete()
        a_fresh_process()

        call_command("search_index", "update", verbosity=0)
        out, err = capsys.readouterr()
        assert "elasticsearch: unreachable" in out
        assert "writes wait for the cluster" in err
        titles = {hit.title for hit in service.search("quokka wombat", None).hits}
        assert titles == {"Quokka rules", "Wombat rules"}
        assert {object_id for *_, object_id in pending_objects()} == {"1", "2"}

        with pytest.raises(CommandError, match="Could not read elasticsearch"):
            call_command("search_index", "check", verbosity=0)

    def test_the_scheduled_task_removes_a_stale_record(self, db, settings, notes):
        settings.ELASTICSEARCH_URL = ""
        notes.objects["1"] = {"id": "1", "title": "Quokka rules", "body": "quokka"}
        call_command("search_index", "rebuild", verbosity=0)
        notes.objects["1"]["published"] = False  # unpublished without telling search
        assert service.search("quokka", None).total == 1
        update_index.delay()
        assert service.search("quokka", None).total == 0

    def test_beat_runs_the_replay_and_the_update(self):
        from portal.celery import app

        app.loader.import_default_modules()
        schedule = {entry["task"]: entry for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
        assert schedule["search.tasks.replay_pending_writes"]["schedule"] <= 60
        assert schedule["search.tasks.update_index"]["schedule"] <= 24 * 60 * 60
        assert {"search.tasks.replay_pending_writes", "search.tasks.update_index"} <= set(app.tasks)


@pytest.mark.skipif(not ES_URL, reason="ELASTICSEARCH_URL is not set: no live Elasticsearch")
def test_the_cluster_catches_up_when_it_answers_again(
    db, settings, member, django_capture_on_commit_callbacks
):
    settings.ELASTICSEARCH_URL = ES_URL
    settings.SEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:8]}"
    es = service.elasticsearch_backend()
    es.refresh = True
    es.ensure_index()
    service._es_down_until = 0.0
    try:
        with django_capture_on_commit_callbacks(execute=True):
            page = resource("Quokka shelter guide", summary="Where quokkas shelter.")
        assert service.search("quokka", None).backend == "elasticsearch"
        assert service.search("quokka", None).total == 1

        settings.ELASTICSEARCH_URL = DOWN
        with django_capture_on_commit_callbacks(execute=True):
            make_members_only(page)
        assert pending_objects() == {("elasticsearch", RESOURCE, str(page.pk))}

        settings.ELASTICSEARCH_URL = ES_URL
        service.elasticsearch_backend().refresh = True
        service._es_down_until = 0.0
        # Before the replay the cluster still holds the public record: searches avoid it.
        assert service.search("quokka", None).total == 0
        assert pending.replay().written == 1
        assert pending_objects() == set()
        results = service.search("quokka", None)
        assert (results.backend, results.total) == ("elasticsearch", 0)
        assert service.search("quokka", member).total == 1
    finally:
        settings.ELASTICSEARCH_URL = ES_URL
        service.elasticsearch_backend().drop_indices()
