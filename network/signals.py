"""The directory's signals, and the receivers keeping its search records in step: each change
enqueues the owning object's ids (after commit, through search.indexing); the tasks rebuild the
records from the database."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

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

#: Sent when the secretariat ends a mandate and names a successor, after the new mandate is saved.
#: Arguments: `mandate` (the ended Mandate), `successor_mandate` (the new Mandate), `predecessor`
#: and `successor` (Person). The meetings app moves open action points along with it.
mandate_handed_over = Signal()


PERSON, ORGANISATION, COUNTRY = "network.person", "network.organisation", "network.country"
INSTITUTION = "network.institution"


@receiver(post_save, sender=Person)
def person_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue_index(PERSON, instance.pk)


@receiver(post_delete, sender=Person)
def person_deleted(sender, instance, **kwargs):
    enqueue_removal(PERSON, instance.pk)


@receiver(post_save, sender=PersonEmail)
@receiver(post_save, sender=PersonPhone)
@receiver(post_save, sender=Mandate)
@receiver(post_delete, sender=PersonEmail)
@receiver(post_delete, sender=PersonPhone)
@receiver(post_delete, sender=Mandate)
def person_part_changed(sender, instance, raw=False, **kwargs):
    """An email, phone or mandate changed: the person's records change with it (a missing
    person, e.g. during a cascade delete, just yields no records)."""
    if not raw and instance.person_id:
        enqueue_index(PERSON, instance.person_id)


@receiver(m2m_changed, sender=Person.languages.through)
@receiver(m2m_changed, sender=Person.expertise.through)
def person_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:
        for person_id in pk_set or ():
            enqueue_index(PERSON, person_id)
    else:
        enqueue_index(PERSON, instance.pk)


@receiver(post_save, sender=Organisation)
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


@receiver(post_delete, sender=Organisation)
def organisation_deleted(sender, instance, **kwargs):
    enqueue_removal(ORGANISATION, instance.pk)


@receiver(post_save, sender=Country)
def country_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue_index(COUNTRY, instance.pk)


@receiver(post_delete, sender=Country)
def country_deleted(sender, instance, **kwargs):
    enqueue_removal(COUNTRY, instance.pk)


@receiver(post_save, sender=ReferralProfile)
@receiver(post_delete, sender=ReferralProfile)
def profile_changed(sender, instance, raw=False, **kwargs):
    """The referral profile is part of its country's record."""
    if not raw and instance.country_id:
        enqueue_index(COUNTRY, instance.country_id)


@receiver(post_save, sender=Institution)
def institution_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue_index(INSTITUTION, instance.pk)


@receiver(post_delete, sender=Institution)
def institution_deleted(sender, instance, **kwargs):
    enqueue_removal(INSTITUTION, instance.pk)


@receiver(m2m_changed, sender=Institution.languages.through)
def institution_languages_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:
        for institution_id in pk_set or ():
            enqueue_index(INSTITUTION, institution_id)
    else:
        enqueue_index(INSTITUTION, instance.pk)
