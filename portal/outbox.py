"""
The outbox: work that must happen because of a change (search indexing, notification fan-out,
text extraction, Wagtail's background tasks) is recorded as a `PendingTask` row in the same
transaction as the change, and dispatched to Celery from that record after the commit. A message
the broker loses, or a `.delay()` that fails after the commit, no longer loses the work: the row
is the record, the broker message only a copy of it.

    enqueue(task, *args)   record now, dispatch after the commit (the usual call)
    record(task, *args)    record only; the caller dispatches it after the commit
                           (dispatch_on_commit, dispatch_as for a batch) or does the work
                           inline and calls done()
    sweep()                Celery beat, every minute: dispatch again what is not done yet

- One row per task and arguments: recording the same work again renews the row's token and
  due time instead of adding a row.
- A dispatched task carries its rows' tokens in a message header; when it succeeds (Celery's
  `task_success`), the rows still holding those tokens are deleted. A task that fails leaves its
  row. A run started before the work was recorded again leaves the newer record alone.
- So every task recorded here may run more than once, and each is idempotent: `index_object`
  rebuilds an object's records from what its source says now, the notification fan-outs claim
  Delivery rows unique per recipient and event, extraction writes the same outcome again,
  Wagtail's tasks rebuild the same index entries.
- A dispatch that fails (the broker is down) is logged and never raises: the request or command
  that made the change succeeds and the row waits for the sweep. After a refusal the process
  leaves new rows to the sweep for a few seconds rather than wait on the broker at every commit.
- The sweep dispatches rows whose `due_at` has passed: a grace period after they were recorded
  (plus the task's own time limit where it sets one, as extraction does), then backing off,
  doubling up to an hour, while a dispatched task does not complete.
- Eager mode (no broker: the embedded default and the tests): the task runs inline after the
  commit as before, its errors propagating, and its row is deleted when it succeeds.

Relation to search.pending (`PendingIndexWrite`): the outbox holds the intent "make the index
match this object", recorded before any index is touched. `index_object` carrying it out writes
the database backend and, if the Elasticsearch cluster misses the write, records a
PendingIndexWrite and still succeeds, so the outbox row goes and the cluster's replay takes
over. The outbox covers a task that never ran; search.pending covers a cluster that was down
when it ran. The scheduled `search_index update` repairs any drift left by both.
"""

import hashlib
import json
import logging
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from celery.signals import task_success
from kombu.exceptions import OperationalError

from django.db import transaction
from django.utils import timezone

from portal.models.outbox import PendingTask

logger = logging.getLogger(__name__)

HEADER = "portal_outbox"
GRACE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)
# After the broker refused a dispatch, this process leaves new rows to the sweep for this long.
BROKER_PAUSE_SECONDS = 10
SWEEP_BATCH = 1000
DELETE_CHUNK = 500

_local = threading.local()
_broker = {"paused_until": 0.0}


@dataclass(frozen=True)
class Intent:
    """One recorded row: the task's name, its JSON arguments, the token of this recording."""

    task: str
    args: list
    token: str
    queue: str = ""


@dataclass
class Refusals:
    """Dispatches the broker refused while watching (see `watch_refusals`)."""

    count: int = 0
    errors: list = field(default_factory=list)


def enqueue(task, *args, queue=""):
    """Record that `task(*args)` must run and dispatch it once the transaction commits.
    Arguments are JSON (ids). Touches the database: one upsert."""
    intent = record(task, *args, queue=queue)
    dispatch_on_commit(intent)
    return intent


