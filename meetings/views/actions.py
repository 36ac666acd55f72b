"""The action-point list and the owners' update form."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.followup import record_update, timeline
from meetings.forms import ActionFilterForm, ActionUpdateForm
from meetings.models import ActionPoint
from meetings.ownership import (
    ACTION_ROW_RELATED,
    ActionOwnership,
    may_update,
    record_meetings,
    visible_actions,
)
from meetings.views.common import private
from portal.access import deny, is_member, is_secretariat
from portal.page_cache import CachedIds, form_state, reads, shared_key

ACTIONS_PAGE_SIZE = 25


def action_list(request):
    """Every action point the requester may see, filterable, paginated. The total and each
    page's ids are shared by everyone of the same tier asking the same filters (see
    `portal.page_cache.CachedIds`); a change to any meeting or action point (or to the people
    and countries owning them) starts a new generation of the meetings section."""
    if not is_member(request.user):
        return deny(request)
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
    return private(response)


def _without(query, name):
    query = query.copy()
    query.pop(name, None)
    return query.urlencode()


def action_detail(request, pk):
    """An action point and its timeline: the commitment, then every update, oldest first. Any
    member who may see the meeting's record reads it; owners and the secretariat get the form."""
    if not is_member(request.user):
        return deny(request)
    action = get_object_or_404(visible_actions(request.user).select_related("decision"), pk=pk)
    return _action_page(request, action, status=200)


def action_update(request, pk):
    """Owners and the secretariat add an update to the action point's history (the form's
    page on GET). Earlier updates are never rewritten; anybody else gets 403."""
    if not is_member(request.user):
        return deny(request)
    action = get_object_or_404(visible_actions(request.user).select_related("decision"), pk=pk)
    if not may_update(request.user, action):
        return deny(request)
    may_reassign = is_secretariat(request.user)
    if request.method != "POST":
        return _action_page(request, action, status=200, editable=True)
    form = ActionUpdateForm(request.POST, action=action, may_reassign=may_reassign)
    if not form.is_valid():
        return _action_page(request, action, status=400, form=form, editable=True)
    data = form.cleaned_data
    record_update(
        action,
        request.user,
        status=data["status"],
        due_date=data["due_date"],
        note=data["progress_note"],
        owner_person=data.get("owner_person"),
        owner_country=data.get("owner_country"),
    )
    messages.success(request, _("The update is added to the action point's history."))
    if request.POST.get("next_page") == "meeting":
        return redirect(action.meeting.url)
    if request.POST.get("next_page") == "actions":
        return redirect("meetings:actions")
    return redirect("meetings:action", pk=action.pk)


def _action_page(request, action, status, form=None, editable=None):
    if editable is None:
        editable = may_update(request.user, action)
    if editable and form is None:
        form = ActionUpdateForm(
            initial={"status": action.status, "due_date": action.due_date},
            action=action,
            may_reassign=is_secretariat(request.user),
        )
    return private(
        render(
            request,
            "meetings/action_detail.html",
            {
                "action": action,
                "form": form if editable else None,
                "updates": timeline(action),
                "today": timezone.localdate(),
            },
            status=status,
        )
    )
