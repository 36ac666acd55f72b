"""One door: only allauth's views authenticate, and the secretariat tier belongs to a session that
passed the second factor, everywhere the tier is granted (MFA_REQUIRED_FOR_SECRETARIAT is on in
these settings, as in production)."""

import inspect
import re

import pytest

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from portal.access import Audience
from tests.clients import Client
from tests.library import factories as library
from tests.portal.factories import PASSWORD, TOTP_SECRET, UserFactory
from tests.portal.test_accounts import totp

pytestmark = pytest.mark.django_db

CREDENTIAL_FORMS = (
    auth_forms.AuthenticationForm,
    auth_forms.SetPasswordForm,
    auth_forms.PasswordResetForm,
)
CREDENTIAL_VIEWS = (
    auth_views.LoginView,
    auth_views.PasswordChangeView,
    auth_views.PasswordResetView,
    auth_views.PasswordResetConfirmView,
)


def walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def authenticates(callback):
    """Whether a view signs people in or sets their credentials: Django's and Wagtail's own
    views for that, or any view built on their forms."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        if issubclass(view_class, CREDENTIAL_VIEWS):
            return True
        form_class = getattr(view_class, "form_class", None)
        return inspect.isclass(form_class) and issubclass(form_class, CREDENTIAL_FORMS)
    function = inspect.unwrap(callback)
    source_module = getattr(function, "__module__", "") or ""
    return source_module == "django.contrib.auth.views" or (
        source_module.startswith("wagtail.") and function.__name__ == "authenticate_with_password"
    )


def sample_path(route):
    """A concrete URL that `route` matches: each converter filled with a plausible value."""
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) == "int" else "MQ", route)
    return "/" + path.lstrip("^").rstrip("$").replace("\\", "")


def is_allauths(callback):
    return (getattr(callback, "__module__", "") or "").startswith("allauth.")


def test_only_allauth_views_authenticate():
    """Walks every URL pattern: a view that takes a password or sets one and is not allauth's
    is a second door, unless an earlier pattern answers its URLs instead (as the portal's
    redirects to allauth do)."""
    doors = []
    for route, callback in walk(get_resolver().url_patterns):
        if not authenticates(callback) or is_allauths(callback):
            continue
        answered_by = resolve(sample_path(route)).func
        if authenticates(answered_by) and not is_allauths(answered_by):
            doors.append(route)
    assert doors == []


def test_the_walk_recognises_the_doors_wagtail_brings():
    """The check above would see Wagtail's front-end and admin sign-in views if they were routed."""
    from wagtail import urls as wagtail_urls
    from wagtail.admin.urls import password_reset
    from wagtail.documents import urls as document_urls

    routed = (
        dict(walk(wagtail_urls.urlpatterns))
        | dict(walk(password_reset.urlpatterns))
        | dict(walk(document_urls.urlpatterns))
    )
    assert authenticates(routed["_util/login/"])
    assert authenticates(
        routed["_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/"]
    )
    assert authenticates(routed["confirm/<uidb64>/<token>/"])
    assert authenticates(routed["authenticate_with_password/<int:restriction_id>/"])


