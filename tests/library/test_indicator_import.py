"""`manage.py import_indicators FILE [--dry-run]`: indicators and their place in sets from CSV or
XLSX; a bad row is reported by its row number and nothing of a bad file is written."""

import csv
import io
import re

import pytest

from django.core.management import CommandError, call_command

from library.models import Indicator, IndicatorSet, ResourcePage
from tests.library import factories

pytestmark = pytest.mark.django_db

HEADER = [
    "external_id",
    "text",
    "stage",
    "strength",
    "dimension",
    "target_groups",
    "exploitation",
    "language",
    "source_resource",
    "source_section",
    "translation_of",
    "set",
    "heading",
    "rewords",
]


def write_csv(path, rows, header=HEADER):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def write_xlsx(path, rows, header=HEADER):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column, "") for column in header])
    workbook.save(path)
    return path


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_indicators", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def sets(library):
    guide = factories.resource("Regional guidelines", external_id="GUIDE-1")
    regional = factories.indicator_set("Regional set", external_id="SET-R")
    version = factories.indicator_set("National version", external_id="SET-AL", version_of=regional)
    return guide, regional, version


GOOD = [
    {
        "external_id": "R-1",
        "text": "Identity documents are kept by someone else.",
        "stage": "screening",
        "strength": "strong",
        "dimension": "coercion",
        "target_groups": "children; adults",
        "exploitation": "labour;sexual",
        "language": "en",
        "source_resource": "GUIDE-1",
        "source_section": "Section 2.1",
        "set": "SET-R",
        "heading": "Control",
    },
    {
        "external_id": "R-2",
        "text": "Works long hours without rest.",
        "stage": "identification",
        "strength": "medium",
        "language": "en",
        "set": "SET-R",
        "heading": "Conditions",
    },
    {
        "external_id": "R-1-fr",
        "text": "Les papiers d'identité sont gardés par un tiers.",
        "language": "fr",
        "translation_of": "R-1",
    },
    {
        "external_id": "AL-1",
        "text": "The employer keeps the worker's passport.",
        "language": "en",
        "set": "SET-AL",
        "heading": "Control",
    },
    {
        "external_id": "AL-2",
        "text": "Works long hours, with no rest day in the week.",
        "language": "en",
        "set": "SET-AL",
        "heading": "Conditions",
        "rewords": "R-2",
    },
]


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_a_good_file_creates_indicators_and_sets_rows_and_again_changes_nothing(
    tmp_path, sets, writer
):
    guide, regional, version = sets
    path = writer(tmp_path / f"indicators.{writer.__name__[6:]}", GOOD)
    out, err = run(path)
    assert "5 rows: 5 created, 0 updated, 0 unchanged, 0 failed; 2 sets given new rows" in out
    assert err == ""

    first = Indicator.objects.get(external_id="R-1")
    assert (first.stage, first.strength, first.dimension) == ("screening", "strong", "coercion")
    assert first.target_groups == ["adults", "children"]
    assert first.exploitation == ["sexual", "labour"]
    assert first.language_id == "en"
    assert first.source_resource_id == guide.pk and first.source_section == "Section 2.1"
    assert Indicator.objects.get(external_id="R-1-fr").translation_of == first

    regional = ResourcePage.objects.get(pk=regional.pk)
    assert [(i.heading, i.indicator.external_id) for i in IndicatorSet(regional).items()] == [
        ("Control", "R-1"),
        ("Conditions", "R-2"),
    ]
    version = ResourcePage.objects.get(pk=version.pk)
    changes = IndicatorSet(version).differences_from_regional()
    reworded = [
        (pair.base.indicator.external_id, pair.other.indicator.external_id)
        for pair in changes.reworded
    ]
    assert reworded == [("R-2", "AL-2")]
    assert [item.indicator.external_id for item in changes.added] == ["AL-1"]
    # The rows are the sets' published content: the editor opens them too.
    latest = version.get_latest_revision_as_object()
    assert [i.indicator_id for i in latest.indicator_items.all()] == [
        i.indicator_id for i in IndicatorSet(version).items()
    ]

    out, _err = run(path)
    assert "5 rows: 0 created, 0 updated, 5 unchanged, 0 failed; 0 sets given new rows" in out


