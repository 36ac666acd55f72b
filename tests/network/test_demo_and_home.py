import datetime
import io
import random
from types import SimpleNamespace

import pytest

from django.utils import timezone

from network import demo
from network.models import Country, Mandate, Organisation, Person
from portal import demo as portal_demo

pytestmark = pytest.mark.django_db


def _context(scale=1):
    context = SimpleNamespace(
        password="demo-password-123",
        password_given=True,
        scale=scale,
        rng=random.Random(2019),
        stdout=io.StringIO(),
        style=None,
        verbosity=0,
        announce=lambda message: None,
    )
    portal_demo.seed(context)
    return context


def test_demo_directory_has_the_promised_size_and_history():
    context = _context()
    demo.seed(context)
    assert Country.objects.count() >= 10
    assert Organisation.objects.count() >= 30
    assert Person.objects.count() >= 50
    assert Mandate.objects.current().exists()
    assert Mandate.objects.filter(end__lt=datetime.date.today()).exists()
    member_person = Person.objects.get(user=context.member_user)
    assert member_person.mandates.current().filter(role="referral_focal_point").exists()
    assert member_person.emails.exists() and member_person.phones.exists()


def test_demo_seed_is_idempotent():
    context = _context()
    demo.seed(context)
    counts = (Person.objects.count(), Mandate.objects.count(), Organisation.objects.count())
    context.rng = random.Random(2019)
    demo.seed(context)
    assert counts == (Person.objects.count(), Mandate.objects.count(), Organisation.objects.count())
    assert Person.objects.filter(user=context.member_user).count() == 1


def test_demo_scale_multiplies_people():
    context = _context(scale=2)
    demo.seed(context)
    assert Person.objects.count() >= 100


def test_home_page_asks_a_member_with_a_stale_entry_to_confirm_it(client, home_page):
    from tests.network.factories import PersonFactory
    from tests.portal.factories import UserFactory

    user = UserFactory(member=True)
    person = PersonFactory(user=user, last_confirmed=timezone.now() - datetime.timedelta(400))
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "Your directory entry needs confirming" in html
    assert f"/network/people/{person.pk}/confirm/" in html
    person.last_confirmed = timezone.now()
    person.save()
    assert "Your directory entry needs confirming" not in client.get("/").content.decode()


def test_home_page_does_not_ask_anonymous_visitors(client, home_page):
    assert "Your directory entry needs confirming" not in client.get("/").content.decode()