def test_wagtails_front_end_sign_in_signs_nobody_in():
    """Wagtail's /_util/login/ once took a secretariat password alone, without a rate limit."""
    secretariat = UserFactory(secretariat=True)
    client = Client()
    for _ in range(3):
        response = client.post(
            "/_util/login/", {"username": secretariat.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    assert Client().get("/_util/authenticate_with_password/1/2/").status_code == 404
    assert Client().post("/documents/authenticate_with_password/1/").status_code == 404


def test_collection_privacy_cannot_be_set_so_only_the_pages_decide_downloads():
    from wagtail.models import Collection, CollectionViewRestriction

    client = Client()
    client.force_login(UserFactory(secretariat=True))
    root = Collection.get_first_root_node()
    response = client.post(f"/admin/collections/{root.pk}/privacy/", {"restriction_type": "login"})
    assert response.status_code == 200
    assert not CollectionViewRestriction.objects.exists()


def test_the_admins_password_reset_is_allauths_at_every_step():
    for url in ("/admin/password_reset/", "/admin/password_reset/confirm/MQ/set-password/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("account_reset_password")


def test_a_secretariat_password_alone_does_not_open_the_admin():
    secretariat = UserFactory(secretariat=True)
    client = Client()
    client.force_login(secretariat, second_factor=False)
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next=%2Fadmin%2Fpages%2F"


def test_a_secretariat_password_alone_gets_the_member_tier_on_the_site(home_page):
    secret = library.resource("Internal Cassowarine note", audience=Audience.SECRETARIAT)
    members = library.resource("Members Quokkaplinth guide", audience=Audience.MEMBERS)
    secretariat = UserFactory(secretariat=True)
    client = Client()
    client.force_login(secretariat, second_factor=False)
    # A secretariat-only page sends the session to the second factor, not the page.
    response = client.get(secret.url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    # Listings and search show what a member sees.
    assert client.get(members.url).status_code == 200
    found = client.get("/api/search/?q=Cassowarine").json()
    assert found["total"] == 0
    listing = client.get("/library/").content.decode()
    assert "Quokkaplinth" in listing
    assert "Cassowarine" not in listing


def test_passing_the_second_factor_later_grants_the_tier(home_page):
    secret = library.resource("Internal Cassowarine note", audience=Audience.SECRETARIAT)
    secretariat = UserFactory(secretariat=True)
    client = Client()
    client.force_login(secretariat, second_factor=False)
    step = client.get(secret.url)["Location"]
    page = client.get(step)
    assert page.status_code == 200
    # A code of the next period (within the tolerance): another test may have used this one.
    response = client.post(step, {"code": totp(TOTP_SECRET, step=1)})
    assert response.status_code == 302
    assert response["Location"] == secret.url
    assert client.get(secret.url).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_secretariat_account_without_an_authenticator_is_sent_to_enrol():
    secretariat = UserFactory(groups_=["Secretariat"], is_staff=True)
    client = Client()
    client.force_login(secretariat)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_members_keep_their_tier_without_a_second_factor(home_page):
    members = library.resource("Members Quokkaplinth guide", audience=Audience.MEMBERS)
    client = Client()
    client.force_login(UserFactory(member=True), second_factor=False)
    assert client.get(members.url).status_code == 200


def test_a_member_opening_the_admin_gets_a_refusal_not_a_redirect_loop():
    client = Client()
    client.force_login(UserFactory(member=True))
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 2


def test_the_settings_under_test_require_the_second_factor():
    """These tests mean something only with the production rule on."""
    assert settings.MFA_REQUIRED_FOR_SECRETARIAT is True


def test_options_asks_the_policy_like_get(home_page):
    """Wagtail answers OPTIONS without serving the page: it told anyone that a restricted page
    exists (200 with an Allow header) where GET sends them to sign in."""
    secret = library.resource("Internal Cassowarine note", audience=Audience.SECRETARIAT)
    anonymous = Client().options(secret.url)
    assert anonymous.status_code == 302
    assert "Allow" not in anonymous
    member = Client()
    member.force_login(UserFactory(member=True))
    assert member.options(secret.url).status_code == 403
    secretariat = Client()
    secretariat.force_login(UserFactory(secretariat=True))
    allowed = secretariat.options(secret.url)
    assert allowed.status_code == 200
    assert "GET" in allowed["Allow"]


def test_the_admins_privacy_explanations_are_for_the_admin_only():
    for url in ("/admin/pages/3/privacy/", "/admin/collections/1/privacy/"):
        assert Client().get(url).status_code == 302


@pytest.mark.parametrize(
    "url_name",
    [
        "mfa_deactivate_totp",
        "mfa_generate_recovery_codes",
        "mfa_index",
        "account_email",
        "account_change_password",
        "account_reauthenticate",
    ],
)
def test_a_password_alone_cannot_change_the_accounts_credentials(url_name):
    """A secretariat session short of its second factor re-entered the password and reached the
    page that removes the authenticator: whoever held such a session could take the second
    factor over."""
    client = Client()
    client.force_login(UserFactory(secretariat=True), second_factor=False)
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_an_account_without_an_authenticator_may_enrol_one_with_its_password():
    client = Client()
    client.force_login(UserFactory(groups_=["Secretariat"], is_staff=True))
    response = client.get(reverse("mfa_activate_totp"))
    # allauth asks for the password first, on a page the session may open.
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        assert client.get(response["Location"]).status_code == 200
