"""Rebuilding, checking and repairing the index from the registered record sources."""

from dataclasses import dataclass, field

from django.db import transaction

from search import service
from search.backends.base import content_hash
from search.registry import all_sources, get_source

BATCH = 500


@dataclass
class Drift:
    missing: list = field(default_factory=list)  # keys the sources have, the index does not
    stale: list = field(default_factory=list)  # keys whose stored content differs
    orphaned: list = field(default_factory=list)  # keys stored that no source produces now
    objects: set = field(default_factory=set)  # (source, object_id) to re-index
    orphan_keys_by_backend: dict = field(default_factory=dict)

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
    return count


def check(progress=None):
    """Compare what the sources say with what each write backend stores."""
    expected = {}
    for record in iter_records(progress):
        expected[record.key] = (record.source, record.object_id, content_hash(record))
    drift = Drift()
    for backend in service.write_backends():
        stored_keys = set()
        for key, source, object_id, digest in backend.stored():
            stored_keys.add(key)
            if key not in expected:
                drift.orphaned.append(key)
                drift.orphan_keys_by_backend.setdefault(backend.name, []).append(key)
                drift.objects.add((source, object_id))
            elif expected[key][2] != digest:
                drift.stale.append(key)
                drift.objects.add(expected[key][:2])
        for key, (source, object_id, _) in expected.items():
            if key not in stored_keys:
                drift.missing.append(key)
                drift.objects.add((source, object_id))
    return drift


def update(drift=None, progress=None):
    """Repair drift: re-index every object with a missing, stale or orphaned record."""
    drift = drift or check()
    for done, (source_name, object_id) in enumerate(sorted(drift.objects), 1):
        try:
            source = get_source(source_name)
        except LookupError:
            source = None
        obj = source.get_object(object_id) if source else None
        records = source.records_for(obj) if obj is not None else []
        service.replace_records(source_name, object_id, records)
        if progress and done % BATCH == 0:
            progress(done)
    return drift
