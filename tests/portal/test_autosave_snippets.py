"""
A snippet's create form autosaves too (Wagtail 8 does it for snippets with revisions: the
directory's people, organisations and institutions): saving it while its first autosave is in
flight creates one snippet, never two, and never answers 500. The browser's two requests to the
create view (the background autosave asking for JSON, and the editor's own Save) are replayed
here in either order, as for pages (tests/portal/test_autosave.py).
"""

import re

import pytest

from network.models import Organisation
from portal.autosave import TOKEN_FIELD
from portal.models import CreateFormClaim
from tests.clients import Client

NAME = "National Referral Mechanism office"
ADD_URL = "/admin/snippets/network/organisation/add/"


@pytest.fixture
def editor(secretariat):
    client = Client(raise_request_exception=False)
    client.force_login(secretariat)
    return client


def form_data(client, **fields):
    response = client.get(ADD_URL)
    assert response.status_code == 200
    html = response.content.decode()
    token = re.search(rf'name="{TOKEN_FIELD}" value="([^"]+)"', html)
    assert token, "the snippet create form carries no token"
    assert html.count(f'name="{TOKEN_FIELD}"') == 1
    form = html.index("<form")
    assert form < token.start() < html.index("</form>", form)
    return {"name": NAME, "acronym": "", "kind": "ministry", **fields, TOKEN_FIELD: token[1]}


def autosave(client, data):
    return client.post(ADD_URL, data, HTTP_ACCEPT="application/json")


def save(client, data):
    return client.post(ADD_URL, data)


@pytest.mark.django_db
def test_without_the_claim_an_autosave_and_a_save_would_create_two(editor):
    """What the claim prevents: Wagtail creates the snippet once per request of the form."""
    data = form_data(editor)
    del data[TOKEN_FIELD]
    assert autosave(editor, data).status_code == 200
    assert save(editor, data).status_code == 302
    assert Organisation.objects.filter(name=NAME).count() == 2


@pytest.mark.django_db
def test_save_after_the_autosave_created_the_snippet_saves_that_snippet(editor):
    data = form_data(editor)
    early = {**data, "name": "National Referral"}

    saved = autosave(editor, early)
    kept = save(editor, data)

    assert saved.status_code == 200, saved.content
    organisation = Organisation.objects.get()
    assert saved.json()["url"] == f"/admin/snippets/network/organisation/edit/{organisation.pk}/"
    assert kept.status_code == 302, kept.content[:2000]
    organisation.refresh_from_db()
    assert organisation.name == NAME


@pytest.mark.django_db
def test_an_autosave_after_the_save_leaves_the_saved_snippet_alone(editor):
    """The autosave left first but reached the server last: its form state is older."""
    data = form_data(editor)
    early = {**data, "name": "National Referral"}

    kept = save(editor, data)
    saved = autosave(editor, early)

    assert kept.status_code == 302
    assert saved.status_code == 400
    assert saved.json()["error_code"] == "invalid_revision"
    organisation = Organisation.objects.get()
    assert organisation.name == NAME and organisation.revisions.count() == 1


@pytest.mark.django_db
def test_an_autosave_sent_again_updates_the_same_snippet_and_switches_the_form(editor):
    data = form_data(editor)
    early = {**data, "name": "National Referral"}

    first = autosave(editor, early)
    again = autosave(editor, data)

    assert first.status_code == 200 and again.status_code == 200, again.content
    organisation = Organisation.objects.get()
    answer = again.json()
    edit_url = f"/admin/snippets/network/organisation/edit/{organisation.pk}/"
    assert answer["success"] and answer["pk"] == organisation.pk
    assert (answer["url"], answer["hydrate_url"]) == (
        edit_url,
        f"{edit_url}?_w_hydrate_create_view=1",
    )
    assert organisation.name == NAME


@pytest.mark.django_db
def test_two_create_forms_create_two_snippets(editor):
    one, other = form_data(editor), form_data(editor)
    assert one[TOKEN_FIELD] != other[TOKEN_FIELD]
    assert save(editor, one).status_code == 302
    assert save(editor, other).status_code == 302
    assert Organisation.objects.filter(name=NAME).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_a_malformed_token_is_refused_naming_the_field_and_nothing_is_created(editor, accept):
    data = {**form_data(editor), TOKEN_FIELD: "not-a-token"}
    response = editor.post(ADD_URL, data, HTTP_ACCEPT=accept)
    assert response.status_code == 400
    assert TOKEN_FIELD in response.content.decode()
    assert not Organisation.objects.exists() and not CreateFormClaim.objects.exists()


@pytest.mark.django_db
def test_a_page_forms_token_is_refused_in_a_snippet_form(editor):
    data = form_data(editor)
    assert save(editor, data).status_code == 302
    claim = CreateFormClaim.objects.get()
    claim.snippet_type = None
    claim.snippet_id = ""
    claim.save()
    response = save(editor, data)
    assert response.status_code == 400
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_another_users_form_token_is_refused(editor, secretariat):
    from tests.portal.factories import UserFactory

    data = form_data(editor)
    assert autosave(editor, data).status_code == 200
    other = UserFactory(secretariat=True)
    intruder = Client(raise_request_exception=False)
    intruder.force_login(other)
    response = save(intruder, data)
    assert response.status_code == 400
    assert Organisation.objects.count() == 1
