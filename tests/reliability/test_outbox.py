"""
Intent is durable (portal.outbox): the work a change needs (indexing, guidance alerts, text
extraction) is recorded in the changing transaction and dispatched from there, so a broker that
is down when the change commits loses nothing: the sweep dispatches it when the broker is back,
and running it again sends nothing twice. The scheduled `search_index update` repairs a record
whose change never reached the index.

The broker tests use a private redis-server that is stopped for real while the change commits,
a real Celery worker and a real SMTP server (PostgreSQL pass); the eager tests run everywhere.
"""

import json
from collections import Counter
from datetime import timedelta

import pytest
import redis
from celery import Celery

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from library.models import LibraryDocument, ResourcePage
from notifications.models import Delivery, Frequency, Subscription
from portal import outbox
from portal.access import Audience
from portal.celery import app as portal_celery_app
from portal.models import PendingTask
from search import service
from search.tasks import index_object
from tests.library.factories import library_index, pdf_bytes, resource
from tests.notifications.conftest import SMTPServer
from tests.portal.factories import UserFactory
from tests.workers import start_worker, stop_worker, wait_for

from .conftest import needs_postgresql

SUBSCRIBERS = 4
NEW_RESOURCES = 5
LATER = timedelta(hours=2)


@pytest.fixture(autouse=True)
def database_backend(settings):
    settings.ELASTICSEARCH_URL = ""


def titles(query, user=None):
    return sorted(hit.title for hit in service.search(query, user).hits)


def pending():
    return sorted((row.task, row.args) for row in PendingTask.objects.all())


def subscribe(count):
    users = [UserFactory(member=True) for _ in range(count)]
    for user in users:
        Subscription.objects.create(user=user, frequency=Frequency.IMMEDIATE, everything=True)
    return users


# ------------------------------------------------------------------ eager mode (every pass)


