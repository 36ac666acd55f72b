"""The action-point list and the owners' update form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.forms import ActionFilterForm, ActionUpdateForm
from meetings.models import ActionPoint
from meetings.ownership import (
    ACTION_ROW_RELATED,
    ActionOwnership,
    may_update,
    record_meetings,
    visible_actions,
)
from meetings.views.common import deny, private
from portal.access import is_member, is_secretariat
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


def action_update(request, pk):
    """The owner (or the secretariat) changes the status and note of an action point."""
    if not is_member(request.user):
        return deny(request)
    action = get_object_or_404(visible_actions(request.user), pk=pk)
    if not may_update(request.user, action):
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
    return private(
        render(
            request, "meetings/action_update.html", {"form": form, "action": action}, status=status
        )
    )
