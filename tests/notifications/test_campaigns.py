"""
Freshness campaigns: whom a selection asks (people without an account included), one request per
person and campaign through the ledger however often the sending runs, one reminder to those who
have not answered, and the signed confirm-or-correct page the email leads to (own entry only,
no sign-in, never cached or indexed, CSRF-protected, a clear answer for a bad or old link). Its
answers are added, never rewritten, a link takes a bounded number of them, and a confirmation
through it is the link's, never credited to whoever is signed in.
"""

import datetime
import re
import uuid
from datetime import timedelta

import pytest

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from wagtail.models import ModelLogEntry

from network.models import Mandate, PersonEmail
from notifications import freshness
from notifications.campaigns import CampaignRecipient, FreshnessCampaign
from notifications.models import Delivery
from notifications.tasks import send_freshness_campaign, send_freshness_reminders
from notifications.tokens import FRESHNESS_MAX_AGE, FRESHNESS_SALT, freshness_token
from tests.clients import Client
from tests.network.factories import CountryFactory, MandateFactory, PersonFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - timedelta(days=800)


def person(country, role=Mandate.Role.NATIONAL_COORDINATOR, **kwargs):
    """An active person of `country` holding `role` now, not confirmed for two years."""
    kwargs.setdefault("last_confirmed", LONG_AGO)
    someone = PersonFactory(country=country, **kwargs)
    if role:
        MandateFactory(person=someone, role=role, country=country)
    return someone


def start(countries=(), roles=(), months=0, by=None):
    campaign, created = freshness.start_campaign(
        by=by, countries=list(countries), roles=list(roles), months=months, start_key=uuid.uuid4()
    )
    assert created
    return campaign


def answer_url(message):
    """The confirm-or-correct link in an email's plain text, as a path."""
    text = message.get_body(("plain",)).get_content()
    [url] = re.findall(r"http://testserver(/network/confirm/[^/\s]+/)", text)
    return url


@pytest.fixture
def albania():
    return CountryFactory(iso_code="AL", name="Albania")


@pytest.fixture
def serbia():
    return CountryFactory(iso_code="RS", name="Serbia")


# ------------------------------------------------------------------------------ selection


def test_a_campaign_asks_active_people_of_the_chosen_countries_and_roles_not_confirmed_lately(
    albania, serbia
):
    asked = person(albania, email="asked@example.org")
    deputy = person(albania, role=Mandate.Role.DEPUTY_COORDINATOR)
    person(serbia)  # another country
    person(albania, role=Mandate.Role.OBSERVER)  # another role
    person(albania, last_confirmed=timezone.now() - timedelta(days=200))  # confirmed lately
    person(albania, is_active=False)  # left the directory
    never = person(albania, last_confirmed=None)
    ended = person(albania, role=None)
    MandateFactory(
        person=ended,
        country=albania,
        start=datetime.date(2015, 1, 1),
        end=datetime.date(2016, 1, 1),
    )  # held the role once, not now

    chosen = freshness.matching_people(
        [albania],
        [Mandate.Role.NATIONAL_COORDINATOR, Mandate.Role.DEPUTY_COORDINATOR],
        months=12,
    )

    assert set(chosen) == {asked, deputy, never}


def test_no_country_or_role_chosen_means_all_and_zero_months_means_whenever_confirmed(
    albania, serbia
):
    everyone = {
        person(albania),
        person(serbia, role=Mandate.Role.OBSERVER),
        person(serbia, role=None, last_confirmed=timezone.now()),
    }
    assert set(freshness.matching_people((), (), 0)) == everyone


def test_people_without_an_account_are_asked_and_unreachable_people_are_counted_apart(albania):
    without_account = person(albania)
    account_only = person(albania, email=False, user=UserFactory(member=True))
    unreachable = person(albania, email=False)

    count, first, not_reachable = freshness.preview([albania], [], 12)

    assert without_account.user is None
    assert count == 2
    assert set(first) == {without_account, account_only}
    assert unreachable not in first
    assert not_reachable == 1


