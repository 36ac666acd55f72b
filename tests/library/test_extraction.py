"""Text extraction: every supported format, every limit, and every bad file gets a status and a
reason an editor can act on, while the worker carries on."""

import io
import zipfile

from library import extraction
from library.models import LibraryDocument
from library.search_records import ResourceRecordSource
from library.tasks import extract_document_text
from tests.library import factories
from tests.library.factories import document, docx_bytes, pdf_bytes, resource

Extraction = LibraryDocument.Extraction


def uploaded(name, content, django_capture_on_commit_callbacks):
    """A document saved as the admin saves an upload; the extraction runs after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        doc = document(name, content)
    doc.refresh_from_db()
    return doc


def odt_bytes(paragraphs):
    body = "".join(f"<text:p>{text}</text:p>" for text in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr(
            "content.xml",
            '<?xml version="1.0"?><office:document-content><office:body><office:text>'
            f"{body}</office:text></office:body></office:document-content>",
        )
    return buffer.getvalue()


def test_pdf_text_and_page_count_are_extracted_after_upload(db, django_capture_on_commit_callbacks):
    doc = uploaded(
        "sop.pdf",
        pdf_bytes(["Referral of presumed victims", "Second page on child protection"]),
        django_capture_on_commit_callbacks,
    )
    assert doc.extraction_status == Extraction.EXTRACTED
    assert "Referral of presumed victims" in doc.extracted_text
    assert "child protection" in doc.extracted_text
    assert doc.page_count == 2
    assert doc.extracted_at is not None


def test_docx_paragraphs_are_extracted(db, django_capture_on_commit_callbacks):
    doc = uploaded(
        "tool.docx",
        docx_bytes(["Risk assessment tool", "Debt bondage indicators"]),
        django_capture_on_commit_callbacks,
    )
    assert doc.extraction_status == Extraction.EXTRACTED
    assert "Debt bondage indicators" in doc.extracted_text


def test_odt_text_is_extracted(db, django_capture_on_commit_callbacks):
    doc = uploaded(
        "note.odt",
        odt_bytes(["Transnational referral &amp; return"]),
        django_capture_on_commit_callbacks,
    )
    assert doc.extraction_status == Extraction.EXTRACTED
    assert doc.extracted_text == "Transnational referral & return"


def test_plain_text_in_any_common_encoding_is_extracted(db, django_capture_on_commit_callbacks):
    doc = uploaded(
        "notes.txt", "Protección de víctimas".encode("cp1252"), django_capture_on_commit_callbacks
    )
    assert doc.extracted_text == "Protección de víctimas"


def test_html_text_is_extracted_without_markup_or_scripts():
    result = extraction.extract(
        b"<html><head><title>t</title><script>alert(1)</script></head>"
        b"<body><h1>Guide</h1><p>Identify &amp; refer.</p></body></html>",
        "html",
    )
    assert result.text == "Guide\n\nIdentify & refer."


def test_corrupt_pdf_fails_with_a_clear_reason(db, django_capture_on_commit_callbacks):
    doc = uploaded(
        "broken.pdf", b"%PDF-1.4\n garbage \x00\x01 not a pdf", django_capture_on_commit_callbacks
    )
    assert doc.extraction_status == Extraction.FAILED
    assert "damaged" in doc.extraction_error
    assert doc.extracted_text == ""


def test_password_protected_pdf_fails_with_a_clear_reason(db, django_capture_on_commit_callbacks):
    doc = uploaded("secret.pdf", pdf_bytes(encrypt="s3cret"), django_capture_on_commit_callbacks)
    assert doc.extraction_status == Extraction.FAILED
    assert doc.extraction_error == "The PDF is encrypted with a password."


def test_html_named_pdf_is_refused_by_its_content(db, django_capture_on_commit_callbacks):
    doc = uploaded(
        "report.pdf",
        b"<!DOCTYPE html><html><body>phish</body></html>",
        django_capture_on_commit_callbacks,
    )
    assert doc.extraction_status == Extraction.FAILED
    assert "named .pdf but its content is a web page (HTML)" in doc.extraction_error


def test_text_named_docx_is_refused(db, django_capture_on_commit_callbacks):
    doc = uploaded("tool.docx", b"just some text", django_capture_on_commit_callbacks)
    assert doc.extraction_status == Extraction.FAILED
    assert "named .docx" in doc.extraction_error


def _bomb(size):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * size)
    return buffer.getvalue()


def test_docx_zip_bomb_is_refused_before_it_is_inflated(
    db, settings, django_capture_on_commit_callbacks
):
    settings.LIBRARY_EXTRACTION_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    doc = uploaded("bomb.docx", _bomb(2 * 1024 * 1024), django_capture_on_commit_callbacks)
    assert doc.extraction_status == Extraction.FAILED
    assert "zip bomb" in doc.extraction_error


def test_docx_compressed_suspiciously_well_is_refused(db, django_capture_on_commit_callbacks):
    # Under the size limit, but a thousand-to-one ratio no real document has.
    doc = uploaded("dense.docx", _bomb(5 * 1024 * 1024), django_capture_on_commit_callbacks)
    assert doc.extraction_status == Extraction.FAILED
    assert "compressed suspiciously well" in doc.extraction_error


def test_file_over_the_size_limit_is_not_read(db, settings, django_capture_on_commit_callbacks):
    settings.LIBRARY_EXTRACTION_MAX_BYTES = 1000
    doc = uploaded("big.txt", b"a" * 5000, django_capture_on_commit_callbacks)
    assert doc.extraction_status == Extraction.FAILED
    assert "text is extracted from files up to 1000" in doc.extraction_error


def test_only_the_first_pages_are_read_past_the_page_limit(
    db, settings, django_capture_on_commit_callbacks
):
    settings.LIBRARY_EXTRACTION_MAX_PAGES = 2
    doc = uploaded(
        "long.pdf", pdf_bytes(["one", "two", "three"]), django_capture_on_commit_callbacks
    )
    assert doc.extraction_status == Extraction.EXTRACTED
    assert doc.page_count == 3
    assert "three" not in doc.extracted_text
    assert doc.extraction_error == "Only the first 2 of 3 pages were extracted."


def test_extraction_past_the_time_limit_is_stopped(
    db, settings, django_capture_on_commit_callbacks
):
    settings.LIBRARY_EXTRACTION_MAX_SECONDS = 0
    doc = uploaded("slow.pdf", pdf_bytes(["one", "two"]), django_capture_on_commit_callbacks)
    assert doc.extraction_status == Extraction.FAILED
    assert "longer than 0 seconds" in doc.extraction_error


def test_spreadsheets_are_marked_as_not_a_text_format(db, django_capture_on_commit_callbacks):
    doc = uploaded("data.xlsx", b"PK\x03\x04rest", django_capture_on_commit_callbacks)
    assert doc.extraction_status == Extraction.UNSUPPORTED


def test_empty_file_fails_with_a_clear_reason(db, django_capture_on_commit_callbacks):
    doc = uploaded("empty.txt", b"  ", django_capture_on_commit_callbacks)
    assert doc.extraction_status == Extraction.FAILED
    assert doc.extraction_error == "The file is empty."


def test_an_unexpected_parser_error_is_recorded_and_the_worker_carries_on(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    def explode(data, extension):
        raise RecursionError("deeply nested object")

    monkeypatch.setattr(extraction, "extract", explode)
    doc = uploaded("odd.pdf", pdf_bytes(), django_capture_on_commit_callbacks)
    assert doc.extraction_status == Extraction.FAILED
    assert "could not be read (RecursionError)" in doc.extraction_error
    # The next document is extracted as usual.
    monkeypatch.undo()
    assert (
        uploaded("next.txt", b"fine", django_capture_on_commit_callbacks).extracted_text == "fine"
    )


def test_missing_document_is_not_an_error(db, django_assert_num_queries):
    # A document deleted before its task ran: the task looks once, finds nothing, writes
    # nothing, and leaves every other document as it was.
    waiting = document("waiting.txt", b"words")  # its extraction runs after a commit: not yet
    with django_assert_num_queries(1):
        assert extract_document_text(987654) is None
    waiting.refresh_from_db()
    assert waiting.extraction_status == Extraction.PENDING
    assert waiting.extracted_text == ""


def test_replacing_the_file_extracts_the_new_text(db, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    doc = uploaded("a.txt", b"old words", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        doc.file.save("b.txt", ContentFile(b"new words"), save=False)
        doc.save()
    doc.refresh_from_db()
    assert doc.extracted_text == "new words"


def test_saving_without_a_new_file_does_not_extract_again(db, django_capture_on_commit_callbacks):
    doc = uploaded("a.txt", b"words", django_capture_on_commit_callbacks)
    extracted_at = doc.extracted_at
    with django_capture_on_commit_callbacks(execute=True):
        doc.title = "Renamed"  # the pages showing it follow (portal.page_cache), the text stays
        doc.save()
    doc.refresh_from_db()
    assert doc.extracted_at == extracted_at


def test_extracted_text_reaches_the_search_records_of_resources_using_it(
    library, django_capture_on_commit_callbacks
):
    doc = uploaded(
        "sop.pdf", pdf_bytes(["Mobile identification teams"]), django_capture_on_commit_callbacks
    )
    page = resource("SOP", attachments=[doc])
    source = ResourceRecordSource()
    [record] = source.records_for(source.get_object(page.pk))
    assert "Mobile identification teams" in record.attachments


def test_a_failed_extraction_never_blocks_publishing(
    client, library, django_capture_on_commit_callbacks
):
    doc = uploaded("broken.pdf", b"%PDF-1.4 broken", django_capture_on_commit_callbacks)
    assert doc.extraction_status == Extraction.FAILED
    page = resource("Still published", attachments=[doc])
    assert page.live
    assert client.get(page.url).status_code == 200


def test_editor_sees_the_status_and_can_extract_again(
    secretariat_client, settings, django_capture_on_commit_callbacks
):
    settings.LIBRARY_EXTRACTION_MAX_BYTES = 10
    doc = uploaded("notes.txt", b"longer than ten bytes", django_capture_on_commit_callbacks)
    edit = secretariat_client.get(f"/admin/documents/edit/{doc.pk}/")
    assert edit.status_code == 200
    assert "Failed" in edit.content.decode()
    assert "text is extracted from files up to 10" in edit.content.decode()

    settings.LIBRARY_EXTRACTION_MAX_BYTES = 1000
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(f"/admin/library/documents/{doc.pk}/extract/")
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.extraction_status == Extraction.EXTRACTED
    assert doc.extracted_text == "longer than ten bytes"


def test_re_extraction_needs_a_post_and_the_right_to_edit(member_client, db):
    doc = factories.document("a.txt", b"x")
    assert member_client.get(f"/admin/library/documents/{doc.pk}/extract/").status_code in (
        302,
        403,
        405,
    )
    response = member_client.post(f"/admin/library/documents/{doc.pk}/extract/")
    assert response.status_code in (302, 403)
    doc.refresh_from_db()
    assert doc.extraction_status == Extraction.PENDING


def test_re_extraction_of_a_missing_document_is_404(secretariat_client):
    assert secretariat_client.post("/admin/library/documents/999999/extract/").status_code == 404
