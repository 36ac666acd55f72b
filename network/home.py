"""The directory's part of the home page: a signed-in member whose entry is stale is asked to
check and confirm it (one query)."""

from django.utils.translation import gettext_lazy as _

from network.admin_views import STALE_AFTER
from portal.access import is_member
from portal.home import HomeSection


def entry_needs_confirming(request):
    from django.utils import timezone

    from network.models import Person

    user = request.user
    if not user.is_authenticated or not is_member(user):
        return None
    person = Person.objects.filter(user=user, is_active=True).only("pk", "last_confirmed").first()
    if person is None:
        return None
    if person.last_confirmed and person.last_confirmed >= timezone.now() - STALE_AFTER:
        return None
    return HomeSection(
        title=_("Your directory entry needs confirming"),
        template="network/components/home_confirm.html",
        context={"person": person},
        order=10,
    )
