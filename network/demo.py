"""
The directory's part of the demo network: countries, organisations and fictional people with
current and past mandates. Idempotent: every row is found by a natural key before it is created,
and names come from the index (not the random generator) so reruns meet the same people.
"""

import datetime

from django.utils import timezone

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
from network.models.people import normalise_phone
from portal.access import Audience
from portal.bulk_publish import index_for_admin
from portal.models import Language, Topic

# (ISO code, name, membership, joined year, calling code, languages)
COUNTRIES = [
    ("AL", "Albania", "member", 2009, "355", ["sq", "en"]),
    ("BA", "Bosnia and Herzegovina", "member", 2009, "387", ["bs", "hr", "sr"]),
    ("BG", "Bulgaria", "member", 2010, "359", ["bg"]),
    ("HR", "Croatia", "member", 2009, "385", ["hr"]),
    ("GR", "Greece", "observer", 2014, "30", ["el"]),
    ("MD", "Moldova", "member", 2011, "373", ["ro", "ru"]),
    ("ME", "Montenegro", "member", 2009, "382", ["cnr", "sr"]),
    ("MK", "North Macedonia", "member", 2009, "389", ["mk", "sq"]),
    ("RO", "Romania", "member", 2010, "40", ["ro"]),
    ("RS", "Serbia", "member", 2009, "381", ["sr"]),
    ("SI", "Slovenia", "partner", 2016, "386", ["sl"]),
    ("UA", "Ukraine", "observer", 2018, "380", ["uk", "ru"]),
]

# The countries' short French names (the French interface shows them).
FRENCH_NAMES = {
    "AL": "Albanie",
    "AT": "Autriche",
    "BA": "Bosnie-Herzégovine",
    "BG": "Bulgarie",
    "HR": "Croatie",
    "GR": "Grèce",
    "MD": "Moldavie",
    "ME": "Monténégro",
    "MK": "Macédoine du Nord",
    "RO": "Roumanie",
    "RS": "Serbie",
    "SI": "Slovénie",
    "UA": "Ukraine",
}

ORGANISATION_KINDS = [
    ("ministry", "Ministry of the Interior", "MoI"),
    ("police", "Anti-Trafficking Police Unit", "ATPU"),
    ("social_services", "Centre for Social Work", "CSW"),
]

GIVEN_NAMES = [
    "Arta",
    "Boris",
    "Cvetana",
    "Dren",
    "Elira",
    "Filip",
    "Gordana",
    "Hristo",
    "Ilina",
    "Jovan",
    "Katarina",
    "Luan",
    "Mirela",
    "Nikola",
    "Oana",
    "Petar",
    "Rozafa",
    "Stefan",
    "Tijana",
    "Vesna",
    "Zoran",
    "Ana",
    "Blerim",
    "Daria",
    "Emil",
]
FAMILY_NAMES = [
    "Arbenson",
    "Belovar",
    "Cerulić",
    "Dobrevska",
    "Elmazaj",
    "Florescuța",
    "Grdanović",
    "Hristevska",
    "Ivanovar",
    "Jelinčić",
    "Kastrioli",
    "Lazarevska",
    "Moraveanu",
    "Novakorić",
    "Ohridova",
    "Petrovar",
    "Qendrani",
    "Radomirić",
    "Stojanoska",
    "Tomaševar",
    "Ursuleanu",
    "Vardarić",
    "Zefiraj",
    "Bistrović",
    "Drinova",
    "Kalinova",
    "Lumeva",
    "Pelagić",
    "Sarandi",
    "Veleska",
]

REFERRAL_SUMMARY = (
    "The national coordinator chairs an inter-agency working group. Frontline agencies screen "
    "presumed victims with the national indicators and refer them to the national referral focal "
    "point, who arranges identification, assistance and, across borders, contact with the "
    "transnational referral contact point of the other country."
)

#: Roles every country has, with a past holder for the first so history shows.
COUNTRY_ROLES = [
    Mandate.Role.NATIONAL_COORDINATOR,
    Mandate.Role.DEPUTY_COORDINATOR,
    Mandate.Role.REFERRAL_FOCAL_POINT,
    Mandate.Role.TRANSNATIONAL_CONTACT,
]


