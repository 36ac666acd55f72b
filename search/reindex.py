"""Rebuilding, checking and repairing the index from the registered record sources."""

from dataclasses import dataclass, field

from django.db import transaction

from search import pending, service
from search.backends.base import content_hash
from search.registry import all_sources

BATCH = 500


@dataclass
class Drift:
    missing: list = field(default_factory=list)  # keys the sources have, the index does not
    stale: list = field(default_factory=list)  # keys whose stored content differs
    orphaned: list = field(default_factory=list)  # keys stored that no source produces now
    objects: set = field(default_factory=set)  # (source, object_id) to re-index
    orphan_keys_by_backend: dict = field(default_factory=dict)
    unreachable: list = field(default_factory=list)  # backends that could not be read
    replayed: int = 0  # pending writes replayed first (update)
    pending: int = 0  # writes still waiting for the cluster (update)

    @property
    def total(self):
        return len(self.missing) + len(self.stale) + len(self.orphaned)


def iter_records(progress=None):
    """Every record every source says should be indexed now, object by object."""
    done = 0
    for source in all_sources():
        for obj in source.iter_objects():
            yield from source.records_for(obj)
            done += 1
            if progress and done % BATCH == 0:
                progress(done)
    if progress:
        progress(done)


def rebuild(progress=None, records=None):
    """Recreate every write backend's index from the sources (or from `records`). The database
    rebuild is one transaction: until it commits, searches read the previous index."""
    count = 0
    for backend in service.write_backends():
        count = 0
        with transaction.atomic():
            token = backend.begin_rebuild()
            batch = []
            for record in records() if records else iter_records(progress):
                batch.append(record)
                if len(batch) >= BATCH:
                    backend.bulk_add(batch, defer_postings=True, target=token)
                    count += len(batch)
                    batch = []
            if batch:
                backend.bulk_add(batch, defer_postings=True, target=token)
                count += len(batch)
            backend.finish_rebuild(token)
        backend.after_rebuild()
    service.mark_index_changed()
    es = service.elasticsearch_backend()
    if es is not None and pending.exist(es.name):
        # The new index holds what the sources say; the replay clears what waited (idempotent).
        pending.schedule_replay()
    return count


def check(progress=None):
    """Compare what the sources say with what each write backend stores."""
    expected = {}
    for record in iter_records(progress):
        expected[record.key] = (record.source, record.object_id, content_hash(record))
    drift = Drift()
    database = service.database_backend()
    for backend in service.write_backends():
        try:
            found = _compare(backend, expected)
        except Exception as exc:  # noqa: BLE001 - a cluster that cannot be read is reported
            if backend is database:
                raise
            service._es_failed(exc)
            drift.unreachable.append(backend.name)
            continue
        missing, stale, orphaned, objects = found
        drift.missing += missing
        drift.stale += stale
        drift.orphaned += orphaned
        drift.objects |= objects
        if orphaned:
            drift.orphan_keys_by_backend[backend.name] = orphaned
    return drift


def _compare(backend, expected):
    """(missing, stale, orphaned keys, objects to re-index) of one backend."""
    missing, stale, orphaned, objects = [], [], [], set()
    stored_keys = set()
    for key, source, object_id, digest in backend.stored():
        stored_keys.add(key)
        if key not in expected:
            orphaned.append(key)
            objects.add((source, object_id))
        elif expected[key][2] != digest:
            stale.append(key)
            objects.add(expected[key][:2])
    for key, (source, object_id, _) in expected.items():
        if key not in stored_keys:
            missing.append(key)
            objects.add((source, object_id))
    return missing, stale, orphaned, objects


def update(drift=None, progress=None):
    """Repair drift: replay the writes the cluster missed, then re-index every object with a
    missing, stale or orphaned record (in a backend that cannot be reached, the writes wait in
    search.pending)."""
    replayed = pending.replay()
    drift = drift or check()
    drift.replayed = replayed.written
    for done, (source_name, object_id) in enumerate(sorted(drift.objects), 1):
        service.replace_records(source_name, object_id, pending.records_now(source_name, object_id))
        if progress and done % BATCH == 0:
            progress(done)
    es = service.elasticsearch_backend()
    drift.pending = pending.count(es.name) if es is not None else 0
    return drift
