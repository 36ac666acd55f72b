"""The referral assistant: the pathway a coordinator gets for a pair of countries and a case
described by categories only, its bad input, and what it never keeps."""

import logging
import re

import pytest

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.urls import reverse

from network.models import Institution, Procedure, TargetGroup
from network.pathway import CaseProfile, build_pathway
from portal.models import Language
from tests.clients import Client
from tests.conftest import session_reads
from tests.network.factories import MandateFactory, PersonFactory
from tests.network.pathway_world import ALL, MEMBERS_PHONE, PUBLIC_HOTLINE, institution, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def pathway_world(db):
    return make_world()


URL = reverse("network:referral")
FULL_PROFILE = {
    "group": "child",
    "child": "unaccompanied",
    "exploitation": "labour",
    "asylum": "yes",
    "procedure": "assistance",
}


def names(step_side):
    return [entry.name for entry in step_side.institutions]


def step(pathway, procedure):
    return next(s for s in pathway.steps if s.procedure == procedure)


# -- the domain ---------------------------------------------------------------------------------


def test_a_regional_guideline_appears_for_every_pair(pathway_world):
    w = pathway_world
    for origin, destination in [
        (w.albania, w.greece),
        (w.greece, w.albania),
        (w.albania, w.italy),
        (w.italy, w.norway),
    ]:
        pathway = build_pathway(origin, destination, CaseProfile(), AnonymousUser())
        titles = [item.title for item in pathway.regional]
        assert "Regional guidelines on transnational referral" in titles, (origin, destination)


def test_a_pairs_agreement_appears_for_that_pair_only(pathway_world):
    w = pathway_world
    anonymous = AnonymousUser()
    al_gr = build_pathway(w.albania, w.greece, CaseProfile(), anonymous)
    assert [item.title for item in al_gr.agreements] == ["Albania-Greece protocol on referral"]
    al_it = build_pathway(w.italy, w.albania, CaseProfile(), anonymous)
    assert [item.title for item in al_it.agreements] == ["Albania-Italy memorandum"]
    gr_it = build_pathway(w.greece, w.italy, CaseProfile(), anonymous)
    assert gr_it.agreements == []


def test_both_national_sops_and_national_guidance_are_on_their_side(pathway_world):
    w = pathway_world
    pathway = build_pathway(w.albania, w.greece, CaseProfile(), AnonymousUser())
    albania, greece = pathway.sides
    assert [item.title for item in albania.guidance] == ["Albanian referral guidelines"]
    assert [(item.title, item.is_national_sop) for item in greece.guidance] == [
        ("Greek national SOP", True)
    ]
    every_title = [item.title for item in pathway.regional + pathway.agreements]
    every_title += [item.title for side in pathway.sides for item in side.guidance]
    assert "Italian referral guidelines" not in every_title


def test_a_childs_case_lists_child_protection_and_childrens_procedures_first(pathway_world):
    w = pathway_world
    child = CaseProfile(group="child", child="unaccompanied")
    pathway = build_pathway(w.albania, w.greece, child, AnonymousUser())
    identification = step(pathway, Procedure.IDENTIFICATION)
    assert names(identification.sides[0])[0] == "Child Rights Agency"
    assert names(identification.sides[1])[0] == "National Centre for Social Solidarity (children)"
    assistance = step(pathway, Procedure.ASSISTANCE)
    # An adults-only shelter is no answer for a child.
    assert "Women's Shelter Tirana" not in names(assistance.sides[0])
    assert "Athens Adult Shelter" not in names(assistance.sides[1])
    assert "guardian" in " ".join(str(note) for note in identification.notes)
    # Children's guidance first, before newer general guidance.
    assert pathway.regional[0].title == "Regional SOP for the referral of child victims"

    adult = build_pathway(w.albania, w.greece, CaseProfile(group="adult"), AnonymousUser())
    identification = step(adult, Procedure.IDENTIFICATION)
    assert "Child Rights Agency" not in names(identification.sides[0])
    assert identification.notes == []
    assert adult.regional[0].title != "Regional SOP for the referral of child victims"


