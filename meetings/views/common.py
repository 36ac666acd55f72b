"""What every view of the meetings app shares: refusing, keeping responses private, and
fetching a meeting the requester may see."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control

from meetings.models import MeetingPage
from portal.access import can_see


def deny(request):
    """Anonymous visitors are asked to sign in; signed-in users without the right get 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


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
