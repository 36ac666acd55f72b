"""
Saved-search alerts. "New" means new to the recipient: a page (resource, meeting, portal page)
that became visible to their tier within the window since the previous alert, published or
widened to them (notifications.visibility), whatever date the record carries. Records that are no
page (directory entries) have no such history and count as new when dated within the window.
Results come from the search service at the time of sending, for the recipient: it applies the
access policy, so a result the recipient may not see is never in their alert.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.access import audience_of

from ..messages import Message, builder, event_ids
from ..models import Delivery, Frequency, SavedSearch
from .digest import DigestItem, digest_section

MAX_RESULTS = 100
# How many results of a saved search an alert looks through for what is new, at most: a back-dated
# record sorts last by date, so the alert pages through the results rather than read the newest.
MAX_SCANNED = 1000
# Search sources whose records are pages, keyed "<source>:<page id>[:part]".
PAGE_SOURCES = ("library.resource", "meetings.meeting", "portal.page")


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _page_id(hit):
    source, _sep, rest = (hit.key or "").partition(":")
    if source not in PAGE_SOURCES:
        return None
    head = rest.split(":", 1)[0]
    return int(head) if head.isdigit() else None


def new_results(saved, recipient, start, end):
    """Results of `saved` that `recipient` may see and that are new to them in [start, end)
    (aware datetimes): pages that became visible to their tier then, other records dated then.
    At most MAX_RESULTS, newest first as the search sorts them."""
    from search.service import search

    from ..visibility import new_to

    new_pages = set(new_to(recipient, start, end).values_list("page_id", flat=True))
    start_day, end_day = timezone.localdate(start), timezone.localdate(end)
    found = []
    seen = set()
    for page_number in range(1, MAX_SCANNED // MAX_RESULTS + 1):
        try:
            results = search(
                saved.query,
                recipient,
                saved.filters,
                sort="newest",
                page=page_number,
                page_size=MAX_RESULTS,
            )
        except ValueError:
            return []
        for hit in results.hits:
            page_id = _page_id(hit)
            if page_id is not None:
                new = page_id in new_pages and page_id not in seen
                seen.add(page_id)
            else:
                day = _as_date(hit.date)
                new = day is not None and start_day <= day < end_day
            if new:
                found.append(hit)
        if len(found) >= MAX_RESULTS or page_number * MAX_RESULTS >= results.total:
            break
        if new_pages <= seen and not _has_undated_sources(saved):
            break  # every new page is found; only pages can still follow
    return found[:MAX_RESULTS]


def _has_undated_sources(saved):
    """Whether the search may return records that are no page (the directory)."""
    kinds = set((saved.filters or {}).get("kind", []))
    return not kinds or bool(kinds - {"resource", "meeting", "page"})


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


def alert_key(saved, start, end):
    # Microseconds since the epoch, exactly (the key's parts are separated by colons): the end
    # of one window is the start of the next.
    start, end = (start - EPOCH) // MICROSECOND, (end - EPOCH) // MICROSECOND
    return f"saved_search:{saved.pk}:{start}:{end}"


def window(delivery):
    """The [start, end) of an alert's event key, as aware datetimes (keys of earlier versions
    name whole days)."""
    _kind, _saved_id, start, end = event_ids(delivery)
    return _moment(start), _moment(end)


def _moment(value):
    if value.isdigit():
        return EPOCH + int(value) * MICROSECOND
    day = datetime.date.fromisoformat(value)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def search_url(saved):
    from ..sending import absolute_url

    # The search page's address is a public contract (docs/contracts.md).
    return absolute_url("/search/?" + saved.query_string())


@builder(Delivery.Kind.SAVED_SEARCH)
def saved_search_alert(delivery, recipient):
    saved = SavedSearch.objects.filter(
        pk=event_ids(delivery)[1], user=recipient, frequency=Frequency.IMMEDIATE
    ).first()
    if saved is None:
        return None
    hits = new_results(saved, recipient, *window(delivery))
    if not hits:
        return None
    from ..sending import absolute_url

    hits = [
        {"title": hit.title, "url": absolute_url(hit.url), "date": _as_date(hit.date)}
        for hit in hits
    ]
    return Message(
        subject=_("New results for your saved search “%(name)s”") % {"name": saved.name},
        template="notifications/email/saved_search",
        context={"saved": saved, "hits": hits, "search_url": search_url(saved)},
        unsubscribe_scope=f"saved_search:{saved.pk}",
    )


@digest_section(gettext_lazy("Your saved searches"))
def saved_searches_section(recipient, subscription, since, until):
    from ..sending import absolute_url

    tier = str(audience_of(recipient))
    items = []
    seen = set()
    for saved in SavedSearch.objects.filter(user=recipient, frequency=Frequency.WEEKLY):
        for hit in new_results(saved, recipient, since, until):
            if hit.url in seen:
                continue
            seen.add(hit.url)
            # The search service returned it for this recipient's tier, so it is visible there.
            items.append(
                DigestItem(
                    title=hit.title,
                    url=absolute_url(hit.url),
                    audience=tier,
                    date=_as_date(hit.date),
                    summary=saved.name,
                )
            )
    return items
