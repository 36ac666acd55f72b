"""
The signed-in member's dashboard on the home page: their own open action points (overdue ones
marked), their upcoming meetings, what they follow, and their directory entry, each with an
empty state; everything through the access policy, with a fixed number of queries, and never
stored in or served from the shared page cache.
"""

import datetime
import re

import pytest

from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import Site

from meetings.models import ActionPoint, Participant, Registration
from notifications.models import Frequency, SavedSearch, Subscription
from portal.access import Audience
from portal.models import NetworkSettings, Topic
from portal.page_cache import invalidate
from tests.clients import Client
from tests.meetings.factories import make_country, make_mandate, make_meeting, make_person
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
PAST = TODAY - datetime.timedelta(days=90)

# A signed-in member with a directory entry, the whole home page: session, user, groups, site,
# settings, the public sections, and the dashboard (person, mandates subquery with the action
# points, meetings, their registrations, subscription with topics and countries, saved
# searches). The same with 3 and with 30 of everything.
DASHBOARD_HOME_QUERIES = 23


def dashboard_of(html):
    match = re.search(r'<section class="dashboard".*?</section>', html, re.S)
    assert match, "no dashboard on the page"
    return match.group(0)


def card(html, title):
    """The dashboard card headed `title`."""
    dashboard = dashboard_of(html)
    match = re.search(
        r'<div class="dashboard-card"[^>]*>\s*<h3 id="[^"]+">' + re.escape(title) + r"</h3>(.*?)"
        r'(?=<div class="dashboard-card"|</div>\s*</section>)',
        dashboard,
        re.S,
    )
    assert match, f"no dashboard card {title!r}"
    return match.group(1)


@pytest.fixture
def owner(db):
    user = UserFactory(member=True, first_name="Mira")
    make_person(user=user, country=make_country(), last_confirmed=timezone.now())
    return user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_my_open_action_points_are_mine_soonest_first_with_overdue_ones_marked(
    owner_client, owner, home_page
):
    person = owner.person
    country = make_country(name="Moldova")
    make_mandate(person, country)
    someone_else = make_person(country=country)
    make_meeting(
        title="Working group",
        start=PAST,
        children={
            "action_points": [
                ActionPoint(
                    description="Send the referral map",
                    owner_person=person,
                    due_date=TODAY - datetime.timedelta(days=5),
                ),
                ActionPoint(
                    description="Draft the indicator list",
                    owner_person=person,
                    due_date=TODAY + datetime.timedelta(days=20),
                    status=ActionPoint.Status.IN_PROGRESS,
                ),
                ActionPoint(description="Finished long ago", owner_person=person, status="done"),
                ActionPoint(description="Somebody else's task", owner_person=someone_else),
                ActionPoint(description="Translate the national SOP", owner_country=country),
                # Named owner first: a colleague's task for my country is theirs, not mine.
                ActionPoint(
                    description="Colleague's country task",
                    owner_person=someone_else,
                    owner_country=country,
                ),
            ]
        },
    )
    # A secretariat-only meeting's record is not the member's to see, even their own task in it.
    make_meeting(
        start=PAST,
        audience=Audience.SECRETARIAT,
        children={
            "action_points": [ActionPoint(description="Hidden staff task", owner_person=person)]
        },
    )

    section = card(home(owner_client), "My open action points")

    assert section.index("Send the referral map") < section.index("Draft the indicator list")
    assert "Translate the national SOP" in section and "for Moldova" in section
    for absent in ("Finished long ago", "Somebody else", "Hidden staff task", "Colleague"):
        assert absent not in section
    overdue = re.findall(
        r'<li class="dashboard-item dashboard-item--overdue">(.*?)</li>', section, re.S
    )
    assert len(overdue) == 1 and "Send the referral map" in overdue[0] and "Overdue" in overdue[0]
    link = f'/meetings/actions/?owner={person.pk}"'
    assert link in section
    listed = owner_client.get(f"/meetings/actions/?owner={person.pk}").content.decode()
    assert "Send the referral map" in listed and "Somebody else" not in listed


def test_my_meetings_are_the_upcoming_ones_i_registered_for_or_am_invited_to(
    owner_client, owner, home_page
):
    person = owner.person
    soon = TODAY + datetime.timedelta(days=10)
    registered = make_meeting(title="Registered plenary", start=soon)
    Registration.objects.create(meeting=registered, person=person, status="registered")
    make_meeting(
        title="Invited working group",
        start=soon + datetime.timedelta(days=5),
        children={"participants": [Participant(person=person)]},
    )
    apologised = make_meeting(
        title="Apologised meeting",
        start=soon + datetime.timedelta(days=7),
        children={"participants": [Participant(person=person)]},
    )
    Registration.objects.create(meeting=apologised, person=person, status="apologies")
    past = make_meeting(title="Last year's plenary", start=PAST)
    Registration.objects.create(meeting=past, person=person, status="registered")
    make_meeting(title="Someone else's meeting", start=soon)
    make_meeting(
        title="Staff retreat",
        start=soon,
        audience=Audience.SECRETARIAT,
        children={"participants": [Participant(person=person)]},
    )

    section = card(home(owner_client), "My meetings")

    assert section.index("Registered plenary") < section.index("Invited working group")
    assert "You are registered" in section and "You are invited" in section
    assert "You sent apologies" in section
    for absent in ("Last year", "Someone else", "Staff retreat"):
        assert absent not in section
    assert "(UTC)" in section  # the zone the times are given in


