"""Members register for a meeting or send apologies, saying what they need; the secretariat
marks attendance (no-shows, walk-ins), cancels a meeting from its page, and exports the list."""

import csv

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings import invitees
from meetings.forms import AttendanceForm, RegistrationForm, WalkInForm
from meetings.models import MeetingPage, Registration
from meetings.views.common import meeting_for, private, refuse
from portal.access import deny, is_secretariat
from portal.spreadsheet import safe_cell


@require_POST
def register(request, pk):
    """A member registers for an upcoming meeting, or sends apologies, with what they need.
    Places and the deadline hold for registering; apologies are taken until the meeting."""
    meeting, denied = meeting_for(request, pk, record=True)
    if denied:
        return denied
    person = getattr(request.user, "person", None)
    if person is None:
        return refuse(
            request,
            _("Your account is not linked to an entry in the directory; ask the secretariat."),
        )
    if meeting.cancelled:
        return refuse(request, _("This meeting is cancelled: registration is closed."), 409)
    if meeting.is_past:
        return refuse(request, _("This meeting is over: registration is closed."), 409)
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        if "status" in form.errors:
            return refuse(request, _("Choose whether you attend or send apologies."))
        return refuse(request, form.error_text())
    data = form.cleaned_data
    with transaction.atomic():
        # One registration at a time per meeting, so two people never take the last place.
        MeetingPage.objects.select_for_update().filter(pk=meeting.pk).values("pk").first()
        if data["status"] == Registration.Status.REGISTERED:
            reason = invitees.registration_closed_reason(meeting, person)
            if reason:
                return refuse(request, reason, 409)
        Registration.objects.update_or_create(
            meeting=meeting,
            person=person,
            defaults={"status": data["status"], **{name: data[name] for name in form.NEEDS}},
        )
    messages.success(request, _("Your answer is recorded."))
    return redirect(meeting.url)


def _secretariat_meeting(request, pk):
    meeting, denied = meeting_for(request, pk, record=True)
    if denied:
        return None, denied
    if not is_secretariat(request.user):
        return None, deny(request)
    return meeting, None


def _attendance_rows(meeting):
    """The registrations attendance is marked against: those registered, walk-ins included."""
    return list(
        meeting.registrations.filter(status=Registration.Status.REGISTERED).select_related(
            "person", "person__organisation"
        )
    )


def _walk_in_candidates(meeting):
    """Invited people who have not registered: who may turn up as a walk-in."""
    from network.models import Person

    answered = Registration.objects.filter(meeting=meeting, person__isnull=False).values(
        "person_id"
    )
    return list(
        Person.objects.filter(pk__in=invitees.invited_person_ids(meeting))
        .exclude(pk__in=answered)
        .order_by("family_name", "given_name", "pk")
    )


def attendance(request, pk):
    """The secretariat marks who came (attended, did not come) against the registrations, and
    adds walk-ins. Marks are taken once the meeting has started."""
    meeting, denied = _secretariat_meeting(request, pk)
    if denied:
        return denied
    rows = _attendance_rows(meeting)
    candidates = _walk_in_candidates(meeting)
    form = AttendanceForm(registrations=rows)
    walk_in = WalkInForm(people=candidates)
    status = 200
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        if meeting.starts_at > timezone.now():
            error, status = _("Attendance can be marked once the meeting has started."), 409
        elif action == "mark":
            form = AttendanceForm(request.POST, registrations=rows)
            if form.is_valid():
                with transaction.atomic():
                    for registration, value in form.marks():
                        registration.attendance = value
                        registration.save(update_fields=["attendance", "updated_at"])
                messages.success(request, _("Attendance is saved."))
                return redirect("meetings:attendance", pk=meeting.pk)
            error, status = _("Some marks are not valid: nothing was saved."), 400
        elif action == "walk_in":
            walk_in = WalkInForm(request.POST, people=candidates)
            if walk_in.is_valid():
                data = walk_in.cleaned_data
                Registration.objects.create(
                    meeting=meeting,
                    person_id=data["person"],
                    guest_name="" if data["person"] else data["guest_name"],
                    guest_organisation="" if data["person"] else data["guest_organisation"],
                    status=Registration.Status.REGISTERED,
                    walk_in=True,
                    attendance=Registration.Attendance.ATTENDED,
                )
                messages.success(request, _("The walk-in is added as attended."))
                return redirect("meetings:attendance", pk=meeting.pk)
            error, status = _("The walk-in was not added: see below."), 400
        else:
            error, status = _("Unknown request: nothing was changed."), 400
    counts = {
        "registered": sum(1 for row in rows if not row.walk_in),
        "attended": sum(1 for row in rows if row.attendance == Registration.Attendance.ATTENDED),
        "no_show": sum(1 for row in rows if row.attendance == Registration.Attendance.NO_SHOW),
        "walk_in": sum(1 for row in rows if row.walk_in),
    }
    return private(
        render(
            request,
            "meetings/attendance.html",
            {
                "page": meeting,
                "rows": [(row, form[f"attendance-{row.pk}"]) for row in rows],
                "form": form,
                "walk_in": walk_in,
                "counts": counts,
                "error": error,
                "started": meeting.starts_at <= timezone.now(),
            },
            status=status,
        )
    )


@require_POST
def cancel(request, pk):
    """The secretariat calls a meeting off from its page: a new revision of the live meeting,
    published, so that those registered and invited are told (notifications) and calendars
    update. A meeting with unpublished changes is cancelled in the editor instead, where they
    can be seen."""
    meeting, denied = _secretariat_meeting(request, pk)
    if denied:
        return denied
    if meeting.cancelled:
        return refuse(request, _("This meeting is already cancelled."), 409)
    if meeting.is_past:
        return refuse(request, _("This meeting is over: it cannot be cancelled."), 409)
    if meeting.has_unpublished_changes:
        return refuse(
            request,
            _(
                "This meeting has unpublished changes in the editor: cancel it there, so that "
                "they are published or discarded knowingly."
            ),
            409,
        )
    if request.POST.get("confirm") != "yes":
        return refuse(request, _("Tick the box to confirm the cancellation."))
    with transaction.atomic():
        live = MeetingPage.objects.select_for_update().get(pk=meeting.pk)
        live.cancelled = True
        live.save_revision(user=request.user, log_action=True).publish(user=request.user)
    messages.success(
        request, _("The meeting is cancelled; those registered and invited are being told.")
    )
    return redirect(live.url)


def registrations_csv(request, pk):
    """The secretariat's export of the answers, needs and attendance (walk-ins included)."""
    meeting, denied = _secretariat_meeting(request, pk)
    if denied:
        return denied
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="registrations-{slugify(meeting.title)}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            "given_name",
            "family_name",
            "organisation",
            "country",
            "status",
            "updated_at",
            "attendance",
            "walk_in",
            "travel_support",
            "visa_support",
            "interpretation_language",
            "dietary_needs",
        ]
    )
    registrations = meeting.registrations.select_related(
        "person", "person__organisation", "person__country"
    )
    for registration in registrations:
        person = registration.person
        writer.writerow(
            [
                safe_cell(person.given_name if person else registration.guest_name),
                safe_cell(person.family_name if person else ""),
                safe_cell(person.organisation if person else registration.guest_organisation),
                safe_cell(person.country if person else ""),
                registration.status,
                registration.updated_at.isoformat(),
                registration.attendance,
                "yes" if registration.walk_in else "no",
                "yes" if registration.travel_support else "no",
                "yes" if registration.visa_support else "no",
                safe_cell(registration.interpretation_language),
                safe_cell(registration.dietary_needs),
            ]
        )
    return private(response)