def record(task, *args, queue=""):
    """Record, in the current transaction, that `task(*args)` must run; returns the Intent.
    The caller dispatches it after the commit, or does the work itself and calls `done()`."""
    args = json.loads(json.dumps(list(args)))
    key = hashlib.sha256(
        json.dumps([task.name, args], sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    now = timezone.now()
    row = PendingTask(
        key=key,
        task=task.name,
        args=args,
        queue=queue,
        token=uuid.uuid4(),
        created_at=now,
        due_at=now + _grace(task),
    )
    PendingTask.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["token", "due_at", "queue", "attempts", "last_error"],
    )
    return Intent(task.name, args, str(row.token), queue)


def dispatch_on_commit(intent):
    """Dispatch a recorded intent once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: dispatch([intent]))


def dispatch(intents):
    """Send each intent's own task now (after the commit). Returns False when the broker
    refused one (it and the rest wait for the sweep); never raises for the broker."""
    for number, intent in enumerate(intents):
        if _send(intent.task, intent.args, [intent.token], intent.queue) is not None:
            _refused(len(intents) - number)
            return False
    return True


def dispatch_as(task, args, intents, queue=""):
    """Send one task that does the work of several recorded intents (a batch: one task for a
    whole import); it clears them all when it succeeds. The sweep, if it comes to that,
    dispatches each intent's own task."""
    if not intents:
        return True
    if _send(task.name, list(args), [intent.token for intent in intents], queue) is not None:
        _refused(len(intents))
        return False
    return True


def done(intents):
    """The work of these intents was done here: delete their rows (those not recorded again
    since)."""
    _delete([intent.token for intent in intents])


@dataclass
class Sweep:
    dispatched: int = 0
    error: str = ""


def sweep(now=None, batch=SWEEP_BATCH):
    """Dispatch again, oldest first, every recorded task whose due time has passed; stop at the
    first refusal (the rest wait for the next sweep). Backs each row off before its next turn."""
    from portal.celery import app

    now = now or timezone.now()
    result = Sweep()
    rows = (
        PendingTask.objects.filter(due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", "task", "args", "queue", "token", "attempts")[:batch]
    )
    for pk, name, args, queue, token, attempts in rows:
        task = _task(app, name)
        if task is None:
            error = f"unknown task {name}"
        else:
            error = _send(name, args, [str(token)], queue, ignore_pause=True)
            if error is not None:
                result.error = error
                PendingTask.objects.filter(pk=pk, token=token).update(last_error=error)
                break
            result.dispatched += 1
        wait = min((_grace(task) if task else GRACE) * 2 ** min(attempts + 1, 10), MAX_BACKOFF)
        PendingTask.objects.filter(pk=pk, token=token).update(
            attempts=attempts + 1, due_at=now + wait, last_error=error or ""
        )
    return result


@contextmanager
def watch_refusals():
    """Count the dispatches the broker refuses in this thread during the block (a command
    reports them: the work is recorded and the sweep dispatches it)."""
    watch = Refusals()
    watchers = _local.__dict__.setdefault("watchers", [])
    watchers.append(watch)
    try:
        yield watch
    finally:
        watchers.remove(watch)


# ---------------------------------------------------------------------------------- internals


def _grace(task):
    own_limit = getattr(task, "time_limit", None)
    return GRACE + timedelta(seconds=own_limit) if own_limit else GRACE


def _task(app, name):
    """The registered task called `name`, importing the task modules if need be."""
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks.get(name)


def _send(name, args, tokens, queue="", ignore_pause=False):
    """Hand one task to Celery with the tokens it clears; None when handed over, else the
    error. Eager mode runs it inline, errors propagating as they always did."""
    from portal.celery import app

    task = _task(app, name)
    options = {"headers": {HEADER: tokens}}
    if queue:
        options["queue"] = queue
    if app.conf.task_always_eager:
        task.apply_async(args, **options)
        return None
    if not ignore_pause and time.monotonic() < _broker["paused_until"]:
        return "the broker refused a dispatch moments ago"
    try:
        task.apply_async(args, **options)
    except (OperationalError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:200]
    except Exception as exc:  # noqa: BLE001 - whatever the broker client raises, the row stays
        logger.exception("Dispatching %s failed; the outbox sweep tries again", name)
        error = f"{type(exc).__name__}: {exc}"[:200]
    else:
        return None
    _broker["paused_until"] = time.monotonic() + BROKER_PAUSE_SECONDS
    logger.warning("The broker refused %s (%s); the outbox sweep dispatches it later", name, error)
    for watch in getattr(_local, "watchers", ()):
        watch.errors.append(error)
    return error


def _refused(count):
    for watch in getattr(_local, "watchers", ()):
        watch.count += count


def _delete(tokens):
    tokens = [str(token) for token in tokens]
    for start in range(0, len(tokens), DELETE_CHUNK):
        PendingTask.objects.filter(token__in=tokens[start : start + DELETE_CHUNK]).delete()


@task_success.connect(dispatch_uid="portal.outbox.task_succeeded")
def _task_succeeded(sender=None, **kwargs):
    """A task dispatched from the outbox succeeded: its rows are done."""
    headers = getattr(getattr(sender, "request", None), "headers", None) or {}
    tokens = headers.get(HEADER)
    if tokens:
        _delete(tokens)
