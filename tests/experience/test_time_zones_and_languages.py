"""
Dates and times in the user's own time zone (a preference on the account, activated for each
request), and the user's preferred language applied when they sign in.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from meetings.models import ActionPoint, Registration
from tests.meetings.factories import make_country, make_meeting, make_person
from tests.portal.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def member_in(zone, **fields):
    user = UserFactory(member=True, time_zone=zone, **fields)
    make_person(user=user, country=make_country())
    return user


def signed_in(client, user):
    client.force_login(user)
    return client


def test_members_in_paris_and_new_york_see_the_same_meeting_at_their_own_local_times(
    client, home_page
):
    paris, new_york = member_in("Europe/Paris"), member_in("America/New_York")
    meeting = make_meeting(
        title="Plenary in London",
        time_zone="Europe/London",
        start_time=datetime.time(9, 30),
    )
    for user in (paris, new_york):
        Registration.objects.create(meeting=meeting, person=user.person, status="registered")

    seen = {}
    for user in (paris, new_york):
        local = meeting.starts_at.astimezone(ZoneInfo(user.time_zone))
        home = signed_in(client, user).get("/").content.decode()
        page = client.get(meeting.url).content.decode()
        assert f"{local:%H:%M}" in home and f"({user.time_zone})" in home
        assert "In your time zone:" in page and f"({user.time_zone})" in page
        assert f"{local:%H:%M}" in page
        # The meeting's own local time stays on its page, with its zone.
        assert "09:30" in page and "(Europe/London)" in page
        seen[user.time_zone] = f"{local:%H:%M}"
        client.logout()
    assert seen["Europe/Paris"] != seen["America/New_York"]


def test_without_a_preference_times_are_in_the_portals_zone(client, home_page):
    user = member_in("")
    meeting = make_meeting(time_zone="Asia/Tokyo", start_time=datetime.time(9, 0))
    Registration.objects.create(meeting=meeting, person=user.person, status="registered")
    home = signed_in(client, user).get("/").content.decode()
    local = meeting.starts_at.astimezone(ZoneInfo(settings.TIME_ZONE))
    assert f"{local:%H:%M}" in home and f"({settings.TIME_ZONE})" in home


def test_anonymous_visitors_get_the_meetings_own_time_only(client, home_page):
    meeting = make_meeting(time_zone="Asia/Tokyo")
    page = client.get(meeting.url).content.decode()
    assert "(Asia/Tokyo)" in page and "In your time zone" not in page


def test_overdue_is_judged_by_the_date_where_the_member_is(client, home_page):
    # Kiritimati (UTC+14) and Pago Pago (UTC-11) are always on different calendar days.
    ahead, behind = member_in("Pacific/Kiritimati"), member_in("Pacific/Pago_Pago")
    due = datetime.datetime.now(ZoneInfo("Pacific/Pago_Pago")).date()
    make_meeting(
        start=due - datetime.timedelta(days=30),
        children={
            "action_points": [
                ActionPoint(
                    description=f"Report of {user.pk}", owner_person=user.person, due_date=due
                )
                for user in (ahead, behind)
            ]
        },
    )
    ahead_home = signed_in(client, ahead).get("/").content.decode()
    assert "dashboard-item--overdue" in ahead_home
    client.logout()
    behind_home = signed_in(client, behind).get("/").content.decode()
    assert "dashboard-item--overdue" not in behind_home and f"Report of {behind.pk}" in behind_home


def test_preferences_page_saves_a_time_zone_and_shows_it(client):
    user = UserFactory()
    signed_in(client, user)
    page = client.get(reverse("account_preferences"))
    assert page.status_code == 200
    assert b'<option value="Europe/Paris">Europe/Paris</option>' in page.content
    response = client.post(
        reverse("account_preferences"), {"time_zone": "Europe/Paris", "preferred_language": ""}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.time_zone == "Europe/Paris"
    assert (
        "Times are now shown in Europe/Paris" in client.get(response["Location"]).content.decode()
    )


def test_an_unknown_time_zone_is_refused_with_a_message_naming_it(client):
    user = UserFactory(time_zone="Europe/Paris")
    signed_in(client, user)
    response = client.post(
        reverse("account_preferences"), {"time_zone": "Mars/Olympus_Mons", "preferred_language": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "“Mars/Olympus_Mons” is not a time zone name we know" in html
    user.refresh_from_db()
    assert user.time_zone == "Europe/Paris"


def test_the_model_refuses_an_unknown_zone_too(db):
    from django.core.exceptions import ValidationError

    user = UserFactory()
    user.time_zone = "Nowhere/Atlantis"
    with pytest.raises(ValidationError, match="Nowhere/Atlantis"):
        user.full_clean()


def test_a_stored_zone_the_system_no_longer_knows_falls_back_to_the_portals(client, home_page):
    user = member_in("Europe/Paris")
    User.objects.filter(pk=user.pk).update(time_zone="Gone/Zone")
    response = signed_in(client, user).get("/")
    assert response.status_code == 200
    page = client.get(reverse("account_preferences")).content.decode()
    assert f"Times are now shown in {settings.TIME_ZONE}." in page


def test_preferences_need_a_signed_in_user(client):
    response = client.get(reverse("account_preferences"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_account_pages_lead_to_the_preferences(client):
    signed_in(client, UserFactory())
    html = client.get(reverse("account_email")).content.decode()
    assert f'href="{reverse("account_preferences")}"' in html


def test_preferred_language_is_applied_at_sign_in(client, home_page):
    user = UserFactory(member=True, preferred_language="fr")
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "fr" and int(cookie["max-age"]) == settings.LANGUAGE_COOKIE_AGE
    home = client.get(response["Location"]).content.decode()
    assert '<html lang="fr"' in home and "Aller au contenu principal" in home


def test_no_preferred_language_leaves_the_visitors_choice_alone(client, home_page):
    user = UserFactory(member=True, preferred_language="")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert '<html lang="fr"' in client.get("/").content.decode()


def test_choosing_a_language_in_the_preferences_switches_at_once(client):
    user = UserFactory()
    signed_in(client, user)
    response = client.post(
        reverse("account_preferences"), {"time_zone": "", "preferred_language": "fr"}, follow=True
    )
    user.refresh_from_db()
    assert user.preferred_language == "fr"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert '<html lang="fr"' in response.content.decode()


def test_choosing_the_portals_default_language_forgets_the_earlier_choice(client):
    user = UserFactory(preferred_language="fr")
    signed_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.post(
        reverse("account_preferences"), {"time_zone": "", "preferred_language": ""}, follow=True
    )
    user.refresh_from_db()
    assert user.preferred_language == ""
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted
    assert f'<html lang="{settings.LANGUAGE_CODE}"' in response.content.decode()
