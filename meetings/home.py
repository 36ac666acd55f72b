"""The home page's "Upcoming meetings" section: two fixed queries, filtered by the policy."""

from django.utils.translation import gettext_lazy as _

from meetings.models import MeetingPage
from portal.home import HomeSection

UPCOMING_ON_HOME = 3


def upcoming_meetings_section(request):
    meetings = list(
        MeetingPage.objects.visible_to(request.user)
        .upcoming()
        .filter(cancelled=False)
        .select_related("host_country")
        .order_by("start_date", "start_time")[:UPCOMING_ON_HOME]
    )
    return HomeSection(
        title=_("Upcoming meetings"),
        template="meetings/home_section.html",
        context={"meetings": meetings},
        order=30,
    )
