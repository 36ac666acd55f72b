"""
Oversize and malformed requests get a quick 400 or 413 with a message, never a 500, and leave
nothing behind. Limits: REQUEST_BODY_MAX_SIZE for any body (checked before it is read),
DATA_UPLOAD_MAX_MEMORY_SIZE for a form's fields, DATA_UPLOAD_MAX_NUMBER_FIELDS for their number,
DOCUMENT_MAX_UPLOAD_SIZE (WAGTAILDOCS_MAX_UPLOAD_SIZE) for a document.
"""

import logging
from urllib.parse import urlencode

import pytest

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from wagtail.documents import get_document_model

from tests.clients import Client
from tests.meetings.factories import make_person
from tests.portal.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
Document = get_document_model()
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def owner_entry(member):
    return make_person(user=member, biography="Unchanged biography.")


def test_the_body_ceiling_leaves_room_for_the_largest_upload_and_its_form():
    largest_upload = max(
        settings.WAGTAILDOCS_MAX_UPLOAD_SIZE, settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    )
    assert largest_upload < settings.REQUEST_BODY_MAX_SIZE <= largest_upload + 2 * 1024 * 1024


def test_a_body_announced_over_the_ceiling_is_refused_413_before_it_is_read(client):
    # The test client's input stream fails any read past the bytes really sent: the answer must
    # come from the announced length alone.
    response = client.post(
        reverse("account_login"),
        data=b"login=a%40example.org",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(settings.REQUEST_BODY_MAX_SIZE + 1),
    )
    assert response.status_code == 413
    assert b"too large" in response.content
    assert response["Content-Type"].startswith("text/plain")


def test_the_refusal_speaks_the_visitors_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.post(
        reverse("account_login"),
        data=b"login=a%40example.org",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(settings.REQUEST_BODY_MAX_SIZE + 1),
    )
    assert response.status_code == 413
    assert "La requête est trop volumineuse" in response.content.decode()


@override_settings(REQUEST_BODY_MAX_SIZE=64 * 1024)
def test_a_document_upload_over_the_ceiling_is_refused_413_and_stores_nothing(secretariat_client):
    response = secretariat_client.post(
        "/admin/documents/add/",
        {
            "title": "big.pdf",
            "file": SimpleUploadedFile("big.pdf", MINIMAL_PDF + b"0" * (80 * 1024)),
            "collection": 1,
        },
    )
    assert response.status_code == 413
    assert b"at most 0.1 MB" in response.content
    assert not Document.objects.exists()


@override_settings(WAGTAILDOCS_MAX_UPLOAD_SIZE=8 * 1024)
def test_a_document_over_its_own_limit_but_under_the_ceiling_is_refused_by_the_form(
    secretariat_client,
):
    response = secretariat_client.post(
        "/admin/documents/add/",
        {
            "title": "big.pdf",
            "file": SimpleUploadedFile("big.pdf", MINIMAL_PDF + b"0" * (16 * 1024)),
            "collection": 1,
        },
    )
    assert response.status_code == 200
    assert b"too big" in response.content.lower()
    assert not Document.objects.exists()


def test_form_fields_over_the_memory_limit_are_refused_413(member_client, owner_entry):
    over = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    response = member_client.post(
        reverse("network:person_edit", args=[owner_entry.pk]),
        {"biography": "x" * over, "email_audience": "members"},
    )
    assert response.status_code == 413
    assert b"too large" in response.content
    owner_entry.refresh_from_db()
    assert owner_entry.biography == "Unchanged biography."


def test_multipart_fields_over_the_memory_limit_are_refused_413(member_client, owner_entry):
    over = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    response = member_client.post(
        reverse("network:person_edit", args=[owner_entry.pk]),
        {"biography": "x" * over, "photo": SimpleUploadedFile("a.txt", b"small")},
    )
    assert response.status_code == 413
    owner_entry.refresh_from_db()
    assert owner_entry.biography == "Unchanged biography."


def test_too_many_fields_are_refused_400(client):
    fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    body = "&".join(f"f{n}=1" for n in range(fields))
    response = client.post(
        reverse("account_login"), data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_too_many_query_parameters_are_refused_400(client):
    query = "&".join(f"topic=t{n}" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    assert client.get(f"/library/?{query}").status_code == 400


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--"),
        ("multipart/form-data; boundary=", b"--\r\n\r\n"),
        ("multipart/form-data; boundary=\x00bad", b"whatever"),
        ("multipart/form-data; boundary=" + "b" * 300, b"whatever"),
    ],
    ids=["no-boundary", "empty-boundary", "control-character", "boundary-too-long"],
)
def test_a_malformed_multipart_body_is_refused_400(client, content_type, body):
    response = client.post(reverse("account_login"), data=body, content_type=content_type)
    assert response.status_code == 400


def test_a_truncated_multipart_body_signs_nobody_in(client):
    member = UserFactory(member=True)
    body = (
        b"--b\r\nContent-Disposition: form-data; name=login\r\n\r\n"
        + member.email.encode()
        + b"\r\n--b\r\nContent-Disposition: form-data; name=password\r\n\r\n"
        + PASSWORD.encode()[:5]
    )
    response = client.post(
        reverse("account_login"), data=body, content_type="multipart/form-data; boundary=b"
    )
    assert response.status_code in (200, 400)
    assert "_auth_user_id" not in client.session


