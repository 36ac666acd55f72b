from django.db import transaction

from network.importer import COLUMNS, DirectoryImporter
from portal.importer import ImportCommand, columns_help

PROGRESS_EVERY = 50


class Command(ImportCommand):
    help = (
        "Import countries, organisations and people from a CSV or XLSX file (first sheet), one "
        "per row, header in the first row. A bad row is reported with its row number and reason "
        "and does not stop the others; each row is saved whole or not at all; re-importing the "
        "same file changes nothing. Exit status 1 if any row failed. Put countries before the "
        "organisations and people that refer to them. Columns:\n" + columns_help(COLUMNS)
    )
    whole_file = False

    def run_import(self, file, dry_run):
        importer = DirectoryImporter()
        if dry_run:
            # Later rows may refer to earlier ones (a person to a new country), so a dry run
            # keeps them all in one transaction and rolls it back at the end.
            with transaction.atomic():
                importer.import_file(file, self.stderr.write, self._progress)
                transaction.set_rollback(True)
        else:
            importer.import_file(file, self.stderr.write, self._progress)
        return importer.report

    def _progress(self, count):
        if count % PROGRESS_EVERY == 0:
            self.stdout.write(f"… {count} rows processed")
