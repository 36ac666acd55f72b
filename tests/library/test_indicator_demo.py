"""The demo's indicators: a realistic regional set with two country versions (one adds and
drops, one rewords and moves) and a French translation, built once."""

import random
from types import SimpleNamespace

import pytest

from library import demo
from library.demo_indicators import REGIONAL
from library.models import Indicator, IndicatorSet, ResourcePage
from tests.library.factories import country, organisation, person

pytestmark = pytest.mark.django_db


def test_the_demo_holds_a_regional_set_two_country_versions_and_a_translation(
    library, django_capture_on_commit_callbacks, secretariat
):
    country("AL", "Albania")
    country("MK", "North Macedonia")
    organisation("Demo ministry")
    person("Demo", "Person")
    context = SimpleNamespace(
        scale=1,
        rng=random.Random(1),
        stdout=SimpleNamespace(write=lambda text: None),
        secretariat_user=secretariat,
        home=library.get_parent(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(context)

    regional = ResourcePage.objects.get(external_id="demo-indicators-regional")
    sections = IndicatorSet(regional).sections()
    assert sum(len(section.items) for section in sections) == len(REGIONAL)
    stages = {item.indicator.stage for section in sections for item in section.items}
    assert stages == {"screening", "identification", "risk_assessment"}
    strengths = {item.indicator.strength for section in sections for item in section.items}
    assert strengths == {"strong", "medium", "weak"}
    assert Indicator.objects.with_groups("children").with_exploitation("begging").exists()

    albania = ResourcePage.objects.get(external_id="demo-indicators-al")
    changes = IndicatorSet(albania).differences_from_regional()
    assert len(changes.added) == 2 and len(changes.dropped) == 2
    assert changes.reworded == [] and changes.moved == []

    macedonia = ResourcePage.objects.get(external_id="demo-indicators-mk")
    assert macedonia.audience == "members"
    changes = IndicatorSet(macedonia).differences_from_regional()
    assert len(changes.reworded) == 3 and len(changes.moved) == 1
    assert changes.added == [] and changes.dropped == []
    assert {page.pk for page in IndicatorSet(regional).country_versions(None)} == {albania.pk}

    french = ResourcePage.objects.get(external_id="demo-indicators-regional-fr")
    assert french.translation_of_id == regional.pk
    items = IndicatorSet(french).items()
    assert len(items) == len(REGIONAL)
    assert all(item.indicator.language_id == "fr" for item in items)
    assert [item.indicator.translation_of_id for item in items] == [
        item.indicator_id for item in IndicatorSet(regional).items()
    ]
    # The generated sets hold the six generic signs, as the migrated checklists left them.
    generated = ResourcePage.objects.filter(
        external_id__regex=r"^demo-\d+$", resource_type="indicator_set"
    ).first()
    assert len(IndicatorSet(generated).items()) == 6

    counts = (Indicator.objects.count(), ResourcePage.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(context)
    assert (Indicator.objects.count(), ResourcePage.objects.count()) == counts
