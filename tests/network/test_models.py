import datetime

import pytest

from django.core.exceptions import ValidationError
from django.db import IntegrityError

from network.models import Country, Mandate, PersonPhone
from network.models.people import normalise_phone, validate_international_phone
from tests.network.factories import CountryFactory, MandateFactory, PersonFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    "number, stored",
    [("+381 11 123 4567", "+381 11 123 4567"), ("+355(4)2233445", "+355 4 2233445"),
     ("+1-202-555-0143", "+1 202 555 0143")],
)  # fmt: skip
def test_international_phone_numbers_are_accepted_and_stored_normalised(number, stored):
    assert validate_international_phone(number) is None
    phone = PersonPhone(person=PersonFactory(phone=False), number=number, sort_order=0)
    phone.full_clean()  # raises ValidationError if the number were refused
    phone.save()
    phone.refresh_from_db()
    assert phone.number == stored


@pytest.mark.parametrize("number", ["011 123 4567", "+0 11 123", "+381", "call me", "+381 11 12x"])
def test_phone_numbers_not_in_international_format_are_refused(number):
    with pytest.raises(ValidationError, match="international format"):
        validate_international_phone(number)


def test_phone_numbers_are_stored_with_single_spaces():
    assert normalise_phone(" +381 (11) 123-4567 ") == "+381 11 123 4567"


@pytest.mark.django_db
def test_phone_model_validation_names_the_bad_number():
    phone = PersonPhone(person=PersonFactory(phone=False), number="0800 123")
    with pytest.raises(ValidationError) as error:
        phone.full_clean()
    assert "0800 123" in str(error.value)


@pytest.mark.django_db
def test_country_codes_are_stored_in_capitals_and_validated():
    country = Country.objects.create(name="Albania", iso_code="al")
    assert country.iso_code == "AL"
    with pytest.raises(ValidationError):
        Country(name="Nowhere", iso_code="A1").full_clean()


@pytest.mark.django_db
def test_current_mandates_derive_from_the_dates():
    today = datetime.date.today()
    current = MandateFactory(start=today - datetime.timedelta(days=10))
    ends_today = MandateFactory(start=today - datetime.timedelta(days=10), end=today)
    MandateFactory(start=today - datetime.timedelta(days=10), end=today - datetime.timedelta(1))
    MandateFactory(start=today + datetime.timedelta(days=1))
    assert set(Mandate.objects.current()) == {current, ends_today}
    assert current.is_current and ends_today.is_current


@pytest.mark.django_db
def test_a_mandate_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError):
        MandateFactory(start=datetime.date(2020, 1, 2), end=datetime.date(2020, 1, 1))


@pytest.mark.django_db
def test_contact_fields_default_to_members_only_and_biography_to_public():
    person = PersonFactory.build(country=CountryFactory())
    field = person._meta.get_field
    assert field("email_audience").default == "members"
    assert field("phone_audience").default == "members"
    assert field("photo_audience").default == "members"
    assert field("biography_audience").default == "public"
