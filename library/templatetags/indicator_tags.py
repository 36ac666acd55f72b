"""The indicator pages' links on an indicator set's own page: its checklist, its indicators in
the browser, and the comparisons worth making (with the regional set it adapts, the edition it
supersedes, its country versions), each only where the viewer may open both sets."""

from django import template

register = template.Library()


@register.inclusion_tag("library/indicators/set_links.html", takes_context=True)
def indicator_set_links(context, page):
    """At most 2 queries: the related sets the viewer may see, and the set's country versions."""
    from library.models import IndicatorSet, ResourcePage

    user = context["request"].user
    related_ids = [pk for pk in (page.derived_from_id, page.supersedes_id) if pk]
    related = (
        ResourcePage.objects.visible_to(user).filter(pk__in=related_ids).in_bulk()
        if related_ids
        else {}
    )
    versions = []
    if not page.derived_from_id:
        versions = list(
            IndicatorSet.visible_to(user)
            .filter(derived_from=page)
            .select_related("version_country")
            .order_by("version_country__name", "title")
        )
    return {
        "set": page,
        "regional": related.get(page.derived_from_id),
        "previous": related.get(page.supersedes_id),
        "versions": versions,
    }
