import logging

from celery import shared_task

from search import service
from search.registry import get_source

logger = logging.getLogger(__name__)


@shared_task(
    ignore_result=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5
)
def index_object(source_name, object_id):
    """Replace the records of one object with what its source says now; tolerates a missing row."""
    source = get_source(source_name)
    obj = source.get_object(object_id)
    records = source.records_for(obj) if obj is not None else []
    service.replace_records(source_name, object_id, records)


@shared_task(
    ignore_result=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5
)
def remove_object(source_name, object_id):
    service.replace_records(source_name, object_id, [])


@shared_task(ignore_result=True)
def replay_pending_writes():
    """Write to the cluster what it missed while it was down (search.pending); scheduled every
    minute and after a write that succeeds while others wait. Stops at the first failure."""
    from search import pending

    result = pending.replay()
    if result.written or result.error:
        logger.info(
            "Replayed %d pending index writes; %d left%s",
            result.written, result.remaining, f" ({result.error})" if result.error else "",
        )  # fmt: skip


@shared_task(ignore_result=True)
def update_index():
    """`search_index update` on a schedule: replays pending writes, then finds and repairs
    drift between the sources and every backend (missing, stale and orphaned records)."""
    from search import reindex

    drift = reindex.update()
    if drift.total or drift.unreachable:
        logger.warning(
            "Search index repaired: %d missing, %d stale, %d orphaned records%s",
            len(drift.missing), len(drift.stale), len(drift.orphaned),
            f"; unreachable: {', '.join(drift.unreachable)}" if drift.unreachable else "",
        )  # fmt: skip


@shared_task(ignore_result=True)
def purge_zero_results():
    """Beat, daily: delete searches without results older than ZERO_RESULT_RETENTION_DAYS,
    those the recording rule refuses, and handlings no row refers to (search.gaps.purge)."""
    from search import gaps

    purged = gaps.purge()
    if purged.rows or purged.handlings:
        logger.info(
            "Searches without results: deleted %d rows and %d handlings",
            purged.rows, purged.handlings,
        )  # fmt: skip
