"""
The secretariat cancels a meeting from its page; a member registered for it sees it cancelled on
their dashboard and in the calendar file they download (same UID, higher SEQUENCE,
STATUS:CANCELLED). The pages this adds (the secretariat's registrations and cancel form, the
attendance page, the personal feed's address page) are axe-core clean at 1280 and 375 px.
"""

import re

import icalendar
from playwright.sync_api import expect

from tests.browser.conftest import LIVE_DATABASE, MEMBER_EMAIL, WIDTHS
from tests.browser.test_autosave import sign_in_with_second_factor

pytestmark = LIVE_DATABASE


def axe_at_both_widths(visitor):
    problems = []
    for width in WIDTHS.values():
        visitor.page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{width}px {line}" for line in visitor.axe_violations()]
    visitor.page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    return problems


def registered_meeting():
    """An upcoming meeting of the demo network the demo member may see, registered for."""
    from django.utils import timezone

    from meetings.calendars import event_uid
    from meetings.models import MeetingPage, Registration
    from network.models import Person

    meeting = (
        MeetingPage.objects.live()
        .filter(cancelled=False, audience__in=["public", "members"])
        .filter(start_date__gt=timezone.localdate())
        .order_by("start_date", "pk")
        .first()
    )
    assert meeting is not None, "the demo network has no upcoming meeting"
    person = Person.objects.get(user__email=MEMBER_EMAIL)
    Registration.objects.update_or_create(
        meeting=meeting, person=person, defaults={"status": "registered", "dietary_needs": "Vegan"}
    )
    return meeting, event_uid(meeting)


def test_the_secretariat_cancels_a_meeting_and_a_registered_member_sees_it_cancelled(
    visitor_factory,
):
    meeting, uid = registered_meeting()
    sequence_before = meeting.sequence

    secretariat = visitor_factory("journey-cancel-secretariat", bypass_csp=True)
    page = secretariat.page
    sign_in_with_second_factor(page)
    secretariat.goto(meeting.url)
    registrations = page.locator("section[data-audience='secretariat']", has_text="Registrations")
    expect(registrations.get_by_text("diet: Vegan")).to_be_visible()
    problems = axe_at_both_widths(secretariat)
    secretariat.screenshot("1 meeting with registrations")

    page.get_by_role("link", name="Mark attendance").click()
    expect(page.get_by_role("heading", name=re.compile("^Attendance: "))).to_be_visible()
    problems += axe_at_both_widths(secretariat)
    secretariat.screenshot("2 attendance page")

    secretariat.goto(meeting.url)
    page.get_by_label("Cancel this meeting and tell those registered and invited").check()
    page.get_by_role("button", name="Cancel the meeting").click()
    expect(page.get_by_text("The meeting is cancelled;")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel the meeting")).to_have_count(0)
    secretariat.screenshot("3 meeting cancelled")

    member = visitor_factory("journey-cancel-member", bypass_csp=True)
    member.sign_in(MEMBER_EMAIL)
    entry = member.page.locator(".dashboard-item", has_text=meeting.title)
    expect(entry.get_by_text("Cancelled", exact=True)).to_be_visible()
    member.screenshot("4 dashboard shows it cancelled")

    member.goto(meeting.url)
    link = member.page.get_by_role("link", name="Add to my calendar (.ics)")
    download = member.context.request.get(link.get_attribute("href"))
    assert download.ok and download.headers["content-type"].startswith("text/calendar")
    [event] = icalendar.Calendar.from_ical(download.body()).walk("VEVENT")
    assert str(event["UID"]) == uid
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) > sequence_before

    member.goto("/notifications/feed/")
    member.page.get_by_role("button", name="Create my address").click()
    expect(member.page.get_by_label("Your address")).to_have_value(re.compile(r"\.atom$"))
    problems += axe_at_both_widths(member)
    member.screenshot("5 personal feed address")

    assert problems == [], "\n".join(problems)
    assert secretariat.console_errors == [] and member.console_errors == []
