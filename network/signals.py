"""The directory's signals, and the receivers keeping its search records in step: each change
enqueues the owning object's ids (after commit, through search.indexing); the tasks rebuild the
records from the database."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

from network.models import Institution, Organisation, Person
from search.indexing import enqueue_index, enqueue_removal

#: Sent when the secretariat ends a mandate and names a successor, after the new mandate is saved.
#: Arguments: `mandate` (the ended Mandate), `successor_mandate` (the new Mandate), `predecessor`
#: and `successor` (Person). The meetings app moves open action points along with it.
mandate_handed_over = Signal()


PERSON, ORGANISATION, COUNTRY = "network.person", "network.organisation", "network.country"
INSTITUTION = "network.institution"

#: The models with search records of their own, and their search sources.
OWN_RECORDS = {
    "network.Person": PERSON,
    "network.Organisation": ORGANISATION,
    "network.Country": COUNTRY,
    "network.Institution": INSTITUTION,
}
#: The models that are part of another's records: the source, and the field naming the owner (a
#: missing owner, e.g. during a cascade delete, just yields no records).
PART_OF_RECORDS = {
    "network.PersonEmail": (PERSON, "person_id"),
    "network.PersonPhone": (PERSON, "person_id"),
    "network.Mandate": (PERSON, "person_id"),
    "network.ReferralProfile": (COUNTRY, "country_id"),
}
#: The tags (many-to-many relations) in records: the relation's table and whose records.
TAGS = {
    Person.languages.through: PERSON,
    Person.expertise.through: PERSON,
    Institution.languages.through: INSTITUTION,
}


def record_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue_index(OWN_RECORDS[sender._meta.label], instance.pk)


def record_deleted(sender, instance, **kwargs):
    enqueue_removal(OWN_RECORDS[sender._meta.label], instance.pk)


def part_changed(sender, instance, raw=False, **kwargs):
    """An email, phone or mandate of a person, or a country's referral profile, saved or
    deleted: the owner's records change with it."""
    source, owner_field = PART_OF_RECORDS[sender._meta.label]
    owner_id = getattr(instance, owner_field)
    if not raw and owner_id:
        enqueue_index(source, owner_id)


for label in OWN_RECORDS:
    post_save.connect(record_saved, sender=label)
    post_delete.connect(record_deleted, sender=label)
for label in PART_OF_RECORDS:
    post_save.connect(part_changed, sender=label)
    post_delete.connect(part_changed, sender=label)


@receiver(post_save, sender=Organisation)
def organisation_saved(sender, instance, raw=False, **kwargs):
    """People's and institutions' records carry their organisation's name."""
    if raw:
        return
    for person_id in instance.people.values_list("pk", flat=True):
        enqueue_index(PERSON, person_id)
    for institution_id in instance.institutions.values_list("pk", flat=True):
        enqueue_index(INSTITUTION, institution_id)


def tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A tag added to or removed from an object (or, `reverse`, objects added to or removed from
    a tag): the objects' records change."""
    if not action.startswith("post_"):
        return
    for object_id in (pk_set or ()) if reverse else [instance.pk]:
        enqueue_index(TAGS[sender], object_id)


for through in TAGS:
    m2m_changed.connect(tags_changed, sender=through)
