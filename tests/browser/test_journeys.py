"""
What the network's people do, done in a real browser under the portal's own Content Security
Policy (so a script the policy refuses shows up as a console error and fails the journey). Each
step is photographed at 1280 and 375 px wide.
"""

import re

from playwright.sync_api import expect

from tests.browser.conftest import LIVE_DATABASE, MEMBER_EMAIL, SECRETARIAT_EMAIL
from tests.portal.factories import PASSWORD

pytestmark = LIVE_DATABASE


def assert_no_console_errors(visitor):
    assert visitor.console_errors == [], visitor.console_errors


def test_member_updates_their_directory_entry_and_confirms_it(visitor_factory):
    from network.models import Person

    person = Person.objects.get(user__email=MEMBER_EMAIL)
    confirmed_before = person.last_confirmed
    visitor = visitor_factory("journey-directory-member")
    page = visitor.page

    visitor.sign_in(MEMBER_EMAIL)
    asks_to_confirm = page.get_by_role("heading", name="Your directory entry needs confirming")
    expect(asks_to_confirm).to_be_visible()
    visitor.screenshot("1 home asks to confirm")

    page.get_by_role("link", name="My directory entry").click()
    expect(page.get_by_role("heading", name="Edit your directory entry")).to_be_visible()
    page.get_by_role("textbox", name="Phone numbers").fill("+381 11 555 0199")
    page.get_by_role("textbox", name="Biography").fill(
        "National coordinator since 2021; leads the referral working group."
    )
    visitor.screenshot("2 editing the entry")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Your directory entry has been saved.")).to_be_visible()
    expect(page.get_by_text("+381 11 555 0199")).to_be_visible()
    expect(page.get_by_text("leads the referral working group")).to_be_visible()
    visitor.screenshot("3 entry saved")

    page.get_by_role("button", name="Confirm my entry is current").click()
    expect(page.get_by_text("Thank you: your entry is confirmed as current.")).to_be_visible()
    visitor.screenshot("4 entry confirmed")

    person.refresh_from_db()
    assert person.last_confirmed is not None and person.last_confirmed != confirmed_before
    assert person.biography.startswith("National coordinator since 2021")
    page.goto("/")
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    expect(asks_to_confirm).to_have_count(0)
    assert_no_console_errors(visitor)


def test_visitor_filters_the_library_opens_a_resource_and_downloads_its_file(visitor_factory):
    from django.contrib.auth.models import AnonymousUser

    from library.models import ResourcePage
    from meetings.models import AgendaItem

    anonymous = AnonymousUser()
    agenda_papers = AgendaItem.documents.through.objects.values("librarydocument")
    resource = (
        ResourcePage.objects.visible_to(anonymous)
        .current_for(anonymous)
        .filter(countries__isnull=False, attachments__isnull=False)
        .filter(attachments__document__file__iendswith=".pdf")
        # A file that is also a members-only meeting's agenda paper is refused to visitors by
        # the meetings' download guard, whatever the library says (reported as a defect).
        .exclude(attachments__document__in=agenda_papers)
        .order_by("pk")
        .first()
    )
    assert resource is not None, "the demo network has no public resource with a PDF"
    country = resource.countries.order_by("name").first()
    type_label = str(resource.get_resource_type_display())
    visitor = visitor_factory("journey-library-visitor")
    page = visitor.page

    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    visitor.screenshot("1 library")

    filters = page.get_by_role("complementary", name="Filters")
    filters.get_by_role("link", name=country.name, exact=True).click()
    expect(page).to_have_url(re.compile(rf"country={country.iso_code}"))
    filters = page.get_by_role("complementary", name="Filters")
    filters.get_by_role("link", name=type_label, exact=True).click()
    expect(page).to_have_url(re.compile(rf"type={resource.resource_type}"))
    expect(page).to_have_url(re.compile(rf"country={country.iso_code}"))
    results = page.get_by_role("region", name=re.compile(r"\d+ resources?"))
    expect(results.get_by_role("link", name=resource.title, exact=True)).to_be_visible()
    visitor.screenshot("2 filtered by country and type")

    results.get_by_role("link", name=resource.title, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=resource.title)).to_be_visible()
    visitor.screenshot("3 the resource")

    files = page.get_by_role("region", name="Files")
    with page.expect_download() as download_info:
        files.get_by_role("link").first.click(modifiers=["Alt"])  # Alt+click: save the link
    download = download_info.value
    assert download.suggested_filename.lower().endswith(".pdf")
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read(5) == b"%PDF-"
    assert_no_console_errors(visitor)


