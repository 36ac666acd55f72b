"""What the library contributes to other parts of the portal: the home page's latest guidance
and the guidance shown beside referral contacts. Each asks the access policy and runs a fixed
number of queries."""

from django.utils.translation import gettext as _

from network.referral import ReferralResource
from portal.home import HomeSection

LATEST_COUNT = 5
REFERRAL_TOPIC = "referral"
REFERRAL_COUNT = 10


def latest_guidance(request):
    from library.models import ResourcePage

    resources = list(
        ResourcePage.objects.visible_to(request.user)
        .current_for(request.user)
        .for_listing()
        .order_by("-first_published_at")[:LATEST_COUNT]
    )
    if not resources:
        return None
    return HomeSection(
        title=_("Latest guidance"),
        template="library/home_latest.html",
        context={"resources": resources},
        order=10,
    )


def referral_guidance(countries, user):
    """Live, current resources on referral that `user` may see and that cover any of
    `countries` (Country objects or ISO codes)."""
    from library.models import ResourcePage

    codes = [getattr(country, "iso_code", country) for country in countries]
    if not codes:
        return []
    matching = ResourcePage.objects.filter(
        topics__slug=REFERRAL_TOPIC, countries__iso_code__in=codes
    ).values("pk")
    resources = (
        ResourcePage.objects.visible_to(user)
        .current_for(user)
        .filter(pk__in=matching)
        .prefetch_related("countries")
        .order_by("-published", "title")[:REFERRAL_COUNT]
    )
    return [
        ReferralResource(
            title=resource.title,
            url=resource.url or "",
            kind_label=str(resource.get_resource_type_display()),
            audience=resource.audience,
            countries=tuple(country.iso_code for country in resource.countries.all()),
        )
        for resource in resources
    ]
