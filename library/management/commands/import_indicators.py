from django.core.management.base import BaseCommand, CommandError

from library.indicator_importer import COLUMNS, ImportFileError, import_indicators


class Command(BaseCommand):
    help = (
        "Import indicators from a CSV (UTF-8) or XLSX file (first sheet), one per row, header "
        "in the first row. Every row is checked; a bad row is reported with its row number and "
        "reason, and if any row is bad NOTHING is imported (exit status 1). Rows are matched on "
        "external_id, so re-importing the same file changes nothing. Rows naming a set become "
        "that set's rows, in the file's order (a new revision, published when the set is live). "
        "Columns:\n" + "\n".join(f"  {name}: {text}" for name, text in COLUMNS.items())
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
        from search.indexing import deferred_indexing

        try:
            with deferred_indexing():
                report = import_indicators(file, dry_run=dry_run, on_problem=self.stderr.write)
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        summary = (
            f"{'Dry run: ' if dry_run else ''}{report.processed} rows: {report.created} created, "
            f"{report.updated} updated, {report.unchanged} unchanged, {len(report.errors)} failed; "
            f"{report.sets} sets given new rows."
        )
        if report.errors:
            self.stdout.write(self.style.WARNING(summary))
            raise CommandError(
                f"{len(report.errors)} row(s) failed; nothing was imported. See the messages above."
            )
        self.stdout.write(self.style.SUCCESS(summary))
