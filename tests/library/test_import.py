"""import_resources per docs/contracts.md: JSON Lines, idempotent by external_id, bad lines reported
with their number and reason while the others go on, nothing half-written."""

import json

import pytest

from django.core.management import CommandError, call_command

from library.models import LibraryDocument, ResourcePage
from tests.library.factories import country, pdf_bytes, topic


def write_lines(tmp_path, *lines, name="resources.jsonl"):
    path = tmp_path / name
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n",
        encoding="utf-8",
    )
    return str(path)


def run(path, *args):
    call_command("import_resources", path, *args)


@pytest.fixture
def taxonomy(library):
    topic("referral")
    topic("children")
    country("AL", "Albania")


FULL = {
    "external_id": "SEC-001",
    "title": "National referral guidelines",
    "summary": "How to refer presumed victims.",
    "body": "First paragraph about referral.\n\nSecond paragraph <b>escaped</b>.",
    "resource_type": "guideline",
    "topics": ["referral"],
    "countries": ["al"],
    "languages": ["en"],
    "published": "2019-10-18",
    "audience": "members",
}


def test_a_full_line_becomes_a_published_resource(tmp_path, taxonomy, capsys):
    run(write_lines(tmp_path, FULL))
    page = ResourcePage.objects.get(external_id="SEC-001")
    assert page.live
    assert page.live_revision_id is not None
    assert page.title == "National referral guidelines"
    assert page.audience == "members"
    assert page.published.isoformat() == "2019-10-18"
    assert [t.slug for t in page.topics.all()] == ["referral"]
    assert [c.iso_code for c in page.countries.all()] == ["AL"]
    assert [lang.code for lang in page.languages.all()] == ["en"]
    assert len(page.body) == 2
    assert "&lt;b&gt;escaped&lt;/b&gt;" in str(page.body)
    assert "Created 1, updated 0, failed 0 of 1 lines" in capsys.readouterr().out


def test_only_external_id_and_title_are_required(tmp_path, library):
    run(write_lines(tmp_path, {"external_id": "X1", "title": "Minimal"}))
    page = ResourcePage.objects.get(external_id="X1")
    assert page.live
    assert page.audience == "public"


def test_summary_defaults_to_the_start_of_the_body(tmp_path, library):
    run(write_lines(tmp_path, {"external_id": "X1", "title": "T", "body": "Body words. " * 100}))
    assert ResourcePage.objects.get().summary.startswith("Body words.")


def test_reimporting_updates_in_place_with_a_new_published_revision(tmp_path, taxonomy):
    run(write_lines(tmp_path, FULL))
    first = ResourcePage.objects.get()
    changed = {**FULL, "title": "Revised referral guidelines", "topics": ["children"]}
    run(write_lines(tmp_path, changed))
    page = ResourcePage.objects.get()
    assert page.pk == first.pk
    assert page.title == "Revised referral guidelines"
    assert [t.slug for t in page.topics.all()] == ["children"]
    assert page.revisions.count() == 2
    assert page.live_revision_id != first.live_revision_id


def test_importing_the_same_file_twice_changes_nothing_but_revisions(tmp_path, taxonomy):
    path = write_lines(tmp_path, FULL, {**FULL, "external_id": "SEC-002", "title": "Other"})
    run(path)
    run(path)
    assert ResourcePage.objects.count() == 2


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"external_id": "B1", "title": ', "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ({"external_id": "B1"}, "missing title"),
        ({"external_id": "B1", "title": "  "}, "missing title"),
        ({"title": "No id"}, "missing external_id"),
        ({"external_id": "B1", "title": "T", "topics": ["astrology"]}, "unknown topic “astrology”"),
        ({"external_id": "B1", "title": "T", "resource_type": "leaflet"}, "unknown resource_type"),
        ({"external_id": "B1", "title": "T", "countries": ["ZZ"]}, "unknown country “ZZ”"),
        ({"external_id": "B1", "title": "T", "languages": ["xx"]}, "unknown language “xx”"),
        ({"external_id": "B1", "title": "T", "published": "18/10/2019"}, "bad date “18/10/2019”"),
        ({"external_id": "B1", "title": "T", "published": 2019}, "published must be a date"),
        ({"external_id": "B1", "title": "T", "audience": "everyone"}, "unknown audience"),
        ({"external_id": "B1", "title": "T", "topics": "referral"}, "topics must be a list"),
        ({"external_id": "B1", "title": 7}, "title must be text"),
        ({"external_id": "B1", "title": "x" * 300}, "title is longer than 255"),
        ({"external_id": "B1", "title": "T", "colour": "red"}, "unknown field(s): colour"),
        (
            {"external_id": "B1", "title": "T", "attachments": ["a.pdf"]},
            "attachment “a.pdf” given but no --attachments-dir",
        ),
    ],
)
def test_a_bad_line_is_reported_with_its_number_and_reason_and_the_others_go_on(
    tmp_path, taxonomy, capsys, line, reason
):
    path = write_lines(
        tmp_path,
        {"external_id": "OK1", "title": "Good"},
        line,
        {"external_id": "OK2", "title": "Also good"},
    )
    with pytest.raises(CommandError) as failure:
        run(path)
    assert failure.value.returncode == 1
    assert f"Line 2: {reason}" in capsys.readouterr().err
    assert set(ResourcePage.objects.values_list("external_id", flat=True)) == {"OK1", "OK2"}


