"""
Searches that found nothing, as the secretariat works through them: counted per day, tier and
interface language (`search.service.record_zero_result`), read here grouped by ISO week, query,
language and tier, most frequent first, each with what was done about it.

A query is handled once, whatever its tier or language, with a note saying what was done. A
handled query that people search again on a later day is not hidden: each week it comes back in
shows as "handled, seen again", with the note, until someone handles it again. A search later on
the very day of handling counts as covered by it (the counts keep days, never times).
"""

import datetime
import re

from django.db.models import F, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from search.models import ZeroResultHandling, ZeroResultQuery

OPEN = "open"
HANDLED = "handled"
SEEN_AGAIN = "seen-again"
# Open or seen again: what still needs someone to look at it.
NEEDS_ATTENTION = "attention"
STATUS_LABELS = {
    OPEN: _("Open"),
    HANDLED: _("Handled"),
    SEEN_AGAIN: _("Handled, seen again"),
}

# Who searched, by the tier the policy gave them (the model keeps `Audience` values).
SEARCHER_TIERS = {
    "public": _("Public (not signed in or not a member)"),
    "members": _("Member"),
    "secretariat": _("Secretariat"),
}

_ISO_WEEK = re.compile(r"(\d{4})-W(\d{1,2})")


def portal_day(now=None):
    """The day a search or a handling is counted on: in the portal's own time zone, not the
    one a signed-in user chose, so that a week means the same days to everyone."""
    return timezone.localdate(now, timezone=timezone.get_default_timezone())


def iso_week(day):
    """ "2025-W07" for any day of that ISO week."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(text):
    """The Monday of an ISO week written "2025-W07" (as an HTML week field sends it). Raises
    ValueError for anything else, or a week the year does not have."""
    match = _ISO_WEEK.fullmatch(str(text).strip())
    if match is None:
        raise ValueError(text)
    return datetime.date.fromisocalendar(int(match[1]), int(match[2]), 1)


def weekly(*, week=None, language=None, tier=None, status=None, query=None):
    """Rows of {week, query, language, tier, total, first_day, last_day, row_id, handled_on}
    (`week` the Monday; `row_id` one counted row of the query, to address it by), filtered by
    the arguments given, most searched first. One query, however many rows; paginate it."""
    rows = ZeroResultQuery.objects.all()
    if week is not None:
        rows = rows.filter(day__range=(week, week + datetime.timedelta(days=6)))
    if language is not None:
        rows = rows.filter(language=language)
    if tier is not None:
        rows = rows.filter(tier=tier)
    if query is not None:
        rows = rows.filter(query=query)
    handled_on = ZeroResultHandling.objects.filter(query=OuterRef("query")).values("handled_on")
    grouped = (
        rows.annotate(week=TruncWeek("day"))
        .values("week", "query", "language", "tier")
        .annotate(
            total=Sum("count"),
            first_day=Min("day"),
            last_day=Max("day"),
            row_id=Max("id"),
            handled_on=Subquery(handled_on[:1]),
        )
    )
    seen_again = Q(last_day__gt=F("handled_on"))
    if status == OPEN:
        grouped = grouped.filter(handled_on__isnull=True)
    elif status == HANDLED:
        grouped = grouped.filter(last_day__lte=F("handled_on"))
    elif status == SEEN_AGAIN:
        grouped = grouped.filter(seen_again)
    elif status == NEEDS_ATTENTION:
        grouped = grouped.filter(Q(handled_on__isnull=True) | seen_again)
    return grouped.order_by("-total", "-week", "query", "language", "tier")


def status_of(row):
    """OPEN, HANDLED or SEEN_AGAIN for a row of `weekly`."""
    if row["handled_on"] is None:
        return OPEN
    return SEEN_AGAIN if row["last_day"] > row["handled_on"] else HANDLED


def handlings_for(queries):
    """{query: ZeroResultHandling} for `queries` (texts, or a queryset of them), with who
    handled each. One query."""
    handlings = ZeroResultHandling.objects.filter(query__in=queries).select_related("handled_by")
    return {handling.query: handling for handling in handlings}


def handle(query, note, user):
    """Mark `query` handled today by `user` with `note`, replacing an earlier handling."""
    now = timezone.now()
    handling, _created = ZeroResultHandling.objects.update_or_create(
        query=query,
        defaults={"note": note, "handled_by": user, "handled_at": now,
                  "handled_on": portal_day(now)},
    )  # fmt: skip
    return handling


def reopen(query):
    """Forget that `query` was handled: it shows as open again."""
    ZeroResultHandling.objects.filter(query=query).delete()
