"""
"New to you": saved-search alerts and the personal feed follow what became visible to the member
(published, or widened to their tier) since the last alert, whatever date the record carries.
"""

import datetime

import pytest
from defusedxml import ElementTree

from django.utils import timezone

from notifications.models import Delivery, FeedToken, Frequency, SavedSearch, VisibleSince
from notifications.tasks import send_saved_search_alerts
from portal.access import Audience
from portal.models import Topic
from tests.clients import Client
from tests.library.factories import resource
from tests.portal.factories import UserFactory

from .test_guidance import subscribe

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
LONG_AGO = datetime.date(2019, 10, 18)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def follow(user, days_ago=3):
    return SavedSearch.objects.create(
        user=user,
        name="Labour exploitation",
        query="exploitation",
        frequency=Frequency.IMMEDIATE,
        last_checked=timezone.now() - datetime.timedelta(days=days_ago),
    )


def a_day_passes():
    """Move every recorded moment a day back: as if the next run were a day later."""
    day = datetime.timedelta(days=1)
    for saved in SavedSearch.objects.all():
        SavedSearch.objects.filter(pk=saved.pk).update(last_checked=saved.last_checked - day)
    for row in VisibleSince.objects.all():
        VisibleSince.objects.filter(pk=row.pk).update(since=row.since - day)


def alerts_to(mailbox, user):
    return [m for m in mailbox.to(user.email) if "New results" in m["Subject"]]


def test_a_back_dated_resource_alerts_its_subscribers_once(member, mailbox, run_on_commit):
    Topic.objects.get_or_create(slug="labour", defaults={"name": "Labour"})
    follower = UserFactory(member=True)
    follow(follower)
    subscribe(member, topics=["labour"])

    # Imported today, dated years ago: new to everyone who may see it.
    run_on_commit(
        resource,
        "Indicators of labour exploitation",
        published=LONG_AGO,
        topics=["labour"],
        audience=Audience.MEMBERS,
    )
    run_on_commit(send_saved_search_alerts.delay)
    run_on_commit(send_saved_search_alerts.delay)  # beat again the same day
    a_day_passes()
    run_on_commit(send_saved_search_alerts.delay)  # the next day: not new any more

    [alert] = alerts_to(mailbox, follower)
    assert (
        "Indicators of labour exploitation (18 October 2019)"
        in alert.get_body(("plain",)).get_content()
    )
    [guidance] = mailbox.to(member.email)
    assert guidance["Subject"] == "New guidance: Indicators of labour exploitation"
    assert Delivery.objects.filter(recipient=follower, status=Delivery.Status.SENT).count() == 1


def test_a_widened_audience_alerts_the_newly_allowed_and_not_those_who_saw_it(
    member, secretariat, mailbox, run_on_commit
):
    follow(member)
    follow(secretariat)
    page = run_on_commit(
        resource,
        "Exploitation in seasonal agriculture",
        published=LONG_AGO,
        audience=Audience.SECRETARIAT,
    )
    run_on_commit(send_saved_search_alerts.delay)
    assert len(alerts_to(mailbox, secretariat)) == 1
    assert alerts_to(mailbox, member) == []

    a_day_passes()
    page.audience = Audience.MEMBERS
    run_on_commit(page.save_revision().publish)
    run_on_commit(send_saved_search_alerts.delay)

    [alert] = alerts_to(mailbox, member)
    assert "Exploitation in seasonal agriculture" in alert.get_body(("plain",)).get_content()
    assert len(alerts_to(mailbox, secretariat)) == 1  # nothing new to the secretariat


def test_a_resource_withdrawn_before_the_alert_is_not_in_it(member, mailbox, run_on_commit):
    follow(member)
    page = run_on_commit(resource, "Exploitation case law digest", audience=Audience.MEMBERS)
    run_on_commit(page.unpublish)

    run_on_commit(send_saved_search_alerts.delay)

    assert alerts_to(mailbox, member) == []