def test_months_are_calendar_months_and_the_31st_becomes_the_last_day():
    moment = timezone.make_aware(datetime.datetime(2025, 3, 31, 12, 0))
    assert freshness.months_before(moment, 1).date() == datetime.date(2025, 2, 28)
    assert freshness.months_before(moment, 13).date() == datetime.date(2024, 2, 29)
    assert freshness.months_before(moment, 0) == moment


def test_the_months_boundary_asks_those_confirmed_before_it_and_not_after(albania):
    now = timezone.now()
    threshold = freshness.months_before(now, 6)
    before = person(albania, last_confirmed=threshold - timedelta(hours=1))
    person(albania, last_confirmed=threshold + timedelta(hours=1))
    assert list(freshness.matching_people([albania], [], 6, now=now)) == [before]


# ------------------------------------------------------------------------------ sending


def test_each_person_gets_one_request_at_their_directory_address_without_an_account(
    albania, mailbox, django_capture_on_commit_callbacks
):
    ana = person(albania, email="ana@example.org")
    with_account = person(albania, email=False, user=UserFactory(email="bo@example.org"))

    with django_capture_on_commit_callbacks(execute=True):
        campaign = start([albania])

    assert sorted(message["To"] for message in mailbox.messages) == [
        "ana@example.org",
        "bo@example.org",
    ]
    rows = Delivery.objects.filter(kind=Delivery.Kind.FRESHNESS)
    assert {row.person_id for row in rows} == {ana.pk, with_account.pk}
    assert all(row.recipient_id is None for row in rows)
    assert {row.event_key for row in rows} == {f"campaign:{campaign.pk}"}
    assert {row.status for row in rows} == {Delivery.Status.SENT}
    assert {row.address for row in rows} == {"ana@example.org", "bo@example.org"}
    recipient = campaign.recipients.get(person=ana)
    assert recipient.message.status == Delivery.Status.SENT
    assert recipient.message.sent_at is not None


