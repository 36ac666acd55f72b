"""Template filters of the directory."""

from django import template

register = template.Library()


@register.filter
def in_network(countries):
    """The countries of the network among `countries` (a list or an evaluated queryset: no
    query of its own when the template has already looped over it)."""
    return [country for country in countries if country.in_network]


@register.filter
def outside_network(countries):
    """Countries outside the network: referral destinations holding only a contact point."""
    return [country for country in countries if not country.in_network]
