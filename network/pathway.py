"""
The transnational referral pathway: what the referral assistant answers, in one module.

A case is described by categories only (`CaseProfile`): adult or child (and whether the child is
accompanied), the form of exploitation, whether an asylum procedure is involved and the TRM
procedure needed now. Never a name, a date, a place or free text: the portal holds no case data,
and nothing here stores, logs or caches a profile.

`build_pathway(origin, destination, profile, user)` answers, per TRM procedure, the institutions
responsible on each side with their contacts as `user` may see them (through the one access
policy: `Institution.visible_contact`, `Person.visible_contact`), the countries' contact people,
each with their languages and freshness, and the guidance that applies: regional (every pair),
both national SOPs and national guidance, and the agreements binding the pair. For a child,
child-protection institutions and children's guidance come first. A fixed number of queries,
whatever the number of institutions, people and resources.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.models import Institution, Mandate, Person, Procedure, ReferralProfile, TargetGroup
from network.models.people import REFERRAL_ROLES
from network.models.referral import STALE_AFTER
from network.referral import Scope, referral_resources
from portal.page_cache import reads, shared_key


class Group(models.TextChoices):
    ADULT = "adult", _("Adult")
    CHILD = "child", _("Child")


class ChildSituation(models.TextChoices):
    ACCOMPANIED = "accompanied", _("Accompanied by a parent or carer")
    UNACCOMPANIED = "unaccompanied", _("Unaccompanied")
    SEPARATED = "separated", _("Separated from parents (with another adult)")


class Exploitation(models.TextChoices):
    """The forms of exploitation the network's guidelines and indicators distinguish. The one
    list of the portal: the indicators and their browser use it too."""

    SEXUAL = "sexual", _("Sexual exploitation")
    LABOUR = "labour", _("Labour exploitation")
    BEGGING = "begging", _("Forced begging")
    CRIMINAL = "criminal", _("Forced criminal activities")
    MARRIAGE = "marriage", _("Forced marriage")
    DOMESTIC = "domestic", _("Domestic servitude")
    ORGANS = "organs", _("Organ removal")


class Asylum(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


#: The library topics that make guidance come first for a profile (see `first_topics`).
CHILDREN_TOPIC = "children"
ASYLUM_TOPIC = "asylum-and-migration"
EXPLOITATION_TOPICS = {
    Exploitation.SEXUAL: "sexual-exploitation",
    Exploitation.LABOUR: "labour-exploitation",
}
#: Guidance on referral that concerns a procedure in particular, by topic.
PROCEDURE_TOPICS = {
    Procedure.IDENTIFICATION: ("identification",),
    Procedure.ASSISTANCE: ("protection-and-assistance", "victim-rights"),
    Procedure.INCLUSION: ("protection-and-assistance",),
    Procedure.RETURN: ("transnational-cooperation",),
    Procedure.PROCEEDINGS: ("prosecution", "victim-rights"),
}
#: Institutions that come first for a form of exploitation (after children's and asylum's).
EXPLOITATION_KINDS = {
    Exploitation.LABOUR: (Institution.Kind.LABOUR_INSPECTORATE,),
    Exploitation.BEGGING: (Institution.Kind.SOCIAL_SERVICES,),
    Exploitation.DOMESTIC: (Institution.Kind.LABOUR_INSPECTORATE,),
}
#: How long the guidance of a pair is kept for a tier (it follows the data whatever this is).
GUIDANCE_SECONDS = 3600
#: At most this many pieces of guidance are named under each procedure.
STEP_GUIDANCE = 5
#: ...and on the one-page sheet, of each kind (regional, national per country, agreements).
SHEET_ITEMS = 2
#: What the network's guidelines require for a child, per procedure (shown with each step).
CHILD_NOTES = {
    Procedure.IDENTIFICATION: _(
        "Treat the person as a child while the age is uncertain; the child-protection "
        "authority leads and a guardian is appointed without delay."
    ),
    Procedure.ASSISTANCE: _(
        "Accommodation and care suited to the child's age, with the guardian; assess the "
        "risks to the child before any move."
    ),
    Procedure.INCLUSION: _("Schooling, a durable solution and follow-up by the guardian."),
    Procedure.RETURN: _(
        "No return before a best-interests determination and a risk assessment in both "
        "countries; the child-protection authorities of both arrange the transfer."
    ),
    Procedure.PROCEEDINGS: _(
        "Child-friendly hearings, with the guardian and legal aid; avoid repeated interviews."
    ),
}
ASYLUM_NOTE = _(
    "The asylum and anti-trafficking authorities refer to each other: identification does not "
    "end the asylum procedure, and the asylum procedure does not delay assistance."
)


@dataclass(frozen=True)
class CaseProfile:
    """A case as categories only: each field is "" (not given) or a value of its list."""

    group: str = ""
    child: str = ""
    exploitation: str = ""
    asylum: str = ""
    procedure: str = ""

    @property
    def is_child(self):
        return self.group == Group.CHILD

    @property
    def in_asylum(self):
        return self.asylum == Asylum.YES

    @property
    def has_categories(self):
        """Whether anything about a case was given (the answer is then never cached)."""
        return any((self.group, self.child, self.exploitation, self.asylum, self.procedure))

    @property
    def target_groups(self):
        """The institutions' target groups the case belongs to (empty: not said)."""
        groups = set()
        if self.group == Group.CHILD:
            groups.add(TargetGroup.CHILDREN.value)
        elif self.group == Group.ADULT:
            groups.add(TargetGroup.ADULTS.value)
        if self.in_asylum:
            groups.add(TargetGroup.ASYLUM.value)
        return frozenset(groups)

    @property
    def procedures(self):
        """The procedures to answer, in the order a case goes through them: the one asked
        for, or all five."""
        return [Procedure(self.procedure)] if self.procedure else list(Procedure)

    @property
    def first_topics(self):
        """Library topics whose guidance comes first for this case."""
        topics = []
        if self.is_child:
            topics.append(CHILDREN_TOPIC)
        if self.in_asylum:
            topics.append(ASYLUM_TOPIC)
        if self.exploitation in EXPLOITATION_TOPICS:
            topics.append(EXPLOITATION_TOPICS[self.exploitation])
        return topics

    def as_params(self):
        """The profile as the referral URL's query parameters (given fields only)."""
        return {
            name: value
            for name, value in [
                ("group", self.group),
                ("child", self.child),
                ("exploitation", self.exploitation),
                ("asylum", self.asylum),
                ("procedure", self.procedure),
            ]
            if value
        }

    def described(self):
        """[(label, value label)] of the given fields, for the page and the sheet."""
        rows = []
        for label, choices, value in [
            (_("Person"), Group, self.group),
            (_("Child's situation"), ChildSituation, self.child),
            (_("Form of exploitation"), Exploitation, self.exploitation),
            (_("Asylum procedure involved"), Asylum, self.asylum),
            (_("Procedure needed now"), Procedure, self.procedure),
        ]:
            if value:
                rows.append((label, choices(value).label))
        return rows


