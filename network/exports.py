"""
vCard and CSV exports of the directory. Both are built from `PersonEntry` and `InstitutionEntry`
(network/presenters.py), so an export never holds more than the requester could read on the
person's page or the institution's country page.
"""

import csv
import io

import vobject

from network.presenters import entry_for, institution_entry_for
from portal.access import is_secretariat
from portal.spreadsheet import safe_cell


def vcard_for(entry, url=""):
    """One vCard 3.0 for a visible entry."""
    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(family=entry.family_name, given=entry.given_name)
    card.add("fn").value = entry.full_name
    if entry.organisation is not None:
        card.add("org").value = [entry.organisation.name]
    if entry.job_title:
        card.add("title").value = entry.job_title
    roles = [mandate.get_role_display() for mandate in entry.mandates]
    if roles:
        card.add("role").value = ", ".join(str(role) for role in roles)
    for address in entry.emails:
        email = card.add("email")
        email.value = address
        email.type_param = "INTERNET"
    for number in entry.phones:
        tel = card.add("tel")
        tel.value = number
        tel.type_param = "WORK"
    if entry.country is not None:
        adr = card.add("adr")
        adr.value = vobject.vcard.Address(country=entry.country.label)
    if entry.biography:
        card.add("note").value = entry.biography
    if url:
        card.add("url").value = url
    return card.serialize()


def vcards_for(people, user, build_url):
    """Several people's visible entries as one .vcf text."""
    return "".join(
        vcard_for(entry_for(person, user), build_url(person.get_absolute_url()))
        for person in people
    )


PUBLIC_COLUMNS = [
    "given_name",
    "family_name",
    "job_title",
    "organisation",
    "country",
    "roles",
    "emails",
    "phones",
    "languages",
    "expertise",
    "biography",
]
SECRETARIAT_COLUMNS = [
    *PUBLIC_COLUMNS,
    "email_audience",
    "phone_audience",
    "biography_audience",
    "photo_audience",
    "is_active",
    "last_confirmed",
    "user_email",
]


def directory_csv(people, user):
    """The directory as CSV text: the secretariat gets every field and column; anyone else gets
    exactly the fields each entry shows them."""
    secretariat = is_secretariat(user)
    columns = SECRETARIAT_COLUMNS if secretariat else PUBLIC_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for person in people:
        entry = entry_for(person, user)
        row = {
            "given_name": entry.given_name,
            "family_name": entry.family_name,
            "job_title": entry.job_title,
            "organisation": entry.organisation.name if entry.organisation else "",
            "country": entry.country.iso_code if entry.country else "",
            "roles": "; ".join(str(m.get_role_display()) for m in entry.mandates),
            "emails": "; ".join(entry.emails),
            "phones": "; ".join(entry.phones),
            "languages": "; ".join(language.code for language in person.languages.all()),
            "expertise": "; ".join(topic.slug for topic in person.expertise.all()),
            "biography": entry.biography,
        }
        if secretariat:
            row.update(
                email_audience=person.email_audience,
                phone_audience=person.phone_audience,
                biography_audience=person.biography_audience,
                photo_audience=person.photo_audience,
                is_active="yes" if person.is_active else "no",
                last_confirmed=person.last_confirmed.isoformat() if person.last_confirmed else "",
                user_email=person.user.email if person.user else "",
            )
        writer.writerow([safe_cell(row[column]) for column in columns])
    return out.getvalue()


def institution_vcard(entry, url=""):
    """One vCard 3.0 for an institution as its viewer may see it. X-ABSHOWAS:COMPANY makes
    address books show it as an organisation rather than a person."""
    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(family=entry.name)
    card.add("fn").value = entry.name
    card.add("org").value = [entry.organisation.name if entry.organisation else entry.name]
    card.add("x-abshowas").value = "COMPANY"
    card.add("title").value = entry.kind_label
    if entry.email:
        email = card.add("email")
        email.value = entry.email
        email.type_param = "INTERNET"
    if entry.phone:
        tel = card.add("tel")
        tel.value = entry.phone
        tel.type_param = "WORK"
    adr = card.add("adr")
    adr.value = vobject.vcard.Address(country=entry.country.label)
    note = [entry.hours, "24/7" if entry.available_24_7 else ""]
    languages = ", ".join(language.name for language in entry.languages)
    if languages:
        note.append(languages)
    if any(note):
        card.add("note").value = " · ".join(part for part in note if part)
    if entry.website:
        card.add("url").value = entry.website
    elif url:
        card.add("url").value = url
    return card.serialize()


INSTITUTION_COLUMNS = [
    "iso_code",
    "name",
    "kind",
    "organisation",
    "procedures",
    "target_groups",
    "phone",
    "email",
    "website",
    "hours",
    "available_24_7",
    "languages",
    "is_contact_point",
    "confirmed_on",
]
# The secretariat's export has the import's columns, so it can be edited and imported back.
INSTITUTION_SECRETARIAT_COLUMNS = [*INSTITUTION_COLUMNS, "phone_visibility", "email_visibility"]


def institutions_csv(institutions, user):
    """Institutions as CSV text, each with exactly the contact fields `user` may see of it.
    `institutions` should come from `Institution.objects.for_countries` (languages prefetched)."""
    secretariat = is_secretariat(user)
    columns = INSTITUTION_SECRETARIAT_COLUMNS if secretariat else INSTITUTION_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for institution in institutions:
        entry = institution_entry_for(institution, user)
        row = {
            "iso_code": entry.country.iso_code,
            "name": entry.name,
            "kind": institution.kind,
            "organisation": entry.organisation.name if entry.organisation else "",
            "procedures": ";".join(entry.procedures),
            "target_groups": ";".join(entry.target_groups),
            "phone": entry.phone,
            "email": entry.email,
            "website": entry.website,
            "hours": entry.hours,
            "available_24_7": "yes" if entry.available_24_7 else "no",
            "languages": ";".join(language.code for language in entry.languages),
            "is_contact_point": "yes" if entry.is_contact_point else "no",
            "confirmed_on": entry.confirmed_on.isoformat() if entry.confirmed_on else "",
        }
        if secretariat:
            row.update(
                phone_visibility=institution.phone_visibility,
                email_visibility=institution.email_visibility,
            )
        writer.writerow([safe_cell(row[column]) for column in columns])
    return out.getvalue()
