"""
The indicator pages: the browser (`/library/indicators/`), the checklist of a set or a selection
(`/library/indicators/checklist/`, with `?format=pdf|docx|csv`) and the compare of two sets or
versions (`/library/indicators/compare/?a=<set>&b=<set>`). All plain GET pages that work without
JavaScript; every set and indicator they show comes through the access policy
(library.indicator_browser).

A checklist's ticks live in the reader's browser only: the page holds no form and its script sends
nothing, so nothing ticked ever reaches these views, their logs or a cache.
"""

from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from library.checklist import (
    RENDERERS,
    Checklist,
    ChecklistItem,
    ChecklistSection,
    ChecklistSource,
)
from library.indicator_browser import CHECKLIST_LIMIT, IndicatorSelection, shown
from library.models import comparison
from portal.parameters import whole_number

FORMATS = ("pdf", "docx", "csv")


@require_GET
def browser(request):
    """The indicators the visitor may see, filtered, with counts; unknown values are ignored
    with a message."""
    selection = IndicatorSelection(request.GET, request.user)
    errors = selection.errors
    selection.selected  # noqa: B018 - reads the filters (and their messages) first
    number = request.GET.get("page") or "1"
    if whole_number(number) is None:
        errors.append(
            _("%(value)s is not a page number: the first page is shown.") % {"value": shown(number)}
        )
        number = 1
    page = selection.page(whole_number(str(number)))
    return render(
        request,
        "library/indicators/browser.html",
        {
            "selection": selection,
            "indicators": page,
            "errors": errors,
            "querystring": selection.querystring(),
        },
    )


@require_GET
def checklist(request):
    """The selection (or one set) as a checklist to tick in the browser, print or download."""
    selection = IndicatorSelection(request.GET, request.user)
    selection.selected  # noqa: B018 - reads the filters (and their messages) first
    output = request.GET.get("format", "")
    errors = list(selection.errors)
    if output not in ("", *FORMATS):
        errors.append(
            _("%(value)s is not a download format: choose pdf, docx or csv.")
            % {"value": shown(output)}
        )
    if errors:
        # A checklist of something other than what was asked would mislead: refuse, saying why.
        if output in FORMATS:
            return HttpResponse(
                "\n".join(errors) + "\n", status=400, content_type="text/plain; charset=utf-8"
            )
        return render(
            request,
            "library/indicators/checklist.html",
            {"errors": errors, "selection": selection},
            status=400,
        )
    sections, truncated = selection.sections()
    document = _checklist(request, selection, sections)
    if output:
        render_to, content_type = RENDERERS[output]
        response = HttpResponse(render_to(document), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{document.filename(output)}"'
        return response
    return render(
        request,
        "library/indicators/checklist.html",
        {
            "selection": selection,
            "checklist": document,
            "sections": sections,
            "truncated": truncated,
            "limit": CHECKLIST_LIMIT,
            "querystring": selection.querystring(),
            "downloads": [(name, selection.querystring(format=name)) for name in FORMATS],
        },
    )


def _checklist(request, selection, sections):
    """The `Checklist` the downloads render: the sets it draws on, in order, with their
    version and date."""
    chosen = selection.chosen_sets
    sources = list(chosen)
    if not chosen:
        for _heading, rows in sections:
            for _indicator, page in rows:
                if page not in sources:
                    sources.append(page)
    if len(chosen) == 1 and not selection.described():
        title = chosen[0].title
    else:
        title = _("Indicator checklist")
    return Checklist(
        title=title,
        sources=[
            ChecklistSource(
                page.title,
                page.version_label,
                page.published,
                request.build_absolute_uri(page.get_url(request) or "/"),
            )
            for page in sources
        ],
        sections=[
            ChecklistSection(
                heading,
                [
                    ChecklistItem(
                        indicator.text,
                        indicator.strength,
                        indicator.get_strength_display(),
                        indicator.get_stage_display(),
                        ", ".join(
                            part
                            for part in (
                                indicator.visible_source and indicator.visible_source.title,
                                indicator.source_section,
                            )
                            if part
                        ),
                        page.title,
                    )
                    for indicator, page in rows
                ],
            )
            for heading, rows in sections
        ],
        prepared_on=timezone.localdate(),
        selection=selection.described(),
    )


@require_GET
def compare_sets(request):
    """Two sets or versions side by side: added, dropped, reworded (word by word), moved."""
    selection = IndicatorSelection(QueryDict(), request.user)
    sets = selection.sets_by_pk
    errors = []
    chosen = []
    for name, label in (("a", _("First set")), ("b", _("Second set"))):
        value = request.GET.get(name, "")
        if value == "":
            continue
        number = whole_number(value)
        if number is None or number not in sets:
            errors.append(
                _("%(label)s: there is no indicator set %(value)s that you may see.")
                % {"label": label, "value": shown(value)}
            )
        else:
            chosen.append(sets[number])
    context = {
        "sets": selection.sets,
        "suggestions": _suggestions(selection.sets, sets),
        "errors": errors,
        "a": request.GET.get("a", ""),
        "b": request.GET.get("b", ""),
    }
    if errors:
        return render(request, "library/indicators/compare.html", context, status=400)
    if len(chosen) == 2:
        left, right = chosen
        context.update(
            left=left,
            right=right,
            comparison=comparison(left, right),
        )
    return render(request, "library/indicators/compare.html", context)


def _suggestions(pages, by_pk):
    """Pairs worth comparing among the sets the viewer may see: each country version with its
    regional set, each edition with the one it supersedes. No query."""
    pairs = []
    for page in pages:
        if page.derived_from_id in by_pk:
            pairs.append((by_pk[page.derived_from_id], page))
        if page.supersedes_id in by_pk:
            pairs.append((by_pk[page.supersedes_id], page))
    return pairs
