"""
The secretariat's freshness campaigns in the Wagtail admin: start one (criteria, a preview of who
would be asked, confirmation), list them, see who answered and who not, remind once, and mark
corrections as applied. Secretariat tier only (a session that passed the second factor); the
rules are notifications.freshness's.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from network.models import Mandate
from portal.access import deny, is_secretariat

from . import freshness
from .campaigns import CampaignAnswer, CampaignRecipient
from .forms import CampaignForm, CampaignStartForm

PER_PAGE = 50
STATES = {
    "": None,
    "answered": gettext_lazy("Answered"),
    "unanswered": gettext_lazy("No answer"),
    "corrections": gettext_lazy("Corrections"),
}


def campaign_index(request):
    if not is_secretariat(request.user):
        return deny(request)
    page = Paginator(freshness.campaigns_with_counts(), PER_PAGE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "notifications/admin/campaign_index.html",
        {"page_title": _("Freshness campaigns"), "header_icon": "mail", "page_obj": page},
    )


def _role_labels(values):
    labels = dict(Mandate.Role.choices)
    return [labels.get(value, value) for value in values]


def _preview_context(criteria):
    count, first, unreachable = freshness.preview(**criteria)
    return {
        "count": count,
        "first": first,
        "more": max(count - len(first), 0),
        "unreachable": unreachable,
        "role_labels": _role_labels(criteria["roles"]),
        "criteria": criteria,
    }


def _confirmation(criteria, count):
    return CampaignStartForm(
        initial={
            "countries": [country.iso_code for country in criteria["countries"]],
            "roles": criteria["roles"],
            "months": criteria["months"],
            "expected": count,
            "start_key": freshness.new_start_key(),
        }
    )


def campaign_start(request):
    """GET without criteria: the form. GET with criteria: the preview and its confirmation.
    POST: start, if the selection is still what the preview showed."""
    if not is_secretariat(request.user):
        return deny(request)
    context = {"page_title": _("Start a freshness campaign"), "header_icon": "mail"}
    status = 200
    if request.method == "POST":
        form = CampaignStartForm(request.POST)
        if not form.is_valid():
            # The criteria's errors shown on their fields; the confirmation's own said apart.
            context["form"] = CampaignForm(request.POST)
            context["form"].is_valid()
            if {"expected", "start_key"} & set(form.errors):
                context["problem"] = _(
                    "The confirmation is incomplete: preview the selection again, then confirm."
                )
            return TemplateResponse(
                request, "notifications/admin/campaign_start.html", context, status=400
            )
        criteria = form.criteria()
        context["form"] = CampaignForm(initial=_initial(criteria))
        preview = _preview_context(criteria)
        if preview["count"] == 0:
            context.update(preview)
            context["problem"] = _("No entry matches these criteria: there is nobody to ask.")
            return TemplateResponse(
                request, "notifications/admin/campaign_start.html", context, status=400
            )
        if preview["count"] != form.cleaned_data["expected"]:
            context.update(preview)
            context["problem"] = _(
                "The directory changed since the preview: %(count)s people match now, not "
                "%(expected)s. Check the list and confirm again."
            ) % {"count": preview["count"], "expected": form.cleaned_data["expected"]}
            context["confirmation"] = _confirmation(criteria, preview["count"])
            return TemplateResponse(
                request, "notifications/admin/campaign_start.html", context, status=409
            )
        campaign, created = freshness.start_campaign(
            by=request.user, start_key=form.cleaned_data["start_key"], **criteria
        )
        if created:
            messages.success(
                request,
                _("Campaign started: %(count)s people are being asked to check their entry.")
                % {"count": campaign.recipients.count()},
            )
        else:
            messages.warning(
                request, _("This campaign was already started; nothing was sent again.")
            )
        return redirect("freshness_campaign", campaign.pk)

    if not request.GET:
        context["form"] = CampaignForm()
    else:
        form = CampaignForm(request.GET)
        context["form"] = form
        if form.is_valid():
            criteria = form.criteria()
            context.update(_preview_context(criteria))
            if context["count"]:
                context["confirmation"] = _confirmation(criteria, context["count"])
            else:
                context["problem"] = _("No entry matches these criteria: there is nobody to ask.")
        else:
            status = 400
    return TemplateResponse(
        request, "notifications/admin/campaign_start.html", context, status=status
    )


def _initial(criteria):
    return {
        "countries": [country.iso_code for country in criteria["countries"]],
        "roles": criteria["roles"],
        "months": criteria["months"],
    }


def _recipients(campaign, state):
    """The campaign's people in `state`, each with every answer its link gave (one query more,
    whatever the number of people)."""
    recipients = campaign.recipients.all()
    confirmed_since = Q(person__last_confirmed__gte=campaign.started_at)
    if state == "answered":
        recipients = recipients.filter(Q(answered_at__isnull=False) | confirmed_since)
    elif state == "unanswered":
        recipients = freshness.unanswered(campaign)
    elif state == "corrections":
        corrections = CampaignAnswer.objects.filter(
            recipient=OuterRef("pk"), answer=CampaignRecipient.Answer.CORRECTED
        )
        recipients = recipients.filter(Exists(corrections))
    return recipients.select_related(
        "person__country", "person__organisation", "message", "reminder"
    ).prefetch_related(
        Prefetch("answers", queryset=CampaignAnswer.objects.select_related("applied_by"))
    )


def campaign_detail(request, campaign_id):
    if not is_secretariat(request.user):
        return deny(request)
    campaign = get_object_or_404(freshness.campaigns_with_counts(), pk=campaign_id)
    state = request.GET.get("state", "")
    context = {
        "page_title": str(campaign),
        "header_icon": "mail",
        "campaign": campaign,
        "countries": list(campaign.countries.order_by("name")),
        "role_labels": _role_labels(campaign.roles),
        "states": [(value, label) for value, label in STATES.items() if value],
        "state": state,
        "to_remind": freshness.to_remind(campaign).count() if not campaign.reminded_at else 0,
    }
    if state not in STATES:
        context["problem"] = _(
            "“%(state)s” is not a state of a campaign's people: choose answered, unanswered or "
            "corrections."
        ) % {"state": state[:50]}
        return TemplateResponse(
            request, "notifications/admin/campaign_detail.html", context, status=400
        )
    page = Paginator(_recipients(campaign, state), PER_PAGE).get_page(request.GET.get("p"))
    context["page_obj"] = page
    context["rows"] = [(recipient, _state_of(recipient, campaign)) for recipient in page]
    context["page_query"] = urlencode({"state": state}) if state else ""
    return TemplateResponse(request, "notifications/admin/campaign_detail.html", context)


def _state_of(recipient, campaign):
    """What the campaign's page says of one person: their latest answer (every answer is
    listed under it)."""
    answers = recipient.answers.all()
    latest = answers[len(answers) - 1] if answers else None
    if latest is not None and latest.answer == CampaignRecipient.Answer.CONFIRMED:
        return _("Still correct")
    if latest is not None:
        return _("Correction to apply") if latest.to_apply else _("Correction applied")
    confirmed = recipient.person.last_confirmed
    if confirmed and confirmed >= campaign.started_at:
        return _("Confirmed in the directory")
    return _("No answer")


@require_POST
def campaign_remind(request, campaign_id):
    if not is_secretariat(request.user):
        return deny(request)
    campaign = get_object_or_404(freshness.campaigns_with_counts(), pk=campaign_id)
    try:
        freshness.request_reminder(campaign, by=request.user)
    except freshness.AlreadyReminded:
        messages.error(
            request,
            _("This campaign's reminder was already sent: a campaign reminds its people once."),
        )
    except freshness.NobodyToRemind:
        messages.warning(
            request, _("Nobody is waiting for a reminder: everyone who got the request answered.")
        )
    else:
        messages.success(request, _("The reminder is being sent to everyone who has not answered."))
    return redirect("freshness_campaign", campaign.pk)


@require_POST
def correction_applied(request, campaign_id, answer_id):
    """Mark one correction as applied: each correction a link gave is applied on its own."""
    if not is_secretariat(request.user):
        return deny(request)
    answer = get_object_or_404(
        CampaignAnswer.objects.select_related("recipient__campaign", "recipient__person"),
        recipient__campaign_id=campaign_id,
        pk=answer_id,
    )
    if freshness.mark_correction_applied(answer, by=request.user):
        messages.success(
            request,
            _("The correction of %(name)s is marked as applied.")
            % {"name": answer.recipient.person.full_name},
        )
    else:
        messages.warning(request, _("There is no correction to apply for this person."))
    url = reverse("freshness_campaign", args=[campaign_id])
    return redirect(f"{url}?state=corrections")
