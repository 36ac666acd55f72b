"""The secretariat's directory tools in the Wagtail admin: stale entries and mandate handover."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from network.forms import HandoverForm
from network.handover import hand_over
from network.models import Mandate, Person
from portal.access import deny, is_secretariat

STALE_AFTER = datetime.timedelta(days=365)


def stale_people(now=None):
    """Active people whose entry was never confirmed or not for twelve months, oldest first."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    return (
        Person.objects.filter(is_active=True)
        .filter(Q(last_confirmed__isnull=True) | Q(last_confirmed__lt=cutoff))
        .select_related("country", "organisation")
        .prefetch_related(
            Prefetch("mandates", queryset=Mandate.objects.current().select_related("country"))
        )
        .order_by("last_confirmed", "family_name", "given_name")
    )


def freshness(request):
    if not is_secretariat(request.user):
        return deny(request)
    page = Paginator(stale_people(), 50).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "network/admin/freshness.html",
        {
            "page_title": _("Entries not confirmed for 12 months"),
            "header_icon": "time",
            "page_obj": page,
        },
    )


def handover(request, mandate_id):
    if not is_secretariat(request.user):
        return deny(request)
    mandate = get_object_or_404(Mandate.objects.select_related("person", "country"), pk=mandate_id)
    form = HandoverForm(request.POST or None, mandate=mandate)
    if request.method == "POST" and form.is_valid():
        successor_mandate = hand_over(
            mandate,
            form.cleaned_data["successor"],
            form.cleaned_data["handover_date"],
            by=request.user,
        )
        messages.success(
            request,
            _("%(role)s handed over from %(old)s to %(new)s.")
            % {
                "role": mandate.get_role_display(),
                "old": mandate.person,
                "new": successor_mandate.person,
            },
        )
        return redirect("network_freshness")
    return TemplateResponse(
        request,
        "network/admin/handover.html",
        {
            "page_title": _("Hand over a mandate"),
            "header_icon": "user",
            "mandate": mandate,
            "form": form,
        },
    )
