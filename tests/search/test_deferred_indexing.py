"""Deferred indexing: inside `deferred_indexing()` index requests are noted after commit and the
objects are indexed together when the block ends, through the real database backend."""

import pytest

from django.db import transaction

from search import service
from search.indexing import deferred_indexing, enqueue_index, enqueue_removal
from search.models import IndexedRecord
from search.tasks import index_object

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def database_backend(settings):
    settings.ELASTICSEARCH_URL = ""


def titles(query):
    return sorted(hit.title for hit in service.search(query, None).hits)


def note(notes, key, title):
    notes.objects[key] = {"id": key, "title": title, "body": "shelter"}


def test_requests_inside_the_block_are_indexed_in_bulk_when_it_ends(notes):
    for key in ("1", "2", "3"):
        note(notes, key, f"Shelter rules {key}")
    with deferred_indexing() as pending:
        for key in ("1", "2", "3"):
            with transaction.atomic():
                enqueue_index("tests.note", key)
        assert len(pending) == 3
        assert titles("shelter") == []
    assert titles("shelter") == ["Shelter rules 1", "Shelter rules 2", "Shelter rules 3"]
    assert IndexedRecord.objects.count() == 3


def test_a_rolled_back_request_is_not_indexed(notes):
    note(notes, "1", "Kept")
    note(notes, "2", "Rolled back")
    with deferred_indexing():
        with transaction.atomic():
            enqueue_index("tests.note", "1")
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_index("tests.note", "2")
            raise RuntimeError
    assert titles("shelter") == ["Kept"]


def test_already_indexed_objects_are_replaced_and_removals_applied(notes):
    note(notes, "1", "Old title")
    note(notes, "2", "Withdrawn")
    index_object("tests.note", "1")
    index_object("tests.note", "2")
    note(notes, "1", "New title")
    del notes.objects["2"]
    with deferred_indexing():
        enqueue_index("tests.note", "1")
        enqueue_removal("tests.note", "2")
    assert titles("shelter") == ["New title"]
    assert IndexedRecord.objects.count() == 1


def test_what_committed_is_indexed_even_when_the_block_fails(notes):
    note(notes, "1", "Committed before the failure")
    with pytest.raises(ValueError), deferred_indexing():
        enqueue_index("tests.note", "1")
        raise ValueError
    assert titles("shelter") == ["Committed before the failure"]


def test_nested_blocks_join_the_outer_one_and_discard_drops_the_notes(notes):
    note(notes, "1", "Noted")
    with deferred_indexing() as outer:
        with deferred_indexing() as inner:
            enqueue_index("tests.note", "1")
        assert inner is outer
        assert titles("shelter") == []
        outer.discard()
    assert titles("shelter") == []