# ------------------------------------------------------------------ the personal feed


def feed_entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    return [entry.find(f"{ATOM}title").text for entry in root.iter(f"{ATOM}entry")]


def feed_address(client):
    client.post("/notifications/feed/", {"action": "create"})
    return FeedToken.objects.get().token


def test_the_personal_feed_lists_what_became_visible_to_the_member_latest_first(
    member, member_client, run_on_commit
):
    run_on_commit(resource, "Public referral guide", audience=Audience.PUBLIC)
    run_on_commit(resource, "Members SOP", audience=Audience.MEMBERS)
    run_on_commit(resource, "Budget note", audience=Audience.SECRETARIAT)
    run_on_commit(resource, "Back-dated indicators", published=LONG_AGO, audience="members")
    token = feed_address(member_client)

    # No session: the token stands for the member.
    titles = feed_entries(Client().get(f"/notifications/feed/{token}.atom"))

    assert titles == ["Back-dated indicators", "Members SOP", "Public referral guide"]
    page = member_client.get("/notifications/feed/")
    assert f"/notifications/feed/{token}.atom" in page.content.decode()


def test_a_secretariat_token_holds_the_member_tier(secretariat, run_on_commit):
    run_on_commit(resource, "Budget note", audience=Audience.SECRETARIAT)
    run_on_commit(resource, "Members SOP", audience=Audience.MEMBERS)
    token = FeedToken.objects.create(user=secretariat).token

    assert feed_entries(Client().get(f"/notifications/feed/{token}.atom")) == ["Members SOP"]


def test_revoking_or_replacing_the_address_makes_the_old_one_404(member_client):
    token = feed_address(member_client)
    member_client.post("/notifications/feed/", {"action": "regenerate"})
    new_token = FeedToken.objects.get().token

    assert new_token != token
    assert Client().get(f"/notifications/feed/{token}.atom").status_code == 404
    assert Client().get(f"/notifications/feed/{new_token}.atom").status_code == 200

    member_client.post("/notifications/feed/", {"action": "revoke"})
    assert not FeedToken.objects.exists()
    assert Client().get(f"/notifications/feed/{new_token}.atom").status_code == 404


def test_a_former_member_s_address_stops_working(member, member_client):
    token = feed_address(member_client)
    member.groups.clear()

    assert Client().get(f"/notifications/feed/{token}.atom").status_code == 404


def test_an_unknown_request_for_the_address_is_refused_and_changes_nothing(member_client):
    token = feed_address(member_client)
    for action in ("create", "explode", ""):
        response = member_client.post("/notifications/feed/", {"action": action})
        assert response.status_code == 400
        assert "Unknown request for your feed address" in response.content.decode()
    assert FeedToken.objects.get().token == token


def test_anonymous_visitors_are_sent_to_sign_in_for_the_address_page():
    response = Client().get("/notifications/feed/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_personal_feed_costs_the_same_queries_however_many_entries(
    member, run_on_commit, django_assert_num_queries
):
    for number in range(2):
        run_on_commit(resource, f"Guide {number}", audience=Audience.MEMBERS)
    token = FeedToken.objects.create(user=member).token
    reader = Client()
    reader.get(f"/notifications/feed/{token}.atom")  # warm the site's root paths
    with django_assert_num_queries(PERSONAL_FEED_QUERIES):
        feed_entries(reader.get(f"/notifications/feed/{token}.atom"))
    for number in range(2, 8):
        run_on_commit(resource, f"Guide {number}", audience=Audience.MEMBERS)
    with django_assert_num_queries(PERSONAL_FEED_QUERIES):
        assert len(feed_entries(reader.get(f"/notifications/feed/{token}.atom"))) == 8


# The token and its user, the user's groups, the resources and the meetings new to them, and
# the site (for entry links).
PERSONAL_FEED_QUERIES = 5