MALFORMED_REQUESTS = {
    "no-boundary": ("multipart/form-data", b"--x\r\n\r\n1\r\n--x--"),
    "empty-boundary": ("multipart/form-data; boundary=", b"--\r\n\r\n"),
    "control-character": ("multipart/form-data; boundary=\x00bad\nforged", b"whatever"),
    "too-many-fields": (
        "application/x-www-form-urlencoded",
        "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)),
    ),
    "content-length": ("application/x-www-form-urlencoded", b"login=x"),
    "too-large": ("application/x-www-form-urlencoded", b"login=x"),
}


@pytest.mark.parametrize("case", MALFORMED_REQUESTS)
def test_a_refused_malformed_request_is_logged_as_one_line_without_a_traceback(
    client, caplog, case
):
    content_type, body = MALFORMED_REQUESTS[case]
    extra = {
        "content-length": {"CONTENT_LENGTH": "12abc"},
        "too-large": {"CONTENT_LENGTH": str(settings.REQUEST_BODY_MAX_SIZE + 1)},
    }.get(case, {})
    with caplog.at_level(logging.INFO):
        response = client.post(
            reverse("account_login"), data=body, content_type=content_type, **extra
        )
    assert response.status_code in (400, 413)
    [logged] = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert logged.exc_info is None
    message = logged.getMessage()
    assert "\n" not in message and "\x00" not in message
    assert message.startswith(f"Refused POST /accounts/login/ with {response.status_code}: ")


def test_too_many_query_parameters_are_logged_as_one_line_without_a_traceback(client, caplog):
    query = "&".join(f"topic=t{n}" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    with caplog.at_level(logging.INFO):
        assert client.get(f"/library/?{query}").status_code == 400
    [logged] = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert logged.exc_info is None
    assert logged.getMessage().startswith("Refused GET /library/ with 400: ")


@pytest.mark.parametrize("length", ["-1", "12abc", "1e9", "²", "9" * 5000])
def test_a_malformed_content_length_is_refused_400(client, length):
    response = client.post(
        reverse("account_login"),
        data=b"login=x",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=length,
    )
    assert response.status_code == 400
    assert b"Content-Length" in response.content


@pytest.mark.parametrize(
    "path",
    [
        "/search/?q=%FF%FE%FD",
        "/api/search/?q=%C3%28&topic=%E2%82",
        "/api/search/suggest/?q=%80abc",
        "/library/?q=%FF&topic=%C0%AF&country=%ED%A0%80",
        "/library/feed/?topic=%FF%00",
        "/network/people/?q=%FF&country=%C3",
        "/network/referral/?from=%FF&to=%FE",
        "/meetings/?type=%FF&year=%C3%28",
    ],
)
def test_query_strings_that_are_not_utf8_get_an_answer_not_a_crash(client, path):
    response = client.get(path)
    assert response.status_code in (200, 400), (path, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/search/?q=a%00b",
        "/search/?country=%00",
        "/api/search/?q=a%00b&topic=x%00",
        "/api/search/suggest/?q=%00ref",
        "/library/?q=%00&topic=%00",
        "/library/feed/?q=%00",
        "/network/people/?q=%00",
        "/meetings/?type=%00",
    ],
)
def test_a_nul_character_in_a_parameter_gets_an_answer_not_a_crash(client, path):
    # PostgreSQL refuses NUL in text: a parameter must never carry one to the database.
    assert client.get(path).status_code in (200, 400), path


@pytest.mark.parametrize("token", ["ab%00cd", "ab%20cd", "%FF%FE", "a.b"])
def test_a_personal_calendar_address_that_no_token_looks_like_is_not_found(client, token):
    assert client.get(f"/meetings/calendar/personal/{token}.ics").status_code == 404


@pytest.mark.parametrize("key", ['"abcdefgh\\000ijklmnop"', "abcdefgh-ijklmnop", "\u00e9" * 16])
def test_a_forged_session_cookie_leaves_the_visitor_anonymous(client, member, key):
    # A quoted cookie value may carry octal escapes: "\000" arrives as a NUL character.
    response = client.get("/", HTTP_COOKIE=f"sessionid={key}")
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_a_real_session_cookie_still_signs_the_member_in(member_client):
    assert member_client.get("/").wsgi_request.user.is_authenticated


def test_a_path_that_is_not_utf8_is_not_found(client):
    assert client.get("/library/%FF%FE/").status_code == 404


def test_a_form_body_that_is_not_utf8_is_read_without_crashing(client):
    response = client.post(
        reverse("account_login"),
        data=b"login=%FF%FE%40example.org&password=%C3%28",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "path",
    [
        "/search/?q=" + "referral%20" * 20_000,
        "/api/search/?" + urlencode({"q": "a" * 200_000}),
        "/library/?" + urlencode({"q": "b" * 200_000}),
        "/network/people/?" + urlencode({"q": "c" * 200_000}),
    ],
    ids=["search-page", "search-api", "library", "people"],
)
def test_an_overlong_query_string_is_answered_without_a_crash(client, path):
    # gunicorn refuses request lines over 4094 bytes in production; behind another server the
    # portal itself must still cope.
    response = client.get(path)
    assert response.status_code in (200, 400)


def test_an_overlong_header_does_not_crash_a_page(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr;q=0.9," * 5_000, HTTP_COOKIE="a=" * 5_000)
    assert response.status_code == 200


def test_a_host_header_not_in_allowed_hosts_is_refused_400():
    assert Client(HTTP_HOST="evil.example").get("/").status_code == 400
