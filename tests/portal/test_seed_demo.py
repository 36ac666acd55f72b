from io import StringIO

import pytest

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from portal.access import is_member, is_secretariat
from portal.demo import MEMBER_EMAIL, NETWORK_NAME, SECRETARIAT_EMAIL

pytestmark = pytest.mark.django_db
User = get_user_model()


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@override_settings(MFA_REQUIRED_FOR_SECRETARIAT=False)  # as in the demo (dev settings)
def test_seed_demo_creates_the_demo_accounts_with_the_given_password(client):
    seed("--password", "a demo password")
    secretariat = User.objects.get(email=SECRETARIAT_EMAIL)
    member = User.objects.get(email=MEMBER_EMAIL)
    assert is_secretariat(secretariat) and not is_secretariat(member) and is_member(member)
    response = client.post(
        "/accounts/login/", {"login": SECRETARIAT_EMAIL, "password": "a demo password"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_demo_secretariat_must_enrol_a_second_factor_where_mfa_is_required(client):
    seed("--password", "a demo password")
    client.post("/accounts/login/", {"login": SECRETARIAT_EMAIL, "password": "a demo password"})
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/?next=%2Fadmin%2Fpages%2F"


def test_seed_demo_is_idempotent_and_rerunning_sets_the_password():
    seed("--password", "first password")
    counts = (User.objects.count(),)
    seed("--password", "second password")
    assert (User.objects.count(),) == counts
    assert User.objects.get(email=MEMBER_EMAIL).check_password("second password")


def test_seed_demo_without_password_prints_a_random_one_for_new_accounts():
    output = seed()
    assert f"Created {MEMBER_EMAIL} with password: " in output
    password = output.split(f"Created {MEMBER_EMAIL} with password: ")[1].split()[0]
    assert User.objects.get(email=MEMBER_EMAIL).check_password(password)
    # A second run without a password leaves the existing passwords alone.
    seed()
    assert User.objects.get(email=MEMBER_EMAIL).check_password(password)


def test_seed_demo_names_the_site_after_the_demo_network(client):
    seed("--password", "x-demo-password")
    assert NETWORK_NAME in client.get("/").content.decode()


def test_seed_demo_rejects_a_scale_below_one():
    with pytest.raises(CommandError, match="--scale"):
        seed("--scale", "0")
