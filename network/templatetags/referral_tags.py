"""Template tags of the referral assistant's page."""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def institution_card(context, entry):
    """The card of an institution (an InstitutionEntry, already what the viewer may see),
    rendered once per page: the same institution answers several procedures, and its card is
    the same in each."""
    cards = context.render_context.setdefault("referral_institution_cards", {})
    key = entry.institution.pk
    if key not in cards:
        cards[key] = render_to_string(
            "network/components/referral_institution.html", {"entry": entry}
        )
    return cards[key]
