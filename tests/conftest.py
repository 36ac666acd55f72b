"""Fixtures shared by every app's tests: users of each tier and clients signed in as them."""

import pytest

from django.conf import settings

from tests.portal.factories import UserFactory


@pytest.fixture
def member(db):
    return UserFactory(member=True)


@pytest.fixture
def secretariat(db):
    return UserFactory(secretariat=True)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def secretariat_client(client, secretariat):
    client.force_login(secretariat)
    return client


@pytest.fixture
def home_page(db):
    from portal.models import HomePage

    return HomePage.objects.get()


def session_reads():
    """Queries a signed-in request spends reading its session: none when sessions are read
    through the shared cache (PostgreSQL + Redis runs), one from the database otherwise."""
    return 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1


@pytest.fixture
def client():
    """pytest-django's client, whose `force_login` is a completed sign-in (see tests.clients)."""
    from tests.clients import Client

    return Client()


@pytest.fixture(autouse=True)
def _forget_the_thesaurus():
    """The search thesaurus is held per process: a test's (rolled-back) concepts must not
    expand the next test's queries. Each test starts with none, as the test database has."""
    yield
    from search import thesaurus

    thesaurus.hold_empty()


@pytest.fixture(autouse=True)
def _start_in_the_default_language():
    """A request in French leaves French active in the thread (the locale middleware activates
    a language and nothing deactivates it): each test starts in the default language, so a
    command's or a message's language never depends on which test ran before."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
