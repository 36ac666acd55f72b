import datetime

import factory

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
from portal.access import Audience


def _iso(n):
    return chr(65 + (n // 26) % 26) + chr(65 + n % 26)


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("iso_code",)

    iso_code = factory.Sequence(lambda n: _iso(n + 26 * 10))  # KA, KB... clear of test literals
    name = factory.LazyAttribute(lambda o: f"Country {o.iso_code}")
    referral_summary = "The national referral mechanism routes presumed victims to assistance."


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Ministry number {n}")
    acronym = factory.Sequence(lambda n: f"M{n}")
    country = factory.SubFactory(CountryFactory)
    kind = Organisation.Kind.MINISTRY


class PersonFactory(factory.django.DjangoModelFactory):
    """A person with one email and one phone (members-only by default, as the model says)."""

    class Meta:
        model = Person
        skip_postgeneration_save = True

    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    job_title = "Head of unit"
    country = factory.SubFactory(CountryFactory)
    organisation = factory.SubFactory(
        OrganisationFactory, country=factory.SelfAttribute("..country")
    )
    biography = "Works on identification of presumed victims."
    email_audience = Audience.MEMBERS
    phone_audience = Audience.MEMBERS

    @factory.post_generation
    def email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            PersonEmail.objects.create(
                person=self,
                address=extracted or f"{self.given_name.lower()}@example.org",
                sort_order=0,
            )

    @factory.post_generation
    def phone(self, create, extracted, **kwargs):
        if create and extracted is not False:
            PersonPhone.objects.create(
                person=self, number=extracted or "+381 11 123 4567", sort_order=0
            )


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate

    person = factory.SubFactory(PersonFactory)
    role = Mandate.Role.NATIONAL_COORDINATOR
    country = factory.SelfAttribute("person.country")
    start = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=365))
    end = None


class ReferralProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralProfile
        django_get_or_create = ("country",)

    country = factory.SubFactory(CountryFactory)
    mechanism_name = "National Referral Mechanism"
    legal_basis = "Law on the prevention of trafficking in human beings (2016)."
    summary = "Send transnational referrals to the contact point first."
    reviewed_on = factory.LazyFunction(datetime.date.today)


class InstitutionFactory(factory.django.DjangoModelFactory):
    """A child-protection authority answering 24/7, confirmed recently; its phone is
    members-only and its email public unless told otherwise."""

    class Meta:
        model = Institution
        skip_postgeneration_save = True

    country = factory.SubFactory(CountryFactory)
    name = factory.Sequence(lambda n: f"Child protection centre {n}")
    kind = Institution.Kind.CHILD_PROTECTION
    procedures = factory.LazyFunction(lambda: ["identification", "assistance"])
    target_groups = factory.LazyFunction(lambda: ["children"])
    phone = "+381 11 555 0100"
    phone_visibility = Audience.MEMBERS
    email = factory.Sequence(lambda n: f"duty{n}@child-protection.example.org")
    email_visibility = Audience.PUBLIC
    hours = "Mon–Fri 08:00–16:00 CET"
    available_24_7 = True
    confirmed_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create and extracted:
            self.languages.set(extracted)
            self.save()