def test_an_asylum_case_puts_the_asylum_authority_first_after_childrens(pathway_world):
    w = pathway_world
    profile = CaseProfile(group="adult", asylum="yes")
    pathway = build_pathway(w.albania, w.greece, profile, AnonymousUser())
    assert names(step(pathway, Procedure.IDENTIFICATION).sides[1])[0] == "Asylum Service"
    profile = CaseProfile(group="child", asylum="yes")
    pathway = build_pathway(w.albania, w.greece, profile, AnonymousUser())
    assert names(step(pathway, Procedure.IDENTIFICATION).sides[1])[:2] == [
        "National Centre for Social Solidarity (children)",
        "Asylum Service",
    ]


def test_the_requested_procedure_is_the_only_one_answered(pathway_world):
    w = pathway_world
    pathway = build_pathway(w.albania, w.greece, CaseProfile(procedure="return"), AnonymousUser())
    assert [s.procedure for s in pathway.steps] == ["return"]
    everything = build_pathway(w.albania, w.greece, CaseProfile(), AnonymousUser())
    assert [s.procedure for s in everything.steps] == ALL


def test_contacts_carry_languages_and_freshness_and_stale_ones_are_named(pathway_world):
    w = pathway_world
    pathway = build_pathway(w.albania, w.greece, CaseProfile(), AnonymousUser())
    shelter = next(
        entry
        for entry in step(pathway, Procedure.ASSISTANCE).sides[1].institutions
        if entry.name == "Athens Adult Shelter"
    )
    assert shelter.is_stale
    assert {language.code for language in shelter.languages} == {"el", "en"}
    # Luan never confirmed his entry; the shelter's was confirmed 500 days ago.
    assert set(pathway.stale_contacts) == {w.people["Luan"].full_name, "Athens Adult Shelter"}
    people = [contact.entry.given_name for contact in pathway.sides[0].people]
    assert people == ["Arta", "Luan"]  # the coordinator first
    assert [contact.is_stale for contact in pathway.sides[0].people] == [False, True]
    assert [c.entry.given_name for c in pathway.sides[1].people] == ["Eleni"]  # not Nikos


def test_a_destination_outside_the_network_shows_its_one_contact_point(pathway_world):
    w = pathway_world
    pathway = build_pathway(w.albania, w.norway, CaseProfile(), AnonymousUser())
    norway = pathway.sides[1]
    assert not norway.in_network
    assert [entry.name for entry in norway.contact_points] == ["Norwegian Coordination Unit"]


def test_members_only_contacts_are_hidden_from_anonymous_in_the_pathway(pathway_world, member):
    w = pathway_world

    def phones(user):
        pathway = build_pathway(w.albania, w.greece, CaseProfile(), user)
        return {
            entry.phone
            for s in pathway.steps
            for side in s.sides
            for entry in side.institutions
            if entry.phone
        }

    assert MEMBERS_PHONE not in phones(AnonymousUser())
    assert PUBLIC_HOTLINE in phones(AnonymousUser())
    assert MEMBERS_PHONE in phones(member)


# -- the page -----------------------------------------------------------------------------------


def test_member_builds_the_pathway_for_an_unaccompanied_child(member_client, pathway_world):
    response = member_client.get(URL, {"from": "AL", "to": "gr", **FULL_PROFILE})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Referral pathway from Albania to Greece" in html
    assert 'id="step-assistance"' in html
    assert 'id="step-proceedings"' not in html  # only the procedure asked for
    assistance = html[html.index('id="step-assistance"') :]
    assert assistance.index("Child Rights Agency") < assistance.index(
        "Office of the National Coordinator"
    )
    assert "Regional guidelines on transnational referral" in html
    assert "Albania-Greece protocol on referral" in html
    assert "Albania-Italy memorandum" not in html
    assert "arta@example.org" in html
    # The form keeps the choices made.
    assert re.search(r'value="unaccompanied"[^>]*checked', html)


