"""
Bulk import of the referral pathway's institutions from a spreadsheet (CSV or XLSX), one
institution per row, in the columns of the secretariat's institutions export (network.exports), so
an export can be corrected and imported back.

Unlike the directory import, a file is imported whole or not at all: every row is checked and
each bad row reported with its number and reason, and if any row is bad nothing is written.
Institutions come in sets per country (a pathway with one shelter missing is a wrong pathway),
so half a file is worse than none. Rows are matched on (country, name): re-importing the same
file changes nothing.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from network.models import Country, Institution, Organisation, Procedure, TargetGroup
from network.models.people import normalise_phone, validate_international_phone
from portal.access import Audience
from portal.importer import RowError, RowImporter, choice, choices, refuse_nul, split_list
from portal.models import Language
from portal.validators import validate_single_line

__all__ = ["COLUMNS", "InstitutionImporter", "import_institutions"]

COLUMNS = {
    "iso_code": "ISO 3166-1 alpha-2 code of the institution's country (required, known)",
    "name": "the institution's name (required); with iso_code, the key rows are matched on",
    "kind": "one of " + ", ".join(Institution.Kind.values),
    "organisation": "name or acronym of an organisation already known in that country",
    "procedures": "TRM procedures separated by ;, from " + ", ".join(Procedure.values),
    "target_groups": "target groups separated by ;, from " + ", ".join(TargetGroup.values),
    "phone": "phone number in international format, e.g. +381 11 123 4567",
    "phone_visibility": "public, members or secretariat (default members)",
    "email": "functional email address",
    "email_visibility": "public, members or secretariat (default members)",
    "website": "https:// address",
    "hours": "opening hours, with the time zone",
    "available_24_7": "yes or no (default no)",
    "languages": "language codes separated by ;, e.g. en;sr",
    "is_contact_point": "yes or no (default no): the country's transnational contact point",
    "confirmed_on": "date the contact was last confirmed, YYYY-MM-DD",
}

_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


def _flag(value, column):
    text = value.strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise RowError(f"{column} “{value}” must be yes or no.")


class InstitutionImporter(RowImporter):
    """Checks and saves rows one at a time inside one transaction (see `import_institutions`),
    each row in a savepoint so a bad one leaves nothing of itself."""

    columns = COLUMNS
    required = "iso_code"

    def __init__(self):
        super().__init__()
        self.rows_seen = {}
        self.countries = {country.iso_code: country for country in Country.objects.all()}
        self.languages = {language.code: language for language in Language.objects.all()}

    def save_row(self, number, row):
        refuse_nul(row)
        code = row.get("iso_code", "").upper()
        name = row.get("name", "")
        if not code or not name:
            raise RowError("iso_code and name are required.")
        country = self.countries.get(code)
        if country is None:
            raise RowError(f"unknown country code “{code}”.")
        key = (country.pk, name.casefold())
        if key in self.rows_seen:
            raise RowError(
                f"duplicate institution: {name} ({code}) is already on row {self.rows_seen[key]}."
            )
        self.rows_seen[key] = number

        values = {
            "kind": choice(
                row.get("kind", ""), Institution.Kind.values, "kind", Institution.Kind.OTHER
            ),
            "procedures": choices(row.get("procedures", ""), Procedure, "procedures"),
            "target_groups": choices(row.get("target_groups", ""), TargetGroup, "target_groups"),
            "phone_visibility": choice(
                row.get("phone_visibility", ""),
                Audience.values,
                "phone_visibility",
                Audience.MEMBERS,
            ),
            "email_visibility": choice(
                row.get("email_visibility", ""),
                Audience.values,
                "email_visibility",
                Audience.MEMBERS,
            ),
            "hours": row.get("hours", ""),
            "available_24_7": _flag(row.get("available_24_7", ""), "available_24_7"),
            "is_contact_point": _flag(row.get("is_contact_point", ""), "is_contact_point"),
            "organisation": self._organisation(row.get("organisation", ""), country),
            "phone": self._phone(row.get("phone", "")),
            "email": self._email(row.get("email", "")),
            "website": self._website(row.get("website", "")),
            "confirmed_on": self._date(row.get("confirmed_on", ""), "confirmed_on"),
        }
        languages = self._languages(row.get("languages", ""))

        institution = Institution.objects.filter(
            country=country, name__iexact=name
        ).first() or Institution(country=country, name=name)
        created = institution.pk is None
        changed = created or any(
            getattr(institution, column) != value for column, value in values.items()
        )
        for column, value in values.items():
            setattr(institution, column, value)
        wanted_languages = {language.code for language in languages}
        current_languages = (
            set() if created else set(institution.languages.values_list("code", flat=True))
        )
        if wanted_languages != current_languages:
            institution.languages = languages
            changed = True
        if not changed:
            return "unchanged"
        try:
            institution.full_clean(validate_unique=False)
        except ValidationError as error:
            raise RowError.from_validation_error(error) from None
        institution.save()
        return "created" if created else "updated"

    def _organisation(self, name, country):
        if not name:
            return None
        organisation = (
            Organisation.objects.filter(country=country, name=name).first()
            or Organisation.objects.filter(country=country, acronym=name).first()
        )
        if organisation is None:
            raise RowError(f"organisation: unknown organisation “{name}” in {country.iso_code}.")
        return organisation

    def _phone(self, value):
        if not value:
            return ""
        try:
            validate_single_line(value)
        except ValidationError as error:
            # Checked here: the number is normalised (onto one line) before the model sees it.
            raise RowError(f"phone: {' '.join(error.messages)}") from None
        try:
            validate_international_phone(value)
        except ValidationError:
            raise RowError(
                f"phone: malformed phone number “{value}”: use international format, e.g. "
                "+381 11 123 4567."
            ) from None
        return normalise_phone(value)

    def _email(self, value):
        if value:
            try:
                validate_email(value)
            except ValidationError:
                raise RowError(f"email: malformed email address “{value}”.") from None
        return value

    def _website(self, value):
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                raise RowError(f"website: “{value}” is not a web address.") from None
        return value

    def _date(self, value, column):
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise RowError(f"{column}: “{value}” is not a date (YYYY-MM-DD).") from None

    def _languages(self, value):
        items = split_list(value)
        unknown = [item for item in items if item not in self.languages]
        if unknown:
            raise RowError(f"languages: unknown language code(s) {', '.join(unknown)}.")
        return [self.languages[item] for item in items]


def import_institutions(path, dry_run=False, on_problem=None):
    """Import the institutions of `path`; returns the report. Nothing is written when any row
    is bad or `dry_run`. `on_problem(text)` is told each bad row as it is found. Raises
    ImportFileError when the file cannot be read at all."""
    return InstitutionImporter().import_whole_file(path, dry_run, on_problem)
