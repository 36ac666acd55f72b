"""
Searches that found nothing, as the secretariat works through them: counted per day, tier and
interface language (`search.service.record_zero_result`), read here grouped by ISO week, query,
language and tier, most frequent first, each with what was done about it.

A query is handled once, whatever its tier or language, with a note saying what was done. A
handled query that people search again on a later day is not hidden: each week it comes back in
shows as "handled, seen again", with the note, until someone handles it again. A search later on
the very day of handling counts as covered by it (the counts keep days, never times).

What people type may be about a person or a case, and the portal stores none of that. So a query
is recorded only when it reads as a topic (`recordable`); each tier adds at most
ZERO_RESULT_NEW_QUERIES_PER_DAY new rows a day, so a script cannot flood the list; and rows are
deleted after ZERO_RESULT_RETENTION_DAYS days by a daily task (`purge`), with the handlings no
row refers to any more.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, F, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from search.models import ZeroResultHandling, ZeroResultQuery
from search.query import normalise

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

# What a recorded query may be (see `recordable`). Gap queries are a few words: longer text reads
# as a description, of a case perhaps, rather than a subject.
MAX_RECORDED_LENGTH = 64
# Digits (of any script: full-width ones too) joined by what people write inside telephone,
# case and document numbers and dates: "+355 69 123 4567", "2023/1457", "12.03.2011".
_DIGIT_RUN = re.compile(r"\d(?:[\s()+./-]*\d)*")
MAX_RECORDED_DIGITS = 5
# Runs of six digits or more that are the field's vocabulary, not a number about someone: a
# span of years ("2021-2025") and an EU act ("2011/36/EU", "(EU) 2024/1712").
_YEAR_SPAN = re.compile(r"(?:19|20)\d\d[-/](?:19|20)\d\d")
_EU_ACT = re.compile(r"(?:19|20)\d\d/\d{1,4}")
_EU_ACT_BEFORE = ("eu", "(eu)", "ec", "(ec)")
_EU_ACT_AFTER = ("/eu", "/ec", "/eec", "/jha")
# Day, month and year in numbers, however short ("1/3/21").
_NUMERIC_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
# A day and a month named in one of the portal's languages ("12 march", "3 mai", "march 12").
_MONTH = (
    r"(?:january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug"
    r"|september|sept|sep|october|oct|november|nov|december|dec"
    r"|janvier|janv|f[ée]vrier|f[ée]vr|mars|avril|avr|mai|juin|juillet|juil|ao[uû]t"
    r"|septembre|octobre|novembre|d[ée]cembre|d[ée]c)"
)
_NAMED_DATE = re.compile(
    rf"(?<!\d)\d{{1,2}}(?:st|nd|rd|th|er)?\s+{_MONTH}(?!\w)"
    rf"|(?<!\w){_MONTH}\.?\s+\d{{1,2}}(?!\d)"
)


def recordable(query):
    """Whether a query that found nothing may be recorded. Only what reads as a topic is: the
    query (normalised as it would be stored) is refused when it

    - holds an email address (any "@"),
    - holds a date: day, month and year in numbers ("12.03.2011", "1/3/21"), or a day with a
      month named in English or French ("12 march", "3 mai", "march 12"),
    - holds a run of more than MAX_RECORDED_DIGITS digits, spaces, dashes, dots, slashes,
      brackets and "+" allowed between them: a telephone, case, passport or account number
      ("+355 69 123 4567", "case 2023/1457"), unless the run is a span of years ("2021-2025")
      or an EU act ("2011/36/EU", "(EU) 2024/1712"),
    - is longer than MAX_RECORDED_LENGTH characters, or empty.

    So "referral of children", "THB", "SOP 2021" and "directive 2011/36/EU" are recorded. A
    name cannot be told from a word of the field's vocabulary and is recorded like one: the
    retention period bounds how long it stays."""
    text = normalise(query)
    if not text or len(text) > MAX_RECORDED_LENGTH or "@" in text:
        return False
    if _NAMED_DATE.search(text):
        return False
    for run in _DIGIT_RUN.finditer(text):
        digits = sum(char.isdigit() for char in run[0])
        if _NUMERIC_DATE.fullmatch(run[0]):
            return False
        if digits > MAX_RECORDED_DIGITS and not _vocabulary_number(text, run):
            return False
    return True


def _vocabulary_number(text, run):
    if _YEAR_SPAN.fullmatch(run[0]):
        return True
    return bool(_EU_ACT.fullmatch(run[0])) and (
        text[: run.start()].rstrip().endswith(_EU_ACT_BEFORE)
        or text[run.end() :].startswith(_EU_ACT_AFTER)
    )


def new_queries_per_day():
    """How many new rows each tier may add a day (ZERO_RESULT_NEW_QUERIES_PER_DAY)."""
    return settings.ZERO_RESULT_NEW_QUERIES_PER_DAY


def retention_days():
    """How many days rows are kept (ZERO_RESULT_RETENTION_DAYS, at least one)."""
    days = settings.ZERO_RESULT_RETENTION_DAYS
    if not isinstance(days, int) or days < 1:
        raise ImproperlyConfigured(
            f"ZERO_RESULT_RETENTION_DAYS must be a whole number of days, at least 1, not {days!r}."
        )
    return days


@dataclass(frozen=True)
class Purged:
    rows: int
    handlings: int


def purge(day=None):
    """Delete the rows older than the retention period (counted back from `day`, the portal's
    today by default), and rows the `recordable` rule refuses (stored before it, or before it
    was tightened); then the handlings of refused queries, and those handled before the period
    whose query has no row left (a handling of a query still searched lately keeps explaining
    it). Idempotent: a second run deletes nothing."""
    cutoff = (day or portal_day()) - datetime.timedelta(days=retention_days())
    rows = ZeroResultQuery.objects.filter(day__lt=cutoff).delete()[0]
    stored = set(ZeroResultQuery.objects.values_list("query", flat=True).distinct())
    stored.update(ZeroResultHandling.objects.values_list("query", flat=True))
    refused = sorted(query for query in stored if not recordable(query))
    handlings = 0
    for start in range(0, len(refused), 500):
        chunk = refused[start : start + 500]
        rows += ZeroResultQuery.objects.filter(query__in=chunk).delete()[0]
        handlings += ZeroResultHandling.objects.filter(query__in=chunk).delete()[0]
    still_counted = ZeroResultQuery.objects.filter(query=OuterRef("query"))
    handlings += (
        ZeroResultHandling.objects.filter(handled_on__lt=cutoff)
        .exclude(Exists(still_counted))
        .delete()[0]
    )
    return Purged(rows=rows, handlings=handlings)


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
    # Years the portal can have counted (9999-W52 would run past the last date there is).
    if match is None or not 2000 <= int(match[1]) <= 2999:
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
