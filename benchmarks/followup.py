"""
The follow-up pages' benchmark, part of `manage.py bench --only portal` (benchmarks/site.py runs it
after the referral assistant, on the same seeded database): server time p50/p95 and query count
of the decisions register (page, feed, CSV), the timeline of the action point with the longest
history, and the follow-up report (page, CSV, PDF), as the demo member. Measured like the other
pages: Django's test client in this process, DEBUG off, warm caches.
"""

from django.apps import apps
from django.db.models import Count

from benchmarks.measure import bench_urls

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
    decisions = apps.get_model("meetings", "Decision").objects.count()
    actions = apps.get_model("meetings", "ActionPoint").objects.count()
    bench_urls(
        command, "followup", follow_up_urls(), quick, decisions=decisions, action_points=actions
    )
