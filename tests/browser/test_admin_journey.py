"""
The secretariat records a meeting in the admin, as it does after every meeting: the agenda with
its presenter and papers, the participants (each found by typing a name into the chooser), the
decisions and the action points, then publishes it. No select lists the directory or the library:
people are chosen in Wagtail's chooser, organisations and resources in search-as-you-type boxes.
The meeting's page it leads to has no serious accessibility violation at 1280 and 375 px.
"""

import datetime
import re

from playwright.sync_api import expect

from tests.browser.conftest import LIVE_DATABASE, MEMBER_EMAIL, SECRETARIAT_EMAIL, WIDTHS
from tests.portal.factories import PASSWORD

pytestmark = LIVE_DATABASE


def sign_in_with_second_factor(page):
    from tests.portal.factories import TOTP_SECRET
    from tests.portal.test_accounts import totp

    page.goto("/accounts/login/?next=/admin/")
    page.get_by_label(re.compile("email", re.I)).first.fill(SECRETARIAT_EMAIL)
    page.get_by_label(re.compile("password", re.I)).first.fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Code").fill(totp(TOTP_SECRET))
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def choose_person(page, row, field, person):
    """Open the row's person chooser, type the person's name, and pick them from the results."""
    page.locator(f"#{row}").locator(f"[data-field-input]:has(input[name$='-{field}'])").locator(
        "[data-chooser-action-choose]"
    ).first.click()
    chooser = page.get_by_role("dialog")
    search = chooser.get_by_role("textbox").first
    expect(search).to_be_visible()
    search.fill(f"{person.given_name} {person.family_name}")
    chooser.get_by_role("link", name=person.full_name, exact=True).click()
    expect(chooser).to_be_hidden()
    expect(page.locator(f"#{row}").get_by_text(person.full_name)).to_be_visible()


def fill_date_or_time(page, field_id, value):
    """Type a date or time as an editor does, then leave the field. Its picker opens a moment
    after the field takes focus: wait for it, so that leaving closes it rather than racing it."""
    pickers = page.locator(".xdsoft_datetimepicker:visible")
    field = page.locator(f"#{field_id}")
    field.fill(value)
    expect(pickers).to_have_count(1)
    field.press("Tab")
    expect(pickers).to_have_count(0)


def pick_by_typing(page, box_id, typed, label, *, keyboard=False):
    """Type into a search-as-you-type box and pick the answer named `label`."""
    box = page.locator(f"#{box_id}")
    box.fill(typed)
    results = page.locator(f"#{box.get_attribute('aria-controls')}")
    option = results.get_by_role("option", name=label, exact=True)
    expect(option).to_be_visible()
    if keyboard:
        box.press("ArrowDown")
        expect(box).to_have_attribute("aria-activedescendant", re.compile(".+"))
        box.press("Enter")
    else:
        option.click()
    expect(results).to_be_hidden()
    chosen = page.locator(f"#{box_id.removesuffix('-search')}")
    expect(chosen.locator("option", has_text=label)).to_have_count(1)


