"""
Bulk import of indicators from a spreadsheet (CSV or XLSX), one indicator per row, and
optionally their place in indicator sets (`manage.py import_indicators FILE [--dry-run]`).

Like the institutions' import (network.institution_importer), a file is imported whole or not
at all: every row is checked, each bad row reported with its spreadsheet row number and reason,
and if any row is bad nothing is written. Rows are matched on `external_id`, so re-importing a
corrected file updates the same records and an unchanged file changes nothing.

A row that names a `set` places its indicator there under `heading`. The rows a file gives a set
are that set's rows, in the file's order: the set gets a new revision holding them, published
when the set is live (so drafts, history and search follow as for an editor's change). A set the
file does not name is left as it is.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from library.models import (
    Dimension,
    Indicator,
    IndicatorSetItem,
    ResourcePage,
    ResourceType,
    Stage,
    Strength,
)
from network.models.referral import TargetGroup
from network.pathway import Exploitation
from portal.importer import ImportReport, RowError, RowImporter, choice, choices, refuse_nul
from portal.models import Language

__all__ = ["COLUMNS", "IndicatorImporter", "import_indicators"]

COLUMNS = {
    "external_id": "a stable identifier of the indicator (required), e.g. RS-ID-12; rows are "
    "matched on it",
    "text": "the indicator's words (required)",
    "stage": "one of " + ", ".join(Stage.values) + " (or empty)",
    "strength": "one of " + ", ".join(Strength.values) + " (or empty)",
    "dimension": "one of " + ", ".join(Dimension.values) + " (or empty)",
    "target_groups": "target groups separated by ;, from " + ", ".join(TargetGroup.values),
    "exploitation": "forms of exploitation separated by ;, from " + ", ".join(Exploitation.values),
    "language": "the language code of the text, e.g. en or fr",
    "source_resource": "external identifier of the library resource it comes from",
    "source_section": "where in the source, e.g. section 3.2",
    "translation_of": "external_id of the original indicator (known, or earlier in the file)",
    "set": "external identifier of an indicator set to place the indicator in",
    "heading": "the heading it appears under in that set",
    "rewords": "country versions: external_id of the regional indicator it rewords",
}

FIELDS = (
    "text",
    "stage",
    "strength",
    "dimension",
    "target_groups",
    "exploitation",
    "language_id",
    "source_resource_id",
    "source_section",
    "translation_of_id",
)


@dataclass
class IndicatorImportReport(ImportReport):
    sets: int = 0  # sets given new rows

    def summary(self):
        return f"{super().summary()}; {self.sets} sets given new rows"


class IndicatorImporter(RowImporter):
    """Checks and saves rows one at a time inside one transaction, each in a savepoint so a
    bad one leaves nothing of itself; then gives the named sets their rows."""

    columns = COLUMNS
    required = "external_id"
    report_class = IndicatorImportReport

    def __init__(self):
        super().__init__()
        self.languages = set(Language.objects.values_list("code", flat=True))
        self.rows_seen = {}  # external_id -> row number
        self.indicators = {}  # external_id -> Indicator, those of this file
        self.set_rows = {}  # set page -> [(number, heading, indicator, rewords)]
        self.sets = {}  # external_id -> ResourcePage, looked up once each

    def save_row(self, number, row):
        refuse_nul(row)
        external_id = row.get("external_id", "")
        text = row.get("text", "")
        if not external_id or not text:
            raise RowError("external_id and text are required.")
        if external_id in self.rows_seen:
            raise RowError(
                f"duplicate external_id “{external_id}”: already on row "
                f"{self.rows_seen[external_id]}."
            )
        self.rows_seen[external_id] = number

        language = row.get("language", "")
        if language and language not in self.languages:
            raise RowError(f"language: unknown language code “{language}”.")
        values = {
            "text": text,
            "stage": choice(row.get("stage", ""), Stage.values, "stage", ""),
            "strength": choice(row.get("strength", ""), Strength.values, "strength", ""),
            "dimension": choice(row.get("dimension", ""), Dimension.values, "dimension", ""),
            "target_groups": choices(row.get("target_groups", ""), TargetGroup, "target_groups"),
            "exploitation": choices(row.get("exploitation", ""), Exploitation, "exploitation"),
            "language_id": language or None,
            "source_resource_id": self._resource_id(row.get("source_resource", "")),
            "source_section": row.get("source_section", ""),
            "translation_of_id": self._indicator_id(
                row.get("translation_of", ""), "translation_of", external_id
            ),
        }
        placement = self._placement(row, external_id)

        indicator = Indicator.objects.filter(external_id=external_id).first()
        created = indicator is None
        if created:
            indicator = Indicator(external_id=external_id)
        changed = created or any(
            getattr(indicator, name) != value for name, value in values.items()
        )
        for name, value in values.items():
            setattr(indicator, name, value)
        if changed:
            try:
                indicator.full_clean(validate_unique=False)
            except ValidationError as error:
                raise RowError.from_validation_error(error) from None
            indicator.save()
        self.indicators[external_id] = indicator
        if placement is not None:
            page, heading, rewords_id = placement
            rows = self.set_rows.setdefault(page, [])
            rows.append((number, heading, indicator, rewords_id))
        if created:
            return "created"
        return "updated" if changed else "unchanged"

    def _resource_id(self, external_id):
        if not external_id:
            return None
        resources = ResourcePage.objects.filter(external_id=external_id)
        pk = resources.values_list("pk", flat=True).first()
        if pk is None:
            raise RowError(f"source_resource: no library resource “{external_id}”.")
        return pk

    def _indicator_id(self, external_id, column, own_id):
        if not external_id:
            return None
        if external_id == own_id:
            raise RowError(f"{column}: an indicator cannot name itself.")
        if external_id in self.indicators:
            return self.indicators[external_id].pk
        pk = Indicator.objects.filter(external_id=external_id).values_list("pk", flat=True).first()
        if pk is None:
            raise RowError(
                f"{column}: no indicator “{external_id}” (it must exist or come earlier in the "
                "file)."
            )
        return pk

    def _placement(self, row, external_id):
        set_id = row.get("set", "")
        heading = row.get("heading", "")
        rewords = row.get("rewords", "")
        if not set_id:
            if heading or rewords:
                raise RowError("heading and rewords need a set.")
            return None
        if set_id not in self.sets:
            self.sets[set_id] = ResourcePage.objects.filter(
                external_id=set_id, resource_type=ResourceType.INDICATOR_SET
            ).first()
        page = self.sets[set_id]
        if page is None:
            raise RowError(f"set: no indicator set “{set_id}”.")
        if len(heading) > 200:
            raise RowError("heading: at most 200 characters.")
        return page, heading, self._indicator_id(rewords, "rewords", external_id)

    def finish(self):
        self.place_in_sets()

    def place_in_sets(self):
        """Give each set the file names its rows, in the file's order, as a new revision
        (published when the set is live)."""
        for page, rows in self.set_rows.items():
            draft = page.get_latest_revision_as_object()
            current = [
                (item.heading, item.indicator_id, item.rewords_id)
                for item in draft.indicator_items.all()
            ]
            wanted = [(heading, indicator.pk, rewords) for _n, heading, indicator, rewords in rows]
            if current == wanted:
                continue
            draft.indicator_items = [
                IndicatorSetItem(
                    heading=heading, indicator_id=indicator_id, rewords_id=rewords, sort_order=n
                )
                for n, (heading, indicator_id, rewords) in enumerate(wanted)
            ]
            revision = draft.save_revision(log_action=True)
            if page.live:
                revision.publish()
            self.report.sets += 1


def import_indicators(path, dry_run=False, on_problem=None):
    """Import the indicators of `path`; returns the report. Nothing is written when any row is
    bad or `dry_run`. `on_problem(text)` is told each bad row as it is found. Raises
    ImportFileError when the file cannot be read at all."""
    return IndicatorImporter().import_whole_file(path, dry_run, on_problem)