@dataclass(frozen=True)
class PersonContact:
    """A contact person of one side: a holder of a referral role, as the viewer may see them."""

    entry: object  # network.presenters.PersonEntry
    role: str
    role_label: str
    languages: tuple
    last_confirmed: object
    is_stale: bool


@dataclass
class Side:
    """One country of the pair: its referral mechanism, contact points and people."""

    country: object
    profile: object  # ReferralProfile or None
    people: list = field(default_factory=list)
    contact_points: list = field(default_factory=list)  # InstitutionEntry
    guidance: list = field(default_factory=list)  # national ReferralResource, SOP first

    @property
    def in_network(self):
        return self.country.in_network


@dataclass
class StepSide:
    side: Side
    institutions: list  # InstitutionEntry, first the ones the case needs first

    @property
    def country(self):
        return self.side.country

    @property
    def has_working_contact(self):
        return any(entry.has_contact for entry in self.institutions)


@dataclass
class Step:
    """One TRM procedure of the pathway."""

    procedure: str
    label: str
    sides: list  # StepSide, origin first
    guidance: list  # ReferralResource concerning this procedure in particular
    notes: list  # what the guidelines require for this case here


@dataclass
class Pathway:
    origin: object
    destination: object
    profile: CaseProfile
    sides: list
    steps: list
    regional: list
    agreements: list
    generated_on: object

    @property
    def stale_contacts(self):
        """Names of every contact shown that was not confirmed for over 12 months."""
        names = []
        for side in self.sides:
            names += [contact.entry.full_name for contact in side.people if contact.is_stale]
            names += [entry.name for entry in side.contact_points if entry.is_stale]
        for step in self.steps:
            for step_side in step.sides:
                names += [entry.name for entry in step_side.institutions if entry.is_stale]
        return list(dict.fromkeys(names))

    @property
    def contacts_by_side(self):
        """[(side, institutions)]: every institution of the pathway once per side, contact
        points first, then in the order they first appear in the procedures (for the sheet,
        which names them under each procedure and details them once)."""
        result = []
        for index, side in enumerate(self.sides):
            seen = {entry.institution.pk: entry for entry in side.contact_points}
            for step in self.steps:
                for entry in step.sides[index].institutions:
                    seen.setdefault(entry.institution.pk, entry)
            result.append((side, list(seen.values())))
        return result

    @property
    def sheet_guidance(self):
        """[(scope label, ReferralResource)] for the one-page sheet: the pair's agreements and
        national SOPs, then the first regional and national guidance (the page lists it all)."""
        items = [(Scope.LABELS[Scope.AGREEMENT], item) for item in self.agreements[:SHEET_ITEMS]]
        for side in self.sides:
            sops = [item for item in side.guidance if item.is_national_sop]
            others = [item for item in side.guidance if not item.is_national_sop]
            items += [(side.country.label, item) for item in sops + others[: SHEET_ITEMS - 1]]
        items += [(Scope.LABELS[Scope.REGIONAL], item) for item in self.regional[:SHEET_ITEMS]]
        return items

    @property
    def guidance_count(self):
        return len(self.regional) + len(self.agreements) + sum(len(s.guidance) for s in self.sides)


