"""The decisions register: a page, an Atom feed and a CSV of any filter. Every row comes from
`meetings.followup.register_decisions`, i.e. from meetings whose record the requester may see
(`portal.access` through `meetings.ownership.record_meetings`): nothing for anonymous visitors."""

import csv

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from meetings.followup import register_decisions, superseding, with_register_details
from meetings.forms import DecisionFilterForm
from meetings.views.common import private
from portal.access import is_member, visible_pages
from portal.parameters import whole_number
from portal.spreadsheet import safe_cell

REGISTER_PAGE_SIZE = 50
FEED_SIZE = 50


def filtered_decisions(request):
    """(form, decisions): the register's rows for the requester under the query's filters, and
    the form that read them (bound and invalid when a filter names nothing)."""
    form = DecisionFilterForm(_filters(request.GET) or None)
    decisions = register_decisions(request.user)
    if form.is_bound:
        decisions = form.filter(decisions) if form.is_valid() else decisions.none()
    return form, decisions


def _filters(query):
    return {name: query[name] for name in DecisionFilterForm.base_fields if query.get(name)}


def _errors(form):
    return [
        f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
    ]


def decision_register(request):
    form, decisions = filtered_decisions(request)
    if request.GET.get("format") == "csv":
        return decisions_csv(request, form, decisions)
    if request.GET.get("format"):
        return private(
            render(
                request,
                "meetings/refusal.html",
                {"message": _("Unknown format: ask for format=csv, or none for the page.")},
                status=400,
            )
        )
    status = 400 if form.is_bound and not form.is_valid() else 200
    page_number = whole_number(request.GET.get("page")) or 1
    page = Paginator(with_register_details(decisions, request.user), REGISTER_PAGE_SIZE).get_page(
        page_number
    )
    for decision in page:
        decision.later = superseding(decision, request.user)
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        "meetings/decision_register.html",
        {
            "filter_form": form,
            "decisions": page,
            "query": query.urlencode(),
            "signed_in_member": is_member(request.user),
        },
        status=status,
    )
    return private(response) if request.user.is_authenticated else response


CSV_COLUMNS = [
    "meeting",
    "meeting_date",
    "series",
    "number",
    "text",
    "agenda_item",
    "status",
    "superseded_by",
    "topics",
    "adopted_resources",
    "action_points",
    "url",
]


def decisions_csv(request, form, decisions):
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            "\n".join(_errors(form)), status=400, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="decisions-{timezone.localdate().isoformat()}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for decision in with_register_details(decisions, request.user).iterator(chunk_size=500):
        meeting = decision.meeting
        writer.writerow(
            [
                safe_cell(meeting.title),
                meeting.start_date.isoformat(),
                safe_cell(meeting.series.name if meeting.series else ""),
                decision.number,
                safe_cell(decision.text),
                safe_cell(decision.agenda_item.title if decision.agenda_item else ""),
                decision.status,
                safe_cell(_decision_label(superseding(decision, request.user))),
                safe_cell("; ".join(topic.name for topic in decision.topics.all())),
                safe_cell(
                    "; ".join(
                        page.title
                        for page in visible_pages(decision.adopted_resources.all(), request.user)
                    )
                ),
                safe_cell(
                    "; ".join(
                        f"{action.description[:80]} ({action.get_status_display()})"
                        for action in decision.action_points.all()
                    )
                ),
                request.build_absolute_uri(meeting.url) if meeting.url else "",
            ]
        )
    return private(response)


def _decision_label(decision):
    if decision is None:
        return ""
    return f"{decision.meeting.title} — {decision}"


class DecisionFeed(Feed):
    """The register as Atom, with the page's filters; a bad filter answers 400."""

    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        form, _decisions = filtered_decisions(request)
        if form.is_bound and not form.is_valid():
            return HttpResponse(
                "\n".join(_errors(form)), status=400, content_type="text/plain; charset=utf-8"
            )
        response = super().__call__(request, *args, **kwargs)
        if request.user.is_authenticated:
            private(response)
        return response

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return filtered_decisions(request)[1]

    def title(self, decisions):
        return _("Decisions of the network")

    def link(self, decisions):
        return reverse("meetings:decisions")

    def subtitle(self, decisions):
        return _("Decisions of the network's meetings, newest first.")

    def items(self, decisions):
        return decisions.select_related("meeting", "agenda_item")[:FEED_SIZE]

    def item_title(self, item):
        from library.feeds import xml_text

        return xml_text(f"{item.meeting.title} — {item}")

    def item_description(self, item):
        from library.feeds import xml_text

        return xml_text(item.text)

    def item_link(self, item):
        url = item.meeting.get_url(self.request) or reverse("meetings:decisions")
        return f"{url}#decision-{item.pk}"

    def item_guid(self, item):
        return f"decision-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        from datetime import datetime, time

        return timezone.make_aware(datetime.combine(item.meeting.start_date, time.min))

    def item_categories(self, item):
        return [item.get_status_display()]
