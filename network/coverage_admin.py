"""The coverage report in the Wagtail admin (secretariat only, through the policy: a secretariat
session without its second factor holds the member tier and is refused), with a CSV export.
Imported by network/wagtail_hooks.py, which registers Wagtail's hooks of the app."""

import csv
import io

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from network.coverage import Status, coverage_csv_rows, coverage_report
from network.models import Procedure
from portal.access import deny, is_secretariat
from portal.spreadsheet import safe_cell


def referral_coverage(request):
    if not is_secretariat(request.user):
        return deny(request)
    output = request.GET.get("format", "")
    if output not in ("", "csv") or set(request.GET) - {"format"}:
        return HttpResponse(
            _("Unknown parameter or format: only format=csv is offered."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    coverage = coverage_report(request.user)
    if output == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in coverage_csv_rows(coverage):
            writer.writerow([safe_cell(cell) for cell in row])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        name = f"referral-coverage-{timezone.localdate()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        patch_cache_control(response, private=True, no_store=True)
        return response
    return TemplateResponse(
        request,
        "network/admin/referral_coverage.html",
        {
            "page_title": _("Referral coverage"),
            "header_icon": "table",
            "coverage": coverage,
            "procedures": list(Procedure),
            "statuses": Status.LABELS,
        },
    )


@hooks.register("register_admin_urls")
def register_coverage_url():
    return [path("network/referral-coverage/", referral_coverage, name="network_referral_coverage")]


class SecretariatMenuItem(MenuItem):
    def is_shown(self, request):
        return is_secretariat(request.user)


@hooks.register("register_admin_menu_item")
def register_coverage_menu_item():
    return SecretariatMenuItem(
        gettext_lazy("Referral coverage"),
        reverse("network_referral_coverage"),
        icon_name="table",
        order=311,
    )
