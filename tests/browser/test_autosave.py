"""
Publishing at once after typing, in a real browser: Wagtail's editor autosaves a new page as soon
as the editor types its title, and the editor clicks Publish while that first autosave is still
in flight (its answer, which moves the form to the edit view, is not back). One page is created
and published, and nothing answers 500, whichever of the two requests the server sees first.

The moment is held, not hoped for: the browser's autosave request is caught on its way (by
Playwright's routing) and either answered by the server but kept from the page, or kept from the
server until the Publish is done and then sent as the browser sent it.
"""

import re

from playwright.sync_api import expect

from tests.browser.conftest import LIVE_DATABASE, SECRETARIAT_EMAIL
from tests.portal.factories import PASSWORD

pytestmark = LIVE_DATABASE

TITLE = "Statement on accessibility"
FIRST_WORDS = "Statement on"


def is_autosave(request):
    return request.method == "POST" and "application/json" in request.headers.get("accept", "")


def sign_in_with_second_factor(page):
    from allauth.mfa.totp.internal.auth import TOTP

    from django.contrib.auth import get_user_model

    from tests.portal.factories import TOTP_SECRET
    from tests.portal.test_accounts import totp

    TOTP.activate(get_user_model().objects.get(email=SECRETARIAT_EMAIL), TOTP_SECRET)
    page.goto("/accounts/login/?next=/admin/")
    page.get_by_label(re.compile("email", re.I)).first.fill(SECRETARIAT_EMAIL)
    page.get_by_label(re.compile("password", re.I)).first.fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Code").fill(totp(TOTP_SECRET))
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def open_create_form(visitor):
    """The new standard page form under the home page, once the editor watches for edits."""
    from portal.models import HomePage

    page = visitor.page
    sign_in_with_second_factor(page)
    # Wagtail's editor notes the form as it stands two seconds after it opens, and autosaves
    # whatever differs from that; the editor types once it has.
    page.add_init_script(
        "document.addEventListener('w-unsaved:watch-edits', () => {"
        " document.documentElement.dataset.editsWatched = 'yes'; });"
    )
    server_errors = []
    page.on("response", lambda r: r.status < 500 or server_errors.append((r.status, r.url)))
    page.goto(f"/admin/pages/add/portal/standardpage/{HomePage.objects.get().pk}/")
    expect(page.locator("html")).to_have_attribute("data-edits-watched", "yes")
    return server_errors


def mark_in_page(page, name):
    """A sign in the page that the test's routing has done something (Playwright's expect waits
    for it, and handles the routing meanwhile)."""
    page.evaluate(f"document.documentElement.dataset.{name} = 'yes'")


def publish(page):
    """Publish from the form; the confirmation the explorer shows."""
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    confirmation = page.get_by_text(re.compile(f"Page '{TITLE}' (has been|created and) published"))
    expect(confirmation).to_be_visible()
    return confirmation.inner_text().strip()


def assert_one_live_page():
    from portal.models import StandardPage

    pages = list(StandardPage.objects.filter(title__startswith=FIRST_WORDS))
    assert len(pages) == 1, pages
    assert pages[0].title == TITLE
    assert pages[0].live and not pages[0].has_unpublished_changes


def test_publish_while_the_first_autosave_answer_is_on_its_way_publishes_one_page(
    visitor_factory,
):
    visitor = visitor_factory("autosave-answer-on-its-way")
    page = visitor.page
    server_errors = open_create_form(visitor)
    held = []

    def answered_but_held(route):
        if not is_autosave(route.request):
            route.fallback()
            return
        held.append(route.fetch())  # the server has created the page as a draft
        mark_in_page(page, "autosaveAnswered")

    page.route("**/admin/pages/add/**", answered_but_held)
    title = page.locator("#id_title")
    title.press_sequentially(FIRST_WORDS)  # typed: the slug follows the title
    expect(page.locator("html")).to_have_attribute("data-autosave-answered", "yes")
    assert held[0].status == 200 and held[0].json()["success"], held[0].text()
    # The editor typed on meanwhile, and publishes at once: the form still posts to the create
    # view, with another title and so another slug.
    title.press_sequentially(TITLE.removeprefix(FIRST_WORDS))
    expect(page.locator("#id_slug")).to_have_value("statement-on-accessibility")
    expect(page).to_have_url(re.compile(r"/admin/pages/add/"))

    confirmation = publish(page)
    visitor.screenshot("published at once after typing")

    assert_one_live_page()
    assert "has been published." in confirmation  # the page the autosave created
    assert server_errors == []


def test_publish_before_the_first_autosave_reaches_the_server_publishes_one_page(
    visitor_factory,
):
    visitor = visitor_factory("autosave-reaches-server-last")
    page = visitor.page
    server_errors = open_create_form(visitor)
    held = []

    def kept_from_the_server(route):
        if not is_autosave(route.request):
            route.fallback()
            return
        held.append(route.request)
        mark_in_page(page, "autosaveSent")

    page.route("**/admin/pages/add/**", kept_from_the_server)
    page.locator("#id_title").press_sequentially(TITLE)
    expect(page.locator("html")).to_have_attribute("data-autosave-sent", "yes")

    assert "created and published." in publish(page)
    # The autosave reaches the server now, as the browser sent it.
    autosave = held[0]
    late = visitor.context.request.post(
        autosave.url,
        headers={
            name: value
            for name, value in autosave.headers.items()
            if name in ("accept", "content-type", "x-csrftoken")
        },
        data=autosave.post_data_buffer,
    )

    assert late.status == 400 and late.json()["error_code"] == "invalid_revision"
    assert_one_live_page()
    assert server_errors == []
