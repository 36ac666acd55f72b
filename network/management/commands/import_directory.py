from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from network.importer import COLUMNS, DirectoryImporter, ImportFileError, read_rows

PROGRESS_EVERY = 50


class Command(BaseCommand):
    help = (
        "Import countries, organisations and people from a CSV or XLSX file (first sheet), one "
        "per row, header in the first row. A bad row is reported with its row number and reason "
        "and does not stop the others; each row is saved whole or not at all; re-importing the "
        "same file changes nothing. Exit status 1 if any row failed. Put countries before the "
        "organisations and people that refer to them. Columns:\n"
        + "\n".join(f"  {name}: {text}" for name, text in COLUMNS.items())
    )

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

    def handle(self, *args, file, dry_run=False, **options):
        importer = DirectoryImporter()
        try:
            if dry_run:
                # Later rows may refer to earlier ones (a person to a new country), so a dry run
                # keeps them all in one transaction and rolls it back at the end.
                with transaction.atomic():
                    self._run(importer, file)
                    transaction.set_rollback(True)
            else:
                self._run(importer, file)
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        report = importer.report
        summary = (
            f"{'Dry run: ' if dry_run else ''}{report.processed} rows: {report.created} created, "
            f"{report.updated} updated, {report.unchanged} unchanged, {len(report.errors)} failed."
        )
        if report.errors:
            self.stdout.write(self.style.WARNING(summary))
            raise CommandError(f"{len(report.errors)} row(s) failed; see the messages above.")
        self.stdout.write(self.style.SUCCESS(summary))

    def _run(self, importer, file):
        for count, (number, row) in enumerate(read_rows(file), start=1):
            problem = importer.import_row(number, row)
            if problem:
                self.stderr.write(problem)
            if count % PROGRESS_EVERY == 0:
                self.stdout.write(f"… {count} rows processed")
