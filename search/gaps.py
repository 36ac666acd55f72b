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
import unicodedata
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
# The one number a recorded query may hold (a whole word, ASCII digits after NFKC): a year, a
# span of years, an EU act, an ILO instrument ("c29", "p29", "r203"), or a number of up to
# three digits right after a word that numbers a provision ("article 4").
_YEAR = r"(?:19|20)[0-9]{2}"
_VOCABULARY_NUMBER = re.compile(
    rf"{_YEAR}(?:[-/]{_YEAR})?|{_YEAR}/[0-9]{{1,4}}/(?:eu|ec|eec|jha)|[cpr][0-9]{{1,3}}"
)
_EU_ACT = re.compile(rf"{_YEAR}/[0-9]{{1,4}}")
_EU_ACT_BEFORE = frozenset({"eu", "ec"})
_PROVISION_NUMBER = re.compile(r"[0-9]{1,3}")
_PROVISION_BEFORE = frozenset(
    {"article", "articles", "art", "chapter", "section", "paragraph", "para", "protocol",
     "principle", "recommendation", "resolution", "annex", "goal", "sdg", "target", "rule",
     "convention", "step", "module", "tier", "level"}
)  # fmt: skip
# Words that make any number with them a birth date or year ("born 1979", "dob 31-12").
_BIRTH = frozenset(
    {"born", "birth", "birthday", "birthdate", "dob", "d.o.b", "d.o.b.", "né", "née", "nee",
     "geboren", "geb.", "nato", "nata", "nacido", "nacida", "naissance", "lindur"}
)  # fmt: skip
# What is stripped from either end of a word before it is looked at ("(2019)", "2019,").
_WORD_EDGES = "\"'()[]{},;:!?"
# An email address written out: "jane(at)mail", "jane [at] mail", "jane at mail.com",
# "jane at mail dot com". (An "@", full-width ones too after NFKC, is refused on its own.)
_BRACKETED_AT = re.compile(r"[(\[{<]\s*at\s*[)\]}>]")
_SPELLED_AT = re.compile(r"\w\s+at\s+[\w-]+(?:\.|\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+)\w")
# A day and a month named in English or French ("12 march", "march 12"): kept from the earlier
# rule so that a provision number cannot carry one ("article 12 march").
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
    """Whether a query that found nothing may be recorded. Only what reads as a topic is. The
    query is normalised as it would be stored, then NFKC-folded (so full-width and other
    compatibility forms count as the ASCII they stand for: "＠" is "@", "１９７９" is "1979"),
    and refused when it

    - is empty or longer than MAX_RECORDED_LENGTH characters;
    - holds an email address: any "@", a bracketed "at" ("jane(at)mail", "[at]"), or "at"
      between two words with a dot after ("jane at mail.com", "jane at mail dot com");
    - holds a digit anywhere except in one number, a whole word, of the field's vocabulary:
      a year, 1900 to 2099 ("annual report 2019", "GRETA report 2019"), a span of years
      ("action plan 2021-2025"), an EU act ("directive 2011/36/EU", "(EU) 2024/1712"), an ILO
      instrument ("ILO C29"), or a number of up to three digits right after a word numbering
      a provision ("article 4", "chapter 12"). So a query holding two numbers ("12 marzo
      1985", "31st of december 1979"), a number with a separator or letters of a date or code
      ("31-dec-1979", "31/xii/1979", "born 31.12.", "ro12 abcd 1234"), an ordinal, a postcode
      ("12345"), a count ("3 sisters"), or digits of any other script is refused, in whatever
      language the month or the words are written;
    - holds a number and a word saying birth ("born 1979", "dob 1979"; "birth registration"
      alone is kept), or a day and a month named in English or French ("article 12 march").

    A digit is what most often turns a topic into a date, a telephone, case, passport or
    account number, and the field's own numbers are few: so digits are refused unless they are
    one of those. "Referral of children", "THB", "SOP 2021", "article 4" and "directive
    2011/36/EU" are recorded; "report 2019 2020" is not (one number a query). A name cannot be
    told from a word of the field's vocabulary and is recorded like one: the retention period
    bounds how long it stays."""
    text = unicodedata.normalize("NFKC", normalise(query)).lower()
    if not text or len(text) > MAX_RECORDED_LENGTH:
        return False
    if "@" in text or _BRACKETED_AT.search(text) or _SPELLED_AT.search(text):
        return False
    if not any(char.isdigit() for char in text):
        return True
    if _NAMED_DATE.search(text):
        return False
    words = [word.strip(_WORD_EDGES) for word in text.split()]
    numbers = [i for i, word in enumerate(words) if any(char.isdigit() for char in word)]
    if len(numbers) != 1 or _BIRTH.intersection(words):
        return False
    index = numbers[0]
    word, before = words[index], (words[index - 1].rstrip(".") if index else "")
    return bool(
        _VOCABULARY_NUMBER.fullmatch(word)
        or (_EU_ACT.fullmatch(word) and before in _EU_ACT_BEFORE)
        or (_PROVISION_NUMBER.fullmatch(word) and before in _PROVISION_BEFORE)
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
