from network.institution_importer import COLUMNS, import_institutions
from portal.importer import ImportCommand, columns_help


class Command(ImportCommand):
    help = (
        "Import the referral pathway's institutions from a CSV (UTF-8) or XLSX file (first "
        "sheet), one per row, header in the first row. Every row is checked; a bad row is "
        "reported with its row number and reason, and if any row is bad NOTHING is imported "
        "(exit status 1). Rows are matched on iso_code and name, so re-importing the same file "
        "changes nothing. The secretariat's institutions export (/network/institutions.csv) has "
        "these columns. Columns:\n" + columns_help(COLUMNS)
    )

    def run_import(self, file, dry_run):
        return import_institutions(file, dry_run=dry_run, on_problem=self.stderr.write)