def test_my_subscriptions_show_what_i_follow_and_where_to_manage_it(owner_client, owner, home_page):
    subscription = Subscription.objects.create(user=owner, frequency=Frequency.WEEKLY)
    subscription.topics.add(Topic.objects.create(name="Child trafficking", slug="children"))
    SavedSearch.objects.create(user=owner, name="Labour exploitation", query="labour")
    SavedSearch.objects.create(user=UserFactory(member=True), name="Not mine", query="x")

    section = card(home(owner_client), "My subscriptions")

    assert "Child trafficking" in section
    assert 'href="/search/?q=labour"' in section and "Labour exploitation" in section
    assert "Not mine" not in section
    assert 'href="/notifications/"' in section


def test_every_section_says_plainly_when_it_has_nothing(owner_client, owner, home_page):
    html = home(owner_client)
    assert "You have no open action points" in card(html, "My open action points")
    assert "not registered for or invited to any upcoming meeting" in card(html, "My meetings")
    assert "You follow no topics and no saved searches yet" in card(html, "My subscriptions")
    assert "Your entry is up to date" in card(html, "My directory entry")


def test_a_member_without_a_directory_entry_is_told_so(member_client, home_page):
    html = home(member_client)
    assert "not linked to a directory entry" in card(html, "My open action points")
    assert "not linked to an entry in the directory" in card(html, "My directory entry")


def test_a_stale_entry_is_asked_to_be_confirmed_on_the_dashboard(owner_client, owner, home_page):
    owner.person.last_confirmed = timezone.now() - datetime.timedelta(days=400)
    owner.person.save()
    section = card(home(owner_client), "Your directory entry needs confirming")
    assert f"/network/people/{owner.person.pk}/confirm/" in section


def test_a_signed_in_non_member_gets_no_member_sections(client, home_page):
    client.force_login(UserFactory())
    dashboard = dashboard_of(home(client))
    assert "dashboard-card" not in dashboard
    assert "/meetings/actions/" not in dashboard


def test_the_dashboard_queries_do_not_grow_with_action_points_meetings_or_searches(
    owner_client, owner, home_page
):
    person = owner.person
    subscription = Subscription.objects.create(user=owner)
    made = []

    def grow(n):
        start = len(made)
        topics = [
            Topic.objects.create(name=f"Topic {k}", slug=f"topic-{k}")
            for k in range(start, start + n)
        ]
        subscription.topics.add(*topics)
        make_meeting(
            start=PAST,
            children={
                "action_points": [
                    ActionPoint(description=f"Task {k}", owner_person=person)
                    for k in range(start, start + n)
                ]
            },
        )
        for k in range(start, start + n):
            meeting = make_meeting(title=f"Soon {k}", start=TODAY + datetime.timedelta(days=k + 1))
            Registration.objects.create(meeting=meeting, person=person, status="registered")
            SavedSearch.objects.create(user=owner, name=f"Search {k}", query=f"word{k}")
        made.extend(range(n))

    counts = []
    for n in (3, 27):
        grow(n)
        owner_client.get("/")  # warm the per-process caches (site root paths, settings)
        invalidate()  # but count the shared sections' cold path: the most a visit costs
        with CaptureQueriesContext(connection) as captured:
            html = home(owner_client)
        counts.append(len(captured))
        assert "Task 0" in card(html, "My open action points")
        assert "Soon 0" in card(html, "My meetings")
    assert counts[0] == counts[1] <= DASHBOARD_HOME_QUERIES, counts
    assert "Only the first few are shown" in card(html, "My open action points")


@pytest.fixture
def page_cache_on(home_page):
    NetworkSettings.for_site(Site.objects.get(is_default_site=True))
    cache.clear()
    with override_settings(PAGE_CACHE_SECONDS=300):
        yield
    cache.clear()


def test_the_dashboard_is_never_cached_nor_served_to_anyone_else(page_cache_on, owner):
    make_meeting(
        start=PAST,
        children={
            "action_points": [
                ActionPoint(description="Private task of Mira", owner_person=owner.person)
            ]
        },
    )
    assert Client().get("/")["X-Page-Cache"] == "miss"  # the anonymous page is now stored

    mira = Client()
    mira.force_login(owner)
    response = mira.get("/")
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "Private task of Mira" in card(response.content.decode(), "My open action points")

    anonymous = Client().get("/")
    assert anonymous["X-Page-Cache"] == "hit"
    assert (
        b'class="dashboard"' not in anonymous.content
        and b"Private task of Mira" not in anonymous.content
    )

    other = Client()
    other.force_login(UserFactory(member=True))
    html = home(other)
    assert "Private task of Mira" not in html
    assert "not linked to a directory entry" in card(html, "My open action points")


def test_the_dashboard_and_the_preferences_speak_french(owner_client, owner, home_page):
    from django.conf import settings

    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = home(owner_client)
    for heading in ("Mes actions de suivi en cours", "Mes réunions", "Mes abonnements"):
        assert f">{heading}</h3>" in html
    assert "aucune action de suivi en cours. Bravo." in html
    preferences = owner_client.get("/accounts/preferences/").content.decode()
    assert "Fuseau horaire" in preferences and "Enregistrer mes préférences" in preferences
