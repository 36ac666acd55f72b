"""
The secretariat records a meeting in the admin, as it does after every meeting: the agenda with
its presenter and papers, the participants (each found by typing a name), the decisions and the
action points, then publishes it. No select lists the directory or the library: people,
organisations and resources are found by typing. Nothing the editor asks of the server meanwhile
(autosaves and searches as it types, often at once) answers with a server error, and the
meeting's page it leads to has no serious accessibility violation at 1280 and 375 px, as a member
and as the public read it.

The journey waits for what the editor would see (a new row, a result to pick, the autosave's
"Saved"), never for a length of time.
"""

import datetime
import re

from playwright.sync_api import expect

from tests.browser.conftest import LIVE_DATABASE, MEMBER_EMAIL, WIDTHS
from tests.browser.test_autosave import sign_in_with_second_factor

pytestmark = LIVE_DATABASE

# What the browser logs when the server refuses an autosave: of a half-filled form (a row just
# added, its required fields still empty; the editor sees "Autosave is paused" until the row is
# complete), or one that reaches the server after the Publish (it would overwrite a newer
# version). Anything else in the console is a fault.
REFUSED_AUTOSAVE = "Failed to load resource: the server responded with a status of 400"


def add_row(page, label, number):
    """Add a row to an inline panel ("Add Agenda item"); the row as a region ("Agenda item 1")."""
    page.get_by_role("button", name=f"Add {label}", exact=True).click()
    row = page.get_by_role("region", name=f"{label} {number}", exact=True)
    expect(row).to_be_visible()
    return row


def choose_person(row, label, person):
    """Type the person's name into the row's box named `label` and pick them from the answers,
    which name each person with where they work (to tell namesakes apart)."""
    from network.admin_forms import person_label

    pick_by_typing(row, label, person.full_name, person_label(person))


def fill_date_or_time(field, value):
    """Type a date or time as an editor does, then leave the field. Its picker opens a moment
    after the field takes focus: wait for it, so that leaving closes it rather than racing it."""
    pickers = field.page.locator(".xdsoft_datetimepicker:visible")
    field.fill(value)
    expect(pickers).to_have_count(1)
    field.press("Tab")
    expect(pickers).to_have_count(0)


def pick_by_typing(scope, label, typed, answer, *, keyboard=False):
    """Type into the search-as-you-type box named `label` and pick the answer named `answer`."""
    box = scope.get_by_role("combobox", name=label, exact=True)
    box.fill(typed)
    results = scope.get_by_role("listbox")
    option = results.get_by_role("option", name=answer, exact=True)
    expect(option).to_be_visible()
    if keyboard:
        box.press("ArrowDown")
        expect(box).to_have_attribute("aria-activedescendant", re.compile(".+"))
        box.press("Enter")
    else:
        option.click()
    expect(results).to_be_hidden()
    expect(scope.get_by_role("button", name=f"Remove {answer}", exact=True)).to_be_visible()


def test_secretariat_records_a_meeting_choosing_people_by_name_and_publishes_it(
    visitor_factory,
):
    from library.models import ResourcePage
    from meetings.models import MeetingIndexPage, MeetingPage
    from network.models import Organisation, Person

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
    due = start + datetime.timedelta(days=30)

    visitor = visitor_factory("journey-admin-meeting")
    page = visitor.page
    server_errors = []
    page.on("response", lambda r: r.status < 500 or server_errors.append((r.status, r.url)))
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

    page.get_by_role("textbox", name="Title").fill(title)
    fill_date_or_time(page.get_by_role("textbox", name="Start date"), start.isoformat())
    fill_date_or_time(page.get_by_role("textbox", name="Start time"), "09:30")
    fill_date_or_time(page.get_by_role("textbox", name="End date"), start.isoformat())
    fill_date_or_time(page.get_by_role("textbox", name="End time"), "17:00")
    page.get_by_role("textbox", name="City").fill("Skopje")
    pick_by_typing(
        page.get_by_role("region", name="Organisers"), "Organisers", "IODP", str(organiser)
    )
    visitor.screenshot("1 meeting with its organiser chosen by typing")

    page.get_by_role("tab", name="Record (members only)").click()
    item = add_row(page, "Agenda item", 1)
    item.get_by_role("textbox", name="Title").fill("Screening at labour inspections")
    choose_person(item, "Presenter", presenter)
    pick_by_typing(item, "Library resources", resource.title, resource.title, keyboard=True)

    for number, person in enumerate([first_participant, second_participant], start=1):
        participant = add_row(page, "Participant", number)
        choose_person(participant, "Person", person)
        participant.get_by_role("combobox", name="Attendance").select_option("attended")

    decision = add_row(page, "Decision", 1)
    decision.get_by_role("spinbutton", name="Number").fill("1")
    decision.get_by_role("textbox", name="Text").fill(
        "The working group adopts the screening checklist."
    )

    action = add_row(page, "Action point", 1)
    action.get_by_role("textbox", name="Description").fill("Circulate the checklist nationally.")
    choose_person(action, "Owner (person)", owner)
    fill_date_or_time(action.get_by_role("textbox", name="Due date"), due.isoformat())
    visitor.screenshot("2 record with people chosen by name")

    # Publish once the autosave has made the new page and says "Saved", as the editor sees it.
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/"))
    expect(page.locator("#w-autosave-indicator")).to_have_attribute(
        "data-w-autosave-state-value", "saved"
    )
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(f"Page '{title}' has been published.")).to_be_visible()
    visitor.screenshot("3 published")

    [meeting] = MeetingPage.objects.filter(title=title)
    assert meeting.live
    assert list(meeting.organisers.all()) == [organiser]
    [item] = meeting.agenda_items.all()
    assert item.presenter == presenter and list(item.resources.all()) == [resource.page_ptr]
    assert [p.person for p in meeting.participants.all()] == [first_participant, second_participant]
    assert [p.attendance for p in meeting.participants.all()] == ["attended", "attended"]
    assert meeting.decisions.get().number == 1
    action = meeting.action_points.get()
    assert (action.owner_person, action.due_date) == (owner, due)
    assert server_errors == []
    assert [
        error for error in visitor.console_errors if not error.startswith(REFUSED_AUTOSAVE)
    ] == []

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
        else:
            expect(reader.page.get_by_text("Circulate the checklist nationally.")).to_have_count(0)
        problems = []
        for width in WIDTHS.values():
            reader.page.set_viewport_size({"width": width, "height": 900})
            problems += [f"{role} at {width} px: {line}" for line in reader.axe_violations()]
        reader.screenshot(f"4 meeting page as {role}")
        assert problems == [], "\n".join(problems)
