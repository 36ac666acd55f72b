"""
A database blip while a signed-in page is served: the connection is terminated for real (by
another connection, as a failover or a restarted connection pooler would) once the page is built.
Reading pages writes no session, so the page is served; a renewal of the idle expiry that the
database refuses is left for the next request rather than answered 400 (SessionInterrupted).
"""

import time

import pytest

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.test import override_settings
from django.urls import reverse

from portal.middleware import RENEWED_KEY
from tests.clients import Client
from tests.portal.factories import PASSWORD, UserFactory
from tests.reliability.conftest import needs_postgresql

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class DatabaseBlip:
    """Innermost middleware: once the view has built the page, the request's database
    connection is terminated, before the session middleware sees the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            [pid] = cursor.fetchone()
        killer = connections.create_connection("default")
        try:
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        finally:
            killer.close()
        return response


def get_through_a_blip(client, path):
    """GET `path` as `client`'s browser, its connection terminated once the page is built."""
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, f"{__name__}.DatabaseBlip"]):
        browser = Client()  # a client loads its middleware once: a new one, with the same cookies
        browser.cookies = client.cookies
        response = browser.get(path)
    connection.close()
    return response


@pytest.fixture
def signed_in():
    needs_postgresql()
    member = UserFactory(member=True)
    client = Client()
    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert client.get(reverse("account_email")).status_code == 200
    yield client
    connection.close()  # the terminated one, if a test left it so


def session_row(client):
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_a_database_blip_after_a_signed_in_page_is_built_does_not_answer_400(signed_in):
    response = get_through_a_blip(signed_in, reverse("account_email"))
    assert response.status_code == 200
    assert signed_in.get(reverse("account_email")).status_code == 200


def test_a_renewal_the_database_refuses_is_left_for_the_next_request(signed_in):
    session = signed_in.session
    session[RENEWED_KEY] = int(time.time()) - settings.SESSION_RENEW_SECONDS - 1
    session.save()
    expiry = session_row(signed_in).expire_date

    response = get_through_a_blip(signed_in, reverse("account_email"))
    assert response.status_code == 200
    assert session_row(signed_in).expire_date == expiry  # not renewed this time

    assert signed_in.get(reverse("account_email")).status_code == 200
    assert session_row(signed_in).expire_date > expiry  # renewed by the next request
