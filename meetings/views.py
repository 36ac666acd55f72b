"""
Views of the meetings app. Every decision about who sees what goes through `portal.access` (via
`MeetingPage.visible_to` and `MeetingPage.can_see_record`); the rule for who owns an action point
is `ActionOwnership` below.
"""

import csv
import os
import zipfile
from tempfile import SpooledTemporaryFile

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings.calendars import build_calendar
from meetings.forms import ActionFilterForm, ActionUpdateForm, RegistrationForm
from meetings.models import (
    ActionPoint,
    CalendarToken,
    MeetingPage,
    Registration,
)
from network.models import Mandate
from portal.access import (
    Audience,
    can_see,
    is_member,
    is_secretariat,
    visible_audiences,
)
from portal.page_cache import CachedIds, form_state, reads, shared_key
from portal.spreadsheet import safe_cell

ACTIONS_PAGE_SIZE = 25
EARLIER_ACTIONS_LIMIT = 50


class ActionOwnership:
    """
    Who answers for an action point: the person it names (the Person linked to the account), or,
    for a country's action point, anyone holding a current mandate for that country (so a
    coordinator's deputy can report progress too). Built with two queries, then asked per row.
    """

    def __init__(self, user):
        self.person = getattr(user, "person", None) if user.is_authenticated else None

    def _mandate_countries(self):
        return (
            Mandate.objects.current()
            .filter(person=self.person, country__isnull=False)
            .values_list("country_id", flat=True)
        )

    @cached_property
    def country_ids(self):
        return set(self._mandate_countries()) if self.person is not None else set()

    def owns(self, action):
        if self.person is None:
            return False
        if action.owner_person_id:
            return action.owner_person_id == self.person.pk
        return action.owner_country_id in self.country_ids

    def q(self):
        """The action points `owns` says yes to, as a filter."""
        if self.person is None:
            return Q(pk__in=[])
        # A subquery, so that a listing filtered by it costs no query of its own.
        return Q(owner_person=self.person) | Q(
            owner_person__isnull=True, owner_country_id__in=self._mandate_countries()
        )


def record_meetings(user):
    """The live meetings whose members-only record `user` may see (nothing below members)."""
    if not is_member(user):
        return MeetingPage.objects.none()
    return MeetingPage.objects.live().filter(audience__in=visible_audiences(user))


ACTION_ROW_RELATED = ("meeting", "owner_person", "owner_person__country", "owner_country")


def visible_actions(user):
    return ActionPoint.objects.filter(meeting__in=record_meetings(user)).select_related(
        *ACTION_ROW_RELATED
    )


