"""
/notifications/: members manage what they hear about and their saved searches. Members only;
bad input is refused with a message naming the problem and nothing half-saved.
"""

import pytest

from django.db import IntegrityError, transaction
from django.urls import reverse

from network.models import Country
from notifications.models import Frequency, SavedSearch, Subscription
from portal.models import Topic
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

PREFERENCES = reverse("notifications:preferences")
NEW_SEARCH = reverse("notifications:saved_search_create")


@pytest.mark.parametrize(
    "url", [PREFERENCES, NEW_SEARCH, reverse("notifications:saved_search_edit", args=[1])]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_anonymous_post_creates_no_subscriber(client):
    client.post(PREFERENCES, {"frequency": "weekly"})
    client.post(NEW_SEARCH, {"name": "x", "query": "x", "frequency": "weekly"})
    assert not Subscription.objects.exists()
    assert not SavedSearch.objects.exists()


def test_a_subscription_cannot_exist_without_an_account():
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(user=None)


def test_a_signed_in_non_member_is_refused(client):
    client.force_login(UserFactory())
    assert client.get(PREFERENCES).status_code == 403
    assert client.post(PREFERENCES, {"frequency": "weekly"}).status_code == 403
    assert not Subscription.objects.exists()


def test_a_member_chooses_topics_countries_and_frequency(member_client, member):
    topic = Topic.objects.create(name="Referral", slug="referral")
    country = Country.objects.create(name="Albania", iso_code="AL")

    response = member_client.post(
        PREFERENCES,
        {
            "frequency": "immediate",
            "topics": [topic.pk],
            "countries": [country.pk],
            "meetings": "on",
            "language": "fr",
        },
    )

    assert response.status_code == 302
    subscription = Subscription.objects.get(user=member)
    assert subscription.frequency == Frequency.IMMEDIATE
    assert list(subscription.topics.all()) == [topic]
    assert list(subscription.countries.all()) == [country]
    assert subscription.meetings is True
    assert subscription.action_points is False  # unticked
    assert subscription.language == "fr"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"frequency": "hourly"}, b"Select a valid choice. hourly"),
        ({"frequency": "weekly", "topics": ["999999"]}, b"Select a valid choice. 999999"),
        ({"frequency": "weekly", "countries": ["abc"]}, b"is not a valid value"),
        ({"frequency": "weekly", "language": "xx"}, b"Select a valid choice. xx"),
        ({"frequency": "weekly", "resource_types": ["nonsense"]}, b"Select a valid choice"),
        ({}, b"This field is required"),
    ],
)
def test_bad_subscription_input_is_refused_and_nothing_is_saved(
    member_client, member, data, problem
):
    response = member_client.post(PREFERENCES, data)

    assert response.status_code == 400
    assert problem in response.content
    assert not Subscription.objects.filter(user=member).exists()


def test_a_search_is_saved_from_the_search_pages_query_string(member_client, member):
    form = member_client.get(NEW_SEARCH + "?q=child+victims&topic=referral&country=AL&year=2024")
    assert form.status_code == 200
    assert b'value="child victims"' in form.content
    assert b'name="topic" value="referral"' in form.content

    response = member_client.post(
        NEW_SEARCH,
        {
            "name": "Child victims",
            "query": "child victims",
            "frequency": "immediate",
            "topic": "referral",
            "country": "AL",
            "year": "2024",
        },
    )

    assert response.status_code == 302
    saved = SavedSearch.objects.get(user=member)
    assert saved.filters == {"topic": ["referral"], "country": ["AL"], "year": ["2024"]}
    assert saved.frequency == Frequency.IMMEDIATE
    assert saved.query_string() == "q=child+victims&country=AL&topic=referral&year=2024"


@pytest.mark.parametrize(
    ("query_string", "problem"),
    [
        ("year=last", "“last” is not a valid value for “year”."),
        ("topic=<script>", "is not a valid value for “topic”."),
        ("country=" + "&country=".join(str(n) for n in range(25)), "Too many values"),
    ],
)
def test_a_bad_query_string_is_refused_with_a_message_naming_the_parameter(
    member_client, member, query_string, problem
):
    response = member_client.get(NEW_SEARCH + "?" + query_string)
    assert response.status_code == 400
    assert problem in response.content.decode()

    data = {"name": "x", "frequency": "weekly"}
    for pair in query_string.split("&"):
        key, value = pair.split("=")
        data.setdefault(key, []).append(value) if isinstance(data.get(key), list) else data.update(
            {key: [value]}
        )
    response = member_client.post(NEW_SEARCH, data)
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_a_saved_search_needs_a_name(member_client):
    response = member_client.post(NEW_SEARCH, {"name": "", "query": "x", "frequency": "weekly"})
    assert response.status_code == 400
    assert b"This field is required" in response.content
    assert not SavedSearch.objects.exists()


def test_a_member_cannot_see_edit_or_delete_anothers_saved_search(member_client):
    theirs = SavedSearch.objects.create(user=UserFactory(member=True), name="Theirs", query="x")

    edit = reverse("notifications:saved_search_edit", args=[theirs.pk])
    delete = reverse("notifications:saved_search_delete", args=[theirs.pk])
    assert member_client.get(edit).status_code == 404
    assert member_client.post(edit, {"name": "Mine", "frequency": "off"}).status_code == 404
    assert member_client.post(delete).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_a_member_edits_and_deletes_their_saved_search(member_client, member):
    saved = SavedSearch.objects.create(
        user=member, name="Mine", query="x", filters={"topic": ["referral"]}
    )
    edit = reverse("notifications:saved_search_edit", args=[saved.pk])
    page = member_client.get(edit)
    assert b'name="topic" value="referral"' in page.content

    member_client.post(
        edit, {"name": "Renamed", "query": "y", "frequency": "off", "topic": "referral"}
    )
    saved.refresh_from_db()
    assert (saved.name, saved.query, saved.frequency) == ("Renamed", "y", Frequency.OFF)
    assert saved.filters == {"topic": ["referral"]}

    member_client.post(reverse("notifications:saved_search_delete", args=[saved.pk]))
    assert not SavedSearch.objects.exists()


def test_the_page_lists_only_the_members_own_saved_searches(member_client, member):
    SavedSearch.objects.create(user=member, name="Mine", query="x")
    SavedSearch.objects.create(user=UserFactory(member=True), name="Theirs", query="y")

    content = member_client.get(PREFERENCES).content.decode()

    assert "Mine" in content
    assert "Theirs" not in content


def test_the_preferences_page_queries_a_fixed_number_of_times(
    member_client, member, django_assert_max_num_queries
):
    def add(numbers):
        for n in numbers:
            SavedSearch.objects.create(user=member, name=f"Search {n}", query="x")
            Topic.objects.create(name=f"Topic {n}", slug=f"topic-{n}")
            Country.objects.create(
                name=f"Country {n}", iso_code=f"{'XY'[n // 26]}{chr(65 + n % 26)}"
            )

    def count_queries():
        with django_assert_max_num_queries(20) as captured:
            assert member_client.get(PREFERENCES).status_code == 200
        return len(captured.captured_queries)

    count_queries()  # the first request also warms caches (site, settings)
    add(range(3))
    with_three = count_queries()
    add(range(3, 30))
    assert count_queries() == with_three
