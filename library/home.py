"""The library's section of the home page: the latest guidance the visitor may see, asking the
access policy, in a fixed number of queries."""

from django.utils.translation import gettext as _

from portal.home import HomeSection

LATEST_COUNT = 5


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
