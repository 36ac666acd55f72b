"""The follow-up report: per country and per meeting series, what was committed, by whom, where
it stands, what is overdue and the latest update. A page, `?format=csv` and `?format=pdf`;
members only, from the meetings whose record the requester may see."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.followup import follow_up_report, report_actions
from meetings.followup_outputs import report_csv, report_pdf
from meetings.forms import FollowUpFilterForm
from meetings.views.common import private, refuse
from portal.access import deny, is_member

FORMATS = ("", "csv", "pdf")


def follow_up(request):
    if not is_member(request.user):
        return deny(request)
    output = request.GET.get("format", "")
    if output not in FORMATS:
        return refuse(request, _("Unknown format: ask for format=csv or format=pdf."))
    form = FollowUpFilterForm(
        {name: request.GET[name] for name in ("series", "country") if request.GET.get(name)} or None
    )
    groups = []
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
        if output:
            return refuse(
                request,
                " ".join(
                    f"{form.fields[name].label}: {' '.join(errors)}"
                    for name, errors in form.errors.items()
                ),
            )
    else:
        data = form.cleaned_data if form.is_bound else {}
        country = data.get("country")
        groups = follow_up_report(
            report_actions(
                request.user,
                series=data.get("series"),
                countries=[country] if country else None,
            )
        )
    stamp = timezone.localdate().isoformat()
    if output == "csv":
        response = HttpResponse(report_csv(groups), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="follow-up-{stamp}.csv"'
        return private(response)
    if output == "pdf":
        response = HttpResponse(
            report_pdf(groups, _("Follow-up report")), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="follow-up-{stamp}.pdf"'
        return private(response)
    query = request.GET.copy()
    query.pop("format", None)
    return private(
        render(
            request,
            "meetings/follow_up.html",
            {
                "filter_form": form,
                "groups": groups,
                "query": query.urlencode(),
                "today": timezone.localdate(),
            },
            status=status,
        )
    )
