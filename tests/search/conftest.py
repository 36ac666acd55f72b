"""Search test helpers: records built in tests, a small registered source, and a way to store
records through the real service on whichever backend the contract suite is running."""

import datetime

import pytest

from search import service
from search.records import SearchRecord, tiers_from
from search.registry import RecordSource, register


class NoteSource(RecordSource):
    """A test source: objects are dicts kept in memory, so tests control exactly what exists."""

    name = "tests.note"

    def __init__(self):
        self.objects = {}

    def get_object(self, object_id):
        return self.objects.get(str(object_id))

    def records_for(self, obj):
        if not obj.get("published", True):
            return []
        return [
            make_record(
                obj["id"],
                obj["title"],
                body=obj.get("body", ""),
                audience=obj.get("audience", "public"),
                source=self.name,
            )
        ]

    def iter_objects(self):
        return iter(list(self.objects.values()))


NOTES = register(NoteSource())


def make_record(object_id, title, *, audience="public", source="tests.note", part=None, **fields):
    """A SearchRecord with sensible defaults; `audience` is the lowest tier that may see it."""
    audiences = fields.pop("audiences", None) or tiers_from(audience)
    part = part or audience
    fields.setdefault("kind", "resource")
    fields.setdefault("url", f"/notes/{object_id}/")
    return SearchRecord(
        key=f"{source}:{object_id}:{part}",
        title=title,
        audiences=tuple(audiences),
        source=source,
        object_id=str(object_id),
        **fields,
    )


def store(*records):
    """Store records through the service, grouped per object as a source would."""
    by_object = {}
    for record in records:
        by_object.setdefault((record.source, record.object_id), []).append(record)
    for (source, object_id), group in by_object.items():
        service.replace_records(source, object_id, group)
    return records


@pytest.fixture
def notes():
    NOTES.objects.clear()
    yield NOTES
    NOTES.objects.clear()


@pytest.fixture
def day():
    return datetime.date(2024, 5, 17)
