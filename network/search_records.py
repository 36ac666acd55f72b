"""
Search records for the directory. A person's records partition the tiers by what each tier may see
of them (network/presenters.py decides that): a public record with public fields only, a members'
record with what members see, and a secretariat record only when some field is secretariat-only.
Tiers that see the same thing share one record. So an anonymous search can never match a
members-only email address or phone number: the text is not in any record shown to it.
"""

from functools import lru_cache

from django.db.models import Prefetch
from django.utils.translation import get_language

from network.models import (
    Country,
    Institution,
    Mandate,
    Organisation,
    Person,
    Procedure,
    TargetGroup,
)
from network.presenters import entry_for_tier, institution_entry_for_tier
from portal.access import TIERS
from search.records import SearchRecord, tiers_from
from search.registry import RecordSource, register


def _people():
    return Person.objects.select_related("country", "organisation").prefetch_related(
        Prefetch("mandates", queryset=Mandate.objects.select_related("country")),
        "emails",
        "phones",
        "languages",
        "expertise",
    )


@lru_cache(maxsize=16)
def _role_labels(language):
    """Role labels in `language` (the active one): get_role_display() hashes the field's
    choices on every call, a fifth of a rebuild's time per person."""
    return {role.value: str(role.label) for role in Mandate.Role}


def _person_text(entry, role_labels, languages, expertise):
    """(summary, body) of an entry as one tier sees it; `role_labels` maps a role to its label,
    `languages` and `expertise` are the person's, as text."""
    roles = [role_labels[mandate.role] for mandate in entry.mandates]
    summary = " · ".join(
        part
        for part in [
            entry.job_title,
            entry.organisation.name if entry.organisation else "",
            entry.country.name if entry.country else "",
        ]
        if part
    )
    body_parts = [
        ", ".join(roles),
        entry.organisation.acronym if entry.organisation else "",
        languages,
        expertise,
        entry.biography,
        " ".join(entry.emails),
        " ".join(entry.phones),
    ]
    return summary, "\n".join(part for part in body_parts if part)


class PersonSource(RecordSource):
    name = "network.person"

    def get_object(self, object_id):
        return _people().filter(pk=object_id).first()

    def records_for(self, person):
        if not person.is_active:
            return []
        # Each relation read once: a cluster's related manager costs a queryset per access, and
        # a rebuild does this for thousands of people.
        mandates = list(person.mandates.all())
        languages = list(person.languages.all())
        expertise = list(person.expertise.all())
        labels = _role_labels(get_language())
        role_labels = {mandate.role: labels.get(mandate.role, mandate.role) for mandate in mandates}
        current_roles = {m.role: role_labels[m.role] for m in mandates if m.is_current}
        facets = {
            "kind": ["person"],
            "country": [person.country.iso_code] if person.country else [],
            "language": [language.code for language in languages],
            "topic": [topic.slug for topic in expertise],
            "role": sorted(current_roles),
        }
        labels = {
            "country": {person.country.iso_code: person.country.name} if person.country else {},
            "topic": {topic.slug: topic.name for topic in expertise},
            "role": current_roles,
        }
        language_text = " ".join(language.name for language in languages)
        expertise_text = " ".join(topic.name for topic in expertise)
        # Group consecutive tiers that see identical text into one record.
        parts = []
        for tier in TIERS:
            entry = entry_for_tier(person, tier)
            text = _person_text(entry, role_labels, language_text, expertise_text)
            if parts and parts[-1][1] == text:
                parts[-1][0].append(tier.value)
            else:
                parts.append(([tier.value], text))
        url = person.get_absolute_url()
        return [
            SearchRecord(
                key=f"{self.name}:{person.pk}:{tiers[0]}",
                kind="person",
                title=person.full_name,
                url=url,
                audiences=tuple(tiers),
                source=self.name,
                object_id=str(person.pk),
                summary=summary,
                body=body,
                facets=facets,
                facet_labels=labels,
            )
            for tiers, (summary, body) in parts
        ]

    def iter_objects(self):
        return _people().filter(is_active=True).iterator(chunk_size=200)


