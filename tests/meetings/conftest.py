import pytest

from tests.portal.factories import UserFactory


@pytest.fixture
def owner(db):
    """A member linked to a directory entry."""
    from tests.meetings.factories import make_country, make_person

    user = UserFactory(member=True)
    make_person(user=user, country=make_country())
    return user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client
