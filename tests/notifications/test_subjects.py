"""
A title with a line break (pasted from a document, imported) still makes a one-line email subject:
a header cannot hold a newline, and the message would otherwise fail and be retried for a day.
"""

import pytest
import redis
from celery import Celery

from django.db import connection

from meetings.models import Participant
from notifications.models import Delivery
from notifications.sending import deliver
from notifications.tasks import send_pending
from portal.celery import app as portal_celery_app
from portal.models import Topic
from tests.library.factories import resource
from tests.meetings.factories import make_meeting, make_person
from tests.workers import start_worker, stop_worker, wait_for, worker_redis_url

from .conftest import SMTPServer
from .test_guidance import subscribe

BROKEN_TITLE = "Referral of\nchildren:\r\n  a  guide\r"


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def assert_sent_once_on_one_line(mailbox, user, subject):
    [message] = mailbox.to(user.email)
    assert message["Subject"] == subject
    [delivery] = Delivery.objects.filter(recipient=user)
    assert (delivery.status, delivery.attempts, delivery.subject) == (
        Delivery.Status.SENT,
        1,
        subject,
    )
    # The sweep finds nothing left to send, and sending the row again sends nothing.
    send_pending()
    assert deliver(delivery.pk) == Delivery.Status.SENT
    assert len(mailbox.to(user.email)) == 1


@pytest.mark.django_db
def test_guidance_whose_title_has_line_breaks_is_announced_once_with_a_one_line_subject(
    member, mailbox, run_on_commit
):
    Topic.objects.get_or_create(slug="referral", defaults={"name": "Referral"})
    subscribe(member, topics=["referral"])

    run_on_commit(resource, BROKEN_TITLE, topics=["referral"])

    assert_sent_once_on_one_line(mailbox, member, "New guidance: Referral of children: a guide")


@pytest.mark.django_db
def test_a_meeting_whose_title_has_line_breaks_is_announced_once_with_a_one_line_subject(
    member, mailbox, run_on_commit
):
    run_on_commit(
        make_meeting,
        title=BROKEN_TITLE,
        children={"participants": [Participant(person=make_person(user=member))]},
    )

    assert_sent_once_on_one_line(mailbox, member, "Invitation: Referral of children: a guide")


@pytest.fixture
def worker_and_smtp():
    """A real Celery worker on the notifications queue, sending to a real SMTP server here, and
    an app that sends it tasks through Redis with the portal's routes (as beat does)."""
    redis_url = worker_redis_url()
    broker = redis.Redis.from_url(redis_url)
    broker.delete("notifications")
    smtp = SMTPServer()
    smtp.start()
    sender = Celery("sender", set_as_current=False)
    sender.config_from_object("django.conf:settings", namespace="CELERY")
    sender.conf.update(broker_url=redis_url, task_always_eager=False)
    sender.conf.task_queues = portal_celery_app.conf.task_queues
    env = {
        "CELERY_BROKER_URL": redis_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_USE_SSL": "false",
    }
    worker = start_worker(sender, "subjects", ["notifications"], env)
    yield sender, smtp.mailbox
    stop_worker(worker)
    smtp.stop()
    sender.close()
    broker.close()
    connection.close()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_real_worker_guidance_with_line_breaks_in_its_title_is_sent_once_on_one_line(
    member, worker_and_smtp
):
    sender, mailbox = worker_and_smtp
    Topic.objects.get_or_create(slug="referral", defaults={"name": "Referral"})
    page = resource(BROKEN_TITLE, topics=["referral"])
    subscribe(member, topics=["referral"])

    # The task publishing sends after the commit, here through Redis to the worker.
    sender.send_task(
        "notifications.tasks.notify_resource_published", [page.pk, page.live_revision_id]
    )

    wait_for(
        lambda: Delivery.objects.filter(recipient=member, status=Delivery.Status.SENT).exists(),
        60,
        "the worker did not send the alert within 60 s",
    )
    [message] = mailbox.to(member.email)
    assert message["Subject"] == "New guidance: Referral of children: a guide"
    assert Delivery.objects.get(recipient=member).attempts == 1
