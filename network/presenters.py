"""
What a viewer may see of a person: the ONE place where the per-field audiences of a directory entry
are applied. Pages, exports (vCard, CSV) and search records all go through `entry_for` /
`entry_for_tier`, so a members-only phone number cannot leak through one way out that forgot.
"""

from dataclasses import dataclass

from django.urls import reverse

from portal.access import audience_of, can_see, tier_at_least


@dataclass(frozen=True)
class PersonEntry:
    """A person as one viewer may see them. Hidden fields are empty; `*_audience` tells templates
    which shown fields are restricted (for the members-only badge and `data-audience`)."""

    person: object
    full_name: str
    given_name: str
    family_name: str
    job_title: str
    organisation: object
    country: object
    mandates: tuple
    emails: tuple
    phones: tuple
    biography: str
    photo_url: str
    email_audience: str
    phone_audience: str
    biography_audience: str
    photo_audience: str
    is_owner: bool = False

    @property
    def has_contact(self):
        return bool(self.emails or self.phones)


def _current_mandates(person):
    # Filter in Python so that a prefetched `mandates` is used (no query per person).
    return tuple(mandate for mandate in person.mandates.all() if mandate.is_current)


def entry_for_tier(person, tier, is_owner=False):
    """What a viewer of `tier` sees of `person`. The owner sees their whole entry."""

    def shows(audience):
        return is_owner or tier_at_least(tier, audience)

    show_photo = bool(person.photo) and shows(person.photo_audience)
    return PersonEntry(
        person=person,
        full_name=person.full_name,
        given_name=person.given_name,
        family_name=person.family_name,
        job_title=person.job_title,
        organisation=person.organisation,
        country=person.country,
        mandates=_current_mandates(person),
        emails=tuple(e.address for e in person.emails.all())
        if shows(person.email_audience)
        else (),
        phones=tuple(p.number for p in person.phones.all()) if shows(person.phone_audience) else (),
        biography=person.biography if shows(person.biography_audience) else "",
        photo_url=reverse("network:person_photo", args=[person.pk]) if show_photo else "",
        email_audience=person.email_audience,
        phone_audience=person.phone_audience,
        biography_audience=person.biography_audience,
        photo_audience=person.photo_audience,
        is_owner=is_owner,
    )


def is_owner(person, user):
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and person.user_id is not None
        and person.user_id == user.pk
    )


def entry_for(person, user):
    """What `user` sees of `person`."""
    return entry_for_tier(person, audience_of(user), is_owner=is_owner(person, user))


def can_see_photo(person, user):
    """Whether `user` may receive the photo file (the photo view asks this, not the template)."""
    return bool(person.photo) and (is_owner(person, user) or can_see(user, person.photo_audience))


@dataclass(frozen=True)
class InstitutionEntry:
    """An institution as one viewer may see it. A hidden phone or email is empty;
    `*_visibility` tells templates which shown fields are restricted (for `data-audience`)."""

    institution: object
    name: str
    kind_label: str
    country: object
    organisation: object
    procedures: tuple
    target_groups: tuple
    phone: str
    email: str
    website: str
    hours: str
    available_24_7: bool
    languages: tuple
    is_contact_point: bool
    confirmed_on: object
    is_stale: bool
    phone_visibility: str
    email_visibility: str

    @property
    def has_contact(self):
        return bool(self.phone or self.email)


def institution_entry_for_tier(institution, tier):
    """What a viewer of `tier` sees of `institution`. Uses prefetched languages."""

    def shows(audience):
        return tier_at_least(tier, audience)

    return InstitutionEntry(
        institution=institution,
        name=institution.name,
        kind_label=str(institution.get_kind_display()),
        country=institution.country,
        organisation=institution.organisation,
        procedures=tuple(institution.procedures),
        target_groups=tuple(institution.target_groups),
        phone=institution.phone if shows(institution.phone_visibility) else "",
        email=institution.email if shows(institution.email_visibility) else "",
        website=institution.website,
        hours=institution.hours,
        available_24_7=institution.available_24_7,
        languages=tuple(institution.languages.all()),
        is_contact_point=institution.is_contact_point,
        confirmed_on=institution.confirmed_on,
        is_stale=institution.is_stale,
        phone_visibility=institution.phone_visibility,
        email_visibility=institution.email_visibility,
    )


def institution_entry_for(institution, user):
    """What `user` sees of `institution`."""
    return institution_entry_for_tier(institution, audience_of(user))
