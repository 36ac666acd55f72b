"""The library's search records: what the search service is given for each resource, when it is
(re)built, and that nothing members-only reaches those who may not see it."""

import datetime
import json

import pytest

from django.contrib.auth.models import AnonymousUser

from library.models import ResourcePage
from library.search_records import SOURCE_NAME, ResourceRecordSource
from search import service
from search.registry import get_source
from tests.library.factories import document, resource
from tests.library.test_resource_page import CHECKLIST

source = ResourceRecordSource()


def records(page):
    return source.records_for(source.get_object(page.pk))


def test_the_library_source_is_registered():
    assert isinstance(get_source(SOURCE_NAME), ResourceRecordSource)


def test_a_public_resource_has_one_record_for_every_tier_with_its_text_and_facets(library):
    doc = document("notes.txt", b"Attachment words about shelters")
    type(doc).objects.filter(pk=doc.pk).update(extracted_text="Attachment words about shelters")
    page = resource(
        "Referral guide",
        summary="How to refer.",
        body=CHECKLIST,
        resource_type="indicator_set",
        topics=["referral"],
        countries=["AL"],
        languages=["fr", "en"],
        published=datetime.date(2019, 10, 18),
        external_id="SEC-9",
        attachments=[doc],
    )
    [record] = records(page)
    assert record.key == f"library.resource:{page.pk}"
    assert record.kind == "resource"
    assert record.source == SOURCE_NAME
    assert record.object_id == str(page.pk)
    assert record.audiences == ("public", "members", "secretariat")
    assert record.title == "Referral guide"
    assert record.summary == "How to refer."
    assert "Identity documents held by the employer" in record.body
    assert record.attachments == "Attachment words about shelters"
    assert record.url == page.url
    assert record.date == datetime.date(2019, 10, 18)
    assert record.external_id == "SEC-9"
    assert record.facets == {
        "kind": ["resource"],
        "type": ["indicator_set"],
        "topic": ["referral"],
        "country": ["AL"],
        "language": ["en", "fr"],
        "year": ["2019"],
    }


def test_a_members_only_resource_is_shown_to_members_and_the_secretariat_only(library):
    [record] = records(resource("Members SOP", audience="members"))
    assert record.audiences == ("members", "secretariat")


def test_drafts_and_unpublished_resources_have_no_records(library):
    assert records(resource("Draft", publish=False)) == []
    page = resource("Withdrawn")
    page.unpublish()
    assert records(page) == []


def test_a_superseded_resource_has_no_records_for_those_who_see_its_successor(library):
    old = resource("Old SOP")
    resource("New SOP", supersedes=old)
    assert records(old) == []


def test_a_public_edition_superseded_by_a_members_only_one_stays_findable_by_the_public(library):
    old = resource("Old public SOP")
    resource("New members SOP", supersedes=old, audience="members")
    [record] = records(old)
    assert record.audiences == ("public",)


def test_missing_or_malformed_ids_give_no_object(db):
    assert source.get_object("999999") is None
    assert source.get_object("abc") is None


@pytest.mark.parametrize("count", [3, 30])
def test_building_records_takes_a_fixed_number_of_queries(
    library, django_assert_num_queries, count
):
    docs = [document(f"d{n}.txt", b"x") for n in range(count)]
    page = resource("Many files", topics=["a", "b"], countries=["AL"], attachments=docs)
    records(page)  # the site's root paths are cached after the first URL
    with django_assert_num_queries(RECORD_QUERIES):
        records(page)


RECORD_QUERIES = 7


def test_iter_objects_streams_the_live_resources(library):
    resource("Live one")
    resource("Draft one", publish=False)
    assert [page.title for page in source.iter_objects()] == ["Live one"]


def search_titles(text, user):
    return [hit.title for hit in service.search(text, user).hits]


