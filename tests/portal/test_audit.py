"""Account changes leave a trail the secretariat can read in the admin's site history."""

import pytest
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

from django.contrib.auth.models import Group
from django.urls import reverse

from wagtail.models import ModelLogEntry

from portal.access import MEMBERS_GROUP
from tests.portal.factories import PASSWORD, UserFactory
from tests.portal.test_accounts import sign_in, totp

pytestmark = pytest.mark.django_db


def entries(user, action):
    return ModelLogEntry.objects.filter(object_id=str(user.pk), action=action)


def test_group_membership_changes_are_logged():
    user = UserFactory()
    user.groups.add(Group.objects.get(name=MEMBERS_GROUP))
    entry = entries(user, "portal.user.groups").get()
    assert entry.data == {"change": "add", "groups": [MEMBERS_GROUP]}
    user.groups.remove(Group.objects.get(name=MEMBERS_GROUP))
    assert entries(user, "portal.user.groups").count() == 2


def test_deactivation_is_logged():
    user = UserFactory(member=True)
    user.is_active = False
    user.save()
    assert entries(user, "portal.user.deactivate").exists()


def test_enrolling_a_second_factor_is_logged_with_who_did_it(
    client, django_capture_on_commit_callbacks
):
    member = UserFactory(member=True)
    sign_in(client, member.email)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    code = totp(client.session[SECRET_SESSION_KEY])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_activate_totp"), {"code": code})
    entry = entries(member, "portal.mfa.add").first()
    assert entry is not None and entry.user_id == member.pk


def test_password_change_is_logged(client):
    member = UserFactory(member=True)
    sign_in(client, member.email)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "another-pass-987", "password2": "another-pass-987"},
    )
    assert entries(member, "portal.password.change").exists()


def test_secretariat_reads_the_account_trail_in_site_history(secretariat_client):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=MEMBERS_GROUP))
    response = secretariat_client.get("/admin/reports/site-history/")
    assert response.status_code == 200
    assert b"Groups changed" in response.content