def test_secretariat_records_a_meeting_choosing_people_by_name_and_publishes_it(
    visitor_factory,
):
    from allauth.mfa.totp.internal.auth import TOTP

    from django.contrib.auth import get_user_model

    from library.models import ResourcePage
    from meetings.models import MeetingIndexPage, MeetingPage
    from network.models import Organisation, Person
    from tests.portal.factories import TOTP_SECRET

    TOTP.activate(get_user_model().objects.get(email=SECRETARIAT_EMAIL), TOTP_SECRET)
    index = MeetingIndexPage.objects.get()
    people = list(Person.objects.filter(is_active=True).order_by("family_name", "pk")[:4])
    presenter, first_participant, second_participant, owner = people
    organiser = Organisation.objects.get(acronym="IODP")
    titles = list(ResourcePage.objects.values_list("title", flat=True))
    # A resource that typing its whole title finds alone.
    resource = next(
        page
        for page in ResourcePage.objects.live().order_by("pk")
        if sum(page.title.lower() in title.lower() for title in titles) == 1
    )
    title = "Working group on labour exploitation, December session"
    start = datetime.date.today() + datetime.timedelta(days=40)

    visitor = visitor_factory("journey-admin-meeting")
    page = visitor.page
    sign_in_with_second_factor(page)
    # Wagtail's editor notes the form as it stands shortly after it opens, and autosaves what
    # differs from that; this editor waits for the note before typing, as a person would.
    page.add_init_script(
        "document.addEventListener('w-unsaved:watch-edits', () => {"
        " document.documentElement.dataset.editsWatched = 'yes'; });"
    )
    page.goto(f"/admin/pages/add/meetings/meetingpage/{index.pk}/")
    expect(page.locator("html")).to_have_attribute("data-edits-watched", "yes")
    # No select in the editor lists people, organisations, resources or documents.
    options = page.locator("option").all_inner_texts()
    assert not {presenter.full_name, organiser.name, resource.title} & set(options)

    page.locator("#id_title").fill(title)
    fill_date_or_time(page, "id_start_date", start.isoformat())
    fill_date_or_time(page, "id_start_time", "09:30")
    fill_date_or_time(page, "id_end_date", start.isoformat())
    fill_date_or_time(page, "id_end_time", "17:00")
    page.locator("#id_venue_city").fill("Skopje")
    pick_by_typing(page, "id_organisers-search", "IODP", str(organiser))
    visitor.screenshot("1 meeting with its organiser chosen by typing")

    page.get_by_role("tab", name="Record (members only)").click()
    page.locator("#id_agenda_items-ADD").click()
    page.locator("#id_agenda_items-0-title").fill("Screening at labour inspections")
    choose_person(page, "inline_child_agenda_items-0", "presenter", presenter)
    pick_by_typing(
        page,
        "id_agenda_items-0-resources-search",
        resource.title,
        resource.title,
        keyboard=True,
    )

    for number, person in enumerate([first_participant, second_participant]):
        page.locator("#id_participants-ADD").click()
        choose_person(page, f"inline_child_participants-{number}", "person", person)
        page.locator(f"#id_participants-{number}-attendance").select_option("attended")

    page.locator("#id_decisions-ADD").click()
    page.locator("#id_decisions-0-number").fill("1")
    page.locator("#id_decisions-0-text").fill("The working group adopts the screening checklist.")

    page.locator("#id_action_points-ADD").click()
    page.locator("#id_action_points-0-description").fill("Circulate the checklist nationally.")
    choose_person(page, "inline_child_action_points-0", "owner_person", owner)
    due = start + datetime.timedelta(days=30)
    fill_date_or_time(page, "id_action_points-0-due_date", due.isoformat())
    visitor.screenshot("2 record with people chosen by name")

    # Publish once the editor's autosave has caught up with the last edit (publishing from the
    # create form while its first autosave is in flight is the autosave's own matter).
    expect(page.locator("#w-autosave-indicator")).to_have_attribute(
        "data-w-autosave-state-value", "saved"
    )
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(f"Page '{title}' has been published.")).to_be_visible()
    visitor.screenshot("3 published")

    meeting = MeetingPage.objects.get(title=title)
    assert meeting.live
    assert list(meeting.organisers.all()) == [organiser]
    [item] = meeting.agenda_items.all()
    assert item.presenter == presenter and list(item.resources.all()) == [resource.page_ptr]
    assert [p.person for p in meeting.participants.all()] == [first_participant, second_participant]
    assert [p.attendance for p in meeting.participants.all()] == ["attended", "attended"]
    assert meeting.decisions.get().number == 1
    action = meeting.action_points.get()
    assert (action.owner_person, action.due_date) == (owner, due)
    logged_refusal = "Failed to load resource: the server responded with a status of 400"
    assert [error for error in visitor.console_errors if not error.startswith(logged_refusal)] == []

    # The portal page it leads to, as a member reads its record and as the public sees it.
    for role in ("member", "anonymous"):
        reader = visitor_factory(f"journey-admin-meeting-{role}", bypass_csp=True)
        if role == "member":
            reader.sign_in(MEMBER_EMAIL)
        reader.goto(meeting.url)
        expect(reader.page.get_by_role("heading", name=title)).to_be_visible()
        if role == "member":
            expect(reader.page.get_by_text(first_participant.full_name).first).to_be_visible()
            expect(reader.page.get_by_text("Circulate the checklist nationally.")).to_be_visible()
        problems = []
        for width in WIDTHS.values():
            reader.page.set_viewport_size({"width": width, "height": 900})
            problems += [f"{role} at {width} px: {line}" for line in reader.axe_violations()]
        reader.screenshot(f"4 meeting page as {role}")
        assert problems == [], "\n".join(problems)
