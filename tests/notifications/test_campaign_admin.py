"""
The secretariat's freshness campaign pages in the admin: secretariat tier only (a member, and a
secretariat password without the second factor, are refused); start with a preview and a
confirmation that starts one campaign however often it is sent; bad criteria answered with clear
messages and nothing started; who answered and who not; remind once; corrections marked applied;
pages whose query count does not grow with the campaign.
"""

import re
import uuid
from datetime import timedelta

import pytest

from django.urls import reverse
from django.utils import timezone

from notifications import freshness
from notifications.campaigns import CampaignAnswer, CampaignRecipient, FreshnessCampaign
from notifications.models import Delivery
from notifications.tokens import freshness_token
from tests.clients import Client
from tests.conftest import session_reads
from tests.network.factories import CountryFactory, MandateFactory, PersonFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("freshness_campaigns")
START = reverse("freshness_campaign_start")
LONG_AGO = timezone.now() - timedelta(days=800)


def detail(campaign):
    return reverse("freshness_campaign", args=[campaign.pk])


def remind(campaign):
    return reverse("freshness_campaign_remind", args=[campaign.pk])


@pytest.fixture
def albania():
    return CountryFactory(iso_code="AL", name="Albania")


def coordinator(country, **kwargs):
    kwargs.setdefault("last_confirmed", LONG_AGO)
    person = PersonFactory(country=country, **kwargs)
    MandateFactory(person=person, country=country)
    return person


def started(country, by=None):
    campaign, _created = freshness.start_campaign(
        by=by, countries=[country], roles=[], months=0, start_key=uuid.uuid4()
    )
    return campaign


# ------------------------------------------------------------------------------ who may


@pytest.mark.parametrize("url_name", ["index", "start", "detail"])
def test_only_a_secretariat_session_with_its_second_factor_opens_the_campaign_pages(
    albania, url_name
):
    campaign = started(albania)
    url = {"index": INDEX, "start": START, "detail": detail(campaign)}[url_name]

    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]

    member = Client()
    member.force_login(UserFactory(member=True))
    assert member.get(url).status_code in (302, 403)

    half_signed = Client()
    half_signed.force_login(UserFactory(secretariat=True), second_factor=False)
    response = half_signed.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))

    secretariat = Client()
    secretariat.force_login(UserFactory(secretariat=True))
    assert secretariat.get(url).status_code == 200


def test_a_member_cannot_start_or_remind_by_posting(albania):
    coordinator(albania)
    campaign = started(albania)
    client = Client()
    client.force_login(UserFactory(member=True))
    client.post(
        START,
        {"countries": ["AL"], "months": "0", "expected": "1", "start_key": str(uuid.uuid4())},
    )
    client.post(remind(campaign))
    half_signed = Client()
    half_signed.force_login(UserFactory(secretariat=True), second_factor=False)
    half_signed.post(remind(campaign))

    assert FreshnessCampaign.objects.count() == 1
    campaign.refresh_from_db()
    assert campaign.reminded_at is None


def test_the_admin_menu_offers_campaigns_to_the_secretariat(secretariat_client):
    assert INDEX in secretariat_client.get("/admin/").content.decode()


# ------------------------------------------------------------------------------ starting


