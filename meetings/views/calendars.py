"""The iCalendar feeds (all meetings, one meeting, a member's own) and the personal address."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from meetings.calendars import build_calendar
from meetings.models import CalendarToken, MeetingPage, Registration
from meetings.views.common import meeting_for, private, refuse
from portal.access import as_token_holder, deny, is_member


def _ics_response(calendar, filename, personal):
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if personal:
        private(response)
    return response


def calendar_feed(request):
    """Every meeting the requester may see; public facts only for those below members."""
    meetings = (
        MeetingPage.objects.visible_to(request.user)
        .select_related("host_country")
        .order_by("start_date", "start_time")
    )
    calendar = build_calendar(
        meetings,
        request,
        _("Network meetings"),
        lambda meeting: meeting.can_see_record(request.user),
    )
    return _ics_response(calendar, "meetings.ics", request.user.is_authenticated)


def meeting_calendar(request, pk):
    meeting, denied = meeting_for(request, pk)
    if denied:
        return denied
    calendar = build_calendar(
        [meeting], request, meeting.title, lambda item: item.can_see_record(request.user)
    )
    return _ics_response(
        calendar,
        f"{slugify(meeting.title)}.ics",
        meeting.is_restricted or request.user.is_authenticated,
    )


def personal_calendar(request, token):
    """The meetings the token's owner registered for. No session: the token stands for the user,
    and only while the user is still a member."""
    subscription = (
        CalendarToken.objects.select_related("user", "user__person").filter(token=token).first()
    )
    if subscription is None or not is_member(subscription.user):
        raise Http404
    # The token stands for its holder without a second factor: a member's tier at most.
    user = as_token_holder(subscription.user)
    person = getattr(user, "person", None)
    meetings = MeetingPage.objects.none()
    if person is not None:
        meetings = (
            MeetingPage.objects.visible_to(user)
            .filter(
                registrations__person=person, registrations__status=Registration.Status.REGISTERED
            )
            .select_related("host_country")
            .order_by("start_date", "start_time")
        )
    calendar = build_calendar(
        meetings, request, _("My network meetings"), lambda meeting: meeting.can_see_record(user)
    )
    return _ics_response(calendar, "my-meetings.ics", True)


def calendar_subscription(request):
    """Show, create, regenerate or revoke the member's personal calendar address."""
    if not is_member(request.user):
        return deny(request)
    subscription = CalendarToken.objects.filter(user=request.user).first()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create" and subscription is None:
            subscription = CalendarToken.objects.create(user=request.user)
            messages.success(request, _("Your personal calendar address is ready."))
        elif action == "regenerate" and subscription is not None:
            subscription.regenerate()
            messages.success(
                request, _("A new address replaces the old one, which no longer works.")
            )
        elif action == "revoke" and subscription is not None:
            subscription.delete()
            messages.success(request, _("Your personal calendar address no longer works."))
        else:
            return refuse(request, _("Unknown request for your calendar address."))
        return redirect("meetings:calendar_subscription")
    feed_url = None
    if subscription is not None:
        feed_url = request.build_absolute_uri(
            f"/meetings/calendar/personal/{subscription.token}.ics"
        )
    return private(
        render(
            request,
            "meetings/calendar_subscription.html",
            {"feed_url": feed_url, "subscription": subscription},
        )
    )
