"""
The follow-up pages' benchmark, part of `manage.py bench --only portal` (benchmarks/site.py runs it
after the referral assistant, on the same seeded database): server time p50/p95 and query count
of the decisions register (page, feed, CSV), the timeline of the action point with the longest
history, and the follow-up report (page, CSV, PDF), as the demo member. Measured like the other
pages: Django's test client in this process, DEBUG off, warm caches.
"""

import statistics
import time

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings

PAGE_TARGET_MS = 150
EXPORT_TARGET_MS = 400


def follow_up_urls():
    action_point = apps.get_model("meetings", "ActionPoint")
    busiest = (
        action_point.objects.filter(meeting__live=True, meeting__audience__in=["public", "members"])
        .annotate(history=Count("updates"))
        .order_by("-history", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    urls = [
        ("register", "/meetings/decisions/", PAGE_TARGET_MS),
        ("register_feed", "/meetings/decisions/feed/", PAGE_TARGET_MS),
        ("register_csv", "/meetings/decisions/?format=csv", EXPORT_TARGET_MS),
        ("report", "/meetings/follow-up/", PAGE_TARGET_MS),
        ("report_csv", "/meetings/follow-up/?format=csv", EXPORT_TARGET_MS),
        ("report_pdf", "/meetings/follow-up/?format=pdf", EXPORT_TARGET_MS),
    ]
    if busiest is not None:
        urls.insert(3, ("timeline", f"/meetings/actions/{busiest}/", PAGE_TARGET_MS))
    return urls


def bench_followup(command, quick):
    """One `followup.<name>.member` line per URL of follow_up_urls()."""
    from benchmarks.site import percentile
    from portal.demo import MEMBER_EMAIL

    member = apps.get_model(settings.AUTH_USER_MODEL).objects.get(email=MEMBER_EMAIL)
    repeats = 10 if quick else 40
    decisions = apps.get_model("meetings", "Decision").objects.count()
    actions = apps.get_model("meetings", "ActionPoint").objects.count()
    with override_settings(DEBUG=False):
        client = Client()
        client.force_login(member)
        for name, url, target in follow_up_urls():
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
                f"followup.{name}.member",
                round(statistics.median(timings), 1),
                "ms p50",
                target=f"p95<={target}ms",
                p95=f"{p95:.1f}ms",
                queries=len(queries),
                status=response.status_code,
                decisions=decisions,
                action_points=actions,
                backend=connection.vendor,
                ok="yes" if p95 <= target and response.status_code == 200 else "NO",
            )
