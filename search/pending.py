"""
Writes the cluster has not received yet (`PendingIndexWrite`): recorded when a write to it fails
or is skipped while it is known to be down, replayed when it answers again. Until none is left,
searches use the database backend, which every write reaches first.

A replay re-reads each object's source, as `index_object` does: the index gets what the source
says now, whatever was asked while the cluster was down, and replaying twice is harmless.
"""

import logging
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from search.models import PendingIndexWrite

logger = logging.getLogger(__name__)

# The name of the backend writes wait for (ElasticsearchBackend.name).
CLUSTER = "elasticsearch"
BATCH = 200
# One replay scheduled at a time by the write path (the schedule runs one every minute too).
REPLAY_LOCK = "search:pending-replay"
REPLAY_LOCK_SECONDS = 120


def record(backend_name, objects, error=None):
    """Note that `backend_name` misses the current records of `objects`, [(source, object_id)].
    Idempotent per object: recording again renews its token."""
    now = timezone.now()
    detail = f"{type(error).__name__}: {error}"[:200] if error is not None else ""
    rows = [
        PendingIndexWrite(
            backend=backend_name,
            source=source,
            object_id=str(object_id),
            token=uuid.uuid4(),
            recorded_at=now,
            last_error=detail,
        )
        for source, object_id in dict.fromkeys((s, str(o)) for s, o in objects)
    ]
    PendingIndexWrite.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["backend", "source", "object_id"],
        update_fields=["token", "recorded_at", "last_error"],
    )


def exist(backend_name):
    """Whether `backend_name` misses any write (one indexed query)."""
    return PendingIndexWrite.objects.filter(backend=backend_name).exists()


def count(backend_name):
    return PendingIndexWrite.objects.filter(backend=backend_name).count()


def schedule_replay():
    """Replay the pending writes after the current transaction commits, unless a replay was
    scheduled moments ago (the one running takes every row)."""
    from search.tasks import replay_pending_writes

    if cache.add(REPLAY_LOCK, 1, REPLAY_LOCK_SECONDS):
        # Robust: a broker that is down must not fail what committed; beat replays anyway.
        transaction.on_commit(replay_pending_writes.delay, robust=True)


@dataclass
class Replay:
    written: int = 0  # objects the cluster now holds as their sources say
    remaining: int = 0  # pending writes left (the cluster failed again, or none configured)
    error: str = ""


def records_now(source_name, object_id):
    """What the index should hold for one object now: [] when it or its source is gone."""
    from search.registry import get_source

    try:
        source = get_source(source_name)
    except LookupError:
        return []
    obj = source.get_object(object_id)
    return source.records_for(obj) if obj is not None else []


def replay(batch=BATCH):
    """Write every pending object to the cluster, oldest first, until none is left or the
    cluster fails (then the row that failed counts an attempt and the rest wait: nothing is
    lost). A batch's rows are deleted only once its writes are visible to searches (which come
    back to the cluster when none is left), and only if nobody recorded them again meanwhile:
    those keep their place for the next replay."""
    from search import service

    es = service.elasticsearch_backend()
    result = Replay()
    try:
        if es is None:
            result.remaining = count(CLUSTER)
            return result
        last_id = 0
        while rows := list(
            PendingIndexWrite.objects.filter(backend=es.name, id__gt=last_id)
            .order_by("id")
            .values_list("id", "source", "object_id", "token")[:batch]
        ):
            written = []
            for row_id, source_name, object_id, token in rows:
                records = records_now(source_name, object_id)
                try:
                    es.replace(source_name, object_id, records)
                except Exception as exc:  # noqa: BLE001 - any cluster failure: the row stays
                    _failed(result, exc, row_id)
                    break
                written.append((row_id, token))
            if result.error:
                break  # the batch's rows all stay: replaying them again is harmless
            try:
                es.make_visible()
            except Exception as exc:  # noqa: BLE001 - not visible yet: the rows stay
                _failed(result, exc, written[0][0])
                break
            service._es_recovered()
            for row_id, token in written:
                PendingIndexWrite.objects.filter(pk=row_id, token=token).delete()
            result.written += len(written)
            last_id = rows[-1][0]
        result.remaining = count(es.name)
        return result
    finally:
        cache.delete(REPLAY_LOCK)


def _failed(result, exc, row_id):
    from search import service

    service._es_failed(exc)
    result.error = f"{type(exc).__name__}: {exc}"[:200]
    PendingIndexWrite.objects.filter(pk=row_id).update(
        attempts=F("attempts") + 1, last_error=result.error
    )