def _name(index):
    given = GIVEN_NAMES[index % len(GIVEN_NAMES)]
    family = FAMILY_NAMES[(index // len(GIVEN_NAMES)) % len(FAMILY_NAMES)]
    round_ = index // (len(GIVEN_NAMES) * len(FAMILY_NAMES))
    return given, f"{family}{' ' + str(round_ + 1) if round_ else ''}"


def _slug(text):
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())


def seed(context):
    """Build the demo directory. Idempotent; `member@demo.test` becomes a referral focal point."""
    rng = context.rng
    languages = {language.code: language for language in Language.objects.all()}
    topics = list(Topic.objects.order_by("slug"))
    today = timezone.localdate()

    countries = []
    organisations = {}
    for iso, name, membership, year, _calling, _langs in COUNTRIES:
        country, _ = Country.objects.update_or_create(
            iso_code=iso,
            defaults={
                "name": name,
                "name_fr": FRENCH_NAMES.get(iso, ""),
                "membership": membership,
                "joined": datetime.date(year, 1, 1),
                "referral_summary": REFERRAL_SUMMARY,
            },
        )
        countries.append(country)
        organisations[iso] = []
        for kind, org_name, acronym in ORGANISATION_KINDS:
            organisation, _ = Organisation.objects.update_or_create(
                name=f"{org_name} ({name})",
                country=country,
                defaults={
                    "kind": kind,
                    "acronym": f"{acronym}-{iso}",
                    "website": f"https://{_slug(acronym)}.{iso.lower()}.example.org/",
                },
            )
            organisations[iso].append(organisation)
    secretariat_org, _ = Organisation.objects.update_or_create(
        name="Network Secretariat",
        country=None,
        defaults={
            "kind": "secretariat",
            "acronym": "SEC",
            "website": "https://secretariat.example.org/",
        },
    )
    Organisation.objects.update_or_create(
        name="International Organisation for Demonstration Purposes",
        country=None,
        defaults={"kind": "international", "acronym": "IODP"},
    )

    total = 50 * context.scale
    people, new = _people(context, total, countries, organisations, languages, topics, rng)

    # Mandates: the first people of each country hold its roles; one past coordinator each.
    start = datetime.date(today.year - 2, 1, 1)
    per_country = {}
    for person in people:
        per_country.setdefault(person.country_id, []).append(person)
    existing = set(
        Mandate.objects.filter(person__in=[p.pk for p in people]).values_list(
            "person_id", "role", "country_id", "start"
        )
    )
    mandates = []

    def mandate(person, role, country, begins, ends=None):
        if (person.pk, role, country.pk, begins) not in existing:
            existing.add((person.pk, role, country.pk, begins))
            mandates.append(
                Mandate(person=person, role=role, country=country, start=begins, end=ends)
            )

    for country in countries:
        holders = per_country.get(country.pk, [])
        for role, person in zip(COUNTRY_ROLES, holders, strict=False):
            mandate(person, role, country, start)
        if len(holders) > len(COUNTRY_ROLES):
            mandate(
                holders[len(COUNTRY_ROLES)],
                Mandate.Role.NATIONAL_COORDINATOR,
                country,
                datetime.date(today.year - 6, 1, 1),
                start - datetime.timedelta(days=1),
            )
        for person in holders[len(COUNTRY_ROLES) + 1 :]:
            mandate(person, Mandate.Role.WORKING_GROUP_MEMBER, country, start)
    Mandate.objects.bulk_create(mandates, batch_size=1000)
    _index_new_people(new, mandates)

    staff, _ = Person.objects.get_or_create(
        given_name="Sam",
        family_name="Secretariat",
        country=None,
        defaults={"organisation": secretariat_org, "job_title": "Network officer"},
    )
    Mandate.objects.get_or_create(
        person=staff, role=Mandate.Role.SECRETARIAT_STAFF, country=None, start=start
    )
    _link(staff, context.secretariat_user)

    # The demo member is Albania's national referral focal point.
    member_person = (
        Mandate.objects.filter(
            role=Mandate.Role.REFERRAL_FOCAL_POINT, country=countries[0], start=start
        )
        .first()
        .person
    )
    _link(member_person, context.member_user)
    context.stdout.write(
        f"  {len(countries)} countries, {Organisation.objects.count()} organisations, "
        f"{len(people) + 1} people; {context.member_user.email} is {member_person.full_name}."
    )
    seed_referral(context, countries, organisations, languages, today)


def _people(context, total, countries, organisations, languages, topics, rng):
    """The demo's people, created in bulk (a few statements per thousand people) when new;
    existing ones (same name and country) are kept, and get expertise once topics exist."""
    known = {
        (person.given_name, person.family_name, person.country_id): person
        for person in Person.objects.filter(country__in=countries)
    }
    people, new, details = [], [], []
    with_expertise = set(
        Person.expertise.through.objects.filter(
            person_id__in=[person.pk for person in known.values()]
        ).values_list("person_id", flat=True)
    )
    later_expertise = []
    for index in range(total):
        given, family = _name(index)
        iso, _name_, _m, _y, calling, lang_codes = COUNTRIES[index % len(COUNTRIES)]
        country = countries[index % len(COUNTRIES)]
        organisation = organisations[iso][index % len(ORGANISATION_KINDS)]
        job_title = rng.choice(
            ["Head of unit", "Senior adviser", "Programme officer", "Inspector", "Legal adviser"]
        )
        last_confirmed = timezone.now() - datetime.timedelta(days=rng.randint(10, 700))
        phone = f"+{calling} 99 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        expertise = rng.sample(topics, k=min(2, len(topics)))
        person = known.get((given, family, country.pk))
        if person is None:
            person = Person(
                given_name=given,
                family_name=family,
                country=country,
                organisation=organisation,
                job_title=job_title,
                biography=f"{given} {family} works on identification and referral of presumed "
                f"victims of trafficking in {country.name}.",
                email_audience=Audience.PUBLIC if index % 7 == 0 else Audience.MEMBERS,
                phone_audience=Audience.SECRETARIAT if index % 11 == 0 else Audience.MEMBERS,
                last_confirmed=last_confirmed,
            )
            new.append(person)
            address = f"{_slug(given)}.{_slug(family)}@{iso.lower()}.example.org"
            codes = [*lang_codes, "en"]
            details.append(
                (person, address, phone, [languages[c] for c in codes if c in languages])
            )
            later_expertise.append((person, expertise))
        elif topics and person.pk not in with_expertise:
            # Topics may appear on a later run (the library seeds them after the directory).
            later_expertise.append((person, expertise))
        people.append(person)
    Person.objects.bulk_create(new, batch_size=1000)
    emails = [PersonEmail(person=p, address=address, sort_order=0) for p, address, _, _ in details]
    phones = [PersonPhone(person=p, number=normalise_phone(phone), sort_order=0)
              for p, _, phone, _ in details]  # fmt: skip
    PersonEmail.objects.bulk_create(emails, batch_size=1000)
    PersonPhone.objects.bulk_create(phones, batch_size=1000)
    for email, phone, (person, *_rest) in zip(emails, phones, details, strict=True):
        person._cluster_related_objects = {"emails": [email], "phones": [phone]}
    Person.languages.through.objects.bulk_create(
        [
            Person.languages.through(person_id=p.pk, language_id=language.pk)
            for p, _, _, spoken in details
            for language in dict.fromkeys(spoken)
        ],
        batch_size=1000,
    )
    Person.expertise.through.objects.bulk_create(
        [
            Person.expertise.through(person_id=p.pk, topic_id=topic.pk)
            for p, topics_of in later_expertise
            for topic in topics_of
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return people, details


def _index_new_people(details, mandates):
    """Wagtail's reference index and admin search for the people just created, with their
    emails, phones, mandates and tags given in memory (so nothing is asked per person)."""
    if not details:
        return
    by_person = {}
    for mandate in mandates:
        by_person.setdefault(mandate.person_id, []).append(mandate)
    expertise = {}
    for row in Person.expertise.through.objects.filter(
        person_id__in=[person.pk for person, *_ in details]
    ).select_related("topic"):
        expertise.setdefault(row.person_id, []).append(row.topic)
    people = []
    for person, _address, _phone, spoken in details:
        person._cluster_related_objects.update(
            mandates=by_person.get(person.pk, []),
            languages=list(dict.fromkeys(spoken)),
            expertise=expertise.get(person.pk, []),
        )
        people.append(person)
    index_for_admin(people)


def _link(person, user):
    Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
    if person.user_id != user.pk:
        person.user = user
        person.save(update_fields=["user"])


# The referral pathway: a profile and institutions per country, and one destination outside the
# network. Every phone number is in Ofcom's range reserved for drama (+44 20 7946 0000 to 0999):
# no demo number can ring a real line, whatever country it is shown for.
DEMO_PHONE = "+44 20 7946 {:04d}"

OUTSIDE_COUNTRY = ("AT", "Austria")

# (kind, name, procedures, target groups, 24/7, phone audience, email audience, organisation
# index in ORGANISATION_KINDS or None, contact point)
INSTITUTIONS = [
    ("coordination", "Office of the National Coordinator", ["identification", "return"],
     ["adults", "children", "asylum"], False, "members", "public", 0, True),
    ("child_protection", "State Agency for Child Protection",
     ["identification", "assistance", "inclusion", "return"], ["children"], True, "members",
     "members", 2, False),
    ("shelter", "Safe House for Survivors of Trafficking", ["assistance", "inclusion"],
     ["adults", "children"], True, "members", "members", None, False),
    ("hotline", "National Anti-Trafficking Hotline", ["identification"],
     ["adults", "children", "asylum"], True, "public", "public", None, False),
    ("labour_inspectorate", "Labour Inspectorate", ["identification"], ["adults"], False,
     "members", "public", None, False),
    ("police", "Police Anti-Trafficking Unit", ["identification", "proceedings"],
     ["adults", "children", "asylum"], True, "members", "members", 1, False),
    ("prosecution", "Prosecutor's Office for Organised Crime", ["proceedings"],
     ["adults", "children"], False, "members", "public", None, False),
    ("asylum_authority", "Asylum Office", ["identification", "assistance"], ["asylum"], False,
     "members", "public", None, False),
]  # fmt: skip
# Gaps the secretariat's coverage report should find: Moldova has no 24/7 hotline, Ukraine no
# asylum office.
MISSING = {("MD", "hotline"), ("UA", "asylum_authority")}
HOURS = "Mon–Fri 08:00–16:00 local time"


def seed_referral(context, countries, organisations, languages, today):
    """Referral profiles and institutions for the demo countries, a few of them stale, and one
    country outside the network with its contact point. Idempotent (profiles by country,
    institutions by country and name). National SOPs and agreements are library resources: the
    library's demo adds them and links the SOPs (library.demo.seed_referral)."""
    number = 0
    spoken_by = {iso: langs for iso, _n, _m, _y, _c, langs in COUNTRIES}
    for position, country in enumerate(countries):
        orgs = organisations[country.iso_code]
        ReferralProfile.objects.update_or_create(
            country=country,
            defaults={
                "mechanism_name": f"National Referral Mechanism of {country.name}",
                "lead_agency": orgs[0],
                "legal_basis": (
                    f"Law on preventing and combating trafficking in human beings of "
                    f"{country.name} ({2005 + position}), and the government decision "
                    f"establishing the national referral mechanism ({2008 + position})."
                ),
                "summary": (
                    "Send a transnational referral to the Office of the National Coordinator, "
                    "the contact point, before the person travels: it informs the "
                    "child-protection authority for a child and arranges the risk assessment. "
                    "For an emergency outside office hours call the police unit's duty line."
                ),
                "reviewed_on": today - datetime.timedelta(days=40 + 30 * position),
            },
        )
        spoken = [languages[code] for code in [*spoken_by[country.iso_code], "en"]
                  if code in languages]  # fmt: skip
        for index, row in enumerate(INSTITUTIONS):
            kind, name, procedures, groups, always, phone_aud, email_aud, org, contact = row
            number += 1
            if (country.iso_code, kind) in MISSING:
                continue
            # Every fifth confirmed over a year ago, and one never: stale contacts to see.
            if (position + index) % 5 == 4:
                confirmed = today - datetime.timedelta(days=400 + 20 * index)
            elif position == 2 and index == 2:
                confirmed = None
            else:
                confirmed = today - datetime.timedelta(days=15 + 9 * ((position + index) % 30))
            _institution(
                country,
                f"{name} ({country.name})",
                {
                    "kind": kind,
                    "organisation": orgs[org] if org is not None else None,
                    "procedures": procedures,
                    "target_groups": groups,
                    "phone": DEMO_PHONE.format(number),
                    "phone_visibility": phone_aud,
                    "email": f"{_slug(kind)}@{country.iso_code.lower()}.example.org",
                    "email_visibility": email_aud,
                    "website": f"https://{_slug(kind)}.{country.iso_code.lower()}.example.org/",
                    "hours": "" if always else HOURS,
                    "available_24_7": always,
                    "is_contact_point": contact,
                    "confirmed_on": confirmed,
                },
                spoken,
            )
    iso, name = OUTSIDE_COUNTRY
    outside, _ = Country.objects.update_or_create(
        iso_code=iso,
        defaults={
            "name": name,
            "name_fr": FRENCH_NAMES.get(iso, ""),
            "membership": Country.Membership.OUTSIDE,
        },
    )
    ReferralProfile.objects.update_or_create(
        country=outside,
        defaults={
            "mechanism_name": "National referral mechanism (outside the network)",
            "summary": (
                "Not a country of the network: refer through the federal contact point, which "
                "forwards to the competent regional authority."
            ),
            "reviewed_on": today - datetime.timedelta(days=90),
        },
    )
    _institution(
        outside,
        f"Federal Contact Point for Transnational Referral ({name})",
        {
            "kind": "coordination",
            "procedures": ["identification", "assistance", "return", "proceedings"],
            "target_groups": ["adults", "children", "asylum"],
            "phone": DEMO_PHONE.format(number + 1),
            "phone_visibility": "members",
            "email": f"contact-point@{iso.lower()}.example.org",
            "email_visibility": "public",
            "hours": HOURS,
            "is_contact_point": True,
            "confirmed_on": today - datetime.timedelta(days=60),
        },
        [languages[code] for code in ("de", "en") if code in languages],
    )
    context.stdout.write(
        f"  {ReferralProfile.objects.count()} referral profiles, "
        f"{Institution.objects.count()} institutions ({name} outside the network)."
    )


def _institution(country, name, values, spoken):
    institution = Institution.objects.filter(country=country, name=name).first()
    if institution is None:
        institution = Institution(country=country, name=name)
    for field, value in values.items():
        setattr(institution, field, value)
    institution.languages = spoken
    institution.save()
    return institution
