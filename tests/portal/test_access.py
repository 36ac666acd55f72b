import pytest

from django.contrib.auth.models import AnonymousUser

from portal import access
from portal.access import Audience
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_public_and_sees_only_public_content():
    anonymous = AnonymousUser()
    assert access.audience_of(anonymous) == Audience.PUBLIC
    assert access.visible_audiences(anonymous) == ["public"]
    assert access.can_see(anonymous, "public")
    assert not access.can_see(anonymous, "members")
    assert not access.can_see(anonymous, "secretariat")
    assert not access.is_member(anonymous)


def test_none_user_is_treated_as_anonymous():
    assert access.audience_of(None) == Audience.PUBLIC


def test_member_sees_public_and_members_content_but_not_the_secretariats():
    member = UserFactory(member=True)
    assert access.visible_audiences(member) == ["public", "members"]
    assert access.can_see(member, Audience.MEMBERS)
    assert not access.can_see(member, Audience.SECRETARIAT)
    assert access.is_member(member)
    assert not access.is_secretariat(member)


def test_secretariat_sees_every_audience():
    secretariat = UserFactory(secretariat=True)
    assert access.visible_audiences(secretariat) == ["public", "members", "secretariat"]
    assert access.is_member(secretariat)
    assert access.is_secretariat(secretariat)


def test_superuser_counts_as_secretariat_without_any_group():
    superuser = UserFactory(is_superuser=True)
    assert access.audience_of(superuser) == Audience.SECRETARIAT


def test_signed_in_user_without_a_group_sees_only_public_content():
    outsider = UserFactory()
    assert access.visible_audiences(outsider) == ["public"]


def test_deactivated_member_sees_only_public_content():
    member = UserFactory(member=True, is_active=False)
    assert access.audience_of(member) == Audience.PUBLIC


def test_unknown_audience_fails_closed_even_for_members():
    member = UserFactory(member=True)
    assert not access.can_see(member, "everyone")
    assert access.can_see(UserFactory(secretariat=True), "everyone")


def test_the_tier_is_asked_of_the_database_once_per_user_object(django_assert_num_queries):
    member = UserFactory(member=True)
    with django_assert_num_queries(1):
        access.can_see(member, "members")
        access.visible_audiences(member)
        access.is_secretariat(member)


def test_forget_audience_rereads_groups_after_a_change():
    from django.contrib.auth.models import Group

    user = UserFactory()
    assert not access.is_member(user)
    user.groups.add(Group.objects.get(name=access.MEMBERS_GROUP))
    assert not access.is_member(user)  # cached for this request
    access.forget_audience(user)
    assert access.is_member(user)


def test_restrict_queryset_filters_by_the_users_audiences():
    from django.contrib.auth.models import Group

    # Any model with an audience-like column will do; groups' names stand in for it here.
    for name in ("public", "members", "secretariat"):
        Group.objects.get_or_create(name=name)
    member = UserFactory(member=True)
    names = set(
        access.restrict_queryset(Group.objects.all(), member, field="name").values_list(
            "name", flat=True
        )
    )
    assert names == {"public", "members"}
