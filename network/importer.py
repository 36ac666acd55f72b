"""
Bulk import of the directory from a spreadsheet (CSV or XLSX), row by row. Each row is one country,
organisation or person (column `type`); each is validated in full and saved in its own transaction,
so a bad row is reported with its number and reason and leaves nothing behind. Re-importing the
same file changes nothing: rows are matched on natural keys (a country's ISO code; an
organisation's name and country; a person's given name, family name and country).
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from network.models import Country, Mandate, Organisation, Person, PersonEmail, PersonPhone
from network.models.people import normalise_phone, validate_international_phone
from portal.access import Audience
from portal.importer import RowError, RowImporter, choice, refuse_nul, split_list
from portal.models import Language, Topic

COLUMNS = {
    "type": "country, organisation or person (required on every row)",
    "iso_code": "ISO 3166-1 alpha-2 code: the country itself, or the country a row belongs to",
    "name": "country or organisation name",
    "membership": "country: member, observer or partner",
    "joined": "country: date joined, YYYY-MM-DD",
    "referral_summary": "country: the national coordination and referral mechanism",
    "acronym": "organisation: acronym",
    "kind": "organisation: " + ", ".join(Organisation.Kind.values),
    "website": "organisation: https:// address",
    "address": "organisation: postal address",
    "given_name": "person: given name (required)",
    "family_name": "person: family name (required)",
    "job_title": "person: job title",
    "organisation": "person: name or acronym of an organisation already known in that country",
    "emails": "person: email addresses separated by ;",
    "phones": "person: phone numbers in international format separated by ;",
    "email_audience": "person: public, members or secretariat (default members)",
    "phone_audience": "person: public, members or secretariat (default members)",
    "languages": "person: language codes separated by ;, e.g. en;fr",
    "expertise": "person: topic slugs separated by ;, e.g. referral;children",
    "biography": "person: short biography",
    "role": "person: a current mandate, one of " + ", ".join(Mandate.Role.values),
    "role_start": "person: first day of that mandate, YYYY-MM-DD (default today)",
}


def _date(value, column):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{column} “{value}” is not a date (YYYY-MM-DD).") from None


class DirectoryImporter(RowImporter):
    """Imports rows one at a time; remembers the people of this file to catch duplicates."""

    columns = COLUMNS
    required = "type"

    def __init__(self):
        super().__init__()
        self.people_rows = {}
        self.languages = {language.code: language for language in Language.objects.all()}
        self.topics = {topic.slug: topic for topic in Topic.objects.all()}

    def save_row(self, number, row):
        refuse_nul(row)
        kind = row.get("type", "").lower()
        if kind == "country":
            return self._country(row)
        if kind == "organisation":
            return self._organisation(row)
        if kind == "person":
            return self._person(number, row)
        raise RowError(f"type “{row.get('type', '')}” must be country, organisation or person.")

    def _country_of(self, row, required=True):
        code = row.get("iso_code", "").upper()
        if not code:
            if required:
                raise RowError("iso_code is missing.")
            return None
        country = Country.objects.filter(iso_code=code).first()
        if country is None:
            raise RowError(f"unknown country code “{code}”.")
        return country

    def _save(self, obj, values):
        """Apply `values`; say whether the row created, updated or left the object unchanged."""
        created = obj.pk is None
        changed = created or any(getattr(obj, key) != value for key, value in values.items())
        for key, value in values.items():
            setattr(obj, key, value)
        if changed:
            try:
                obj.full_clean()
            except ValidationError as error:
                raise RowError.from_validation_error(error) from None
            obj.save()
        return "created" if created else "updated" if changed else "unchanged"

    def _country(self, row):
        code = row.get("iso_code", "").upper()
        if not code or not row.get("name"):
            raise RowError("a country needs iso_code and name.")
        country = Country.objects.filter(iso_code=code).first() or Country(iso_code=code)
        values = {
            "name": row["name"],
            "membership": choice(
                row.get("membership", ""), Country.Membership.values, "membership", "member"
            ),
            "referral_summary": row.get("referral_summary", ""),
        }
        if row.get("joined"):
            values["joined"] = _date(row["joined"], "joined")
        return self._save(country, values)

    def _organisation(self, row):
        if not row.get("name"):
            raise RowError("an organisation needs a name.")
        country = self._country_of(row, required=False)
        if row.get("website"):
            try:
                URLValidator()(row["website"])
            except ValidationError:
                raise RowError(f"website “{row['website']}” is not a web address.") from None
        organisation = Organisation.objects.filter(
            name=row["name"], country=country
        ).first() or Organisation(name=row["name"], country=country)
        values = {
            "acronym": row.get("acronym", ""),
            "kind": choice(row.get("kind", ""), Organisation.Kind.values, "kind", "ministry"),
            "website": row.get("website", ""),
            "address": row.get("address", ""),
        }
        return self._save(organisation, values)

    def _person(self, number, row):
        given, family = row.get("given_name", ""), row.get("family_name", "")
        if not given or not family:
            raise RowError("a person needs given_name and family_name.")
        country = self._country_of(row)
        key = (given.casefold(), family.casefold(), country.pk)
        if key in self.people_rows:
            raise RowError(
                f"duplicate person: {given} {family} ({country.iso_code}) is already on row "
                f"{self.people_rows[key]}."
            )
        self.people_rows[key] = number

        emails = split_list(row.get("emails", ""))
        for address in emails:
            try:
                validate_email(address)
            except ValidationError:
                raise RowError(f"malformed email address “{address}”.") from None
        phones = split_list(row.get("phones", ""))
        for phone in phones:
            try:
                validate_international_phone(phone)
            except ValidationError:
                raise RowError(
                    f"malformed phone number “{phone}”: use international format, e.g. "
                    "+381 11 123 4567."
                ) from None
        languages = self._lookup(row.get("languages", ""), self.languages, "language code")
        expertise = self._lookup(row.get("expertise", ""), self.topics, "topic")
        organisation = None
        if row.get("organisation"):
            name = row["organisation"]
            organisation = (
                Organisation.objects.filter(country__in=[country.pk], name=name).first()
                or Organisation.objects.filter(country__in=[country.pk], acronym=name).first()
                or Organisation.objects.filter(country=None, name=name).first()
                or Organisation.objects.filter(country=None, acronym=name).first()
            )
            if organisation is None:
                raise RowError(f"unknown organisation “{name}” in {country.iso_code}.")
        role = choice(row.get("role", ""), Mandate.Role.values, "role")
        role_start = _date(row["role_start"], "role_start") if row.get("role_start") else None

        matches = list(
            Person.objects.filter(
                given_name__iexact=given, family_name__iexact=family, country=country
            )[:2]
        )
        if len(matches) > 1:
            raise RowError(f"{given} {family} ({country.iso_code}) matches several people.")
        person = matches[0] if matches else Person(given_name=given, family_name=family)
        values = {"country": country, "job_title": row.get("job_title", "")}
        if organisation is not None:
            values["organisation"] = organisation
        if row.get("biography"):
            values["biography"] = row["biography"]
        for column in ("email_audience", "phone_audience"):
            if row.get(column):
                values[column] = choice(row[column], Audience.values, column)
        outcome = self._save(person, values)

        changed = self._replace(person, "emails", PersonEmail, "address", emails)
        changed |= self._replace(
            person, "phones", PersonPhone, "number", [normalise_phone(p) for p in phones]
        )
        changed |= self._set_tags(person, "languages", languages)
        changed |= self._set_tags(person, "expertise", expertise)
        if role:
            _, made = Mandate.objects.get_or_create(
                person=person,
                role=role,
                country=country,
                end=None,
                defaults={"start": role_start or datetime.date.today()},
            )
            changed |= made
        if changed:
            person.save()  # so the search records follow the new contact details
        return "updated" if outcome == "unchanged" and changed else outcome

    def _lookup(self, value, known, label):
        items = split_list(value)
        unknown = [item for item in items if item not in known]
        if unknown:
            raise RowError(f"unknown {label}: {', '.join(unknown)}.")
        return [known[item] for item in items]

    def _replace(self, person, relation, model, attribute, values):
        """Replace emails or phones when the row gives some; an empty cell keeps them."""
        if not values:
            return False
        current = [getattr(item, attribute) for item in getattr(person, relation).all()]
        if current == values:
            return False
        model.objects.filter(person=person).delete()
        model.objects.bulk_create(
            model(person=person, sort_order=order, **{attribute: value})
            for order, value in enumerate(values)
        )
        return True

    def _set_tags(self, person, relation, items):
        if not items:
            return False
        through = getattr(Person, relation).through
        column = "language_id" if relation == "languages" else "topic_id"
        current = set(through.objects.filter(person=person).values_list(column, flat=True))
        wanted = {item.pk for item in items}
        if current == wanted:
            return False
        through.objects.filter(person=person).delete()
        through.objects.bulk_create(through(person=person, **{column: pk}) for pk in wanted)
        return True
