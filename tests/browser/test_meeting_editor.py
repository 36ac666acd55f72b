"""
The meeting editor's record in a real browser, on the meeting the admin benchmark measures (10
agenda items, 20 participants): its rows are rendered lean (meetings/admin_panels.py) and its
autocompletes make their lists in the page (portal/admin/autocomplete.js). The secretariat adds
a participant from the panel's template of a new row, choosing the person by typing, removes a
paper from an agenda item, and publishes; both are saved.
"""

import re

from playwright.sync_api import expect

from tests.browser.conftest import LIVE_DATABASE, SECRETARIAT_EMAIL
from tests.browser.test_autosave import sign_in_with_second_factor

pytestmark = LIVE_DATABASE


def benchmark_meeting():
    from django.contrib.auth import get_user_model

    from benchmarks.admin_pages import PARTICIPANTS, bench_meeting

    meeting = bench_meeting(get_user_model().objects.get(email=SECRETARIAT_EMAIL))
    assert meeting is not None and meeting.participants.count() == PARTICIPANTS
    return meeting


def publish(page, title):
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(f"Page '{title}' has been published")).to_be_visible()


def test_a_participant_is_added_by_typing_and_an_agenda_paper_removed(visitor_factory):
    from meetings.models import MeetingPage
    from network.models import Person

    meeting = benchmark_meeting()
    listed = set(meeting.participants.values_list("person_id", flat=True))
    newcomer = Person.objects.filter(is_active=True).exclude(pk__in=listed).order_by("pk").first()

    secretariat = visitor_factory("meeting-editor")
    page = secretariat.page
    sign_in_with_second_factor(page)
    secretariat.goto(f"/admin/pages/{meeting.pk}/edit/")
    page.get_by_role("tab", name="Record (members only)").click()

    # The rows' autocompletes list what is chosen (made in the page, from the select).
    papers_box = page.locator(
        ".portal-autocomplete", has=page.locator('select[name="agenda_items-0-documents"]')
    )
    chosen_papers = papers_box.locator(".portal-autocomplete__chosen li")
    expect(chosen_papers).to_have_count(2)
    removed = int(chosen_papers.first.get_attribute("data-value"))
    chosen_papers.first.get_by_role("button", name=re.compile("^Remove ")).click()
    expect(chosen_papers).to_have_count(1)
    expect(papers_box.locator("select option")).to_have_count(1)
    item_pk = int(page.locator("#id_agenda_items-0-id").input_value())

    page.locator("#id_participants-ADD").click()
    row = page.locator("#inline_child_participants-20")
    expect(row).to_be_visible()
    box = row.get_by_role("combobox", name="Person", exact=True)
    box.fill(f"{newcomer.given_name} {newcomer.family_name}")
    expect(box).to_have_attribute("aria-expanded", "true")
    row.get_by_role("option", name=re.compile(re.escape(newcomer.full_name))).first.click()
    expect(row.locator(".portal-autocomplete__chosen li")).to_have_count(1)
    expect(row.locator(".portal-autocomplete__chosen")).to_contain_text(newcomer.full_name)

    publish(page, meeting.title)

    meeting = MeetingPage.objects.get(pk=meeting.pk)
    people = set(meeting.participants.values_list("person_id", flat=True))
    assert people == listed | {newcomer.pk}
    kept = meeting.agenda_items.get(pk=item_pk).documents.all()
    assert len(kept) == 1 and kept[0].pk != removed
