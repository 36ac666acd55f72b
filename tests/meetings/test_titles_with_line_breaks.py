"""A meeting title with a line break (pasted, imported) still makes a valid calendar file."""

import icalendar
import pytest

from tests.clients import Client
from tests.meetings.factories import make_meeting

pytestmark = pytest.mark.django_db


def test_a_meetings_calendar_file_names_it_on_one_line_when_its_title_has_line_breaks():
    meeting = make_meeting(title="Regional\nmeeting\r\non  referral\r")
    response = Client().get(f"/meetings/meeting/{meeting.pk}.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["x-wr-calname"] == "Regional meeting on referral"
    [event] = calendar.walk("VEVENT")
    assert " ".join(str(event["summary"]).split()) == "Regional meeting on referral"
