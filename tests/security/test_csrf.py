"""
A cross-site POST without the page's CSRF token gets 403 and changes nothing, on every form that
signs in or out or writes something for a member. Each case also sends the same POST with the
token the form page handed out and sees it accepted, so a refusal for any other reason cannot
pass for CSRF protection.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from django.urls import reverse

from meetings.models import ActionPoint, CalendarToken, Registration
from tests.clients import Client
from tests.meetings.factories import make_country, make_meeting, make_person
from tests.portal.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def member_world():
    user = UserFactory(member=True)
    person = make_person(user=user, country=make_country(), biography="Before.")
    meeting = make_meeting(
        start=datetime.date.today() + datetime.timedelta(days=30),
        children={
            "action_points": [ActionPoint(description="Draft the report", owner_person=person)]
        },
    )
    return {
        "user": user,
        "person": person,
        "meeting": meeting,
        "action": meeting.action_points.get(),
    }


@dataclass
class Form:
    """A form page, where its POST goes, what it posts and how to tell that it took effect."""

    page: Callable
    target: Callable
    data: Callable
    took_effect: Callable
    signed_in: bool = True


def _signed_in(client):
    return "_auth_user_id" in client.session


FORMS = {
    "sign-in": Form(
        page=lambda w: reverse("account_login"),
        target=lambda w: reverse("account_login"),
        data=lambda w: {"login": w["user"].email, "password": PASSWORD},
        took_effect=lambda w, client: _signed_in(client),
        signed_in=False,
    ),
    "logout": Form(
        page=lambda w: reverse("account_logout"),
        target=lambda w: reverse("account_logout"),
        data=lambda w: {},
        took_effect=lambda w, client: not _signed_in(client),
    ),
    "self-service profile": Form(
        page=lambda w: reverse("network:person_edit", args=[w["person"].pk]),
        target=lambda w: reverse("network:person_edit", args=[w["person"].pk]),
        data=lambda w: {
            "biography": "Rewritten from elsewhere.",
            "email_audience": "members",
            "phone_audience": "members",
            "biography_audience": "members",
            "photo_audience": "members",
        },
        took_effect=lambda w, client: (
            type(w["person"]).objects.get(pk=w["person"].pk).biography
            == "Rewritten from elsewhere."
        ),
    ),
    "directory confirmation": Form(
        page=lambda w: reverse("network:person", args=[w["person"].pk]),
        target=lambda w: reverse("network:person_confirm", args=[w["person"].pk]),
        data=lambda w: {},
        took_effect=lambda w, client: (
            type(w["person"]).objects.get(pk=w["person"].pk).last_confirmed is not None
        ),
    ),
    "meeting registration": Form(
        page=lambda w: w["meeting"].url,
        target=lambda w: reverse("meetings:register", args=[w["meeting"].pk]),
        data=lambda w: {"status": "registered"},
        took_effect=lambda w, client: Registration.objects.filter(
            meeting=w["meeting"], person=w["person"], status="registered"
        ).exists(),
    ),
    "action-point update": Form(
        page=lambda w: reverse("meetings:action_update", args=[w["action"].pk]),
        target=lambda w: reverse("meetings:action_update", args=[w["action"].pk]),
        data=lambda w: {"status": "done", "progress_note": "Sent."},
        took_effect=lambda w, client: ActionPoint.objects.get(pk=w["action"].pk).status == "done",
    ),
    "calendar address": Form(
        page=lambda w: reverse("meetings:calendar_subscription"),
        target=lambda w: reverse("meetings:calendar_subscription"),
        data=lambda w: {"action": "create"},
        took_effect=lambda w, client: CalendarToken.objects.filter(user=w["user"]).exists(),
    ),
}


def browser(world, form):
    client = Client(enforce_csrf_checks=True)
    if form.signed_in:
        client.force_login(world["user"])
    page = client.get(form.page(world))
    assert page.status_code == 200, page.status_code
    match = TOKEN.search(page.content.decode())
    assert match, "the form page carries no CSRF token"
    return client, match.group(1)


@pytest.mark.parametrize("name", list(FORMS))
def test_a_post_without_the_csrf_token_is_refused_403_and_changes_nothing(member_world, name):
    form = FORMS[name]
    client, _token = browser(member_world, form)
    response = client.post(form.target(member_world), form.data(member_world))
    assert response.status_code == 403
    assert not form.took_effect(member_world, client)


@pytest.mark.parametrize("name", list(FORMS))
def test_the_same_post_with_the_pages_token_is_accepted(member_world, name):
    form = FORMS[name]
    client, token = browser(member_world, form)
    response = client.post(
        form.target(member_world), {**form.data(member_world), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302, response.status_code
    assert form.took_effect(member_world, client)


@pytest.mark.parametrize("name", ["sign-in", "meeting registration"])
def test_a_post_from_another_origin_is_refused_even_with_a_token(member_world, name):
    form = FORMS[name]
    client, token = browser(member_world, form)
    response = client.post(
        form.target(member_world),
        {**form.data(member_world), "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert not form.took_effect(member_world, client)


def test_a_token_from_another_browser_is_refused(member_world):
    form = FORMS["self-service profile"]
    _other_client, other_token = browser(member_world, form)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_world["user"])
    client.get(form.page(member_world))
    # The attacker's own token is valid for the attacker's cookie only.
    client.cookies["csrftoken"] = "x" * 32
    response = client.post(
        form.target(member_world), {**form.data(member_world), "csrfmiddlewaretoken": other_token}
    )
    assert response.status_code == 403
    assert not form.took_effect(member_world, client)
