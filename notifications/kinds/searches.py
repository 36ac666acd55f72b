"""
Saved-search alerts. "New" means dated within the window since the previous check (by day), as the
search service reports results to the recipient at the time of sending: the service applies the
access policy, so a result the recipient may not see is never in their alert.
"""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.access import audience_of

from ..messages import Message, builder, event_ids
from ..models import Delivery, Frequency, SavedSearch
from .digest import DigestItem, digest_section

MAX_RESULTS = 100


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


def new_results(saved, recipient, start, end):
    """Results of `saved` that `recipient` may see, dated on or after `start` and before `end`."""
    from search.service import search

    try:
        results = search(
            saved.query, recipient, saved.filters, sort="newest", page=1, page_size=MAX_RESULTS
        )
    except ValueError:
        return []
    return [hit for hit in results.hits if (day := _as_date(hit.date)) and start <= day < end]


def alert_key(saved, start, end):
    return f"saved_search:{saved.pk}:{start.isoformat()}:{end.isoformat()}"


def search_url(saved):
    from ..sending import absolute_url

    # The search page's address is a public contract (CONTRACTS.md).
    return absolute_url("/search/?" + saved.query_string())


@builder(Delivery.Kind.SAVED_SEARCH)
def saved_search_alert(delivery, recipient):
    _kind, saved_id, start, end = event_ids(delivery)
    saved = SavedSearch.objects.filter(
        pk=saved_id, user=recipient, frequency=Frequency.IMMEDIATE
    ).first()
    if saved is None:
        return None
    hits = new_results(
        saved, recipient, datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    )
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
        for hit in new_results(saved, recipient, since.date(), until.date()):
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
