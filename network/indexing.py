"""Keep the directory's search records in step: each change enqueues the owning object's ids
(after commit, through search.indexing); the tasks rebuild the records from the database."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from network.models import (
    Country,
    Institution,
    Mandate,
    Organisation,
    Person,
    PersonEmail,
    PersonPhone,
    ReferralProfile,
)
from search.indexing import enqueue_index, enqueue_removal

PERSON, ORGANISATION, COUNTRY = "network.person", "network.organisation", "network.country"
INSTITUTION = "network.institution"


def person_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue_index(PERSON, instance.pk)


def person_deleted(sender, instance, **kwargs):
    enqueue_removal(PERSON, instance.pk)


def person_part_changed(sender, instance, raw=False, **kwargs):
    """An email, phone or mandate changed: the person's records change with it (a missing
    person, e.g. during a cascade delete, just yields no records)."""
    if not raw and instance.person_id:
        enqueue_index(PERSON, instance.person_id)


def person_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:
        for person_id in pk_set or ():
            enqueue_index(PERSON, person_id)
    else:
        enqueue_index(PERSON, instance.pk)


def organisation_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    enqueue_index(ORGANISATION, instance.pk)
    # People's records carry the organisation's name.
    for person_id in instance.people.values_list("pk", flat=True):
        enqueue_index(PERSON, person_id)
    # ...and so do institutions' records.
    for institution_id in instance.institutions.values_list("pk", flat=True):
        enqueue_index(INSTITUTION, institution_id)


def organisation_deleted(sender, instance, **kwargs):
    enqueue_removal(ORGANISATION, instance.pk)


def country_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue_index(COUNTRY, instance.pk)


def country_deleted(sender, instance, **kwargs):
    enqueue_removal(COUNTRY, instance.pk)


def profile_changed(sender, instance, raw=False, **kwargs):
    """The referral profile is part of its country's record."""
    if not raw and instance.country_id:
        enqueue_index(COUNTRY, instance.country_id)


def institution_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue_index(INSTITUTION, instance.pk)


def institution_deleted(sender, instance, **kwargs):
    enqueue_removal(INSTITUTION, instance.pk)


def institution_languages_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:
        for institution_id in pk_set or ():
            enqueue_index(INSTITUTION, institution_id)
    else:
        enqueue_index(INSTITUTION, instance.pk)


def connect():
    uid = "network.indexing"
    post_save.connect(person_saved, sender=Person, dispatch_uid=f"{uid}.person_saved")
    post_delete.connect(person_deleted, sender=Person, dispatch_uid=f"{uid}.person_deleted")
    for model in (PersonEmail, PersonPhone, Mandate):
        post_save.connect(person_part_changed, sender=model, dispatch_uid=f"{uid}.{model}.save")
        post_delete.connect(person_part_changed, sender=model, dispatch_uid=f"{uid}.{model}.del")
    for through in (Person.languages.through, Person.expertise.through):
        m2m_changed.connect(person_tags_changed, sender=through, dispatch_uid=f"{uid}.{through}")
    post_save.connect(organisation_saved, sender=Organisation, dispatch_uid=f"{uid}.org_saved")
    post_delete.connect(
        organisation_deleted, sender=Organisation, dispatch_uid=f"{uid}.org_deleted"
    )
    post_save.connect(country_saved, sender=Country, dispatch_uid=f"{uid}.country_saved")
    post_delete.connect(country_deleted, sender=Country, dispatch_uid=f"{uid}.country_deleted")
    post_save.connect(profile_changed, sender=ReferralProfile, dispatch_uid=f"{uid}.profile_saved")
    post_delete.connect(
        profile_changed, sender=ReferralProfile, dispatch_uid=f"{uid}.profile_deleted"
    )
    post_save.connect(
        institution_saved, sender=Institution, dispatch_uid=f"{uid}.institution_saved"
    )
    post_delete.connect(
        institution_deleted, sender=Institution, dispatch_uid=f"{uid}.institution_deleted"
    )
    m2m_changed.connect(
        institution_languages_changed,
        sender=Institution.languages.through,
        dispatch_uid=f"{uid}.institution_languages",
    )
