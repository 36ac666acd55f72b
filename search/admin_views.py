"""The secretariat's list of searches that found nothing (what guidance is missing), by week,
language and searcher's tier, with filters, a CSV export of what is filtered, and handling.
Secretariat only: the access policy decides (the admin also wants the second factor)."""

import csv

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.access import deny, is_secretariat
from portal.spreadsheet import safe_cell
from search import gaps
from search.forms import GapFilterForm, HandleForm
from search.models import ZeroResultHandling, ZeroResultQuery

PAGE_SIZE = 50
FILTERS = ("week", "language", "tier", "status")
# A filter value longer than any valid one is cut before it is echoed in an error.
MAX_FILTER_LENGTH = 20


def _filter_form(request):
    return GapFilterForm({name: request.GET.get(name, "")[:MAX_FILTER_LENGTH] for name in FILTERS})


def _filter_query(request):
    """The list's filters as a query string (no page number), for links that keep them."""
    params = request.GET.copy()
    params.pop("p", None)
    return params.urlencode()


def _language_label(code):
    return dict(settings.LANGUAGES).get(code, code or _("unknown"))


def _present(rows, handlings):
    """Rows of `gaps.weekly` with their labels, status and handling, for the page and export."""
    for row in rows:
        status = gaps.status_of(row)
        yield {
            **row,
            "iso_week": gaps.iso_week(row["week"]),
            "language_label": _language_label(row["language"]),
            "tier_label": gaps.SEARCHER_TIERS.get(row["tier"], _("unknown")),
            "status": status,
            "status_label": gaps.STATUS_LABELS[status],
            "handling": handlings.get(row["query"]),
        }


def _listing(request, form, status=200, **context):
    context = {
        "page_title": _("Searches without results"),
        "header_icon": "search",
        "form": form,
        "filter_query": _filter_query(request),
        "max_recorded_length": gaps.MAX_RECORDED_LENGTH,
        "new_queries_per_day": gaps.new_queries_per_day(),
        "retention_days": gaps.retention_days(),
        **context,
    }
    return TemplateResponse(request, "search/admin/zero_results.html", context, status=status)


def zero_results(request):
    if not is_secretariat(request.user):
        return deny(request)
    form = _filter_form(request)
    if not form.is_valid():
        return _listing(request, form, status=400)
    page = Paginator(gaps.weekly(**form.filters()), PAGE_SIZE).get_page(request.GET.get("p"))
    handlings = gaps.handlings_for({row["query"] for row in page.object_list})
    return _listing(
        request,
        form,
        page_obj=page,
        rows=list(_present(page.object_list, handlings)),
        filtered=any(form.cleaned_data.values()),
    )


def zero_results_export(request):
    """What the list shows under the same filters, every page, as CSV. Queries are what people
    typed: each text cell goes through `safe_cell`, so none runs as a spreadsheet formula."""
    if not is_secretariat(request.user):
        return deny(request)
    form = _filter_form(request)
    if not form.is_valid():
        return _listing(request, form, status=400)
    rows = gaps.weekly(**form.filters())
    handlings = gaps.handlings_for(rows.values("query"))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="searches-without-results.csv"'
    response["Cache-Control"] = "private, no-store"
    writer = csv.writer(response)
    writer.writerow(
        ["week", "query", "language", "tier", "searches", "first_day", "last_day", "status",
         "handled_by", "handled_at", "note"]
    )  # fmt: skip
    for row in _present(rows, handlings):
        handling = row["handling"]
        writer.writerow(
            [
                row["iso_week"],
                safe_cell(row["query"]),
                row["language"],
                row["tier"],
                row["total"],
                row["first_day"].isoformat(),
                row["last_day"].isoformat(),
                row["status"],
                safe_cell(_handler(handling)) if handling else "",
                handling.handled_at.isoformat() if handling else "",
                safe_cell(handling.note) if handling else "",
            ]
        )
    return response


def _handler(handling):
    user = handling.handled_by
    if user is None:
        return _("a former account")
    return user.get_full_name() or user.email


def _next_url(request):
    """Where to go back to: the list, with the filters it had, and nowhere else."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    listing = reverse("search_zero_results")
    if target.startswith(listing) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return listing


@require_http_methods(["GET", "POST"])
def zero_result_handle(request, row_id):
    """Handle one query (any counted row of it addresses it, so its text stays out of URLs):
    its weeks, tiers and languages, and the note of what was done."""
    if not is_secretariat(request.user):
        return deny(request)
    query = get_object_or_404(ZeroResultQuery.objects.only("query"), pk=row_id).query
    handling = ZeroResultHandling.objects.filter(query=query).select_related("handled_by").first()
    form = HandleForm(
        request.POST if request.method == "POST" and "reopen" not in request.POST else None,
        initial={"note": handling.note if handling else ""},
    )
    if request.method == "POST":
        if "reopen" in request.POST:
            gaps.reopen(query)
            messages.success(request, _("“%(query)s” is open again.") % {"query": query})
            return redirect(_next_url(request))
        if form.is_valid():
            gaps.handle(query, form.cleaned_data["note"], request.user)
            messages.success(request, _("“%(query)s” is handled.") % {"query": query})
            return redirect(_next_url(request))
    weeks = gaps.weekly(query=query).order_by("-week", "-total", "language", "tier")
    history = list(_present(weeks, {}))
    return TemplateResponse(
        request,
        "search/admin/zero_result_handle.html",
        {
            "page_title": _("Handle a search without results"),
            "header_icon": "search",
            "query": query,
            "handling": handling,
            "handler": _handler(handling) if handling else "",
            "history": history,
            "form": form,
            "next": _next_url(request),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