def test_running_the_campaigns_sending_twice_sends_each_person_one_message(
    albania, mailbox, django_capture_on_commit_callbacks
):
    people = [person(albania) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        campaign = start([albania])
    with django_capture_on_commit_callbacks(execute=True):
        send_freshness_campaign.delay(campaign.pk)
        send_freshness_campaign.delay(campaign.pk)

    assert len(mailbox.messages) == 3
    assert Delivery.objects.filter(kind=Delivery.Kind.FRESHNESS).count() == 3
    for someone in people:
        assert len(mailbox.to(someone.emails.get().address)) == 1


def test_a_second_campaign_asks_again_and_the_ledger_keeps_them_apart(
    albania, mailbox, django_capture_on_commit_callbacks
):
    someone = person(albania)
    with django_capture_on_commit_callbacks(execute=True):
        first, second = start([albania]), start([albania])

    assert len(mailbox.to(someone.emails.get().address)) == 2
    assert set(Delivery.objects.values_list("event_key", flat=True)) == {
        first.event_key,
        second.event_key,
    }


def test_the_same_confirmation_sent_twice_starts_one_campaign(
    albania, mailbox, django_capture_on_commit_callbacks
):
    person(albania)
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        first, created = freshness.start_campaign(
            by=None, countries=[albania], roles=[], months=0, start_key=key
        )
        again, created_again = freshness.start_campaign(
            by=None, countries=[albania], roles=[], months=0, start_key=key
        )

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert FreshnessCampaign.objects.count() == 1
    assert len(mailbox.messages) == 1


def test_the_ledger_and_the_campaign_refuse_a_second_row_for_the_same_person(albania):
    someone = person(albania)
    campaign = start([albania])
    Delivery.objects.create(person=someone, kind="freshness", event_key=campaign.event_key)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(person=someone, kind="freshness", event_key=campaign.event_key)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignRecipient.objects.create(campaign=campaign, person=someone)


def test_a_ledger_row_is_for_an_account_or_an_entry_never_both_nor_neither(albania, member):
    someone = person(albania)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(recipient=member, person=someone, kind="freshness", event_key="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(kind="freshness", event_key="y")


def test_someone_who_left_the_directory_before_the_sending_is_skipped(
    albania, mailbox, django_capture_on_commit_callbacks
):
    leaving = person(albania)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        campaign = start([albania])
        type(leaving).objects.filter(pk=leaving.pk).update(is_active=False)
    assert callbacks
    assert mailbox.messages == []
    assert campaign.recipients.get().message.status == Delivery.Status.SKIPPED


def test_nothing_is_sent_for_a_campaign_whose_start_rolled_back(albania, mailbox):
    person(albania)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        start([albania])
        raise Abort

    assert FreshnessCampaign.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert mailbox.messages == []


# ------------------------------------------------------------------------------ the email


def test_the_email_names_the_person_links_to_their_page_and_has_no_unsubscribe(
    albania, mailbox, django_capture_on_commit_callbacks
):
    someone = person(albania, given_name="Ardita", family_name="Krasniqi")
    with django_capture_on_commit_callbacks(execute=True):
        campaign = start([albania])

    [message] = mailbox.messages
    assert message["Subject"] == "Is your directory entry still correct?"
    assert message["List-Unsubscribe"] is None
    delivery = campaign.recipients.get().message
    assert message["Message-ID"] == delivery.message_id
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Dear Ardita Krasniqi" in text
    assert "valid for 60 days" in text
    assert "because you are listed in the directory" in text
    assert "notification settings" not in text
    url = answer_url(message)
    assert url in html
    assert url.startswith("/network/confirm/")
    # The link works, end to end, without signing in.
    page = Client().get(url)
    assert page.status_code == 200
    assert "Ardita Krasniqi" in page.content.decode()
    assert someone.emails.get().address in page.content.decode()


def test_following_the_emails_link_and_confirming_confirms_the_entry_and_records_the_answer(
    albania, mailbox, django_capture_on_commit_callbacks
):
    someone = person(albania)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = start([albania])
    client = Client(enforce_csrf_checks=True)
    url = answer_url(mailbox.messages[0])
    page = client.get(url)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]

    response = client.post(url, {"action": "confirm", "csrfmiddlewaretoken": csrf})

    assert response.status_code == 200
    assert "your directory entry is confirmed" in response.content.decode()
    someone.refresh_from_db()
    assert someone.last_confirmed > timezone.now() - timedelta(minutes=1)
    recipient = campaign.recipients.get()
    assert recipient.answer == CampaignRecipient.Answer.CONFIRMED
    assert recipient.answered_at is not None
    assert "_auth_user_id" not in client.session


# ------------------------------------------------------------------------------ reminder


def test_the_reminder_goes_once_to_those_who_have_not_answered(
    albania, mailbox, django_capture_on_commit_callbacks
):
    silent = person(albania, email="silent@example.org")
    answered = person(albania, email="answered@example.org")
    elsewhere = person(albania, email="elsewhere@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        campaign = start([albania])
    freshness.confirm(campaign.recipients.get(person=answered))
    elsewhere.confirm_current(by=None)  # on their own page, not through the link
    mailbox.messages.clear()
    secretariat = UserFactory(secretariat=True)

    with django_capture_on_commit_callbacks(execute=True):
        freshness.request_reminder(campaign, by=secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        send_freshness_reminders.delay(campaign.pk)  # the task running again reminds nobody twice

    assert [message["To"] for message in mailbox.messages] == ["silent@example.org"]
    assert mailbox.messages[0]["Subject"] == "Reminder: is your directory entry still correct?"
    assert "has not heard from you yet" in mailbox.messages[0].get_body(("plain",)).get_content()
    assert campaign.recipients.get(person=silent).reminder.status == Delivery.Status.SENT
    assert campaign.recipients.get(person=answered).reminder is None
    campaign.refresh_from_db()
    assert campaign.reminded_by == secretariat
    with pytest.raises(freshness.AlreadyReminded):
        freshness.request_reminder(campaign, by=secretariat)
    # Even a stale copy of the campaign (two clicks at once) cannot remind again.
    stale = FreshnessCampaign.objects.get(pk=campaign.pk)
    stale.reminded_at = None
    with pytest.raises(freshness.AlreadyReminded):
        freshness.request_reminder(stale, by=secretariat)
    assert len(mailbox.messages) == 1
    assert Delivery.objects.filter(kind=Delivery.Kind.FRESHNESS_REMINDER).count() == 1


def test_a_reminder_is_refused_when_everyone_answered(
    albania, mailbox, django_capture_on_commit_callbacks
):
    person(albania)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = start([albania])
    freshness.confirm(campaign.recipients.get())

    with pytest.raises(freshness.NobodyToRemind):
        freshness.request_reminder(campaign, by=None)
    campaign.refresh_from_db()
    assert campaign.reminded_at is None


def test_someone_who_answers_after_the_reminder_was_claimed_is_not_reminded(
    albania, mailbox, django_capture_on_commit_callbacks
):
    someone = person(albania)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = start([albania])
    mailbox.messages.clear()
    FreshnessCampaign.objects.filter(pk=campaign.pk).update(reminded_at=timezone.now())
    with django_capture_on_commit_callbacks() as sending:
        freshness.claim_reminders(campaign.pk)
    freshness.confirm(campaign.recipients.get(person=someone))
    for send in sending:
        send()

    assert mailbox.messages == []
    assert campaign.recipients.get().reminder.status == Delivery.Status.SKIPPED


# ------------------------------------------------------------------------------ the page


@pytest.fixture
def asked(albania):
    """A person asked by a campaign (no account), and their link."""
    someone = person(
        albania,
        given_name="Ardita",
        family_name="Krasniqi",
        email="ardita@example.org",
        phone="+355 4 222 3333",
        biography="Her own biography.",
    )
    campaign = start([albania])
    return (
        someone,
        campaign,
        reverse("network:freshness_answer", args=[freshness_token(campaign.pk, someone.pk)]),
    )


def test_the_page_shows_the_persons_own_entry_and_nobody_elses(asked, albania):
    someone, campaign, url = asked
    other = person(
        albania, given_name="Besnik", email="besnik@example.org", phone="+355 4 999 0000"
    )
    CampaignRecipient.objects.create(campaign=campaign, person=other)

    response = Client().get(url)

    html = response.content.decode()
    assert response.status_code == 200
    for shown in ("Ardita Krasniqi", "ardita@example.org", "+355 4 222 3333", "Albania"):
        assert shown in html
    assert "National coordinator" in html
    for hidden in ("Besnik", "besnik@example.org", "+355 4 999 0000"):
        assert hidden not in html
    assert "Her own biography" not in html  # not what a campaign asks about


def test_the_page_is_never_cached_nor_indexed_and_keeps_its_address_to_itself(asked):
    _someone, _campaign, url = asked
    for response in (Client().get(url), Client().get(url.replace("/confirm/", "/confirm/x"))):
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "same-origin"
        assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_an_answer_without_the_csrf_token_is_refused(asked):
    someone, campaign, url = asked
    response = Client(enforce_csrf_checks=True).post(url, {"action": "confirm"})
    assert response.status_code == 403
    someone.refresh_from_db()
    assert someone.last_confirmed == LONG_AGO
    assert campaign.recipients.get().answered_at is None


def test_something_changed_stores_a_note_for_the_secretariat_and_changes_nothing_else(asked):
    someone, campaign, url = asked

    response = Client().post(
        url, {"action": "correct", "note": "I moved to the Ministry of Justice."}
    )

    assert response.status_code == 200
    assert "the secretariat has your correction" in response.content.decode()
    recipient = campaign.recipients.get()
    assert recipient.answer == CampaignRecipient.Answer.CORRECTED
    [answer] = recipient.answers.all()
    assert answer.note == "I moved to the Ministry of Justice."
    assert answer.to_apply
    assert recipient.answered_at == answer.given_at
    someone.refresh_from_db()
    assert someone.last_confirmed == LONG_AGO  # not confirmed: it is not correct
    assert someone.organisation.name != "Ministry of Justice"


def test_people_with_an_account_are_also_offered_their_own_edit_page(albania):
    someone = person(albania, user=UserFactory(member=True))
    campaign = start([albania])
    url = reverse("network:freshness_answer", args=[freshness_token(campaign.pk, someone.pk)])

    html = Client().get(url).content.decode()

    assert reverse("network:my_entry") in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "correct", "note": "  "}, "Say what has changed"),
        ({"action": "correct", "note": "x" * 2001}, "at most 2000 characters"),
        ({"action": "delete"}, "Choose “Still correct” or “Something changed”"),
        ({}, "Choose “Still correct” or “Something changed”"),
    ],
)
def test_a_bad_answer_is_refused_with_a_clear_message_and_nothing_recorded(asked, data, message):
    someone, campaign, url = asked

    response = Client().post(url, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert campaign.recipients.get().answered_at is None
    someone.refresh_from_db()
    assert someone.last_confirmed == LONG_AGO


def test_an_expired_link_says_so_with_410(asked):
    someone, campaign, _url = asked
    signer = signing.TimestampSigner(salt=FRESHNESS_SALT)
    old = timezone.now().timestamp() - FRESHNESS_MAX_AGE - 60
    signer.timestamp = lambda: signing.b62_encode(int(old))
    token = signer.sign_object({"c": campaign.pk, "p": someone.pk})
    url = reverse("network:freshness_answer", args=[token])

    for response in (Client().get(url), Client().post(url, {"action": "confirm"})):
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
    someone.refresh_from_db()
    assert someone.last_confirmed == LONG_AGO


def test_a_link_just_within_its_60_days_still_works(asked):
    someone, campaign, _url = asked
    signer = signing.TimestampSigner(salt=FRESHNESS_SALT)
    old = timezone.now().timestamp() - FRESHNESS_MAX_AGE + 3600
    signer.timestamp = lambda: signing.b62_encode(int(old))
    token = signer.sign_object({"c": campaign.pk, "p": someone.pk})
    assert Client().get(reverse("network:freshness_answer", args=[token])).status_code == 200


def test_tampered_links_are_refused_with_400_and_never_a_500(asked, albania):
    someone, campaign, url = asked
    other = person(albania)
    token = freshness_token(campaign.pk, someone.pk)
    payload, _, signature = token.partition(":")
    forged = signing.dumps({"c": campaign.pk, "p": other.pk}, salt="another.salt")
    for bad in (
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "not-a-token",
        forged,
        signing.dumps({"c": "x", "p": someone.pk}, salt=FRESHNESS_SALT),
        signing.dumps(["c", "p"], salt=FRESHNESS_SALT),
    ):
        response = Client().post(
            reverse("network:freshness_answer", args=[bad]), {"action": "confirm"}
        )
        assert response.status_code == 400, bad
        assert "This link is not valid" in response.content.decode()
    assert campaign.recipients.get().answered_at is None


def test_a_genuine_link_for_someone_the_campaign_did_not_ask_or_who_left_is_gone(asked, albania):
    someone, campaign, _url = asked
    not_asked = person(albania)
    for token in (
        freshness_token(campaign.pk, not_asked.pk),
        freshness_token(campaign.pk + 1000, someone.pk),
    ):
        response = Client().get(reverse("network:freshness_answer", args=[token]))
        assert response.status_code == 410
        assert "can no longer be used" in response.content.decode()
    type(someone).objects.filter(pk=someone.pk).update(is_active=False)
    assert Client().get(_url).status_code == 410


def test_a_signed_in_visitor_sees_only_the_links_person(asked, member):
    _someone, _campaign, url = asked
    client = Client()
    client.force_login(member)
    html = client.get(url).content.decode()
    assert "Ardita Krasniqi" in html
    assert member.email not in html


def test_the_page_reads_a_fixed_number_of_queries(asked, django_assert_num_queries, albania):
    someone, _campaign, url = asked
    for _ in range(3):
        PersonEmail.objects.create(person=someone, address=f"more{_}@example.org", sort_order=5)
        MandateFactory(person=someone, role=Mandate.Role.OBSERVER, country=albania)
    client = Client()
    client.get(url)
    # The recipient (with campaign and person), the person (with organisation, country), emails,
    # phones, mandates (with countries); the site and its settings (the base template).
    with django_assert_num_queries(7):
        client.get(url)


# ------------------------------------------------------------------------------ answers are kept


def confirmations_logged(someone):
    return list(
        ModelLogEntry.objects.for_instance(someone).filter(
            action__in=["network.confirm", "notifications.link_confirm"]
        )
    )


def test_a_signed_in_member_confirming_someone_elses_link_is_not_credited_with_it(asked, member):
    """The link signs nobody in: whoever happens to be signed in when a forwarded link is
    opened did not confirm the entry. The log says it came through the campaign's link."""
    someone, campaign, url = asked
    client = Client()
    client.force_login(member)

    response = client.post(url, {"action": "confirm"})

    assert response.status_code == 200
    [entry] = confirmations_logged(someone)
    assert entry.user is None
    assert entry.message == (
        f"Entry confirmed as current through the link of freshness campaign {campaign.pk}"
    )
    assert not ModelLogEntry.objects.filter(user=member).exists()
    someone.refresh_from_db()
    assert someone.last_confirmed > timezone.now() - timedelta(minutes=1)


def test_still_correct_after_a_correction_keeps_the_correction_to_apply(asked):
    _someone, campaign, url = asked
    link = Client()

    link.post(url, {"action": "correct", "note": "New phone: +355 4 000 1111"})
    link.post(url, {"action": "confirm"})

    [counted] = freshness.campaigns_with_counts()
    assert counted.to_apply == 1
    recipient = campaign.recipients.get()
    assert recipient.answer == CampaignRecipient.Answer.CONFIRMED  # the latest answer
    assert [(a.answer, a.note) for a in recipient.answers.all()] == [
        ("corrected", "New phone: +355 4 000 1111"),
        ("confirmed", ""),
    ]


def test_a_later_correction_is_added_and_never_reopens_an_applied_one(asked, secretariat):
    _someone, campaign, url = asked
    link = Client()
    link.post(url, {"action": "correct", "note": "First: a new phone."})
    [first] = campaign.recipients.get().answers.all()
    assert freshness.mark_correction_applied(first, by=secretariat)

    link.post(url, {"action": "correct", "note": "Second: a new job title."})

    first.refresh_from_db()
    assert first.note == "First: a new phone."
    assert first.applied_at is not None
    assert first.applied_by == secretariat
    [counted] = freshness.campaigns_with_counts()
    assert counted.to_apply == 1
    second = campaign.recipients.get().answers.last()
    assert (second.note, second.applied_at) == ("Second: a new job title.", None)


def test_the_same_answer_sent_twice_is_kept_once(asked):
    _someone, campaign, url = asked
    link = Client()
    for _ in range(2):
        assert link.post(url, {"action": "confirm"}).status_code == 200
        assert link.post(url, {"action": "correct", "note": "Changed."}).status_code == 200
        assert link.post(url, {"action": "correct", "note": "Changed."}).status_code == 200
    answers = [(a.answer, a.note) for a in campaign.recipients.get().answers.all()]
    assert answers == [("confirmed", ""), ("corrected", "Changed.")] * 2


def test_a_link_takes_a_bounded_number_of_answers_then_says_what_to_do(asked):
    someone, campaign, url = asked
    link = Client()
    for number in range(freshness.MAX_ANSWERS):
        response = link.post(url, {"action": "correct", "note": f"Change {number}."})
        assert response.status_code == 200
    confirmed_before = type(someone).objects.get(pk=someone.pk).last_confirmed

    for data in ({"action": "correct", "note": "One more."}, {"action": "confirm"}):
        response = link.post(url, data)
        assert response.status_code == 409
        assert "write to the secretariat" in response.content.decode()
    page = link.get(url)

    assert page.status_code == 200
    assert "write to the secretariat" in page.content.decode()
    assert "Send the correction" not in page.content.decode()
    assert campaign.recipients.get().answers.count() == freshness.MAX_ANSWERS
    someone.refresh_from_db()
    assert someone.last_confirmed == confirmed_before


def test_the_page_tells_the_latest_answer_without_repeating_earlier_notes(asked):
    _someone, _campaign, url = asked
    link = Client()
    link.post(url, {"action": "correct", "note": "My new private number."})
    link.post(url, {"action": "confirm"})

    html = link.get(url).content.decode()

    assert "Your latest answer, on" in html
    assert "“Still correct”" in html
    assert "My new private number." not in html  # a forwarded link shows no earlier note