@pytest.mark.django_db
def test_a_change_records_its_work_in_its_transaction_and_the_run_clears_it(
    django_capture_on_commit_callbacks,
):
    library_index()
    subscribe(1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = resource("Shelter standards")
    # Recorded with the change, before anything ran: one row per task and arguments.
    assert pending() == [
        ("notifications.tasks.notify_resource_published", [page.pk, page.live_revision_id]),
        ("search.tasks.index_object", ["library.resource", str(page.pk)]),
    ]
    assert titles("shelter") == []
    for callback in callbacks:
        callback()
    assert pending() == []
    assert titles("shelter") == ["Shelter standards"]
    assert Delivery.objects.filter(kind=Delivery.Kind.GUIDANCE).count() == 1


@pytest.mark.django_db
def test_recording_the_same_work_twice_keeps_one_row_and_only_the_newer_run_clears_it(
    django_capture_on_commit_callbacks,
):
    library_index()
    page = resource("Shelter standards")
    indexing = PendingTask.objects.filter(task=index_object.name)
    with django_capture_on_commit_callbacks(execute=False) as first:
        outbox.enqueue(index_object, "library.resource", str(page.pk))
    with django_capture_on_commit_callbacks(execute=False) as second:
        outbox.enqueue(index_object, "library.resource", str(page.pk))
    assert indexing.count() == 1  # publishing it recorded the same work: still one row
    # The first run read the data before the second change: the second's row stays.
    for callback in first:
        callback()
    assert indexing.count() == 1
    for callback in second:
        callback()
    assert indexing.count() == 0


@pytest.mark.django_db
def test_a_document_upload_records_its_extraction_until_it_ran(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = LibraryDocument(title="Paper")
        document.file.save("paper.pdf", ContentFile(pdf_bytes(["Pangolin routes"])), save=False)
        document.save()
    assert pending() == [("library.tasks.extract_document_text", [document.pk])]
    for callback in callbacks:
        callback()
    assert pending() == []
    document.refresh_from_db()
    assert "Pangolin routes" in document.extracted_text


@pytest.mark.django_db
def test_work_whose_dispatch_was_lost_is_done_by_the_sweep_after_its_grace_period(
    django_capture_on_commit_callbacks,
):
    library_index()
    with django_capture_on_commit_callbacks(execute=False):
        resource("Shelter standards")  # the after-commit dispatch never happens
    assert len(pending()) == 2

    assert outbox.sweep().dispatched == 0  # still within its grace period
    assert outbox.sweep(now=timezone.now() + LATER).dispatched == 2

    assert pending() == []
    assert titles("shelter") == ["Shelter standards"]


@pytest.mark.django_db
def test_a_task_that_fails_keeps_its_row_and_is_backed_off(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outbox.enqueue(index_object, "no.such.source", "1")
    with pytest.raises(LookupError):
        callbacks[0]()
    [row] = PendingTask.objects.all()
    with pytest.raises(LookupError):
        outbox.sweep(now=row.due_at)
    # Inline, the failure propagates before the row is backed off; it is still there.
    assert PendingTask.objects.get().token == row.token


@pytest.mark.django_db
def test_the_scheduled_index_update_removes_a_stale_record_from_anonymous_search(client):
    """A resource made members-only by a change that never reached the index (a write that
    went round the signals, a lost intent): anonymous visitors still found it, with its
    snippet, until someone ran `search_index update` by hand. The scheduled task repairs it."""
    from search.tasks import update_index

    library_index()
    page = resource("Pangolin referral routes", summary="Secret pangolin crossing points.")
    index_object("library.resource", str(page.pk))
    assert titles("pangolin") == ["Pangolin referral routes"]
    ResourcePage.objects.filter(pk=page.pk).update(audience=Audience.MEMBERS)
    assert titles("pangolin") == ["Pangolin referral routes"]  # stale

    update_index.delay()  # as beat sends it (inline here)

    assert titles("pangolin") == []
    response = client.get("/search/", {"q": "pangolin"})
    assert response.status_code == 200
    assert b"Pangolin referral routes" not in response.content
    assert b"crossing points" not in response.content
    assert titles("pangolin", UserFactory(member=True)) == ["Pangolin referral routes"]
    schedule = settings.CELERY_BEAT_SCHEDULE["search-index-update"]
    assert schedule["task"] == update_index.name


def test_beat_sweeps_the_outbox_every_minute():
    from portal.tasks import sweep_outbox

    entry = settings.CELERY_BEAT_SCHEDULE["outbox-sweep"]
    assert entry["task"] == sweep_outbox.name
    assert entry["schedule"] <= 60


# ------------------------------------------------------------------ a broker that is down


class Broker:
    """The private redis-server, and a switch sending this process's tasks through it as
    production does (until then they run inline, which sets the tests up quickly)."""

    def __init__(self, server, monkeypatch):
        self.server = server
        self.url = server.url
        self.monkeypatch = monkeypatch

    def send_through(self):
        self.monkeypatch.setitem(portal_celery_app.conf, "task_always_eager", False)
        self.monkeypatch.setitem(portal_celery_app.conf, "broker_url", self.url)
        # Inline tasks pooled connections to the broker configured before (kombu keeps a pool
        # per broker URL): the next dispatch takes one for this broker.
        self.monkeypatch.setattr(portal_celery_app, "_pool", None)
        self.monkeypatch.setattr(portal_celery_app.amqp, "_producer_pool", None)

    def stop(self):
        self.server.stop()

    def start(self):
        self.server.start()


@pytest.fixture
def broker(private_redis, monkeypatch):
    needs_postgresql()
    # No refusal seen by an earlier test holds this one's dispatches back.
    monkeypatch.setitem(outbox._broker, "paused_until", 0.0)
    return Broker(private_redis, monkeypatch)


@pytest.fixture
def probe(broker):
    app = Celery("probe", broker=broker.url, set_as_current=False)
    app.conf.update(task_serializer="json", accept_content=["json"])
    yield app
    app.close()


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def worker(broker, probe, smtp):
    """A real worker on every queue, started on demand (after the broker is back)."""
    processes = []

    def start():
        env = {
            "CELERY_BROKER_URL": broker.url,
            "ELASTICSEARCH_URL": "",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_USE_SSL": "false",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        }
        queues = ["default", "indexing", "extraction", "notifications"]
        processes.append(start_worker(probe, "outbox", queues, env))

    yield start
    for process in processes:
        stop_worker(process)
    connection.close()


def sweep_as_beat_does(probe):
    """The grace period has passed; beat sends the sweep through the broker to the worker."""
    PendingTask.objects.update(due_at=timezone.now())
    probe.send_task(settings.CELERY_BEAT_SCHEDULE["outbox-sweep"]["task"], queue="default")


def busy(inspect):
    return any((inspect.active() or {}).values()) or any((inspect.reserved() or {}).values())


def wait_until_idle(probe, url):
    client = redis.Redis.from_url(url)
    try:
        wait_for(
            lambda: (
                not any(client.llen(queue) for queue in ("default", "indexing", "notifications"))
                and not busy(probe.control.inspect(timeout=0.5))
            ),
            60,
            "the worker did not become idle",
        )
    finally:
        client.close()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_work_committed_while_the_broker_is_down_is_done_once_when_it_is_back(
    broker, probe, worker, smtp, client
):
    library_index()
    made_private = resource("Pangolin shelter rules", summary="Pangolin safe house addresses.")
    assert titles("pangolin") == ["Pangolin shelter rules"]  # indexed inline (eager)
    users = subscribe(SUBSCRIBERS)
    broker.send_through()

    broker.stop()
    made_private.audience = Audience.MEMBERS
    made_private.save_revision().publish()
    published = [resource(f"Pangolin referral guide {n}") for n in range(NEW_RESOURCES)]

    # Every change committed; its work is recorded, nothing was sent or indexed.
    changed = [made_private, *published]
    assert pending() == sorted(
        [("search.tasks.index_object", ["library.resource", str(page.pk)]) for page in changed]
        + [
            ("notifications.tasks.notify_resource_published", [page.pk, page.live_revision_id])
            for page in (ResourcePage.objects.get(pk=page.pk) for page in changed)
        ]
    )
    assert titles("pangolin") == ["Pangolin shelter rules"]  # still the old index
    assert Delivery.objects.count() == 0

    broker.start()
    worker()
    sweep_as_beat_does(probe)
    expected_mail = SUBSCRIBERS * len(changed)
    wait_for(
        lambda: len(smtp.mailbox.messages) >= expected_mail and not PendingTask.objects.exists(),
        120,
        "the sweep did not complete the recorded work within 120 s",
    )

    assert titles("pangolin") == sorted(page.title for page in published)
    page = client.get("/search/", {"q": "pangolin"}).content
    assert b"Pangolin shelter rules" not in page
    assert b"safe house addresses" not in page
    assert "Pangolin shelter rules" in titles("pangolin", users[0])

    # A fan-out done twice (the sweep and a late original message) sends nothing twice.
    for page in changed:
        page = ResourcePage.objects.get(pk=page.pk)
        probe.send_task(
            "notifications.tasks.notify_resource_published",
            args=[page.pk, page.live_revision_id],
            queue="notifications",
        )
    wait_until_idle(probe, broker.url)
    received = Counter((message["To"], message["Subject"]) for message in smtp.mailbox.messages)
    assert len(received) == expected_mail
    assert set(received.values()) == {1}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_with_the_broker_down_succeeds_with_a_warning_and_the_sweep_finishes_it(
    broker, probe, worker, smtp, tmp_path, capsys
):
    library_index()
    users = subscribe(2)
    files = tmp_path / "files"
    files.mkdir()
    (files / "routes.pdf").write_bytes(pdf_bytes(["Pangolin smuggling routes"]))
    lines = [
        {"external_id": "I1", "title": "Shelter standards", "attachments": ["routes.pdf"]},
        {"external_id": "I2", "title": "Shelter referral form"},
        {"external_id": "I3", "title": "Shelter screening checklist"},
    ]
    path = tmp_path / "resources.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    broker.send_through()

    broker.stop()
    call_command("import_resources", str(path), "--attachments-dir", str(files))  # no error

    assert "the task broker refused" in capsys.readouterr().err
    assert titles("shelter") == [
        "Shelter referral form",
        "Shelter screening checklist",
        "Shelter standards",
    ]
    assert {task for task, _args in pending()} == {
        "library.tasks.extract_document_text",
        "notifications.tasks.notify_resource_published",
    }

    broker.start()
    worker()
    sweep_as_beat_does(probe)
    wait_for(
        lambda: titles("pangolin") == ["Shelter standards"] and not PendingTask.objects.exists(),
        120,
        "the attachment's text was not extracted and indexed within 120 s",
    )
    wait_for(
        lambda: len(smtp.mailbox.messages) == len(users) * len(lines),
        60,
        "the guidance alerts were not sent within 60 s",
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_admin_change_with_the_broker_down_answers_normally_and_keeps_its_work(
    broker, secretariat_client
):
    library_index()
    page = resource("Pangolin shelter rules")
    broker.send_through()
    broker.stop()

    response = secretariat_client.post(f"/admin/pages/{page.pk}/unpublish/")

    assert response.status_code == 302
    assert not ResourcePage.objects.get(pk=page.pk).live
    assert pending() == [("search.tasks.index_object", ["library.resource", str(page.pk)])]
