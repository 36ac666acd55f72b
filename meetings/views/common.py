"""What every view of the meetings app shares: refusing bad input, keeping responses private, and
fetching a meeting the requester may see (refusing the others with portal.access.deny)."""

from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control

from meetings.models import MeetingPage
from portal.access import can_see, deny


def private(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


def refuse(request, message, status=400):
    return private(render(request, "meetings/refusal.html", {"message": message}, status=status))


def meeting_for(request, pk, record=False):
    """The live meeting `pk` if the requester may see it (its record, when `record`)."""
    meeting = get_object_or_404(MeetingPage.objects.live().select_related("host_country"), pk=pk)
    allowed = (
        meeting.can_see_record(request.user) if record else can_see(request.user, meeting.audience)
    )
    if not allowed:
        return None, deny(request)
    return meeting, None
