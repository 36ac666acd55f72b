"""The referral sheet: the printable page (`format=print`) and the PDF (`format=pdf`), dated,
with the contacts the reader may see and a warning on stale contacts."""

import io
import os

import pytest
from pypdf import PdfReader

from django.urls import reverse
from django.utils import formats, timezone

from network.models import Institution
from tests.clients import Client
from tests.network.pathway_world import (
    ALL,
    MEMBERS_PHONE,
    PUBLIC_HOTLINE,
    institution,
    make_world,
)

pytestmark = pytest.mark.django_db

URL = reverse("network:referral")
CHILD = {"group": "child", "child": "unaccompanied"}


@pytest.fixture
def pathway_world(db):
    return make_world()


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_the_printable_sheet_is_dated_and_warns_of_stale_contacts(member_client, pathway_world):
    response = member_client.get(URL, {"from": "AL", "to": "GR", **CHILD, "format": "print"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Referral sheet: from Albania to Greece" in html
    assert formats.date_format(timezone.localdate(), "j F Y") in html
    assert "not confirmed for over 12 months" in html
    assert pathway_world.people["Luan"].full_name in html
    assert "Child Rights Agency" in html
    assert "Case (categories only)" in html and "Unaccompanied" in html
    assert "network/css/referral.css" in html  # the print stylesheet
    assert "no-store" in response["Cache-Control"]


def test_the_pdf_sheet_holds_the_pathway_dated_with_a_stale_warning(member_client, pathway_world):
    response = member_client.get(URL, {"from": "AL", "to": "GR", **CHILD, "format": "pdf"})
    assert response.status_code == 200
    if os.environ.get("REFERRAL_SHEET_PDF"):  # to look at it: pdftoppm -png
        with open(os.environ["REFERRAL_SHEET_PDF"], "wb") as handle:
            handle.write(response.content)
    assert response["Content-Disposition"].startswith('inline; filename="referral-al-gr-')
    assert "no-store" in response["Cache-Control"]
    text, pages = pdf_text(response)
    flat = " ".join(text.split())
    assert "Referral sheet: from Albania to Greece" in flat
    assert formats.date_format(timezone.localdate(), "j F Y") in flat
    # Luan; the adults' shelter whose contact is stale is no answer for a child.
    assert "Warning: 1 contact was not confirmed for over 12 months" in flat
    assert "Child Rights Agency" in flat
    # The sheet names the agreements, the SOPs and the first regional guidance (children's
    # first for a child); the page lists the rest.
    assert "Regional SOP for the referral of child victims" in flat
    assert "Greek national SOP (national SOP)" in flat
    assert "More guidance on the assistant's page" in flat
    assert "Albania-Greece protocol on referral" in flat
    assert "Albania-Italy memorandum" not in flat
    assert "arta@example.org" in flat
    assert pages == 1


def test_a_members_only_number_never_reaches_anonymous_on_the_sheet_or_the_pdf(
    member_client, pathway_world
):
    client = Client()
    params = {"from": "AL", "to": "GR"}
    sheet = client.get(URL, {**params, "format": "print"}).content.decode()
    assert PUBLIC_HOTLINE in sheet
    assert MEMBERS_PHONE not in sheet
    assert "arta@example.org" not in sheet
    text, _pages = pdf_text(client.get(URL, {**params, "format": "pdf"}))
    assert PUBLIC_HOTLINE in text
    assert MEMBERS_PHONE not in text
    assert "arta@example.org" not in text
    assert "Members-only referral notes" not in text
    # ...and does reach a member, so the probe can see it.
    member_text, _pages = pdf_text(member_client.get(URL, {**params, "format": "pdf"}))
    assert MEMBERS_PHONE in member_text
    member_sheet = member_client.get(URL, {**params, "format": "print"}).content.decode()
    assert MEMBERS_PHONE in member_sheet


def test_a_destination_outside_the_network_on_the_pdf(client, pathway_world):
    text, _pages = pdf_text(client.get(URL, {"from": "AL", "to": "NO", "format": "pdf"}))
    flat = " ".join(text.split())
    assert "Norwegian Coordination Unit" in flat
    assert "Norway (outside the network)" in flat


def test_the_sheet_keeps_to_its_case_and_links_back(member_client, pathway_world):
    html = member_client.get(
        URL, {"from": "AL", "to": "GR", **CHILD, "procedure": "return", "format": "print"}
    ).content.decode()
    assert "Return and social inclusion" in html
    assert "Criminal and civil proceedings</th>" not in html
    assert "format=pdf" in html
    assert "procedure=return" in html


@pytest.mark.parametrize("extra, pages", [(5, 1), (120, 3)])
def test_a_long_pdf_is_shrunk_onto_one_page_until_it_would_be_unreadable(
    client, pathway_world, extra, pages
):
    for number in range(extra):
        institution(
            pathway_world.greece, f"Regional office {number} of the children's ombudsman",
            Institution.Kind.CHILD_PROTECTION, ALL, ["children"], phone="+30 21 0000 0000",
            hours="Mon–Fri 08:00–16:00",
        )  # fmt: skip
    text, count = pdf_text(client.get(URL, {"from": "AL", "to": "GR", "format": "pdf"}))
    assert f"Regional office {extra - 1} of the children" in " ".join(text.split())
    assert count >= pages if pages > 1 else count == 1
