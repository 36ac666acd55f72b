"""Indexing: the tasks, the management command and the demo step, through the real backend."""

import importlib

import pytest

from django.core.management import CommandError, call_command
from django.db import connection

from search import service
from search.indexing import enqueue_index, enqueue_removal
from search.models import IndexedRecord
from search.tasks import index_object, remove_object
from tests.search.conftest import make_record, store


@pytest.fixture(autouse=True)
def database_backend(settings):
    settings.ELASTICSEARCH_URL = ""


def titles(query, user=None):
    return [hit.title for hit in service.search(query, user).hits]


def test_index_task_stores_what_the_source_says_and_is_idempotent(db, notes):
    notes.objects["1"] = {"id": "1", "title": "Shelter rules", "body": "shelter"}
    index_object("tests.note", "1")
    index_object("tests.note", "1")
    assert titles("shelter") == ["Shelter rules"]
    assert IndexedRecord.objects.count() == 1


def test_index_task_tolerates_a_missing_row_by_removing_its_records(db, notes):
    notes.objects["1"] = {"id": "1", "title": "Shelter rules", "body": "shelter"}
    index_object("tests.note", "1")
    del notes.objects["1"]
    index_object("tests.note", "1")
    index_object("tests.note", "404")
    assert titles("shelter") == []


def test_remove_task_removes_and_tolerates_repeats(db, notes):
    notes.objects["1"] = {"id": "1", "title": "Shelter rules", "body": "shelter"}
    index_object("tests.note", "1")
    remove_object("tests.note", "1")
    remove_object("tests.note", "1")
    assert titles("shelter") == []


def test_enqueued_tasks_run_after_commit_only(db, notes, django_capture_on_commit_callbacks):
    notes.objects["1"] = {"id": "1", "title": "Shelter rules", "body": "shelter"}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_index("tests.note", 1)
    assert titles("shelter") == []
    for callback in callbacks:
        callback()
    assert titles("shelter") == ["Shelter rules"]
    del notes.objects["1"]
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_removal("tests.note", 1)
    assert titles("shelter") == []


def test_a_removal_carried_out_after_a_later_republish_leaves_the_object_found(
    db, notes, django_capture_on_commit_callbacks
):
    # A removal's message may run (or be dispatched again by the outbox sweep) after the
    # request that followed it: it rebuilds what the source says now, never undoes the latter.
    notes.objects["1"] = {"id": "1", "title": "Shelter rules", "body": "shelter"}
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_index("tests.note", 1)
    notes.objects["1"]["published"] = False
    with django_capture_on_commit_callbacks(execute=False) as late_removal:
        enqueue_removal("tests.note", 1)
    notes.objects["1"]["published"] = True
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_index("tests.note", 1)
    for callback in late_removal:
        callback()
    assert titles("shelter") == ["Shelter rules"]


def test_unpublishing_an_object_removes_it(db, notes):
    notes.objects["1"] = {"id": "1", "title": "Shelter rules", "body": "shelter"}
    index_object("tests.note", "1")
    notes.objects["1"]["published"] = False
    index_object("tests.note", "1")
    assert titles("shelter") == []


