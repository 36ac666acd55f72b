import csv
import io

import pytest
from openpyxl import Workbook

from django.core.management import CommandError, call_command

from network.models import Country, Mandate, Organisation, Person
from portal.models import Topic

pytestmark = pytest.mark.django_db

HEADER = [
    "type", "iso_code", "name", "membership", "kind", "acronym", "given_name", "family_name",
    "organisation", "emails", "phones", "languages", "expertise", "role", "role_start",
]  # fmt: skip


def _row(**values):
    return [values.get(column, "") for column in HEADER]


GOOD_ROWS = [
    _row(type="country", iso_code="AL", name="Albania", membership="member"),
    _row(type="organisation", iso_code="AL", name="Ministry of the Interior", acronym="MoI",
         kind="ministry"),
    _row(type="person", iso_code="AL", given_name="Arta", family_name="Kastrioli",
         organisation="MoI", emails="arta@example.org; a.k@example.org",
         phones="+355 4 222 3333", languages="sq;en", expertise="referral",
         role="national_coordinator", role_start="2021-05-01"),
]  # fmt: skip


def _csv(tmp_path, rows, header=HEADER, name="directory.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_directory", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def referral_topic():
    return Topic.objects.create(name="Referral", slug="referral")


def test_imports_countries_organisations_and_people_with_contacts_and_mandates(tmp_path):
    ok, out, _ = _run(_csv(tmp_path, GOOD_ROWS))
    assert ok
    assert "3 rows: 3 created" in out
    person = Person.objects.get(given_name="Arta")
    assert person.country.iso_code == "AL"
    assert person.organisation.acronym == "MoI"
    assert [e.address for e in person.emails.all()] == ["arta@example.org", "a.k@example.org"]
    assert [p.number for p in person.phones.all()] == ["+355 4 222 3333"]
    assert sorted(person.languages.values_list("code", flat=True)) == ["en", "sq"]
    assert list(person.expertise.values_list("slug", flat=True)) == ["referral"]
    mandate = person.mandates.get()
    assert (mandate.role, str(mandate.start)) == ("national_coordinator", "2021-05-01")


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = _csv(tmp_path, GOOD_ROWS)
    _run(path)
    ok, out, _ = _run(path)
    assert ok
    assert "3 rows: 0 created, 0 updated, 3 unchanged" in out
    assert Person.objects.count() == 1
    assert Mandate.objects.count() == 1
    assert Organisation.objects.count() == 1


def test_reimport_updates_changed_rows_in_place(tmp_path):
    _run(_csv(tmp_path, GOOD_ROWS))
    changed = [*GOOD_ROWS[:2], [*GOOD_ROWS[2]]]
    changed[2][HEADER.index("phones")] = "+355 69 000 0000"
    ok, out, _ = _run(_csv(tmp_path, changed))
    assert ok
    assert "1 updated" in out
    person = Person.objects.get()
    assert [p.number for p in person.phones.all()] == ["+355 69 000 0000"]


@pytest.mark.parametrize(
    "bad_row, reason",
    [
        (_row(type="person", iso_code="AL", given_name="B", family_name="C", emails="b@@x"),
         "malformed email address “b@@x”"),
        (_row(type="person", iso_code="AL", given_name="B", family_name="C",
              phones="04 222 333"), "malformed phone number “04 222 333”"),
        (_row(type="person", iso_code="ZZ", given_name="B", family_name="C"),
         "unknown country code “ZZ”"),
        (_row(type="person", iso_code="AL", given_name="Arta", family_name="Kastrioli"),
         "duplicate person: Arta Kastrioli (AL) is already on row 4"),
        (_row(type="person", iso_code="AL", given_name="B", family_name=""),
         "a person needs given_name and family_name"),
        (_row(type="person", iso_code="AL", given_name="B", family_name="C", languages="xx"),
         "unknown language code: xx"),
        (_row(type="person", iso_code="AL", given_name="B", family_name="C", expertise="nope"),
         "unknown topic: nope"),
        (_row(type="person", iso_code="AL", given_name="B", family_name="C", role="king"),
         "role “king” is not one of"),
        (_row(type="person", iso_code="AL", given_name="B", family_name="C",
              role="observer", role_start="yesterday"), "role_start “yesterday” is not a date"),
        (_row(type="person", iso_code="AL", given_name="B", family_name="C",
              organisation="Unknown Org"), "unknown organisation “Unknown Org” in AL"),
        (_row(type="country", iso_code="A1", name="Bad"),
         "iso_code: Enter a two-letter ISO 3166-1 code"),
        (_row(type="country", iso_code="XX", name="X", membership="friend"),
         "membership “friend” is not one of"),
        (_row(type="organisation", iso_code="AL", name="Org", kind="army"),
         "kind “army” is not one of"),
        (_row(type="planet", name="Mars"), "type “planet” must be"),
        # PostgreSQL refuses a NUL byte outright: the row is refused before any query.
        (_row(type="person", iso_code="AL", given_name="B\x00", family_name="C"),
         "given_name: contains a NUL character"),
        (_row(type="organisation", iso_code="AL", name="Org\x00"),
         "name: contains a NUL character"),
    ],
)  # fmt: skip
def test_a_bad_row_is_reported_with_its_number_and_reason_and_others_are_imported(
    tmp_path, bad_row, reason
):
    rows = [*GOOD_ROWS, bad_row, _row(type="country", iso_code="RS", name="Serbia")]
    ok, out, err = _run(_csv(tmp_path, rows))
    assert not ok  # non-zero exit status
    assert f"row 5: {reason}" in err
    assert "1 row(s) failed" in err
    assert "5 rows: 4 created" in out
    assert Country.objects.filter(iso_code="RS").exists()
    assert Person.objects.filter(given_name="Arta").count() == 1
    assert not Person.objects.filter(given_name="B").exists()


def test_a_failed_person_row_leaves_nothing_half_written(tmp_path):
    _run(_csv(tmp_path, GOOD_ROWS))
    bad = [*GOOD_ROWS[2]]
    bad[HEADER.index("emails")] = "new@example.org"
    bad[HEADER.index("phones")] = "not a phone"
    ok, _, err = _run(_csv(tmp_path, [bad], name="second.csv"))
    assert not ok
    assert "row 2: malformed phone number" in err
    person = Person.objects.get()
    assert [e.address for e in person.emails.all()] == ["arta@example.org", "a.k@example.org"]


def test_dry_run_reports_without_saving(tmp_path):
    ok, out, _ = _run(_csv(tmp_path, GOOD_ROWS), "--dry-run")
    assert ok
    assert "Dry run: 3 rows: 3 created" in out
    assert not Country.objects.exists()
    assert not Person.objects.exists()


def test_imports_xlsx_files_too(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in GOOD_ROWS:
        sheet.append(row)
    path = tmp_path / "directory.xlsx"
    workbook.save(path)
    ok, out, _ = _run(path)
    assert ok, out
    assert Person.objects.get().emails.count() == 2


def test_progress_is_shown_on_long_imports(tmp_path):
    rows = [GOOD_ROWS[0]] + [
        _row(type="person", iso_code="AL", given_name=f"P{n}", family_name="Long")
        for n in range(120)
    ]
    ok, out, _ = _run(_csv(tmp_path, rows))
    assert ok
    assert "… 50 rows processed" in out
    assert "… 100 rows processed" in out


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("people.json", b"{}", "expected a .csv or .xlsx file"),
        ("empty.csv", b"", "The file is empty"),
        ("noheader.csv", b"name,iso_code\nAlbania,AL\n", "no “type” column"),
        ("extra.csv", b"type,colour\ncountry,red\n", "Unknown columns: colour"),
        ("latin1.csv", "type,name\ncountry,Shqipëri\n".encode("latin-1"), "is not UTF-8"),
        ("broken.xlsx", b"not a zip", "is not a readable XLSX file"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_clear_message(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    ok, _, err = _run(path)
    assert not ok
    assert message in err


def test_a_missing_file_is_refused(tmp_path):
    ok, _, err = _run(tmp_path / "nowhere.csv")
    assert not ok
    assert "No such file" in err