SECRET_PHRASE = "cobalt harbour handover"


def test_member_finds_a_phrase_inside_a_members_only_pdf_and_registers_for_a_meeting(
    visitor_factory,
):
    from meetings.models import MeetingPage, Registration
    from network.models import Person
    from tests.library.factories import document, pdf_bytes, resource

    pdf = pdf_bytes((f"Annex 3: the {SECRET_PHRASE} checklist for border police.",))
    members_only = resource(
        "Border police annex on night-time referrals",
        audience="members",
        attachments=[document("border-annex.pdf", pdf, title="Border police annex")],
    )
    meeting = (
        MeetingPage.objects.live()
        .upcoming()
        .filter(cancelled=False, audience="public")
        .order_by("start_date")
        .first()
    )
    assert meeting is not None and meeting.accepts_registrations
    person = Person.objects.get(user__email=MEMBER_EMAIL)

    # Nobody signed in finds it: the phrase exists only in the members-only file.
    anonymous = visitor_factory("journey-search-anonymous")
    anonymous.page.goto(f'/search/?q="{SECRET_PHRASE}"')
    expect(anonymous.page.get_by_role("link", name=members_only.title)).to_have_count(0)

    visitor = visitor_factory("journey-search-member")
    page = visitor.page
    visitor.sign_in(MEMBER_EMAIL)
    search_box = page.get_by_role("combobox", name="Search the portal")  # in every page's header
    search_box.fill(f'"{SECRET_PHRASE}"')
    search_box.press("Enter")
    result = page.get_by_role("link", name=members_only.title, exact=True)
    expect(result).to_be_visible()
    expect(page.locator("mark").first).to_be_visible()
    visitor.screenshot("1 search finds the members-only file")

    result.click()
    expect(page.get_by_role("heading", level=1, name=members_only.title)).to_be_visible()
    expect(page.locator("article[data-audience=members]")).to_have_count(1)
    visitor.screenshot("2 the members-only resource")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    page.get_by_role("link", name=meeting.title, exact=True).first.click()
    expect(page.get_by_role("heading", level=1, name=meeting.title)).to_be_visible()
    page.get_by_label("Your answer").select_option("registered")
    visitor.screenshot("3 answering the invitation")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Your answer is recorded.")).to_be_visible()
    assert Registration.objects.get(meeting=meeting, person=person).status == "registered"
    visitor.screenshot("4 registered")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    with open(download.path(), encoding="utf-8") as calendar:
        text = calendar.read()
    assert text.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in text
    assert meeting.title.split(",")[0] in text.replace("\r\n ", "")
    assert_no_console_errors(visitor)


def is_autosave(response):
    return response.request.method == "POST" and bool(
        re.search(r"/admin/pages/(add/library/resourcepage/\d+|\d+/edit)/$", response.url)
    )


def autosave_holding_the_first_attachment(response):
    return is_autosave(response) and "attachments-0-id" in response.json().get("field_updates", {})


def refusal(response):
    """What a refused request was, read before the page moves on (its body goes with the page)."""
    return {
        "url": response.url,
        "status": response.status,
        # An autosave while a new attachment row has no file yet: the editor pauses until it has.
        "unfinished_form": is_autosave(response)
        and response.status == 400
        and response.json().get("error_code") == "validation_error",
    }


