from library.indicator_importer import COLUMNS, import_indicators
from portal.importer import ImportCommand, columns_help


class Command(ImportCommand):
    help = (
        "Import indicators from a CSV (UTF-8) or XLSX file (first sheet), one per row, header "
        "in the first row. Every row is checked; a bad row is reported with its row number and "
        "reason, and if any row is bad NOTHING is imported (exit status 1). Rows are matched on "
        "external_id, so re-importing the same file changes nothing. Rows naming a set become "
        "that set's rows, in the file's order (a new revision, published when the set is live). "
        "Columns:\n" + columns_help(COLUMNS)
    )

    def run_import(self, file, dry_run):
        from search.indexing import deferred_indexing

        with deferred_indexing():
            return import_indicators(file, dry_run=dry_run, on_problem=self.stderr.write)
