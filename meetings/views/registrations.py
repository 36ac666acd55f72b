"""Members register for a meeting or send apologies; the secretariat exports the answers."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings.forms import RegistrationForm
from meetings.models import Registration
from meetings.views.common import meeting_for, private, refuse
from portal.access import is_secretariat
from portal.spreadsheet import safe_cell


@require_POST
def register(request, pk):
    """A member registers for an upcoming meeting or sends apologies."""
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
        return refuse(request, _("Choose whether you attend or send apologies."))
    Registration.objects.update_or_create(
        meeting=meeting, person=person, defaults={"status": form.cleaned_data["status"]}
    )
    messages.success(request, _("Your answer is recorded."))
    return redirect(meeting.url)


def registrations_csv(request, pk):
    """The secretariat's export of who registered or sent apologies."""
    meeting, denied = meeting_for(request, pk, record=True)
    if denied:
        return denied
    if not is_secretariat(request.user):
        raise PermissionDenied
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="registrations-{slugify(meeting.title)}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        ["given_name", "family_name", "organisation", "country", "status", "updated_at"]
    )
    registrations = meeting.registrations.select_related(
        "person", "person__organisation", "person__country"
    )
    for registration in registrations:
        person = registration.person
        writer.writerow(
            [
                safe_cell(person.given_name),
                safe_cell(person.family_name),
                safe_cell(person.organisation),
                safe_cell(person.country),
                registration.status,
                registration.updated_at.isoformat(),
            ]
        )
    return private(response)
