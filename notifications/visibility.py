"""
"New to you": when each page became visible to each tier (VisibleSince), recorded as it is
published, and what became visible to a user's tier in a window. Alerts (saved searches, the
digest) and the personal feed ask here, so that a back-dated record or one dated months ahead is
news when it appears, not by its own date.
"""

from django.utils import timezone

from portal.access import TIERS, audience_of, link_audience, tier_at_least

from .models import VisibleSince


def tiers_seeing(audience):
    """The tiers that may see content addressed to `audience` (unknown: none but the top)."""
    return [tier.value for tier in TIERS if tier_at_least(tier, audience)]


def record_visibility(page, when=None):
    """Record that `page`, just published, is visible to the tiers its audience allows from now
    on, for the tiers that could not see it before. One query."""
    when = when or timezone.now()
    VisibleSince.objects.bulk_create(
        [
            VisibleSince(page_id=page.pk, tier=tier, since=when)
            for tier in tiers_seeing(link_audience(page))
        ],
        ignore_conflicts=True,
    )


def new_to(user, since, until=None):
    """Ids of the pages that became visible to `user`'s tier in [since, until): a queryset of
    page ids, for filtering. Whether each page is still live and visible is for the caller's
    `visible_to`."""
    rows = VisibleSince.objects.filter(tier=str(audience_of(user)), since__gte=since)
    if until is not None:
        rows = rows.filter(since__lt=until)
    return rows.values("page_id")


def visible_since_map(user, page_ids):
    """{page id: when it became visible to `user`'s tier} for `page_ids`. One query."""
    return dict(
        VisibleSince.objects.filter(tier=str(audience_of(user)), page_id__in=page_ids).values_list(
            "page_id", "since"
        )
    )
