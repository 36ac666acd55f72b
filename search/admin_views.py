"""The secretariat's read-only list of searches that found nothing: what guidance is missing."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.access import is_secretariat
from search.models import ZeroResultQuery


def zero_results(request):
    if not is_secretariat(request.user):
        raise PermissionDenied
    # Totals per query over every day, most frequent first: the gaps members hit most.
    rows = (
        ZeroResultQuery.objects.values("query")
        .annotate(total=Sum("count"))
        .order_by("-total", "query")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("p"))
    latest = ZeroResultQuery.objects.order_by("-day").values_list("day", flat=True).first()
    context = {"page_title": _("Searches without results"), "header_icon": "search",
               "page_obj": page, "latest": latest}  # fmt: skip
    return render(request, "search/admin/zero_results.html", context)