def build_pathway(origin, destination, profile, user):
    """The pathway from `origin` to `destination` (Country objects) for `profile`, as `user` may
    see it. Runs a fixed number of queries: the profiles; the institutions and their languages;
    the contact people with mandates, emails, phones and languages; and the guidance."""
    countries = [origin, destination]
    profiles = {
        profile_.country_id: profile_
        for profile_ in ReferralProfile.objects.filter(country__in=countries).select_related(
            "lead_agency"
        )
    }
    sides = {country.pk: Side(country, profiles.get(country.pk)) for country in countries}
    institutions = [
        institution.visible_contact(user)
        for institution in Institution.objects.for_countries(countries)
    ]
    for contact in _contact_people(countries, user):
        sides[contact.entry_country_id].people.append(contact.contact)
    rank = {role: position for position, role in enumerate(REFERRAL_ROLES)}
    for side in sides.values():
        side.people.sort(key=lambda c: (rank.get(c.role, len(rank)), c.entry.family_name))
        side.contact_points = sorted(
            (
                entry
                for entry in institutions
                if entry.is_contact_point and entry.institution.country_id == side.country.pk
            ),
            key=lambda entry: entry.name,
        )

    guidance = _guidance(
        [origin.iso_code, destination.iso_code],
        user,
        national_sops=sorted(p.national_sop_id for p in profiles.values() if p.national_sop_id),
        first_topics=profile.first_topics,
    )
    regional = [item for item in guidance if item.scope == Scope.REGIONAL]
    agreements = [item for item in guidance if item.scope == Scope.AGREEMENT]
    for side in sides.values():
        national = [
            item
            for item in guidance
            if item.scope == Scope.NATIONAL and side.country.iso_code in item.countries
        ]
        side.guidance = sorted(national, key=lambda item: not item.is_national_sop)

    ordered_sides = [sides[origin.pk], sides[destination.pk]]
    steps = [
        _step(procedure, ordered_sides, institutions, guidance, profile)
        for procedure in profile.procedures
    ]
    return Pathway(
        origin=origin,
        destination=destination,
        profile=profile,
        sides=ordered_sides,
        steps=steps,
        regional=regional,
        agreements=agreements,
        generated_on=timezone.localdate(),
    )