def test_anonymous_visitor_never_gets_a_members_only_number_on_the_page(client, pathway_world):
    html = client.get(URL, {"from": "AL", "to": "GR"}).content.decode()
    assert PUBLIC_HOTLINE in html
    assert MEMBERS_PHONE not in html
    assert "arta@example.org" not in html
    assert "Members-only referral notes" not in html


def test_bare_address_shows_the_empty_form(client, pathway_world):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="from"' in html and 'name="exploitation"' in html
    assert 'role="alert"' not in html


#: Values a visitor typed (not from the lists): never repeated back.
TYPED = {"ALB", "ZZ", "elderly", "alone", "Anna, 14, from Korça", "maybe", "rescue", "docx"}
TYPED |= {"Anna", "met at the border"}


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"from": "AL"}, "to", "This field is required"),
        ({"to": "GR"}, "from", "This field is required"),
        ({"from": "AL", "to": "ZZ"}, "to", "Not a country code of the network"),
        ({"from": "ALB", "to": "GR"}, "from", "Not a country code of the network"),
        ({"from": "AL", "to": "al"}, "to", "Choose two different countries"),
        ({"from": "AL", "to": "GR", "group": "elderly"}, "group", "Choose one of the listed"),
        ({"from": "AL", "to": "GR", "child": "alone"}, "child", "Choose one of the listed"),
        (
            {"from": "AL", "to": "GR", "exploitation": "Anna, 14, from Korça"},
            "exploitation",
            "Choose one of the listed",
        ),
        ({"from": "AL", "to": "GR", "asylum": "maybe"}, "asylum", "Choose one of the listed"),
        ({"from": "AL", "to": "GR", "procedure": "rescue"}, "procedure", "Choose one of"),
        ({"from": "AL", "to": "GR", "format": "docx"}, "format", "Choose one of the listed"),
        (
            {"from": "AL", "to": "GR", "group": "adult", "child": "unaccompanied"},
            "child",
            "Only for a child",
        ),
        ({"from": "AL", "to": "GR", "name": "Anna"}, "name", "Unknown parameter"),
        ({"from": "AL", "to": "GR", "notes": "met at the border"}, "notes", "Unknown parameter"),
    ],
)
def test_every_bad_parameter_gets_a_400_naming_the_field(
    client, pathway_world, params, field, message
):
    response = client.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f"<code>{field}</code>" in html or f"“{field}”" in html
    # What was typed is never repeated back in the answer.
    errors = html[html.index('id="referral-errors"') :]
    errors = errors[: errors.index("</div>")]
    for value in params.values():
        if value in TYPED:
            assert value not in errors
    # Nor in where the sign-in and language links come back to: the page without its query.
    back = re.findall(r'name="next" value="([^"]*)"|[?&](?:amp;)?next=([^"&]*)', html)
    assert back
    assert {path for pair in back for path in pair if path} == {URL}
    assert "no-store" in response["Cache-Control"]


def test_a_parameter_given_twice_is_refused(client, pathway_world):
    response = client.get(URL + "?from=AL&to=GR&group=child&group=adult")
    assert response.status_code == 400
    assert "<code>group</code>" in response.content.decode()
    assert "more than once" in response.content.decode()


def test_a_child_situation_alone_means_a_child(client, pathway_world):
    response = client.get(URL, {"from": "AL", "to": "GR", "child": "separated"})
    assert response.status_code == 200
    assert "Child Rights Agency" in response.content.decode()


# -- nothing kept -------------------------------------------------------------------------------


