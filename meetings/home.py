"""The home page's "Upcoming meetings" section, and the member's own action points and meetings
on their dashboard: fixed queries, filtered by the policy."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import MeetingPage
from portal.access import is_member
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


MY_ACTIONS_ON_HOME = 5
MY_MEETINGS_ON_HOME = 5


def _person_of(user):
    """The directory entry linked to the account (cached on the user), or None."""
    person = getattr(user, "person", None)
    return person if person is not None and person.is_active else None


def my_open_action_points(request):
    """Dashboard: the open action points the member answers for (as ActionOwnership defines
    it: their own, and their country's while they hold a mandate for it), soonest due first,
    overdue ones marked. Only action points of meetings whose record the member may see. One
    query for the person, one for the action points."""
    from django.db.models import F

    from meetings.models import ActionPoint
    from meetings.ownership import ActionOwnership, visible_actions

    user = request.user
    if not is_member(user):
        return None
    person = _person_of(user)
    actions = []
    if person is not None:
        actions = list(
            visible_actions(user)
            .filter(status__in=ActionPoint.OPEN_STATUSES)
            .filter(ActionOwnership(user).q())
            .order_by(F("due_date").asc(nulls_last=True), "-meeting__start_date", "pk")[
                : MY_ACTIONS_ON_HOME + 1
            ]
        )
    today = timezone.localdate()
    for action in actions:
        action.overdue = action.is_overdue(today)
    return HomeSection(
        title=_("My open action points"),
        template="meetings/dashboard_actions.html",
        context={
            "person": person,
            "actions": actions[:MY_ACTIONS_ON_HOME],
            "more": len(actions) > MY_ACTIONS_ON_HOME,
            "owns_some": any(action.owner_person_id for action in actions),
        },
        order=20,
    )


def my_meetings(request):
    """Dashboard: the upcoming meetings the member registered for or is invited to, soonest
    first, with their answer. Filtered by the policy (`visible_to`); three queries."""
    from django.db.models import Q

    from meetings.models import MeetingPage, Participant, Registration

    user = request.user
    if not is_member(user):
        return None
    person = _person_of(user)
    meetings = []
    answers = {}
    if person is not None:
        registered = Registration.objects.filter(
            person=person, status=Registration.Status.REGISTERED
        ).values("meeting_id")
        invited = Participant.objects.filter(person=person).values("meeting_id")
        meetings = list(
            MeetingPage.objects.visible_to(user)
            .upcoming()
            .filter(Q(pk__in=registered) | Q(pk__in=invited))
            .select_related("host_country")
            .order_by("start_date", "start_time", "pk")[: MY_MEETINGS_ON_HOME + 1]
        )
        if meetings:
            answers = dict(
                Registration.objects.filter(
                    person=person, meeting__in=[meeting.pk for meeting in meetings]
                ).values_list("meeting_id", "status")
            )
    for meeting in meetings:
        meeting.my_answer = answers.get(meeting.pk, "")
    return HomeSection(
        title=_("My meetings"),
        template="meetings/dashboard_meetings.html",
        context={
            "person": person,
            "meetings": meetings[:MY_MEETINGS_ON_HOME],
            "more": len(meetings) > MY_MEETINGS_ON_HOME,
        },
        order=30,
    )