def _deny(request):
    """Anonymous visitors are asked to sign in; signed-in users without the right get 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def _private(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


def _refuse(request, message, status=400):
    return _private(render(request, "meetings/refusal.html", {"message": message}, status=status))


def _meeting_for(request, pk, record=False):
    """The live meeting `pk` if the requester may see it (its record, when `record`)."""
    meeting = get_object_or_404(MeetingPage.objects.live().select_related("host_country"), pk=pk)
    allowed = (
        meeting.can_see_record(request.user) if record else can_see(request.user, meeting.audience)
    )
    if not allowed:
        return None, _deny(request)
    return meeting, None


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
    earlier = _earlier_open_actions(meeting, user)
    for action in [*actions, *earlier]:
        action.editable = context["viewer_is_secretariat"] or ownership.owns(action)
    context.update(
        # The agenda, participants, minutes and decisions are rendered once per tier and
        # language under the generations of what it reads (the meeting, the resources it
        # discussed, its people); these querysets run only when they are not cached.
        record_key=shared_key("meeting-record", user, meeting.pk, sections=reads("meeting-record")),
        agenda=meeting.agenda_items.select_related("presenter").prefetch_related(
            "documents", Prefetch("resources", queryset=_linked_resources())
        ),
        participants=meeting.participants.select_related("person", "person__organisation"),
        decisions=meeting.decisions.select_related("agenda_item").prefetch_related(
            Prefetch("adopted_resources", queryset=_linked_resources())
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
        my_registration=_registration_of(user, meeting),
        viewer_person=getattr(user, "person", None),
        registration_form=RegistrationForm(),
        registrations=(
            meeting.registrations.select_related("person", "person__organisation")
            if context["viewer_is_secretariat"]
            else []
        ),
        today=timezone.localdate(),
    )
    return context


def _linked_resources():
    """Resource pages as the record links them: with their audience and live state, which the
    template's link filter (`openable_by`) asks of each, in the same one query a plain page
    prefetch costs. A chosen page that is not a resource drops out (fail closed)."""
    from library.models import ResourcePage

    return ResourcePage.objects.all()


def _earlier_open_actions(meeting, user):
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


def _registration_of(user, meeting):
    person = getattr(user, "person", None)
    if person is None:
        return None
    return Registration.objects.filter(meeting=meeting, person=person).first()


def action_list(request):
    """Every action point the requester may see, filterable, paginated. The total and each
    page's ids are shared by everyone of the same tier asking the same filters (see
    `portal.page_cache.CachedIds`); a change to any meeting or action point (or to the people
    and countries owning them) starts a new generation of the meetings section."""
    if not is_member(request.user):
        return _deny(request)
    form = ActionFilterForm(request.GET or None, user=request.user)
    actions = ActionPoint.objects.filter(meeting__in=record_meetings(request.user)).order_by(
        "-meeting__start_date", "sort_order", "pk"
    )
    ownership = ActionOwnership(request.user)
    state = []
    status = 200
    if form.is_bound:
        if form.is_valid():
            actions = form.filter(actions, ownership)
            state = form_state(form)
            if form.cleaned_data.get("overdue"):
                state.append(("today", str(timezone.localdate())))
            if form.cleaned_data.get("mine"):
                state.append(("person", getattr(ownership.person, "pk", None)))
        else:
            status = 400
    rows = CachedIds(
        actions,
        shared_key("action-list", request.user, state, sections=reads("meetings")),
        detail=lambda queryset: queryset.select_related(*ACTION_ROW_RELATED),
    )
    page = Paginator(rows, ACTIONS_PAGE_SIZE).get_page(
        request.GET.get("page") if status == 200 else 1
    )
    secretariat = is_secretariat(request.user)
    for action in page:
        action.editable = secretariat or ownership.owns(action)
    query = request.GET.copy()
    query.pop("page", None)
    owner = form.cleaned_data.get("owner") if status == 200 and form.is_bound else None
    response = render(
        request,
        "meetings/action_list.html",
        {
            "filter_form": form,
            "actions": page,
            "owner": owner,
            "without_owner": _without(query, "owner"),
            "query": query.urlencode(),
            "today": timezone.localdate(),
        },
        status=status,
    )
    return _private(response)


def _without(query, name):
    query = query.copy()
    query.pop(name, None)
    return query.urlencode()


def action_update(request, pk):
    """The owner (or the secretariat) changes the status and note of an action point."""
    if not is_member(request.user):
        return _deny(request)
    action = get_object_or_404(visible_actions(request.user), pk=pk)
    if not (is_secretariat(request.user) or ActionOwnership(request.user).owns(action)):
        raise PermissionDenied
    if request.method == "POST":
        form = ActionUpdateForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                action.apply_update(
                    status=form.cleaned_data["status"],
                    progress_note=form.cleaned_data["progress_note"],
                )
            messages.success(request, _("The action point is updated."))
            if request.POST.get("next_page") == "meeting":
                return redirect(action.meeting.url)
            return redirect("meetings:actions")
        status = 400
    else:
        form = ActionUpdateForm(
            initial={"status": action.status, "progress_note": action.progress_note}
        )
        status = 200
    return _private(
        render(
            request, "meetings/action_update.html", {"form": form, "action": action}, status=status
        )
    )


@require_POST
def register(request, pk):
    """A member registers for an upcoming meeting or sends apologies."""
    meeting, denied = _meeting_for(request, pk, record=True)
    if denied:
        return denied
    person = getattr(request.user, "person", None)
    if person is None:
        return _refuse(
            request,
            _("Your account is not linked to an entry in the directory; ask the secretariat."),
        )
    if meeting.cancelled:
        return _refuse(request, _("This meeting is cancelled: registration is closed."), 409)
    if meeting.is_past:
        return _refuse(request, _("This meeting is over: registration is closed."), 409)
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        return _refuse(request, _("Choose whether you attend or send apologies."))
    Registration.objects.update_or_create(
        meeting=meeting, person=person, defaults={"status": form.cleaned_data["status"]}
    )
    messages.success(request, _("Your answer is recorded."))
    return redirect(meeting.url)


def registrations_csv(request, pk):
    """The secretariat's export of who registered or sent apologies."""
    meeting, denied = _meeting_for(request, pk, record=True)
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
    return _private(response)


def _ics_response(calendar, filename, private):
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if private:
        _private(response)
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
    meeting, denied = _meeting_for(request, pk)
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
    user = subscription.user
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
        return _deny(request)
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
            return _refuse(request, _("Unknown request for your calendar address."))
        return redirect("meetings:calendar_subscription")
    feed_url = None
    if subscription is not None:
        feed_url = request.build_absolute_uri(
            f"/meetings/calendar/personal/{subscription.token}.ics"
        )
    return _private(
        render(
            request,
            "meetings/calendar_subscription.html",
            {"feed_url": feed_url, "subscription": subscription},
        )
    )


def meeting_pack(request, pk):
    """One ZIP with the agenda and every document of the meeting the requester may see."""
    meeting, denied = _meeting_for(request, pk, record=True)
    if denied:
        return denied
    user = request.user
    agenda = meeting.agenda_items.select_related("presenter").prefetch_related("documents")
    documents = [
        (item.display_title, item.document)
        for item in meeting.documents.filter(audience__in=visible_audiences(user)).select_related(
            "document"
        )
    ]
    # Agenda papers belong to the record, which the requester may see.
    documents += [
        (document.title, document) for item in agenda for document in item.documents.all()
    ]
    # FileResponse closes the buffer once it is sent.
    buffer = SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    used_names = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "agenda.html",
            render_to_string(
                "meetings/pack_agenda.html", {"page": meeting, "agenda": agenda}, request
            ),
        )
        seen = set()
        for title, document in documents:
            if document.pk in seen:
                continue
            seen.add(document.pk)
            extension = os.path.splitext(document.filename)[1].lower()
            stem = slugify(title) or f"document-{document.pk}"
            name = _unique_name(f"documents/{stem}{extension}", used_names)
            try:
                with document.file.open("rb") as source:
                    archive.writestr(name, source.read())
            except FileNotFoundError:
                archive.writestr(f"{name}.missing.txt", _("This file is missing from the storage."))
    buffer.seek(0)
    response = FileResponse(
        buffer,
        as_attachment=True,
        filename=f"{slugify(meeting.title)}-pack.zip",
        content_type="application/zip",
    )
    return _private(response)


def _unique_name(name, used):
    candidate, counter = name, 1
    while candidate in used:
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem}-{counter}.{ext}" if dot else f"{name}-{counter}"
        counter += 1
    used.add(candidate)
    return candidate