def test_the_preview_counts_and_lists_who_would_be_asked_and_sends_nothing(
    secretariat_client, albania, mailbox
):
    ana = coordinator(albania, given_name="Ana", family_name="Hoxha")
    coordinator(albania, last_confirmed=timezone.now())  # confirmed lately
    PersonFactory(country=albania, email=False, last_confirmed=None)  # unreachable
    coordinator(CountryFactory(iso_code="RS", name="Serbia"))

    response = secretariat_client.get(
        START, {"countries": "AL", "roles": "national_coordinator", "months": "12"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "1 person would be asked" in html
    assert ana.full_name in html
    assert "Send the request to 1 person" in html
    assert FreshnessCampaign.objects.count() == 0
    assert mailbox.messages == []
    without_role = secretariat_client.get(START, {"countries": "AL", "months": "12"})
    assert "has no email address in the directory and no account" in without_role.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"months": "twelve"}, "The number of months must be a whole number from 0 to 120."),
        ({"months": "-1"}, "The number of months must be a whole number from 0 to 120."),
        ({"months": "121"}, "The number of months must be a whole number from 0 to 120."),
        ({"months": ""}, "Say for how many months an entry has not been confirmed"),
        ({"months": "12", "countries": "ZZ"}, "“ZZ” is not a country of the directory."),
        ({"months": "12", "roles": "king"}, "“king” is not a role of the directory."),
    ],
)
def test_bad_criteria_are_answered_with_a_message_naming_them(
    secretariat_client, albania, query, message
):
    response = secretariat_client.get(START, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Send the request" not in response.content.decode()


def test_confirming_starts_the_campaign_and_sends_each_person_one_request(
    secretariat, secretariat_client, albania, mailbox, django_capture_on_commit_callbacks
):
    people = [coordinator(albania) for _ in range(2)]
    PersonFactory(country=albania, last_confirmed=LONG_AGO, user=UserFactory(), email=False)
    data = {
        "countries": ["AL"],
        "roles": ["national_coordinator"],
        "months": "12",
        "expected": "2",
        "start_key": str(uuid.uuid4()),
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(START, data)
    with django_capture_on_commit_callbacks(execute=True):
        again = secretariat_client.post(START, data)  # the same form, sent twice

    campaign = FreshnessCampaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(campaign)
    assert again["Location"] == detail(campaign)
    assert campaign.started_by == secretariat
    assert [country.iso_code for country in campaign.countries.all()] == ["AL"]
    assert campaign.roles == ["national_coordinator"]
    assert campaign.unconfirmed_months == 12
    assert {r.person for r in campaign.recipients.all()} == set(people)
    assert sorted(m["To"] for m in mailbox.messages) == sorted(
        p.emails.get().address for p in people
    )
    page = secretariat_client.get(detail(campaign)).content.decode()
    assert "Campaign started: 2 people are being asked" in page
    assert "This campaign was already started; nothing was sent again." in page


def test_a_selection_that_changed_since_the_preview_is_shown_again_and_not_started(
    secretariat_client, albania, mailbox
):
    coordinator(albania)
    coordinator(albania)
    data = {"countries": ["AL"], "months": "0", "expected": "1", "start_key": str(uuid.uuid4())}

    response = secretariat_client.post(START, data)

    assert response.status_code == 409
    html = response.content.decode()
    assert "2 people match now, not 1" in html
    assert "Send the request to 2 people" in html
    assert FreshnessCampaign.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"countries": ["AL"], "months": "0"}, "The confirmation is incomplete"),
        (
            {"countries": ["AL"], "months": "0", "expected": "1", "start_key": "nope"},
            "The confirmation is incomplete",
        ),
        (
            {"countries": ["QQ"], "months": "0", "expected": "1", "start_key": str(uuid.uuid4())},
            "“QQ” is not a country of the directory.",
        ),
        (
            {"countries": ["AL"], "months": "x", "expected": "1", "start_key": str(uuid.uuid4())},
            "The number of months must be a whole number from 0 to 120.",
        ),
    ],
)
def test_a_bad_confirmation_starts_nothing_and_says_why(
    secretariat_client, albania, mailbox, data, message
):
    coordinator(albania)
    response = secretariat_client.post(START, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert FreshnessCampaign.objects.count() == 0
    assert mailbox.messages == []


def test_a_selection_matching_nobody_cannot_be_started(secretariat_client, albania, mailbox):
    preview = secretariat_client.get(START, {"countries": "AL", "months": "0"})
    assert "there is nobody to ask" in preview.content.decode()
    assert "Send the request" not in preview.content.decode()
    response = secretariat_client.post(
        START,
        {"countries": ["AL"], "months": "0", "expected": "0", "start_key": str(uuid.uuid4())},
    )
    assert response.status_code == 400
    assert FreshnessCampaign.objects.count() == 0


# ------------------------------------------------------------------------------ following up


@pytest.fixture
def campaign_with_answers(albania, mailbox, django_capture_on_commit_callbacks):
    confirmed = coordinator(albania, given_name="Confirmed")
    corrected = coordinator(albania, given_name="Corrected")
    coordinator(albania, given_name="Silent")
    with django_capture_on_commit_callbacks(execute=True):
        campaign = started(albania)
    freshness.confirm(campaign.recipients.get(person=confirmed))
    freshness.correct(campaign.recipients.get(person=corrected), "New phone: +355 4 000 1111")
    mailbox.messages.clear()
    return campaign


def test_the_campaign_page_shows_who_answered_and_who_not(
    secretariat_client, campaign_with_answers
):
    html = secretariat_client.get(detail(campaign_with_answers)).content.decode()
    assert "2 of 3" in html
    assert "Still correct" in html
    assert "Correction to apply" in html
    assert "New phone: +355 4 000 1111" in html
    assert "No answer" in html

    unanswered = secretariat_client.get(detail(campaign_with_answers), {"state": "unanswered"})
    text = unanswered.content.decode()
    assert "Silent" in text
    assert "Confirmed" not in text.split("People asked")[-1]

    answered = secretariat_client.get(
        detail(campaign_with_answers), {"state": "answered"}
    ).content.decode()
    assert "Silent" not in answered.split("People asked")[-1]


def test_an_unknown_state_filter_is_a_clear_400(secretariat_client, campaign_with_answers):
    response = secretariat_client.get(detail(campaign_with_answers), {"state": "<b>bogus</b>"})
    assert response.status_code == 400
    assert "is not a state of a campaign" in response.content.decode()
    assert "<b>bogus</b>" not in response.content.decode()


def test_remind_once_then_a_second_reminder_is_refused_with_a_message(
    secretariat_client, campaign_with_answers, mailbox, django_capture_on_commit_callbacks
):
    url = detail(campaign_with_answers)
    assert "Remind 1 person who has not answered, once" in (
        secretariat_client.get(url).content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = secretariat_client.post(remind(campaign_with_answers))
    with django_capture_on_commit_callbacks(execute=True):
        second = secretariat_client.post(remind(campaign_with_answers))

    assert first.status_code == second.status_code == 302
    assert [m["Subject"] for m in mailbox.messages] == [
        "Reminder: is your directory entry still correct?"
    ]
    html = secretariat_client.get(url).content.decode()
    assert "a campaign reminds its people once" in html
    assert "Requested on" in html
    assert Delivery.objects.filter(kind=Delivery.Kind.FRESHNESS_REMINDER).count() == 1


def test_reminding_is_a_post_only_action(secretariat_client, campaign_with_answers):
    assert secretariat_client.get(remind(campaign_with_answers)).status_code == 405
    campaign_with_answers.refresh_from_db()
    assert campaign_with_answers.reminded_at is None


def applied_urls(html):
    """The "Mark as applied" buttons' addresses on a campaign's page."""
    return re.findall(r'action="([^"]+/applied/)"', html)


def test_a_correction_is_marked_applied_once(secretariat_client, campaign_with_answers):
    [url] = applied_urls(secretariat_client.get(detail(campaign_with_answers)).content.decode())

    secretariat_client.post(url)
    second = secretariat_client.post(url, follow=True)

    [correction] = CampaignAnswer.objects.filter(answer=CampaignRecipient.Answer.CORRECTED)
    assert correction.applied_at is not None
    assert "There is no correction to apply" in second.content.decode()
    assert "Correction applied" in second.content.decode()
    assert applied_urls(second.content.decode()) == []
    confirmation = CampaignAnswer.objects.get(answer=CampaignRecipient.Answer.CONFIRMED)
    other = reverse("freshness_campaign_applied", args=[campaign_with_answers.pk, confirmation.pk])
    assert secretariat_client.post(other).status_code == 302
    confirmation.refresh_from_db()
    assert confirmation.applied_at is None


def test_a_correction_of_another_campaign_cannot_be_marked_from_this_one(
    secretariat_client, campaign_with_answers, albania
):
    correction = CampaignAnswer.objects.get(answer=CampaignRecipient.Answer.CORRECTED)
    other_campaign = started(albania)
    url = reverse("freshness_campaign_applied", args=[other_campaign.pk, correction.pk])
    assert secretariat_client.post(url).status_code == 404
    correction.refresh_from_db()
    assert correction.applied_at is None


def test_every_answer_stays_on_the_campaign_page_and_each_correction_is_applied_apart(
    secretariat_client, albania
):
    """Answers through a link are added, never overwritten: a correction followed by "still
    correct" is still there to apply, and a correction sent after one was applied is a new
    one to apply, while the applied one stays applied."""
    asked = coordinator(albania, given_name="Asked")
    campaign = started(albania)
    link = Client()
    url = reverse("network:freshness_answer", args=[freshness_token(campaign.pk, asked.pk)])

    link.post(url, {"action": "correct", "note": "First: new phone +355 4 000 1111."})
    link.post(url, {"action": "confirm"})
    html = secretariat_client.get(detail(campaign)).content.decode()
    assert "First: new phone +355 4 000 1111." in html
    [first_applied] = applied_urls(html)
    assert freshness.campaigns_with_counts().get(pk=campaign.pk).to_apply == 1

    secretariat_client.post(first_applied)
    link.post(url, {"action": "correct", "note": "Second: new title."})
    html = secretariat_client.get(detail(campaign)).content.decode()

    assert "First: new phone +355 4 000 1111." in html
    assert "Second: new title." in html
    assert "Correction applied" in html
    assert len(applied_urls(html)) == 1
    assert applied_urls(html) != [first_applied]
    assert freshness.campaigns_with_counts().get(pk=campaign.pk).to_apply == 1
    corrections = secretariat_client.get(detail(campaign), {"state": "corrections"})
    assert "Asked" in corrections.content.decode().split("People asked")[-1]


def test_the_campaign_list_shows_each_campaigns_numbers(secretariat_client, campaign_with_answers):
    html = secretariat_client.get(INDEX).content.decode()
    assert detail(campaign_with_answers) in html
    assert str(campaign_with_answers) in html


# ------------------------------------------------------------------------------ query counts


@pytest.mark.parametrize("count", [3, 30])
def test_the_campaign_page_query_count_does_not_grow_with_its_people(
    secretariat_client, django_assert_num_queries, albania, count
):
    for _ in range(count):
        coordinator(albania)
    campaign = started(albania)
    for recipient in campaign.recipients.all()[: count // 3]:
        freshness.correct(recipient, "Changed.")
        freshness.confirm(recipient)
        freshness.correct(recipient, "Changed again.")
    secretariat_client.get(detail(campaign))
    with django_assert_num_queries(CAMPAIGN_PAGE_QUERIES + session_reads()):
        secretariat_client.get(detail(campaign))


@pytest.mark.parametrize("count", [2, 12])
def test_the_campaign_list_query_count_does_not_grow_with_campaigns(
    secretariat_client, django_assert_num_queries, albania, count
):
    coordinator(albania)
    for _ in range(count):
        started(albania)
    secretariat_client.get(INDEX)
    with django_assert_num_queries(CAMPAIGN_LIST_QUERIES + session_reads()):
        secretariat_client.get(INDEX)


@pytest.mark.parametrize("count", [3, 30])
def test_the_preview_query_count_does_not_grow_with_the_people_matched(
    secretariat_client, django_assert_num_queries, albania, count
):
    for _ in range(count):
        coordinator(albania)
    query = {"countries": "AL", "months": "12"}
    secretariat_client.get(START, query)
    with django_assert_num_queries(PREVIEW_QUERIES + session_reads()):
        secretariat_client.get(START, query)


# Without the session's read (see session_reads). The campaign page reads every answer of its
# page's people in one query.
CAMPAIGN_PAGE_QUERIES = 15
CAMPAIGN_LIST_QUERIES = 11
PREVIEW_QUERIES = 14


def test_messages_sent_lists_a_campaigns_messages_with_the_person_and_address(
    secretariat_client, albania, mailbox, django_capture_on_commit_callbacks
):
    coordinator(albania, given_name="Ledger", email="ledger@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        started(albania)
    delivery = Delivery.objects.get()

    listing = secretariat_client.get(reverse("deliveries:index")).content.decode()
    detail_page = secretariat_client.get(reverse("deliveries:inspect", args=[delivery.pk]))

    assert "ledger@example.org" in listing
    assert "Ledger" in listing
    assert "Freshness campaign: confirm or correct" in listing
    assert "ledger@example.org" in detail_page.content.decode()
