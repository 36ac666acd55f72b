"""
The referral assistant's benchmark, part of `manage.py bench --only portal` (benchmarks/site.py runs
it after the public and admin pages, on the same seeded database): server time p50/p95 and query
count of the assistant's page as the demo member, for an unaccompanied child's case between two
demo countries with every category of the profile given, and of the same pathway as a PDF sheet.
Measured like the public pages: Django's test client in this process, DEBUG off, warm caches.
"""

import statistics
import time

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

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
    from benchmarks.site import percentile
    from portal.demo import MEMBER_EMAIL

    member = apps.get_model(settings.AUTH_USER_MODEL).objects.get(email=MEMBER_EMAIL)
    repeats = 10 if quick else 40
    institutions = apps.get_model("network", "Institution").objects.count()
    with override_settings(DEBUG=False):
        client = Client()
        client.force_login(member)
        urls = referral_urls()
        if not urls:
            command.figure("referral.page.member", "missing", note="fewer than two countries")
        for name, url, target in urls:
            for _ in range(3):  # warm caches and connections
                client.get(url)
            queries = []  # counted by a wrapper: request_started resets Django's query log

            def count(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                response = client.get(url)
            timings = []
            for _ in range(repeats):
                started = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            p95 = percentile(timings, 0.95)
            command.figure(
                f"referral.{name}.member",
                round(statistics.median(timings), 1),
                "ms p50",
                target=f"p95<={target}ms",
                p95=f"{p95:.1f}ms",
                queries=len(queries),
                status=response.status_code,
                institutions=institutions,
                backend=connection.vendor,
                ok="yes" if p95 <= target and response.status_code == 200 else "NO",
            )
