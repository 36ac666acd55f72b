"""
What the network's people do, done in a real browser under the portal's own Content Security
Policy (so a script the policy refuses shows up as a console error and fails the journey). Each
step is photographed at 1280 and 375 px wide.
"""

import re

from playwright.sync_api import expect

from tests.browser.conftest import LIVE_DATABASE, MEMBER_EMAIL

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
