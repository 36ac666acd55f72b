"""A small referral world for the pathway's tests: two network countries (Albania, Greece), a
third one with an agreement of its own (Italy), and a destination outside the network
(Norway); institutions of every kind the pathway ranks, contact people, and guidance of every
scope (`make_world`)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from network.models import Country, Institution, Mandate, Procedure, ReferralProfile, TargetGroup
from portal.access import Audience
from portal.models import Language
from tests.library import factories as library
from tests.network.factories import CountryFactory, MandateFactory, PersonFactory

ALL = list(Procedure.values)
#: A members-only number, found nowhere else: it must never reach an anonymous visitor.
MEMBERS_PHONE = "+30 21 0999 1111"
PUBLIC_HOTLINE = "+355 800 1111"
TODAY = datetime.date.today()
STALE_DAY = TODAY - datetime.timedelta(days=500)


@dataclass
class World:
    albania: object
    greece: object
    italy: object
    norway: object
    institutions: dict
    resources: dict
    people: dict


def institution(country, name, kind, procedures, groups, **fields):
    fields.setdefault("confirmed_on", TODAY - datetime.timedelta(days=30))
    fields.setdefault("email", f"{kind}.{country.iso_code.lower()}@example.org")
    return Institution.objects.create(
        country=country,
        name=name,
        kind=kind,
        procedures=procedures,
        target_groups=groups,
        **fields,
    )


def make_world():
    kinds = Institution.Kind
    albania = CountryFactory(iso_code="AL", name="Albania")
    greece = CountryFactory(iso_code="GR", name="Greece")
    italy = CountryFactory(iso_code="IT", name="Italy")
    norway = CountryFactory(iso_code="NO", name="Norway", membership=Country.Membership.OUTSIDE)
    english, greek = Language.objects.get(code="en"), Language.objects.get(code="el")
    adults, children, asylum = TargetGroup.ADULTS, TargetGroup.CHILDREN, TargetGroup.ASYLUM
    found = {
        "al_police": institution(
            albania,
            "State Police ATU",
            kinds.POLICE,
            ["identification", "proceedings"],
            [adults, children],
        ),
        "al_child": institution(
            albania, "Child Rights Agency", kinds.CHILD_PROTECTION, ALL, [children]
        ),
        "al_shelter": institution(
            albania, "Women's Shelter Tirana", kinds.SHELTER, ["assistance", "inclusion"], [adults]
        ),
        "al_hotline": institution(
            albania,
            "National Hotline 116",
            kinds.HOTLINE,
            ["identification"],
            [adults, children],
            phone=PUBLIC_HOTLINE,
            phone_visibility=Audience.PUBLIC,
            available_24_7=True,
        ),
        "al_point": institution(
            albania,
            "Office of the National Coordinator",
            kinds.COORDINATION,
            ALL,
            [adults, children, asylum],
            is_contact_point=True,
            phone="+355 4 222 3333",
        ),
        "gr_child": institution(
            greece,
            "National Centre for Social Solidarity (children)",
            kinds.CHILD_PROTECTION,
            ["identification", "assistance", "return"],
            [children],
        ),
        "gr_shelter": institution(
            greece,
            "Athens Adult Shelter",
            kinds.SHELTER,
            ["assistance"],
            [adults],
            phone=MEMBERS_PHONE,
            phone_visibility=Audience.MEMBERS,
            confirmed_on=STALE_DAY,
        ),
        "gr_asylum": institution(
            greece,
            "Asylum Service",
            kinds.ASYLUM_AUTHORITY,
            ["identification", "assistance"],
            [asylum, adults, children],
        ),
        "gr_prosecution": institution(
            greece,
            "Prosecutor for Trafficking Cases",
            kinds.PROSECUTION,
            ["proceedings"],
            [adults, children],
            email="",
        ),
        "no_point": institution(
            norway,
            "Norwegian Coordination Unit",
            kinds.COORDINATION,
            ALL,
            [adults, children],
            is_contact_point=True,
            phone="+47 22 00 00 00",
        ),
    }
    found["al_hotline"].languages.set([english])
    found["gr_shelter"].languages.set([greek, english])
    for item in found.values():
        item.save()

    resources = {
        "regional": library.resource(
            "Regional guidelines on transnational referral", topics=["referral"]
        ),
        "regional_children": library.resource(
            "Regional SOP for the referral of child victims",
            topics=["referral", "children"],
            published=datetime.date(2015, 1, 1),
        ),
        "regional_identification": library.resource(
            "Regional identification checklist for referral",
            topics=["referral", "identification"],
            published=datetime.date(2016, 1, 1),
        ),
        "albanian": library.resource(
            "Albanian referral guidelines", topics=["referral"], countries=["AL"]
        ),
        "greek_sop": library.resource("Greek national SOP", resource_type="sop", countries=["GR"]),
        "italian": library.resource(
            "Italian referral guidelines", topics=["referral"], countries=["IT"]
        ),
        "al_gr": library.resource(
            "Albania-Greece protocol on referral",
            resource_type="agreement",
            countries=["AL", "GR"],
        ),
        "al_it": library.resource(
            "Albania-Italy memorandum", resource_type="agreement", countries=["AL", "IT"]
        ),
        "members_guidance": library.resource(
            "Members-only referral notes", topics=["referral"], audience=Audience.MEMBERS
        ),
    }
    ReferralProfile.objects.create(
        country=greece,
        mechanism_name="Greek NRM",
        national_sop=resources["greek_sop"],
        summary="Refer through the National Centre for Social Solidarity.",
    )
    ReferralProfile.objects.create(country=albania, mechanism_name="Albanian NRM")

    people = {}
    for country, role, name, confirmed in [
        (albania, Mandate.Role.NATIONAL_COORDINATOR, "Arta", timezone.now()),
        (albania, Mandate.Role.TRANSNATIONAL_CONTACT, "Luan", None),
        (greece, Mandate.Role.REFERRAL_FOCAL_POINT, "Eleni", timezone.now()),
        (greece, Mandate.Role.WORKING_GROUP_MEMBER, "Nikos", timezone.now()),
    ]:
        person = PersonFactory(
            given_name=name,
            country=country,
            email=f"{name.lower()}@example.org",
            last_confirmed=confirmed,
        )
        MandateFactory(person=person, country=country, role=role)
        people[name] = person
    return World(albania, greece, italy, norway, found, resources, people)
