"""
A cancellation through a real Celery worker with Redis, against the PostgreSQL test database and
a real SMTP server in this process: the fan-out task sent twice through the broker, as a second
beat or a redelivery would, still tells each registered member once, with the calendar entry
that cancels theirs. Runs in the PostgreSQL + Redis pass; skipped (visibly) otherwise.
"""

import icalendar
import pytest
import redis
from celery import Celery

from django.db import connection

from meetings.calendars import event_uid
from meetings.models import MeetingPage, Registration
from notifications.models import Delivery
from portal.celery import app as portal_celery_app
from tests.meetings.factories import make_meeting, make_person
from tests.portal.factories import UserFactory
from tests.workers import start_worker, stop_worker, wait_for, worker_redis_url

from .conftest import SMTPServer

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def worker_and_smtp():
    redis_url = worker_redis_url()
    broker = redis.Redis.from_url(redis_url)
    broker.delete("notifications", "celery")
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
    worker = start_worker(sender, "meeting-change", ["notifications", "default"], env)
    yield sender, smtp.mailbox
    stop_worker(worker)
    smtp.stop()
    sender.close()
    broker.close()
    connection.close()


def test_on_a_real_worker_a_cancellation_reaches_each_registered_member_once(worker_and_smtp):
    sender, mailbox = worker_and_smtp
    meeting = make_meeting(title="Regional meeting on return")
    first_sequence = meeting.sequence
    meeting.cancelled = True
    meeting.save_revision().publish()
    meeting = MeetingPage.objects.get(pk=meeting.pk)
    # Registered before the cancellation; recorded here after it, so that the fan-out the
    # publish ran in this process found no one and the worker's run does all the work.
    users = [UserFactory(member=True) for _ in range(3)]
    for user in users:
        Registration.objects.create(
            meeting=meeting, person=make_person(user=user), status="registered"
        )

    for _ in range(2):
        sender.send_task("notifications.tasks.notify_meeting_published", [meeting.pk])

    wait_for(
        lambda: (
            Delivery.objects.filter(
                kind=Delivery.Kind.MEETING_CHANGE, status=Delivery.Status.SENT
            ).count()
            == len(users)
        ),
        90,
        "the worker did not send the cancellation to every registered member within 90 s",
    )
    # A third run after all were sent claims nothing new. The solo worker takes tasks in turn,
    # so once a later sentinel (another meeting's cancellation) is sent, that run is over.
    sender.send_task("notifications.tasks.notify_meeting_published", [meeting.pk])
    sentinel = make_meeting(title="Sentinel")
    sentinel.cancelled = True
    sentinel.save_revision().publish()
    witness = UserFactory(member=True)
    Registration.objects.create(
        meeting=sentinel, person=make_person(user=witness), status="registered"
    )
    sender.send_task("notifications.tasks.notify_meeting_published", [sentinel.pk])
    wait_for(
        lambda: Delivery.objects.filter(recipient=witness, status=Delivery.Status.SENT).exists(),
        90,
        "the worker did not get to the sentinel within 90 s",
    )
    for user in users:
        [message] = mailbox.to(user.email)
        assert message["Subject"] == "Cancelled: Regional meeting on return"
        [attachment] = list(message.iter_attachments())
        [event] = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == event_uid(meeting)
        assert int(event["SEQUENCE"]) > first_sequence
    assert Delivery.objects.filter(
        kind=Delivery.Kind.MEETING_CHANGE, event_key__startswith=f"meeting:{meeting.pk}:"
    ).count() == len(users)