class TestCommand:
    @pytest.fixture
    def drifted(self, db, notes):
        for n in range(1, 4):
            notes.objects[str(n)] = {"id": str(n), "title": f"Note {n}", "body": "drift"}
        call_command("search_index", "rebuild", verbosity=0)
        notes.objects["4"] = {"id": "4", "title": "Note 4", "body": "drift"}  # missing
        notes.objects["2"]["title"] = "Note 2 renamed"  # stale
        del notes.objects["3"]  # orphaned
        store(make_record(99, "Unknown source", source="gone.source"))  # orphaned
        return notes

    def test_check_reports_missing_stale_and_orphaned_and_fails(self, drifted, capsys):
        with pytest.raises(CommandError, match="4 records differ"):
            call_command("search_index", "check")
        out = capsys.readouterr().out
        assert "missing: 1" in out and "tests.note:4:public" in out
        assert "stale: 1" in out and "tests.note:2:public" in out
        assert "orphaned: 2" in out and "tests.note:3:public" in out

    def test_update_repairs_the_drift(self, drifted, capsys):
        call_command("search_index", "update")
        call_command("search_index", "check")
        assert "matches the database" in capsys.readouterr().out
        assert sorted(titles("drift")) == ["Note 1", "Note 2 renamed", "Note 4"]
        assert titles("unknown") == []

    def test_rebuild_recreates_the_index(self, drifted, capsys):
        call_command("search_index", "rebuild")
        assert "Rebuilt the index: 3 records" in capsys.readouterr().out
        call_command("search_index", "check", verbosity=0)
        assert sorted(titles("drift")) == ["Note 1", "Note 2 renamed", "Note 4"]

    def test_rebuild_keeps_ranking_statistics_consistent(self, drifted):
        call_command("search_index", "rebuild", verbosity=0)
        index_object("tests.note", "1")
        assert service.search("drift", None).total == 3


def test_demo_step_rebuilds_the_index(db, notes):
    from types import SimpleNamespace

    from search import demo

    notes.objects["1"] = {"id": "1", "title": "Demo note", "body": "demo"}
    messages = []
    demo.seed(SimpleNamespace(announce=messages.append))
    assert titles("demo") == ["Demo note"]
    assert messages and "rebuilt" in messages[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_searches_read_the_previous_index_until_a_rebuild_commits(notes, settings):
    """The rebuild runs in one transaction; another connection keeps reading the old index
    (and is not blocked) while the new one is being written, then sees the new one."""
    import threading

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("needs a second connection to a server database (PostgreSQL)")
    settings.ELASTICSEARCH_URL = ""
    store(make_record(1, "Old note", body="swap"))
    backend = service.database_backend()

    def read_from_another_connection():
        seen = {}

        def read():
            try:
                seen["titles"] = titles("swap")
            finally:
                connection.close()

        thread = threading.Thread(target=read)
        thread.start()
        thread.join(10)
        assert not thread.is_alive(), "the search waited for the rebuild"
        return seen["titles"]

    with transaction.atomic():
        backend.begin_rebuild()
        backend.bulk_add([make_record(2, "New note", body="swap")], defer_postings=True)
        assert read_from_another_connection() == ["Old note"]
        backend.finish_rebuild()
    backend.after_rebuild()
    assert read_from_another_connection() == ["New note"]
    assert titles("swap") == ["New note"]
    store(make_record(3, "Later note", body="swap"))
    assert sorted(titles("swap")) == ["Later note", "New note"]


def test_sqlite_full_text_migration_rebuilds_the_table_from_the_stored_records(db, member):
    """search 0006 recreates SQLite's FTS5 table with a tier column: the records already stored
    are found again afterwards, each only by the tiers that may see it."""
    if connection.vendor != "sqlite":
        pytest.skip("search 0006 changes the SQLite full-text table only")
    migration = importlib.import_module("search.migrations.0006_sqlite_tiers_in_fts")
    store(
        make_record(1, "Public shelter guide", body="shelter"),
        make_record(2, "Members' shelter minutes", audience="members", body="shelter"),
    )

    class Editor:  # what the migration's RunPython function uses of a schema editor
        def __init__(self):
            self.connection = connection

        def execute(self, statement):
            with connection.cursor() as cursor:
                cursor.execute(statement)

    def tiers():
        with connection.cursor() as cursor:
            cursor.execute("SELECT tiers FROM search_fts ORDER BY rowid")
            return [row[0] for row in cursor.fetchall()]

    written = tiers()  # by the backend
    migration.run(migration.BACKWARD)(None, Editor())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_fts")
        assert cursor.fetchone() == (2,)
    migration.run(migration.FORWARD)(None, Editor())
    assert titles("shelter") == ["Public shelter guide"]
    assert sorted(titles("shelter", member)) == ["Members' shelter minutes", "Public shelter guide"]
    assert (
        tiers()
        == written
        == [
            "tierpublic tiermembers tiersecretariat",
            "tiernone tiermembers tiersecretariat",
        ]
    )
