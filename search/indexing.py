"""
How apps ask for their objects to be (re)indexed: with plain ids, after the transaction commits,
through the `indexing` queue. Domain apps call these from their signal handlers.

Bulk work (imports, the demo) wraps itself in `deferred_indexing()`: inside it the same calls
only note the ids (still after commit, so a rolled-back line is never indexed), and when the
block ends every noted object is indexed at once, through the backends' bulk path.
"""

import threading
from contextlib import contextmanager

from django.db import DatabaseError, transaction

_state = threading.local()
CHUNK = 500


def enqueue_index(source_name, object_id):
    """(Re)build the records of one object after commit. Idempotent."""
    from search.tasks import index_object

    object_id = str(object_id)
    batch = getattr(_state, "batch", None)
    if batch is not None:
        transaction.on_commit(lambda: batch.note(source_name, object_id, index=True))
        return
    transaction.on_commit(lambda: index_object.delay(source_name, object_id))


def enqueue_removal(source_name, object_id):
    """Remove every record of one object after commit (deleted, unpublished...)."""
    from search.tasks import remove_object

    object_id = str(object_id)
    batch = getattr(_state, "batch", None)
    if batch is not None:
        transaction.on_commit(lambda: batch.note(source_name, object_id, index=False))
        return
    transaction.on_commit(lambda: remove_object.delay(source_name, object_id))


def enqueue_objects_showing(document_ids):
    """Re-index, after commit, every object whose records include one of these documents'
    text (as each app's registered lookup finds them): their text changed."""
    from search.registry import objects_showing_documents

    objects = objects_showing_documents(document_ids)
    for source_name, object_id in objects:
        enqueue_index(source_name, object_id)
    return objects


class IndexBatch:
    """The objects noted during a `deferred_indexing()` block: {source: {object_id: index?}}
    (the last request for an object wins)."""

    def __init__(self):
        self.pending = {}
        self.indexed = 0
        self.closed = False

    def note(self, source_name, object_id, index=True):
        if self.closed:
            # Committed after the block ended (an outer transaction): the usual task.
            from search.tasks import index_object, remove_object

            (index_object if index else remove_object).delay(source_name, str(object_id))
            return
        self.pending.setdefault(source_name, {})[str(object_id)] = index

    def __len__(self):
        return sum(len(ids) for ids in self.pending.values())

    def discard(self):
        """Forget what was noted (e.g. the whole index was rebuilt meanwhile)."""
        self.pending = {}

    def flush(self):
        """Index every noted object now; returns the number of objects handled."""
        from search.registry import get_source

        pending, self.pending = self.pending, {}
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