def test_secretariat_signs_in_with_a_second_factor_and_publishes_a_resource_with_a_file(
    visitor_factory, tmp_path
):
    from allauth.mfa.totp.internal.auth import TOTP

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from library.models import LibraryIndexPage, ResourcePage
    from tests.library.factories import pdf_bytes
    from tests.portal.factories import TOTP_SECRET
    from tests.portal.test_accounts import totp

    TOTP.activate(get_user_model().objects.get(email=SECRETARIAT_EMAIL), TOTP_SECRET)
    library = LibraryIndexPage.objects.get()
    handbook = tmp_path / "saffron-lantern-drill.pdf"
    handbook.write_bytes(pdf_bytes(("The quarterly saffron lantern drill for labour inspectors.",)))
    title = "Saffron lantern drill handbook"
    visitor = visitor_factory("journey-admin-secretariat")
    page = visitor.page

    page.goto("/accounts/login/?next=/admin/")
    page.get_by_label(re.compile("email", re.I)).first.fill(SECRETARIAT_EMAIL)
    page.get_by_label(re.compile("password", re.I)).first.fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Code").fill(totp(TOTP_SECRET))
    visitor.screenshot("1 second factor")
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    # Wagtail's editor notes the form as it stands two seconds after it opens, and autosaves
    # whatever differs from that. An editor is slower than that; this one waits for the note.
    page.add_init_script(
        "document.addEventListener('w-unsaved:watch-edits', () => {"
        " document.documentElement.dataset.editsWatched = 'yes'; });"
    )
    refused = []
    page.on("response", lambda response: response.status < 400 or refused.append(refusal(response)))
    page.goto(f"/admin/pages/add/library/resourcepage/{library.pk}/")
    expect(page.locator("html")).to_have_attribute("data-edits-watched", "yes")
    page.locator("#id_title").fill(title)
    page.locator("#id_summary").fill("How labour inspectors rehearse a referral, step by step.")
    page.locator("#id_resource_type").select_option("training")
    page.locator("#id_audience").select_option("public")
    page.locator("#id_published").fill(timezone.localdate().isoformat())
    page.locator("#id_attachments-ADD").click()
    page.locator("#inline_child_attachments-0 [data-chooser-action-choose]").first.click()
    chooser = page.get_by_role("dialog")
    chooser.get_by_role("tab", name="Upload").click()
    chooser.locator("input[type=file]").set_input_files(str(handbook))
    chooser.locator("#id_document-chooser-upload-title").fill(f"{title} (PDF)")
    # The editor autosaves the new page as a draft, then edits it in place (the address becomes
    # the edit view's). Publish once the autosave that holds the file is done, as an editor who
    # sees "Changes have been autosaved" would: publishing from the create form while its first
    # autosave is still in flight would create the page a second time.
    with page.expect_response(autosave_holding_the_first_attachment):
        chooser.locator("form[data-chooser-modal-creation-form] button[type=submit]").click()
        expect(chooser).to_be_hidden()
        expect(page.locator("#id_attachments-0-document-title")).to_contain_text(title)
    expect(page.locator("#w-autosave-indicator")).to_have_attribute(
        "data-w-autosave-state-value", "saved"
    )
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/"))
    visitor.screenshot("2 resource with its file in the editor")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(f"Page '{title}' has been published.")).to_be_visible()
    visitor.screenshot("3 published")
    resource = ResourcePage.objects.get(title=title)
    assert resource.live and resource.attachments.count() == 1
    # No script error, no blocked request (such as an avatar from another site), and no refused
    # request but the autosaves of the unfinished form, which the browser logs as errors too.
    assert [refusal for refusal in refused if not refusal["unfinished_form"]] == []
    logged_refusal = "Failed to load resource: the server responded with a status of 400"
    assert [error for error in visitor.console_errors if not error.startswith(logged_refusal)] == []

    page.goto("/library/")  # newest first: today's resource leads the listing
    expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    visitor.screenshot("4 in the library")
    search_box = page.get_by_role("combobox", name="Search the portal")
    search_box.fill("saffron lantern drill")  # words from the title and from inside the PDF
    search_box.press("Enter")
    expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    visitor.screenshot("5 in search")