def _guidance(codes, user, national_sops, first_topics):
    """The guidance of the pair, shared by everyone of `user`'s tier asking the same: cached
    under the generations of the library and the directory (so a publication, an unpublication
    or a profile's new SOP shows at once), never a case (only the topics its categories put
    first, which are not about anyone)."""
    key = shared_key(
        "referral-guidance",
        user,
        tuple(codes),
        tuple(national_sops),
        tuple(first_topics),
        sections=reads("network:referral"),
    )
    guidance = cache.get(key)
    if guidance is None:
        guidance = referral_resources(
            codes, user, national_sops=national_sops, first_topics=first_topics
        )
        cache.set(key, guidance, GUIDANCE_SECONDS)
    return guidance


@dataclass(frozen=True)
class _Placed:
    entry_country_id: int
    contact: PersonContact


def _contact_people(countries, user):
    """The current holders of referral roles for `countries`, one PersonContact per role held
    (five queries, whatever their number)."""
    holders = Mandate.objects.current().filter(
        country__in=countries, role__in=REFERRAL_ROLES, person__is_active=True
    )
    people = (
        Person.objects.filter(pk__in=holders.values("person_id"))
        .select_related("country", "organisation")
        .prefetch_related(
            Prefetch("mandates", queryset=Mandate.objects.current().select_related("country")),
            "emails",
            "phones",
            "languages",
        )
    )
    country_ids = {country.pk for country in countries}
    cutoff = timezone.now() - STALE_AFTER
    placed = []
    for person in people:
        entry = person.visible_contact(user)
        languages = tuple(person.languages.all())
        stale = person.last_confirmed is None or person.last_confirmed < cutoff
        for mandate in entry.mandates:
            if mandate.role in REFERRAL_ROLES and mandate.country_id in country_ids:
                placed.append(
                    _Placed(
                        mandate.country_id,
                        PersonContact(
                            entry=entry,
                            role=mandate.role,
                            role_label=str(mandate.get_role_display()),
                            languages=languages,
                            last_confirmed=person.last_confirmed,
                            is_stale=stale,
                        ),
                    )
                )
    return placed


def _serves_case(institution, procedure, groups):
    """Responsible for `procedure`, and serving one of the case's target groups (an institution
    that names no group is kept: it did not say it serves nobody)."""
    if not institution.serves(procedure):
        return False
    return (
        not groups or not institution.target_groups or bool(groups & set(institution.target_groups))
    )


def _priority(institution, profile):
    """Lower comes first: for a child the child-protection authority, then institutions for
    children; in an asylum case the asylum authority; then those for the form of exploitation;
    then the rest. Within a rank, 24/7 contacts first."""
    kinds = Institution.Kind
    rank = 9
    if profile.is_child:
        if institution.kind == kinds.CHILD_PROTECTION:
            rank = 0
        elif TargetGroup.CHILDREN.value in institution.target_groups:
            rank = 1
    if profile.in_asylum and institution.kind == kinds.ASYLUM_AUTHORITY:
        rank = min(rank, 2)
    if institution.kind in EXPLOITATION_KINDS.get(profile.exploitation, ()):
        rank = min(rank, 3)
    return (rank, not institution.available_24_7, institution.name)


def _step(procedure, sides, entries, guidance, profile):
    groups = profile.target_groups
    step_sides = []
    for side in sides:
        chosen = [
            entry
            for entry in entries
            if entry.institution.country_id == side.country.pk
            and _serves_case(entry.institution, procedure, groups)
        ]
        chosen.sort(key=lambda entry: _priority(entry.institution, profile))
        step_sides.append(StepSide(side, chosen))
    topics = set(PROCEDURE_TOPICS.get(procedure, ()))
    notes = []
    if profile.is_child:
        notes.append(CHILD_NOTES[procedure])
    if profile.in_asylum and procedure in (Procedure.IDENTIFICATION, Procedure.ASSISTANCE):
        notes.append(ASYLUM_NOTE)
    return Step(
        procedure=procedure.value,
        label=str(procedure.label),
        sides=step_sides,
        guidance=[item for item in guidance if topics & set(item.topics)][:STEP_GUIDANCE],
        notes=notes,
    )


__all__ = [
    "Asylum",
    "CaseProfile",
    "ChildSituation",
    "Exploitation",
    "Group",
    "Pathway",
    "build_pathway",
]
