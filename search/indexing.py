"""
How apps ask for their objects to be (re)indexed: with plain ids, through the `indexing` queue.
Each request is recorded in the changing transaction (portal.outbox: one row per object) and
dispatched after the commit; the outbox sweep dispatches it again if it is lost.

Every request, a removal too, is carried out by `index_object`, which rebuilds the object's
records from what its source says now (nothing, once it is deleted or unpublished): so an
unpublish and a republish can never be carried out, or replayed by the sweep, out of order.

Bulk work (imports, the demo) wraps itself in `deferred_indexing()`: inside it the same calls
still record their rows, but after the commit only note the ids (so a rolled-back line is never
indexed), and when the block ends every noted object is indexed at once, through the backends'
bulk path, and its rows are cleared.
"""

import threading
from contextlib import contextmanager

from django.db import DatabaseError, transaction

from portal import outbox

_state = threading.local()
CHUNK = 500


def enqueue_index(source_name, object_id):
    """(Re)build the records of one object after commit. Idempotent. Touches the database
    (the outbox row)."""
    from search.tasks import index_object

    object_id = str(object_id)
    intent = outbox.record(index_object, source_name, object_id)
    batch = getattr(_state, "batch", None)
    if batch is not None:
        transaction.on_commit(lambda: batch.note(source_name, object_id, intent=intent))
        return
    outbox.dispatch_on_commit(intent)


def enqueue_removal(source_name, object_id):
    """Remove every record of one object after commit (deleted, unpublished...): the same
    request as enqueue_index, since the source no longer yields the object."""
    enqueue_index(source_name, object_id)


def enqueue_objects_showing(document_ids):
    """Re-index, after commit, every object whose records include one of these documents'
    text (as each app's registered lookup finds them): their text changed."""
    from search.registry import objects_showing_documents

    objects = objects_showing_documents(document_ids)
    for source_name, object_id in objects:
        enqueue_index(source_name, object_id)
    return objects


class IndexBatch:
    """The objects noted during a `deferred_indexing()` block: {source: {object_id: True}},
    with the outbox rows recording them."""

    def __init__(self):
        self.pending = {}
        self.intents = []  # the outbox rows of what was noted, cleared once it is indexed
        self.indexed = 0
        self.closed = False

    def note(self, source_name, object_id, intent):
        if self.closed:
            # Committed after the block ended (an outer transaction): the usual task.
            outbox.dispatch([intent])
            return
        self.pending.setdefault(source_name, {})[str(object_id)] = True
        self.intents.append(intent)

    def __len__(self):
        return sum(len(ids) for ids in self.pending.values())

    def discard(self):
        """Forget what was noted (e.g. the whole index was rebuilt meanwhile)."""
        self.pending = {}
        intents, self.intents = self.intents, []
        outbox.done(intents)

    def flush(self):
        """Index every noted object now; returns the number of objects handled."""
        from search.registry import get_source

        pending, self.pending = self.pending, {}
        intents, self.intents = self.intents, []
        done = 0
        for source_name, wanted in pending.items():
            try:
                source = get_source(source_name)
            except LookupError:
                source = None
            ids = list(wanted)
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                keep = [object_id for object_id in chunk if wanted[object_id]]
                objects = _objects(source, keep) if source else {}
                records = {
                    object_id: (
                        source.records_for(objects[object_id]) if object_id in objects else []
                    )
                    for object_id in keep
                }
                for object_id in chunk:
                    records.setdefault(object_id, [])
                _write(source_name, records)
                done += len(chunk)
        outbox.done(intents)
        self.indexed += done
        return done


def _objects(source, ids):
    """{object_id: object} for the ids that still exist, in one go when the source can."""
    bulk = getattr(source, "get_objects", None)
    if bulk is not None:
        return {str(key): obj for key, obj in bulk(ids).items()}
    found = {}
    for object_id in ids:
        obj = source.get_object(object_id)
        if obj is not None:
            found[object_id] = obj
    return found


def _write(source_name, records_by_id):
    """Store each object's records: objects the index does not hold yet go through the
    backends' bulk insert in one statement set; the others are replaced one by one."""
    from search import service
    from search.models import IndexedRecord

    stored = set(
        IndexedRecord.objects.filter(
            source=source_name, object_id__in=list(records_by_id)
        ).values_list("object_id", flat=True)
    )
    fresh = [
        record
        for object_id, records in records_by_id.items()
        if object_id not in stored
        for record in records
    ]
    replaced = [object_id for object_id in records_by_id if object_id in stored]
    if fresh:
        try:
            with transaction.atomic():
                service.add_records(fresh)
        except DatabaseError:
            # Someone indexed one of them meanwhile: fall back to replacing one by one.
            replaced = list(records_by_id)
    for object_id in replaced:
        service.replace_records(source_name, object_id, records_by_id[object_id])


@contextmanager
def deferred_indexing():
    """Note index requests made inside the block and index them all, in bulk, when it ends
    (also when it ends with an error: what committed is indexed). Nested blocks join the
    outermost one. Yields the IndexBatch (`discard()` drops what was noted)."""
    outer = getattr(_state, "batch", None)
    if outer is not None:
        yield outer
        return
    batch = _state.batch = IndexBatch()
    try:
        yield batch
    finally:
        _state.batch = None
        try:
            batch.flush()
        finally:
            batch.closed = True
