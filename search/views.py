"""The search page and JSON API. Both ask the service, which asks the policy; neither knows
which backend answers."""

import re

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from portal.parameters import whole_number
from search import service
from search.backends.base import FACET_NAMES

MAX_Q = 1000  # longer queries are cut (the parser reads at most 500 characters anyway)
FACET_LABELS = {
    "kind": gettext_lazy("Kind"),
    "type": gettext_lazy("Type"),
    "topic": gettext_lazy("Topic"),
    "country": gettext_lazy("Country"),
    "language": gettext_lazy("Language"),
    "year": gettext_lazy("Year"),
}


YEAR = re.compile(r"[0-9]{4}")


class BadParameter(ValueError):
    """A malformed query parameter, with a message naming it."""


def _text(value):
    """A parameter as the backends may receive it: PostgreSQL refuses a NUL character."""
    return value.replace("\x00", "")


def parse_params(request):
    """q, filters, sort, page and page_size from the query string; raises BadParameter."""
    get = request.GET
    query = _text(get.get("q", "")[:MAX_Q])
    sort = get.get("sort") or "relevance"
    if sort not in service.SORTS:
        raise BadParameter(
            _("Unknown sort “%(sort)s”: use one of %(sorts)s.")
            % {"sort": sort[:50], "sorts": ", ".join(service.SORTS)}
        )
    numbers = {}
    for name, default, highest in (
        ("page", 1, service.MAX_PAGE),
        ("page_size", 20, service.MAX_PAGE_SIZE),
    ):
        number = whole_number(get.get(name) or str(default))
        if number is None or not 1 <= number <= highest:
            raise BadParameter(
                _("%(name)s must be a whole number from 1 to %(highest)s.")
                % {"name": name, "highest": highest}
            )
        numbers[name] = number
    # Unknown parameters (including unknown filter names) are ignored.
    filters = {
        name: [_text(value) for value in get.getlist(name)]
        for name in FACET_NAMES
        if get.getlist(name)
    }
    if any(value and not YEAR.fullmatch(value) for value in filters.get("year", [])):
        raise BadParameter(_("year must be a year of four digits, such as 2019."))
    return query, filters, sort, numbers["page"], numbers["page_size"]


def _run(request):
    query, filters, sort, page, page_size = parse_params(request)
    results = service.search(
        query, request.user, filters, sort, page, page_size, count_if_empty=True
    )
    return results, filters


@require_GET
def search_page(request):
    try:
        results, filters = _run(request)
    except BadParameter as exc:
        return render(request, "search/search.html", {"error": str(exc), "q": ""}, status=400)
    selected = {name: set(values) for name, values in filters.items()}
    facets = [
        {
            "name": name,
            "label": FACET_LABELS[name],
            "values": [
                {
                    "value": f.value,
                    "label": f.label,
                    "count": f.count,
                    "selected": f.value in selected.get(name, ()),
                }
                for f in values
            ],
        }  # fmt: skip
        for name, values in results.facets.items()
        if values
    ]
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "q": request.GET.get("q", "")[:MAX_Q],
        "results": results,
        "facets": facets,
        "sort": request.GET.get("sort") or "relevance",
        "page_query": params.urlencode(),
        "start": (results.page - 1) * results.page_size + 1,
        "searched": bool(request.GET.get("q", "").strip() or filters),
    }
    return render(request, "search/search.html", context)


def _error(message):
    return JsonResponse({"error": message}, status=400)


@require_GET
def api_search(request):
    try:
        results, _filters = _run(request)
    except BadParameter as exc:
        return _error(str(exc))
    hits = []
    for hit in results.hits:
        item = {
            "title": hit.title,
            "url": hit.url,
            "kind": hit.kind,
            "snippet": hit.snippet,
            "date": hit.date.isoformat() if hit.date else None,
            "score": hit.score,
        }
        if hit.external_id:
            item["external_id"] = hit.external_id
        if hit.translations:
            item["translations"] = [
                {"title": t["title"], "url": t["url"], "language": t["language"]}
                for t in hit.translations
            ]
        hits.append(item)
    payload = {
        "query": results.query,
        "total": results.total,
        "page": results.page,
        "page_size": results.page_size,
        "backend": results.backend,
        "results": hits,
        "facets": {
            name: [{"value": f.value, "label": f.label, "count": f.count} for f in values]
            for name, values in results.facets.items()
        },
    }
    if results.suggestion:
        payload["suggestion"] = results.suggestion
    return JsonResponse(payload)


@require_GET
def api_suggest(request):
    prefix = _text(request.GET.get("q", "")[:MAX_Q])
    return JsonResponse({"query": prefix, "suggestions": service.suggest(prefix, request.user)})