def test_duplicate_external_id_in_one_file_is_reported(tmp_path, library, capsys):
    path = write_lines(
        tmp_path, {"external_id": "D", "title": "One"}, {"external_id": "D", "title": "Two"}
    )
    with pytest.raises(CommandError):
        run(path)
    assert "Line 2: external_id “D” already given on line 1" in capsys.readouterr().err
    assert ResourcePage.objects.get().title == "One"


def test_attachments_are_uploaded_and_their_text_extracted(tmp_path, library):
    files = tmp_path / "files"
    (files / "sops").mkdir(parents=True)
    (files / "sops" / "referral.pdf").write_bytes(pdf_bytes(["Cross-border referral steps"]))
    path = write_lines(
        tmp_path, {"external_id": "A1", "title": "With file", "attachments": ["sops/referral.pdf"]}
    )
    run(path, "--attachments-dir", str(files))
    page = ResourcePage.objects.get()
    [attachment] = page.attachments.select_related("document")
    document = attachment.document
    # The command runs outside a test transaction's reach only after commit; extract now.
    from library.tasks import extract_document_text

    extract_document_text(document.pk)
    document.refresh_from_db()
    assert "Cross-border referral steps" in document.extracted_text
    # Re-importing the same file reuses the document.
    run(path, "--attachments-dir", str(files))
    assert LibraryDocument.objects.count() == 1


@pytest.mark.parametrize(
    ("attachment", "content", "reason"),
    [
        ("missing.pdf", None, "attachment file “missing.pdf” not found"),
        ("../outside.pdf", None, "is outside the attachments directory"),
        ("fake.pdf", b"<html><body>not a pdf</body></html>", "web page"),
    ],
)
def test_a_bad_attachment_fails_its_line_and_leaves_nothing_behind(
    tmp_path, library, capsys, attachment, content, reason
):
    files = tmp_path / "files"
    files.mkdir()
    (tmp_path / "outside.pdf").write_bytes(pdf_bytes())
    if content is not None:
        (files / attachment).write_bytes(content)
    path = write_lines(tmp_path, {"external_id": "A1", "title": "T", "attachments": [attachment]})
    with pytest.raises(CommandError):
        run(path, "--attachments-dir", str(files))
    assert reason in capsys.readouterr().err
    assert not ResourcePage.objects.exists()
    assert not LibraryDocument.objects.exists()


def test_dry_run_checks_every_line_and_writes_nothing(tmp_path, taxonomy, capsys):
    path = write_lines(tmp_path, FULL, {"external_id": "B", "title": "T", "topics": ["nope"]})
    with pytest.raises(CommandError):
        run(path, "--dry-run")
    captured = capsys.readouterr()
    assert "Line 2: unknown topic “nope”" in captured.err
    assert not ResourcePage.objects.exists()


def test_progress_is_shown_on_long_imports(tmp_path, library, capsys):
    path = write_lines(tmp_path, *[{"external_id": f"P{n}", "title": f"T {n}"} for n in range(4)])
    run(path, "--progress-every", "2")
    out = capsys.readouterr().out
    assert "2/4 lines (50%)" in out
    assert "4/4 lines (100%)" in out


def test_an_unreadable_file_is_a_clear_error(tmp_path, library):
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "nope.jsonl"))
    bad = tmp_path / "latin.jsonl"
    bad.write_bytes(b'{"external_id": "\xff"}')
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(bad))


def test_titles_that_clash_get_distinct_slugs(tmp_path, library):
    run(
        write_lines(
            tmp_path, {"external_id": "S1", "title": "Same"}, {"external_id": "S2", "title": "Same"}
        )
    )
    assert ResourcePage.objects.values_list("slug", flat=True).distinct().count() == 2


# The bulk path: new resources are written in batches, as real published Wagtail pages.


