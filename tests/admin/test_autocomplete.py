"""
/admin/autocomplete/<source>/: what the admin's search-as-you-type boxes ask. The secretariat
only; every word of the query must match; bad input is a 400 naming the parameter.
"""

import json

import pytest

from django.urls import reverse

from tests.conftest import session_reads
from tests.library import factories as library
from tests.network.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, secretariat):
    client.force_login(secretariat, second_factor=True)
    return client


def ask(client, source, **params):
    return client.get(reverse("portal_autocomplete", args=[source]), params)


def labels(response):
    assert response.status_code == 200, response.content
    return [result["label"] for result in json.loads(response.content)["results"]]


def test_people_are_found_by_any_words_of_their_name_with_where_they_work(editor):
    jovana = PersonFactory(given_name="Jovana", family_name="Petrović")
    PersonFactory(given_name="Jovan", family_name="Marković")
    ana = PersonFactory(given_name="Ana", family_name="Nikolić", is_active=False)
    assert labels(ask(editor, "people", q="jovana")) == [
        f"Jovana Petrović — {jovana.organisation}, {jovana.country}"
    ]
    assert len(labels(ask(editor, "people", q="jov"))) == 2
    # Every word must match, in any of the name's fields; inactive people say so.
    assert labels(ask(editor, "people", q="nikol ana")) == [
        f"Ana Nikolić (inactive) — {ana.organisation}, {ana.country}"
    ]
    assert labels(ask(editor, "people", q="nobody-by-this-name")) == []


def test_answers_are_capped_and_say_there_is_more(editor, django_assert_max_num_queries):
    OrganisationFactory.create_batch(25, name="Labour inspectorate")
    response = ask(editor, "organisations", q="labour")
    body = json.loads(response.content)
    assert len(body["results"]) == 20 and body["more"] is True
    assert {"id", "label"} == set(body["results"][0])
    # One query for the rows, whatever their number, besides the request's own.
    with django_assert_max_num_queries(6 + session_reads()):
        ask(editor, "organisations", q="labour")


def test_an_empty_query_lists_the_first_rows_in_order(editor):
    for name in ("Zeta office", "Alpha office", "Mu office"):
        OrganisationFactory(name=name, acronym="")
    assert labels(ask(editor, "organisations", q=""))[:3] == [
        "Alpha office",
        "Mu office",
        "Zeta office",
    ]


def test_resources_include_drafts_and_say_so_and_documents_are_found_by_title(editor):
    library.resource("Referral handbook")
    library.resource("Referral draft", publish=False)
    library.document("sop.txt", title="Referral SOP annex")
    assert sorted(labels(ask(editor, "resources", q="referral"))) == [
        "Referral draft (draft)",
        "Referral handbook",
    ]
    assert labels(ask(editor, "documents", q="annex")) == ["Referral SOP annex"]


def test_countries_are_found_by_name_or_iso_code(editor):
    library.country("AL", "Albania")
    library.country("MK", "North Macedonia")
    assert labels(ask(editor, "countries", q="al")) == ["Albania"]
    assert labels(ask(editor, "countries", q="macedonia")) == ["North Macedonia"]


def test_user_accounts_are_found_by_email_or_name(editor, member):
    found = labels(ask(editor, "users", q=member.email.split("@")[0]))
    assert found == [f"{member.get_full_name()} <{member.email}>"]


def test_an_unknown_source_is_not_found(editor):
    assert ask(editor, "victims", q="a").status_code == 404


@pytest.mark.parametrize("query", ["x" * 101, "ana\x00"])
def test_a_query_too_long_or_with_a_nul_is_refused_naming_the_parameter(editor, query):
    response = ask(editor, "people", q=query)
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["field"] == "q" and "“q”" in body["error"]


def test_only_get_is_answered(editor):
    response = editor.post(reverse("portal_autocomplete", args=["people"]), {"q": "a"})
    assert response.status_code == 405


@pytest.mark.parametrize("tier", ["anonymous", "member", "secretariat_without_second_factor"])
def test_nobody_but_the_secretariat_gets_an_answer(client, member, secretariat, tier):
    PersonFactory(given_name="Hidden", family_name="Coordinator")
    if tier == "member":
        client.force_login(member)
    elif tier == "secretariat_without_second_factor":
        client.force_login(secretariat, second_factor=False)
    response = ask(client, "people", q="hidden")
    assert response.status_code in (302, 403)
    assert b"Coordinator" not in response.content