def test_a_corrected_file_updates_the_same_records(tmp_path, sets):
    run(write_csv(tmp_path / "first.csv", GOOD))
    corrected = [dict(row) for row in GOOD]
    corrected[1]["strength"] = "weak"
    out, _err = run(write_csv(tmp_path / "second.csv", corrected))
    assert "0 created, 1 updated, 4 unchanged" in out
    assert Indicator.objects.get(external_id="R-2").strength == "weak"
    assert Indicator.objects.count() == 5


def test_dry_run_checks_everything_and_writes_nothing(tmp_path, sets):
    out, _err = run(write_csv(tmp_path / "indicators.csv", GOOD), "--dry-run")
    assert "Dry run: 5 rows: 5 created" in out
    assert Indicator.objects.count() == 0
    assert IndicatorSet(sets[1]).items() == []


def bad(message, **row):
    return ({"external_id": "B-1", "text": "T", **row}, message)


BAD_ROWS = [
    ({"text": "No identifier."}, "external_id and text are required"),
    ({"external_id": "B-1"}, "external_id and text are required"),
    bad("stage “triage” is not one of", stage="triage"),
    bad("strength “very” is not one of", strength="very"),
    bad("dimension “x” is not one of", dimension="x"),
    bad("target_groups: unknown value(s) elderly", target_groups="elderly"),
    bad("exploitation: unknown value(s) fishing", exploitation="fishing"),
    bad("language: unknown language code “xx”", language="xx"),
    bad("source_resource: no library resource", source_resource="NOPE"),
    bad("translation_of: no indicator “NOPE”", translation_of="NOPE"),
    bad("translation_of: an indicator cannot name itself", translation_of="B-1"),
    bad("set: no indicator set “NOPE”", set="NOPE"),
    bad("set: no indicator set “GUIDE-1”", set="GUIDE-1"),
    bad("heading and rewords need a set", heading="H"),
    bad("heading: at most 200", set="SET-R", heading="H" * 201),
    bad("text: contains a NUL character", text="T\x00"),
    bad("duplicate external_id “R-1”: already on row 2", external_id="R-1"),
    bad("translation_of: Choose the original indicator", translation_of="R-1-fr"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_ROWS, ids=[m for _b, m in BAD_ROWS])
def test_a_bad_row_is_reported_by_its_row_number_and_nothing_is_written(
    tmp_path, sets, bad, message
):
    rows = [*GOOD[:3], bad, *GOOD[3:]]  # the bad row is row 5 of the sheet
    path = write_csv(tmp_path / "bad.csv", rows)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_indicators", str(path), stdout=out, stderr=err)
    assert f"row 5: {message}" in err.getvalue(), err.getvalue()
    assert "1 failed" in out.getvalue()
    assert Indicator.objects.count() == 0
    assert IndicatorSet(sets[1]).items() == [] and IndicatorSet(sets[2]).items() == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("indicators.txt", b"external_id,text\n", "expected a .csv or .xlsx file"),
        ("empty.csv", b"", "The file is empty"),
        ("nokey.csv", b"text\nA sign.\n", "no “external_id” column"),
        ("extra.csv", b"external_id,text,colour\nA,B,C\n", "Unknown columns: colour"),
        ("latin.csv", "external_id,text\nA,Signé\n".encode("latin-1"), "is not UTF-8 text"),
        ("broken.xlsx", b"not a workbook", "is not a readable XLSX file"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(tmp_path, library, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=re.escape(message)):
        run(path)
    assert Indicator.objects.count() == 0


def test_a_missing_file_is_named(tmp_path, library):
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "missing.csv")
