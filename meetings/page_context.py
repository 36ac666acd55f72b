"""
What a meeting's page shows to a requester. Not a view: `MeetingPage.get_context` calls it, and
models never import views. Who sees what goes through `portal.access` (via
`MeetingPage.can_see_record`) and who owns an action point through `meetings.ownership`.
"""

from functools import partial

from django.db.models import Prefetch
from django.utils import timezone

from meetings import invitees
from meetings.forms import RegistrationForm
from meetings.models import ActionPoint, Registration
from meetings.ownership import ActionOwnership, record_meetings
from portal.access import Audience, is_secretariat, visible_audiences
from portal.page_cache import reads, shared_key

EARLIER_ACTIONS_LIMIT = 50


def meeting_page_context(meeting, request):
    """What a meeting's page shows to this requester; the record is not even fetched for those
    who may not see it."""
    user = request.user
    context = {
        "organisers": list(meeting.organisers.all()),
        "public_documents": list(
            meeting.documents.filter(audience=Audience.PUBLIC).select_related("document")
        ),
        "show_record": meeting.can_see_record(user),
        "viewer_is_secretariat": is_secretariat(user),
    }
    if not context["show_record"]:
        return context
    ownership = ActionOwnership(user)
    actions = list(meeting.action_points.select_related("owner_person", "owner_country"))
    earlier = earlier_open_actions(meeting, user)
    for action in [*actions, *earlier]:
        action.editable = context["viewer_is_secretariat"] or ownership.owns(action)
    my_registration = registration_of(user, meeting)
    viewer_person = getattr(user, "person", None)
    context.update(
        # The agenda, participants, minutes and decisions are rendered once per tier and
        # language under the generations of what it reads (the meeting, the resources it
        # discussed, its people); these querysets run only when they are not cached.
        record_key=shared_key("meeting-record", user, meeting.pk, sections=reads("meeting-record")),
        agenda=meeting.agenda_items.select_related("presenter").prefetch_related(
            "documents", Prefetch("resources", queryset=linked_resources())
        ),
        # Called inside the cached fragment only: the list with answers and attendance.
        participant_rows=partial(invitees.participant_rows, meeting),
        decisions=meeting.decisions.select_related("agenda_item").prefetch_related(
            Prefetch("adopted_resources", queryset=linked_resources())
        ),
        action_points=actions,
        earlier_actions=earlier,
        documents=meeting.documents.filter(audience__in=visible_audiences(user)).select_related(
            "document"
        ),
        minutes_amendments=(
            meeting.minutes_amendments.select_related("changed_by")
            if context["viewer_is_secretariat"]
            else []
        ),
        my_registration=my_registration,
        viewer_person=viewer_person,
        registration_form=RegistrationForm(initial=_answer_of(my_registration)),
        registration_closed=(
            invitees.registration_closed_reason(meeting, viewer_person)
            if meeting.accepts_registrations or meeting.deadline_passed
            else None
        ),
        places_left=invitees.places_left(meeting) if meeting.capacity is not None else None,
        registrations=(
            meeting.registrations.select_related("person", "person__organisation")
            if context["viewer_is_secretariat"]
            else []
        ),
        today=timezone.localdate(),
    )
    return context


def linked_resources():
    """Resource pages as the record links them: with their audience and live state, which the
    template's link filter (`openable_by`) asks of each, in the same one query a plain page
    prefetch costs. A chosen page that is not a resource drops out (fail closed)."""
    from library.models import ResourcePage

    return ResourcePage.objects.all()


def earlier_open_actions(meeting, user):
    """Action points still open from earlier meetings of the same series (or, for a meeting in
    no series, of the same type)."""
    earlier = record_meetings(user).filter(start_date__lt=meeting.start_date)
    if meeting.series_id:
        earlier = earlier.filter(series_id=meeting.series_id)
    else:
        earlier = earlier.filter(series__isnull=True, meeting_type=meeting.meeting_type)
    return list(
        ActionPoint.objects.filter(meeting__in=earlier, status__in=ActionPoint.OPEN_STATUSES)
        .select_related("meeting", "owner_person", "owner_country")
        .order_by("due_date", "pk")[:EARLIER_ACTIONS_LIMIT]
    )


def _answer_of(registration):
    """The member's own answer and needs, to start the form from."""
    if registration is None:
        return {}
    return {
        "status": registration.status,
        **{name: getattr(registration, name) for name in RegistrationForm.NEEDS},
    }


def registration_of(user, meeting):
    person = getattr(user, "person", None)
    if person is None:
        return None
    return Registration.objects.filter(meeting=meeting, person=person).first()