def test_a_case_profile_is_never_stored_cached_or_logged(member, pathway_world, caplog):
    from django.contrib.sessions.models import Session

    from wagtail.models import ModelLogEntry, PageLogEntry

    client = Client()
    client.force_login(member)
    client.get("/network/")  # the session's own bookkeeping (sign-in time, renewal) first
    session_before = dict(client.session.items())
    logs_before = ModelLogEntry.objects.count(), PageLogEntry.objects.count()
    sessions_before = list(Session.objects.values_list("session_key", "session_data"))
    with caplog.at_level(logging.DEBUG):
        for params in [
            {"from": "AL", "to": "GR", **FULL_PROFILE},
            {"from": "AL", "to": "GR", **FULL_PROFILE, "format": "print"},
            {"from": "AL", "to": "GR", **FULL_PROFILE, "format": "pdf"},
            {"from": "AL", "to": "GR", "exploitation": "Anna from Korça"},
        ]:
            response = client.get(URL, params)
            assert "no-store" in response["Cache-Control"]
            assert "private" in response["Cache-Control"]
            assert response["Referrer-Policy"] == "no-referrer"
    assert dict(client.session.items()) == session_before
    assert list(Session.objects.values_list("session_key", "session_data")) == sessions_before
    assert (ModelLogEntry.objects.count(), PageLogEntry.objects.count()) == logs_before
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for word in ("unaccompanied", "labour", "Korça", "exploitation="):
        assert word not in logged


def test_a_pair_without_a_case_may_be_cached_for_everyone(client, pathway_world):
    response = client.get(URL, {"from": "AL", "to": "GR"})
    assert "no-store" not in response.get("Cache-Control", "")


# -- queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 25])
def test_assistant_page_query_count_does_not_grow(
    member_client, pathway_world, django_assert_num_queries, extra
):
    w = pathway_world
    for number in range(extra):
        item = institution(
            w.greece,
            f"Extra service {number}",
            Institution.Kind.NGO,
            ALL,
            [TargetGroup.CHILDREN],
            phone="+30 21 0000 0000",
        )
        item.languages.set(Language.objects.filter(code__in=["en", "el"]))
        MandateFactory(
            person=PersonFactory(country=w.albania),
            country=w.albania,
            role="referral_focal_point",
        )
    params = {"from": "AL", "to": "GR", **FULL_PROFILE}
    member_client.get(URL, params)
    # Session, user, groups; the countries; the profiles; institutions and their languages;
    # the contact people with mandates, emails, phones and languages; the guidance (regional,
    # national of each country, SOPs, agreements, then the resources with countries and
    # topics); the site root for the resources' URLs.
    with django_assert_num_queries(21 + session_reads()):
        response = member_client.get(URL, params)
    assert response.status_code == 200


def test_the_guidance_of_a_pair_is_cached_per_tier_and_follows_a_publication(
    client, django_capture_on_commit_callbacks, django_assert_num_queries, member
):
    from django.test.utils import CaptureQueriesContext

    from tests.library import factories as library

    with django_capture_on_commit_callbacks(execute=True):  # as if committed
        make_world()
    params = {"from": "AL", "to": "GR", "group": "child"}
    client.get("/network/")  # the first request creates the site's settings: a content change
    with CaptureQueriesContext(connection) as cold:
        client.get(URL, params)
    # The same pair and tier again: the guidance comes from the cache (no library query).
    with CaptureQueriesContext(connection) as warm:
        html = client.get(URL, params).content.decode()
    assert not [q for q in warm.captured_queries if "library_resourcepage" in q["sql"]]
    assert len(warm) < len(cold)
    assert "Members-only referral notes" not in html
    # Another tier has its own.
    member_client = Client()
    member_client.force_login(member)
    assert "Members-only referral notes" in member_client.get(URL, params).content.decode()
    # A publication shows at once.
    with django_capture_on_commit_callbacks(execute=True):
        library.resource("Fresh regional referral checklist", topics=["referral"])
    assert "Fresh regional referral checklist" in client.get(URL, params).content.decode()