class OrganisationSource(RecordSource):
    name = "network.organisation"

    def get_object(self, object_id):
        return Organisation.objects.select_related("country").filter(pk=object_id).first()

    def records_for(self, organisation):
        # Organisations have no page of their own: the country page lists them.
        url = organisation.country.get_absolute_url() if organisation.country else "/network/"
        return [
            SearchRecord(
                key=f"{self.name}:{organisation.pk}",
                kind="organisation",
                title=str(organisation),
                url=url,
                audiences=tiers_from("public"),
                source=self.name,
                object_id=str(organisation.pk),
                summary=" · ".join(
                    part
                    for part in [
                        str(organisation.get_kind_display()),
                        organisation.country.name if organisation.country else "",
                    ]
                    if part
                ),
                body="\n".join(
                    part for part in [organisation.address, organisation.website] if part
                ),
                facets={
                    "kind": ["organisation"],
                    "country": [organisation.country.iso_code] if organisation.country else [],
                },
                facet_labels={
                    "country": {organisation.country.iso_code: organisation.country.name}
                    if organisation.country
                    else {}
                },
            )
        ]

    def iter_objects(self):
        return Organisation.objects.select_related("country").iterator(chunk_size=200)


def _countries():
    return Country.objects.select_related("referral_profile", "referral_profile__lead_agency")


def _profile_text(country):
    """The referral profile's text (all public), folded into the country's record: the profile
    has no page of its own, the country page shows it."""
    profile = getattr(country, "referral_profile", None)
    if profile is None:
        return ""
    parts = [
        profile.mechanism_name,
        str(profile.lead_agency) if profile.lead_agency else "",
        profile.legal_basis,
        profile.summary,
    ]
    return "\n".join(part for part in parts if part)


class CountrySource(RecordSource):
    name = "network.country"

    def get_object(self, object_id):
        return _countries().filter(pk=object_id).first()

    def records_for(self, country):
        return [
            SearchRecord(
                key=f"{self.name}:{country.pk}",
                kind="country",
                title=country.name,
                url=country.get_absolute_url(),
                audiences=tiers_from("public"),
                source=self.name,
                object_id=str(country.pk),
                summary=str(country.get_membership_display()),
                body="\n".join(
                    part for part in [country.referral_summary, _profile_text(country)] if part
                ),
                date=country.joined,
                facets={"kind": ["country"], "country": [country.iso_code]},
                facet_labels={"country": {country.iso_code: country.name}},
            )
        ]

    def iter_objects(self):
        return _countries().iterator(chunk_size=200)


def _institutions():
    return Institution.objects.select_related("country", "organisation").prefetch_related(
        "languages"
    )


@lru_cache(maxsize=16)
def _referral_labels(language):
    return {
        **{value: str(label) for value, label in Procedure.choices},
        **{value: str(label) for value, label in TargetGroup.choices},
    }


def _institution_text(entry, labels, languages):
    """(summary, body) of an institution as one tier sees it."""
    summary = " · ".join(part for part in [entry.kind_label, entry.country.name] if part)
    body_parts = [
        ", ".join(labels.get(value, value) for value in entry.procedures),
        ", ".join(labels.get(value, value) for value in entry.target_groups),
        entry.organisation.name if entry.organisation else "",
        entry.hours,
        "24/7" if entry.available_24_7 else "",
        languages,
        entry.website,
        entry.email,
        entry.phone,
    ]
    return summary, "\n".join(part for part in body_parts if part)


class InstitutionSource(RecordSource):
    """An institution's records partition the tiers by what each sees of its contact, as for
    people: a members-only phone number is only in the records members and the secretariat
    search."""

    name = "network.institution"

    def get_object(self, object_id):
        return _institutions().filter(pk=object_id).first()

    def records_for(self, institution):
        languages = list(institution.languages.all())
        language_text = " ".join(language.name for language in languages)
        labels = _referral_labels(get_language())
        parts = []
        for tier in TIERS:
            entry = institution_entry_for_tier(institution, tier)
            text = _institution_text(entry, labels, language_text)
            if parts and parts[-1][1] == text:
                parts[-1][0].append(tier.value)
            else:
                parts.append(([tier.value], text))
        country = institution.country
        return [
            SearchRecord(
                key=f"{self.name}:{institution.pk}:{tiers[0]}",
                kind="institution",
                title=institution.name,
                url=institution.get_absolute_url(),
                audiences=tuple(tiers),
                source=self.name,
                object_id=str(institution.pk),
                summary=summary,
                body=body,
                date=institution.confirmed_on,
                facets={
                    "kind": ["institution"],
                    "country": [country.iso_code],
                    "language": [language.code for language in languages],
                },
                facet_labels={"country": {country.iso_code: country.name}},
            )
            for tiers, (summary, body) in parts
        ]

    def iter_objects(self):
        return _institutions().iterator(chunk_size=200)


def register_sources():
    for source in (PersonSource(), OrganisationSource(), CountrySource(), InstitutionSource()):
        register(source)


def country_labels(values):
    """Countries by their names in the interface language (search facets): one cache read."""
    from network.models import Country
    from portal.vocabulary import cached_labels

    return cached_labels(Country, "iso_code")