def test_imported_pages_are_real_published_wagtail_pages(tmp_path, taxonomy, client):
    from wagtail.models import Page, PageLogEntry, ReferenceIndex

    files = tmp_path / "files"
    files.mkdir()
    (files / "sop.pdf").write_bytes(pdf_bytes(["Referral steps"]))
    lines = [{**FULL, "external_id": f"R{n}", "title": f"Referral note {n}"} for n in range(5)]
    lines[0].update(audience="public", attachments=["sop.pdf"])
    run(write_lines(tmp_path, *lines), "--attachments-dir", str(files))
    pages = ResourcePage.objects.filter(external_id__startswith="R").order_by("path")
    assert pages.count() == 5
    index = pages[0].get_parent()
    assert index.numchild == index.get_children().count() == 5
    assert Page.find_problems() == ([], [], [], [], [])
    for page in pages:
        assert page.live and not page.has_unpublished_changes
        assert page.live_revision_id == page.latest_revision_id
        assert page.revisions.count() == 1
        assert page.live_revision.as_object().title == page.title
        assert page.url_path == f"{index.url_path}{page.slug}/"
        actions = set(PageLogEntry.objects.filter(page=page).values_list("action", flat=True))
        assert actions == {"wagtail.create", "wagtail.publish"}
    public = pages.get(external_id="R0")
    assert [t.slug for t in public.live_revision.as_object().topics.all()] == ["referral"]
    # The admin's usage view (reference index) and its search see them.
    document = LibraryDocument.objects.get()
    usage = ReferenceIndex.get_references_to(document).values_list("object_id", flat=True)
    assert str(public.pk) in set(usage)
    before = ReferenceIndex.objects.count()
    for page in pages:
        ReferenceIndex.create_or_update_for_object(page)
    assert ReferenceIndex.objects.count() == before  # the import wrote what Wagtail would
    assert {page.pk for page in ResourcePage.objects.search("Referral note")} == set(
        pages.values_list("pk", flat=True)
    )
    assert client.get(public.url).status_code == 200


def test_a_line_the_database_refuses_fails_alone_and_its_batch_is_kept(tmp_path, library):
    from library.importer import ResourceImporter
    from tests.library.factories import resource

    importer = ResourceImporter()
    # Created after the importer looked: the import believes "TAKEN" is new.
    resource("Taken elsewhere", external_id="TAKEN")
    results = []
    for number, external_id in enumerate(["B1", "TAKEN", "B2", "B3"], start=1):
        line = importer.parse(json.dumps({"external_id": external_id, "title": f"T {number}"}))
        results.extend(importer.submit(line, number))
    results.extend(importer.flush())
    outcomes = {number: (outcome, str(error or "")) for number, outcome, error in results}
    assert outcomes[1] == ("created", "")
    assert outcomes[2][0] is None and "could not be saved" in outcomes[2][1]
    assert outcomes[3] == ("created", "") and outcomes[4] == ("created", "")
    assert set(ResourcePage.objects.values_list("external_id", flat=True)) == {
        "TAKEN",
        "B1",
        "B2",
        "B3",
    }
    from wagtail.models import Page

    assert Page.find_problems() == ([], [], [], [], [])


def test_batches_are_written_as_they_fill(tmp_path, library, monkeypatch, capsys):
    from library import importer

    monkeypatch.setattr(importer, "BATCH_SIZE", 3)
    path = write_lines(tmp_path, *[{"external_id": f"P{n}", "title": f"T {n}"} for n in range(8)])
    run(path)
    assert ResourcePage.objects.count() == 8
    assert ResourcePage.objects.values_list("slug", flat=True).distinct().count() == 8
    # Re-importing updates the same pages in place.
    run(path)
    assert ResourcePage.objects.count() == 8
    assert all(page.revisions.count() == 2 for page in ResourcePage.objects.all())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_imported_resources_are_searchable_when_the_import_ends(tmp_path, settings):
    from search import service
    from search.models import IndexedRecord
    from tests.library.factories import library_index

    settings.ELASTICSEARCH_URL = ""
    library_index()
    run(
        write_lines(
            tmp_path,
            {"external_id": "S1", "title": "Shelter standards", "body": "Shelter and recovery."},
            {"external_id": "S2", "title": "Screening indicators", "body": "Shelter checks."},
            {"external_id": "S3", "title": "Members note", "audience": "members"},
        )
    )
    found = service.search("shelter", None)
    assert sorted(hit.external_id for hit in found.hits) == ["S1", "S2"]
    assert IndexedRecord.objects.filter(external_id="S3").exists()
    # Re-import updates the record in place.
    run(write_lines(tmp_path, {"external_id": "S1", "title": "Shelter standards, revised"}))
    assert [hit.title for hit in service.search("revised", None).hits] == [
        "Shelter standards, revised"
    ]
    assert IndexedRecord.objects.filter(external_id="S1").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_guidance_alerts_go_once_per_imported_resource(tmp_path):
    from django.core import mail

    from notifications.models import Delivery, Frequency, Subscription
    from tests.library.factories import library_index
    from tests.portal.factories import UserFactory

    library_index()
    topic("referral")
    member = UserFactory(member=True)
    Subscription.objects.create(user=member, frequency=Frequency.IMMEDIATE, everything=True)
    run(
        write_lines(
            tmp_path,
            {"external_id": "G1", "title": "First guidance", "topics": ["referral"]},
            {"external_id": "G2", "title": "Second guidance"},
        )
    )
    deliveries = Delivery.objects.filter(recipient=member, kind="guidance")
    assert deliveries.count() == 2
    assert len({delivery.event_key for delivery in deliveries}) == 2
    assert sorted(message.subject for message in mail.outbox if member.email in message.to) == [
        "New guidance: First guidance",
        "New guidance: Second guidance",
    ]