def test_publishing_unpublishing_and_deleting_keep_search_in_step(
    library, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = resource("Zanzibar referral protocol")
    assert search_titles("zanzibar", AnonymousUser()) == ["Zanzibar referral protocol"]
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert search_titles("zanzibar", AnonymousUser()) == []
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert search_titles("zanzibar", AnonymousUser()) == ["Zanzibar referral protocol"]
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()
    assert search_titles("zanzibar", member) == []


def test_anonymous_search_never_sees_members_only_resource_or_its_attachment_text(
    library, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        doc = document("secret.txt", b"quokka screening checklist")
    with django_capture_on_commit_callbacks(execute=True):
        resource("Members quokka guide", audience="members", attachments=[doc])
    assert search_titles("quokka", AnonymousUser()) == []
    assert search_titles("quokka", member) == ["Members quokka guide"]


def test_extraction_after_publishing_brings_attachment_text_to_search(
    library, django_capture_on_commit_callbacks
):
    doc = document("late.txt", b"axolotl shelter standards")  # extraction not run yet
    with django_capture_on_commit_callbacks(execute=True):
        resource("Shelter standards", attachments=[doc])
    assert search_titles("axolotl", AnonymousUser()) == []
    from library.tasks import extract_document_text

    with django_capture_on_commit_callbacks(execute=True):
        extract_document_text(doc.pk)
    assert search_titles("axolotl", AnonymousUser()) == ["Shelter standards"]


def test_publishing_a_new_edition_removes_the_old_one_from_search(
    library, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        old = resource("Wombat SOP 2015")
    with django_capture_on_commit_callbacks(execute=True):
        resource("Wombat SOP 2020", supersedes=old)
    assert search_titles("wombat", AnonymousUser()) == ["Wombat SOP 2020"]


def test_a_summary_that_only_repeats_the_body_is_not_weighed_twice(tmp_path, library):
    from django.core.management import call_command

    body = "Shelter placement for presumed victims, step by step. " * 20
    lines = tmp_path / "resources.jsonl"
    lines.write_text(
        json.dumps({"external_id": "D1", "title": "Derived", "body": body})
        + "\n"
        + json.dumps(
            {"external_id": "E1", "title": "Explicit", "summary": "Own words.", "body": body}
        )  # fmt: skip
        + "\n",
        encoding="utf-8",
    )
    call_command("import_resources", str(lines))
    derived = ResourcePage.objects.get(external_id="D1")
    assert derived.summary.startswith("Shelter placement")  # the listing still shows one
    [record] = records(derived)
    assert record.summary == ""
    assert record.body.startswith("Shelter placement")
    [record] = records(ResourcePage.objects.get(external_id="E1"))
    assert record.summary == "Own words."
    # Without a matching passage (an empty query), the hit shows the body's opening words.
    service.replace_records(SOURCE_NAME, str(derived.pk), records(derived))
    hits = {hit.title: hit for hit in service.search("", AnonymousUser()).hits}
    assert hits["Derived"].snippet.startswith("Shelter placement for presumed victims")


def test_a_resource_with_translations_is_one_hit_with_its_other_languages_linked(
    library, member, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        original = resource(
            "Capybara referral guideline", languages=["en"], summary="Referral of victims."
        )
    with django_capture_on_commit_callbacks(execute=True):
        french = resource(
            "Orientation capybara", languages=["fr"], translation_of=original,
            summary="Orientation des victimes.",
        )  # fmt: skip
        resource(
            "Upućivanje capybara", languages=["hr"], translation_of=original,
            summary="Upućivanje žrtava.", audience="members",
        )  # fmt: skip
    # One hit: the best-ranked edition the searcher may see, with the others linked.
    results = service.search("capybara", AnonymousUser())
    assert results.total == 1
    (hit,) = results.hits
    assert hit.title in ("Capybara referral guideline", "Orientation capybara")
    others = {edition["language"] for edition in hit.translations}
    assert others == {"en", "fr"} - {hit.language}  # the members-only edition is not linked
    results = service.search("orientation capybara", AnonymousUser())
    assert [h.title for h in results.hits] == ["Orientation capybara"]
    assert [e["url"] for e in results.hits[0].translations] == [original.url]
    results = service.search("capybara", member)
    assert results.total == 1
    assert {e["language"] for e in results.hits[0].translations} | {results.hits[0].language} == {
        "en",
        "fr",
        "hr",
    }
    response = client.get("/api/search/", {"q": "capybara"})
    (item,) = response.json()["results"]
    assert len(item["translations"]) == 1
    page = client.get("/search/", {"q": "orientation capybara"}).content.decode()
    assert f'href="{original.url}" hreflang="en"' in page
    # Withdrawing the translations makes the original a resource of its own again.
    with django_capture_on_commit_callbacks(execute=True):
        french.unpublish()
    results = service.search("capybara", AnonymousUser())
    assert [h.title for h in results.hits] == ["Capybara referral guideline"]
    assert results.hits[0].translations == []
