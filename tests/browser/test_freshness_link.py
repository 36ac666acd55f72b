"""
A freshness campaign's link in a real browser, under the portal's Content Security Policy: a
person without an account opens the link from their email, is told clearly what a correction
needs, sends one, and another person confirms theirs; the page passes axe.
"""

import re
import uuid

from playwright.sync_api import expect

from django.core import mail

from tests.browser.conftest import LIVE_DATABASE

pytestmark = LIVE_DATABASE


def emailed_link(address):
    """The path of the confirm-or-correct link in the request sent to `address`."""
    [message] = [message for message in mail.outbox if message.to == [address]]
    return re.search(r"https?://[^/\s]+(/network/confirm/[^/\s]+/)", message.body)[1]


def test_people_without_an_account_correct_and_confirm_their_entries_from_the_email(
    visitor_factory,
):
    from django.db import connection

    from network.models import Person
    from notifications import freshness

    without_account = list(
        Person.objects.filter(is_active=True, user__isnull=True, emails__isnull=False)
        .select_related("country")
        .distinct()[:2]
    )
    assert len(without_account) == 2, "the demo network has people without an account"
    correcting, confirming = without_account
    mail.outbox.clear()
    campaign, _created = freshness.start_campaign(
        by=None,
        countries=[correcting.country, confirming.country],
        roles=[],
        months=0,
        start_key=uuid.uuid4(),
    )
    links = {person.pk: emailed_link(freshness.address_of(person)) for person in without_account}
    connection.close()  # the live server's thread uses its own

    visitor = visitor_factory("freshness-link-correct", bypass_csp=False)
    page = visitor.page
    visitor.goto(links[correcting.pk])
    expect(
        page.get_by_role("heading", name="Is your directory entry still correct?")
    ).to_be_visible()
    expect(page.get_by_text(correcting.full_name)).to_be_visible()
    visitor.screenshot("1 the link opens the entry")
    page.get_by_role("button", name="Send the correction").click()
    expect(page.get_by_text("Say what has changed")).to_be_visible()
    page.get_by_role("textbox", name="What has changed?").fill("I now work at the Ombudsman.")
    page.get_by_role("button", name="Send the correction").click()
    expect(page.get_by_text("the secretariat has your correction")).to_be_visible()
    visitor.screenshot("2 correction sent")
    # The empty correction was answered 400 (bad input), which the browser logs; nothing else.
    unexpected = [error for error in visitor.console_errors if "status of 400" not in error]
    assert unexpected == [], unexpected

    other = visitor_factory("freshness-link-confirm", bypass_csp=True)
    other.goto(links[confirming.pk])
    assert other.axe_violations() == []
    other.page.get_by_role("button", name="Still correct").click()
    expect(other.page.get_by_text("your directory entry is confirmed as current")).to_be_visible()
    other.screenshot("3 entry confirmed")

    recipients = {r.person_id: r for r in campaign.recipients.all()}
    [correction] = recipients[correcting.pk].answers.all()
    assert correction.note == "I now work at the Ombudsman."
    assert recipients[confirming.pk].answer == "confirmed"
    confirming.refresh_from_db()
    assert confirming.last_confirmed is not None
    connection.close()
