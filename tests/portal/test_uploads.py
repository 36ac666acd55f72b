"""Uploads are judged by content: web pages, SVG and scripts are refused, names must not lie."""

import io

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from wagtail.documents import get_document_model
from wagtail.images import get_image_model

pytestmark = pytest.mark.django_db
Document = get_document_model()
Image = get_image_model()

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def upload_document(client, name, content):
    return client.post(
        "/admin/documents/add/",
        {"title": name, "file": SimpleUploadedFile(name, content), "collection": 1},
    )


def test_a_real_pdf_is_accepted(secretariat_client):
    response = upload_document(secretariat_client, "guide.pdf", MINIMAL_PDF)
    assert response.status_code == 302
    assert Document.objects.filter(title="guide.pdf").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", b"web page"),
        ("notes.txt", b"<html><body onload=alert(1)></body></html>", b"web page"),
        ("logo.pdf", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', b"web page"),
        ("run.txt", b"#!/bin/sh\nrm -rf /\n", b"script"),
        ("fake.pdf", b"just some text pretending", b"not a PDF"),
        ("fake.docx", b"%PDF-1.4 not a zip", b"not a docx"),
        ("page.html", b"<p>hello</p>", b"File extension"),
        ("binary.csv", b"a,b\x00\x01\x02", b"not a text file"),
    ],
)
def test_disguised_or_active_files_are_refused_with_a_message(
    secretariat_client, name, content, message
):
    response = upload_document(secretariat_client, name, content)
    assert response.status_code == 200
    assert message in response.content.replace(b"&#x27;", b"'")
    assert not Document.objects.exists()


@override_settings(WAGTAILDOCS_MAX_UPLOAD_SIZE=1024)
def test_files_over_the_upload_limit_are_refused(secretariat_client):
    response = upload_document(secretariat_client, "big.pdf", MINIMAL_PDF + b"0" * 2048)
    assert response.status_code == 200
    assert b"too big" in response.content.lower()
    assert not Document.objects.exists()


def test_an_html_file_named_png_is_refused_as_an_image(secretariat_client):
    response = secretariat_client.post(
        "/admin/images/add/",
        {
            "title": "logo",
            "file": SimpleUploadedFile("logo.png", b"<html><script>alert(1)</script></html>"),
            "collection": 1,
        },
    )
    assert response.status_code == 200
    assert not Image.objects.exists()


def test_svg_images_are_refused(secretariat_client):
    response = secretariat_client.post(
        "/admin/images/add/",
        {
            "title": "vector",
            "file": SimpleUploadedFile("vector.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
            "collection": 1,
        },
    )
    assert response.status_code == 200
    assert not Image.objects.exists()


def test_a_real_png_is_accepted(secretariat_client):
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "white").save(buffer, "PNG")
    response = secretariat_client.post(
        "/admin/images/add/",
        {"title": "dot", "file": SimpleUploadedFile("dot.png", buffer.getvalue()), "collection": 1},
    )
    assert response.status_code == 302
    assert Image.objects.filter(title="dot").exists()
