"""
The referral assistant's benchmark, part of `manage.py bench --only portal` (benchmarks/site.py runs
it after the public and admin pages, on the same seeded database): server time p50/p95 and query
count of the assistant's page as the demo member, for an unaccompanied child's case between two
demo countries with every category of the profile given, and of the same pathway as a PDF sheet.
Measured like the public pages: Django's test client in this process, DEBUG off, warm caches.
"""

from django.apps import apps

from benchmarks.measure import bench_urls

PAGE_TARGET_MS = 100
PDF_TARGET_MS = 300
CASE = "group=child&child=unaccompanied&exploitation=labour&asylum=no&procedure=assistance"


def referral_urls():
    """The pair with most institutions among the demo's countries (a fixed pair when tied)."""
    from django.db.models import Count

    country = apps.get_model("network", "Country")
    busiest = list(
        country.objects.in_network()
        .annotate(institutions_count=Count("institutions"))
        .order_by("-institutions_count", "iso_code")
        .values_list("iso_code", flat=True)[:2]
    )
    if len(busiest) < 2:
        return []
    pair = f"from={busiest[0]}&to={busiest[1]}"
    return [
        ("page", f"/network/referral/?{pair}&{CASE}", PAGE_TARGET_MS),
        ("page_all_procedures", f"/network/referral/?{pair}&group=child", PAGE_TARGET_MS),
        ("pdf", f"/network/referral/?{pair}&{CASE}&format=pdf", PDF_TARGET_MS),
    ]


def bench_referral(command, quick):
    """One `referral.<name>.member` line per URL of referral_urls()."""
    institutions = apps.get_model("network", "Institution").objects.count()
    bench_urls(
        command,
        "referral",
        referral_urls(),
        quick,
        missing=("page", "fewer than two countries"),
        institutions=institutions,
    )
