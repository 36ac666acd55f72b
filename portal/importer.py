"""
The spreadsheet imports' common part (`import_directory`, `import_institutions`,
`import_indicators`): reading a CSV or XLSX file into numbered rows, checking and saving each row
in its own savepoint so that a bad one is reported with its number and reason and leaves nothing
of itself, the report they count into, and the management command around them.

An importer (`RowImporter`) says how one row is checked and saved (`save_row`); it runs either row
by row, each row kept as it is saved (`import_file`, the directory), or whole or not at all
(`import_whole_file`, institutions and indicators: if any row is bad, nothing is written).
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path
from zipfile import BadZipFile

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class ImportFileError(Exception):
    """The file as a whole cannot be read (type, header); no row was imported."""


class RowError(Exception):
    """A row that cannot be imported; the message names the problem."""

    @classmethod
    def from_validation_error(cls, error):
        """A model's ValidationError as one line naming the columns; an error of the whole row
        (NON_FIELD_ERRORS) names none."""
        if not hasattr(error, "message_dict"):
            return cls(" ".join(error.messages))
        return cls(
            "; ".join(
                " ".join(texts) if name == NON_FIELD_ERRORS else f"{name}: {' '.join(texts)}"
                for name, texts in error.message_dict.items()
            )
        )


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # (row number, message)

    @property
    def processed(self):
        return self.created + self.updated + self.unchanged + len(self.errors)

    def summary(self):
        """The counts in one line, without a full stop."""
        return (
            f"{self.processed} rows: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.errors)} failed"
        )


def read_rows(path, columns, required):
    """(row number, {column: text}) for every non-empty row of a CSV or XLSX file. Row numbers
    are those a spreadsheet shows (the header is row 1). `columns` are the known column names;
    the header must hold `required`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError(f"{path.name} is not UTF-8 text.") from None
        reader = csv.reader(io.StringIO(text, newline=""))
        yield from _rows(next(reader, None), reader, columns, required)
    elif suffix == ".xlsx":
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except (BadZipFile, InvalidFileException, KeyError) as error:
            raise ImportFileError(f"{path.name} is not a readable XLSX file ({error}).") from None
        try:
            rows = workbook.worksheets[0].iter_rows(values_only=True)
            yield from _rows(next(rows, None), rows, columns, required)
        finally:
            workbook.close()
    else:
        raise ImportFileError(f"{path.name}: expected a .csv or .xlsx file.")


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(header, rows, columns, required):
    if not header:
        raise ImportFileError("The file is empty: expected a header row.")
    names = [_text(name).lower() for name in header]
    if required not in names:
        raise ImportFileError(f"The header row has no “{required}” column.")
    unknown = sorted(set(names) - set(columns) - {""})
    if unknown:
        raise ImportFileError(f"Unknown columns: {', '.join(unknown)}.")
    for number, values in enumerate(rows, start=2):
        row = {name: _text(value) for name, value in zip(names, values, strict=False) if name}
        if any(row.values()):
            yield number, row


class RowImporter:
    """Imports the rows of a file one at a time, each in a savepoint, counting into `report`.
    A subclass names its `columns` and the `required` one, and checks and saves a row in
    `save_row`."""

    columns = {}  # column name -> what it holds
    required = ""  # the column the header must have
    report_class = ImportReport

    def __init__(self):
        self.report = self.report_class()

    def save_row(self, number, row):
        """Check and save one row: "created", "updated" or "unchanged"; RowError if it is bad."""
        raise NotImplementedError

    def finish(self):
        """What a whole-file import does once every row is good, before it commits."""

    def import_row(self, number, row):
        """Import one row in a savepoint; a bad one is counted and its problem returned."""
        try:
            with transaction.atomic():
                outcome = self.save_row(number, row)
        except RowError as error:
            self.report.errors.append((number, str(error)))
            return f"row {number}: {error}"
        setattr(self.report, outcome, getattr(self.report, outcome) + 1)
        return None

    def import_file(self, path, on_problem=None, on_row=None):
        """Import every row of `path`, each kept as it is saved; `on_problem(text)` is told each
        bad row as it is found, `on_row(count)` each row done. Raises ImportFileError when the
        file cannot be read at all."""
        rows = read_rows(path, columns=self.columns, required=self.required)
        for count, (number, row) in enumerate(rows, start=1):
            problem = self.import_row(number, row)
            if problem and on_problem is not None:
                on_problem(problem)
            if on_row is not None:
                on_row(count)
        return self.report

    def import_whole_file(self, path, dry_run=False, on_problem=None):
        """Import `path` whole or not at all: nothing is written when any row is bad or
        `dry_run`. Returns the report."""
        with transaction.atomic():
            self.import_file(path, on_problem)
            if not self.report.errors:
                self.finish()
            if dry_run or self.report.errors:
                transaction.set_rollback(True)
        return self.report


def split_list(value):
    """The items of a cell that lists them separated by ;."""
    return [item.strip() for item in value.split(";") if item.strip()]


def choice(value, allowed, column, default=None):
    """`value`, one of `allowed`, or `default` for an empty cell."""
    if not value:
        return default
    if value not in allowed:
        raise RowError(f"{column} “{value}” is not one of: {', '.join(allowed)}.")
    return value


def choices(value, options, column):
    """The values of a cell listing some of `options` (a TextChoices), in the options' order."""
    items = split_list(value)
    unknown = [item for item in items if item not in options.values]
    if unknown:
        raise RowError(
            f"{column}: unknown value(s) {', '.join(unknown)} (one of {', '.join(options.values)})."
        )
    return [item for item in options.values if item in items]


def refuse_nul(row):
    """Checked before any query: PostgreSQL refuses a NUL byte outright (an error, not a row)."""
    for column, value in row.items():
        if "\x00" in value:
            raise RowError(f"{column}: contains a NUL character.")


class ImportCommand(BaseCommand):
    """`manage.py import_… FILE [--dry-run]`: the columns listed in the help, a summary line,
    exit status 1 when a row failed. A subclass imports in `run_import`."""

    whole_file = True  # a bad row means nothing was imported

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every row and report what would happen, saving nothing.",
        )

    def run_import(self, file, dry_run):
        """Import `file`; returns the report."""
        raise NotImplementedError

    def handle(self, *args, file, dry_run=False, **options):
        try:
            report = self.run_import(file, dry_run)
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        summary = f"{'Dry run: ' if dry_run else ''}{report.summary()}."
        if report.errors:
            self.stdout.write(self.style.WARNING(summary))
            if self.whole_file:
                raise CommandError(
                    f"{len(report.errors)} row(s) failed; nothing was imported. "
                    "See the messages above."
                )
            raise CommandError(f"{len(report.errors)} row(s) failed; see the messages above.")
        self.stdout.write(self.style.SUCCESS(summary))


def columns_help(columns):
    """The help's list of columns, one a line."""
    return "\n".join(f"  {name}: {text}" for name, text in columns.items())
