"""The beat schedule names real notification tasks, and they go to the notifications queue."""

from django.conf import settings

import notifications.tasks  # noqa: F401  (registers the tasks)
from portal.celery import app


def test_every_notification_beat_entry_names_a_registered_task_on_the_notifications_queue():
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"].startswith("notifications.")
    ]
    assert {entry["task"].rsplit(".", 1)[1] for entry in entries} == {
        "send_pending",
        "send_weekly_digests",
        "send_saved_search_alerts",
        "send_meeting_reminders",
        "send_action_point_reminders",
        "send_directory_confirmations",
    }
    for entry in entries:
        assert entry["task"] in app.tasks
        route = app.amqp.router.route({}, entry["task"])
        assert route["queue"].name == "notifications"
