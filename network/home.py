"""The directory's part of the signed-in member's dashboard: a member whose entry is stale is
asked to check and confirm it; a current entry says when it was confirmed; an account linked to
no entry is told so (one query: the person, cached on the user)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.admin_views import STALE_AFTER
from portal.access import is_member
from portal.home import HomeSection


def directory_entry_section(request):
    user = request.user
    if not is_member(user):
        return None
    person = getattr(user, "person", None)
    if person is not None and not person.is_active:
        person = None
    if person is not None and not (
        person.last_confirmed and person.last_confirmed >= timezone.now() - STALE_AFTER
    ):
        return HomeSection(
            title=_("Your directory entry needs confirming"),
            template="network/components/home_confirm.html",
            context={"person": person},
            order=10,
        )
    return HomeSection(
        title=_("My directory entry"),
        template="network/components/dashboard_entry.html",
        context={"person": person},
        order=10,
    )
