"""
The search service: the one entry point views, commands and other apps use. It parses the query,
asks the policy for the user's tier, and runs the query on the active backend (Elasticsearch when
configured and reachable, else the database backend), which filters by tier inside the query.
"""

import difflib
import logging
import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.access import audience_of
from search import registry
from search.backends.base import FACET_NAMES, MARK_END, MARK_START, render_snippet
from search.query import normalise, parse
from search.query import words as query_words

logger = logging.getLogger(__name__)

SORTS = ("relevance", "newest")
MAX_PAGE_SIZE = 100
MAX_PAGE = 1000
MAX_FILTER_VALUES = 20
KIND_LABELS = {
    "resource": _("Resource"),
    "indicator": _("Indicator"),
    "meeting": _("Meeting"),
    "person": _("Person"),
    "organisation": _("Organisation"),
    "institution": _("Institution"),
    "country": _("Country"),
    "page": _("Page"),
}
# After Elasticsearch fails, use the database backend for this long before trying again.
ES_RETRY_SECONDS = 30


@dataclass
class Hit:
    title: str
    url: str
    kind: str
    snippet: str  # HTML: escaped text with <mark> around matches
    date: object
    score: float
    external_id: str = ""
    # The record's stable key ("library.resource:12"), for callers that relate hits to objects.
    key: str = ""
    language: str = ""
    # The other editions of a translated resource the user may see: [{"title", "url",
    # "language", "language_name"}] (the hit is the best-ranked edition).
    translations: list = field(default_factory=list)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    page_size: int
    backend: str
    hits: list = field(default_factory=list)
    facets: dict = field(default_factory=dict)  # {facet: [FacetValue]}
    suggestion: str = ""  # "did you mean" when nothing matched

    @property
    def num_pages(self):
        return max(1, -(-self.total // self.page_size))

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.num_pages


# ------------------------------------------------------------------ backends

_database_backend = None
_elasticsearch_backend = None
_es_down_until = 0.0


def database_backend():
    global _database_backend
    from django.db import connection

    if _database_backend is None or _database_backend.vendor != connection.vendor:
        from search.backends.database import for_connection

        _database_backend = for_connection(connection)
    return _database_backend


def elasticsearch_backend():
    """The Elasticsearch backend when ELASTICSEARCH_URL is set, else None."""
    global _elasticsearch_backend
    url = getattr(settings, "ELASTICSEARCH_URL", "")
    if not url:
        return None
    prefix = settings.SEARCH_INDEX_PREFIX
    current = _elasticsearch_backend
    if current is None or (current.url, current.prefix) != (url, prefix):
        from search.backends.elasticsearch import ElasticsearchBackend

        _elasticsearch_backend = ElasticsearchBackend(url, prefix)
    return _elasticsearch_backend


def _es_available():
    return time.monotonic() >= _es_down_until


def _es_failed(exc):
    global _es_down_until
    _es_down_until = time.monotonic() + ES_RETRY_SECONDS
    logger.warning("Elasticsearch unavailable, using the database backend: %s", exc)


def _es_recovered():
    global _es_down_until
    _es_down_until = 0.0


def active_backend():
    """Elasticsearch when configured, answering, and holding every write; else the database
    backend, which every write reaches first. While writes wait for the cluster
    (search.pending), what it holds may be stale (a resource made members-only meanwhile):
    searches read the database until the replay has caught it up."""
    from search import pending

    es = elasticsearch_backend()
    if es is not None and _es_available() and not pending.exist(es.name):
        return es
    return database_backend()


def write_backends():
    """Every backend that stores records: the database always (it is the fallback), and
    Elasticsearch when configured."""
    backends = [database_backend()]
    es = elasticsearch_backend()
    if es is not None:
        backends.append(es)
    return backends


# ------------------------------------------------------------------ writing


def replace_records(source_name, object_id, records):
    """Store `records` as the complete set for one object (removing any others it had)."""
    records = list(records)
    database_backend().replace(source_name, object_id, records)
    _write_cluster(
        lambda es: es.replace(source_name, object_id, records), [(source_name, object_id)]
    )
    mark_index_changed()


def add_records(records):
    """Store new records (of objects the index does not hold yet) in bulk."""
    records = list(records)
    database_backend().bulk_add(records)
    _write_cluster(
        lambda es: es.bulk_add(records), [(record.source, record.object_id) for record in records]
    )
    mark_index_changed()


def mark_index_changed():
    """Cached search pages are dropped once the index has the change: after the caller's
    commit, the cluster's copy already visible (see `_write_cluster`)."""
    from portal.page_cache import index_changed

    index_changed()


def _write_cluster(write, objects):
    """Write to the cluster when one is configured; when it is down (or known to be), note the
    objects in search.pending, in the caller's transaction like the database copy, to be
    replayed. A write that succeeds while others wait schedules their replay. A write is made
    visible to searches before this returns: the search pages cached meanwhile are dropped
    next, and must not be rendered again from the cluster's previous state."""
    from search import pending

    es = elasticsearch_backend()
    if es is None or not objects:
        return
    if not _es_available():
        pending.record(es.name, objects)
        return
    try:
        write(es)
        if not es.refresh:
            es.make_visible()
    except Exception as exc:  # noqa: BLE001 - any cluster failure: the write waits in the database
        _es_failed(exc)
        pending.record(es.name, objects, error=exc)
        return
    if pending.exist(es.name):
        pending.schedule_replay()


def backend_status():
    """(ok, detail) for /healthz."""
    from search import pending

    es = elasticsearch_backend()
    if es is not None:
        ok, detail = es.status()
        if ok and pending.exist(es.name):
            return True, f"database until the cluster catches up; {detail}"
        if ok:
            return True, detail
        return True, f"database fallback; {detail}"
    try:
        return database_backend().status()
    except Exception as exc:  # noqa: BLE001 - health reports any failure
        return False, f"{type(exc).__name__}: {exc}"[:200]


# ------------------------------------------------------------------ reading


def clean_filters(filters):
    """Known facet names only, each a short list of non-empty strings."""
    cleaned = {}
    for name in FACET_NAMES:
        values = (filters or {}).get(name) or []
        if isinstance(values, str):
            values = [values]
        values = [str(value)[:200] for value in values if str(value).strip()]
        if values:
            cleaned[name] = list(dict.fromkeys(values))[:MAX_FILTER_VALUES]
    return cleaned


def _label(facet, value, stored, labels=None):
    """A facet value's label in the interface language: the apps' (see
    registry.register_facet_labels), else the one its record gave, else the value."""
    if facet == "kind":
        return str(KIND_LABELS.get(value, value.title()))
    if labels and labels.get(value):
        return str(labels[value])
    if facet == "language":
        if value in LANG_INFO and "name" in LANG_INFO[value]:
            return translation.get_language_info(value)["name_translated"]
        return stored or value
    return stored or value


def _run(backend, parsed, tier, filters, sort, offset, limit):
    if backend is not database_backend():
        try:
            return backend, backend.search(parsed, tier, filters, sort, offset, limit)
        except Exception as exc:  # noqa: BLE001 - any cluster failure falls back to the database
            _es_failed(exc)
            backend = database_backend()
    return backend, backend.search(parsed, tier, filters, sort, offset, limit)


def search(
    query, user, filters=None, sort="relevance", page=1, page_size=20, *, count_if_empty=False
):
    """Search what `user` may see. Raises ValueError for an unknown sort or a bad page.
    `count_if_empty`: a person typed this query (the search page, the API), so a first page
    without filters that finds nothing is counted for the secretariat; alerts and other
    callers searching on someone's behalf are not."""
    if sort not in SORTS:
        raise ValueError(f"Unknown sort {sort!r}; use one of {', '.join(SORTS)}.")
    page, page_size = int(page), int(page_size)
    if not 1 <= page <= MAX_PAGE:
        raise ValueError(f"page must be between 1 and {MAX_PAGE}.")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}.")
    from search import thesaurus

    parsed = thesaurus.expand(parse(query))
    tier = str(audience_of(user))
    filters = clean_filters(filters)
    backend, raw = _run(
        active_backend(), parsed, tier, filters, sort, (page - 1) * page_size, page_size
    )
    facets = {name: [] for name in FACET_NAMES}
    for name, values in raw.facets.items():
        if name not in facets:
            continue
        labels = registry.facet_labels(name, [value for value, _label_, _n in values])
        labelled = (
            FacetValue(value, _label(name, value, label, labels), n) for value, label, n in values
        )
        facets[name] = sorted(
            labelled,
            key=lambda f: (-int(f.value) if name == "year" and f.value.isdigit() else -f.count,
                           f.label.lower()),
        )  # fmt: skip
    results = SearchResults(
        query=parsed.text,
        total=raw.total,
        page=page,
        page_size=page_size,
        backend=backend.name,
        hits=[
            Hit(
                title=hit.title,
                url=hit.url,
                kind=hit.kind,
                snippet=render_snippet(hit.snippet),
                date=hit.date,
                score=round(hit.score, 4),
                external_id=hit.external_id,
                key=hit.key,
                language=getattr(hit, "language", ""),
                translations=[
                    {**edition, "language_name": _label("language", edition["language"], "")}
                    for edition in getattr(hit, "translations", None) or []
                ],
            )
            for hit in raw.hits
        ],
        facets=facets,
    )
    if raw.total == 0 and not parsed.is_empty and page == 1:
        results.suggestion = _did_you_mean(backend, parsed, tier)
        if count_if_empty and not filters:
            record_zero_result(parsed.text, tier, interface_language())
    return results


def _did_you_mean(backend, parsed, tier):
    """A query with one word replaced by a close indexed term, offered only when it finds
    something this user may see (so the vocabulary never reveals members-only words). Indexed
    terms are stems ("identif"): the word offered is the one as written in the best visible
    match (its highlighted words and title), the closest to what was typed."""
    for term in parsed.terms[:4]:
        for candidate in backend.vocabulary_near(term):
            words = [candidate if word == term else word for word in parsed.terms]
            found = backend.search(parse(" ".join(words)), tier, {}, "relevance", 0, 1)
            if found.total:
                written = _written_form(term, candidate, found.hits)
                return " ".join(written if word == term else word for word in parsed.terms)
            break
    return ""


def _written_form(typed, stem, hits):
    """The word of the hits' text that `stem` was indexed from, closest to `typed`."""
    seen = []
    for hit in hits:
        marked = re.findall(f"{MARK_START}(.*?){MARK_END}", hit.snippet or "", re.S)
        for text in (*marked, hit.title or "", hit.snippet or ""):
            seen.extend(word.lower() for word in query_words(text))
    best, best_score = stem, 0.0
    for word in dict.fromkeys(seen):
        if not word.startswith(stem[: max(1, min(len(stem), 3))]):
            continue
        score = difflib.SequenceMatcher(None, typed, word).ratio()
        if word.startswith(stem):
            score += 0.5
        if score > best_score:
            best, best_score = word, score
    return best


def suggest(prefix, user, limit=8):
    """Title completions for the search box, among records `user` may see."""
    prefix = " ".join(str(prefix or "").split())[:100]
    if len(prefix) < 2:
        return []
    tier = str(audience_of(user))
    backend = active_backend()
    if backend is not database_backend():
        try:
            return backend.suggest(prefix, tier, limit)
        except Exception as exc:  # noqa: BLE001
            _es_failed(exc)
    return database_backend().suggest(prefix, tier, limit)


def interface_language():
    """The code of the language the portal is being shown in, as LANGUAGES names it, or ""."""
    language = translation.get_language()
    if not language:
        return ""
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        return ""


def record_zero_result(text, tier, language="", day=None):
    """Count a query that found nothing, by day, the searcher's tier (as the policy gave it)
    and interface language; never who asked. Only a query that reads as a topic is counted
    (`gaps.recordable`: no email address, date, number but a year or the like, long text),
    and a tier adds at most `gaps.new_queries_per_day()` new rows a day, so a script cannot
    flood the list (concurrent searches may pass it by a few); one already counted that day
    goes on counting. One statement for a query counted before."""
    from search import gaps
    from search.models import ZeroResultQuery

    if not gaps.recordable(text):
        return
    key = {
        "query": normalise(text),
        "day": day or gaps.portal_day(),
        "tier": str(tier),
        "language": language,
    }
    updated = ZeroResultQuery.objects.filter(**key).update(count=F("count") + 1)
    if not updated:
        added = ZeroResultQuery.objects.filter(day=key["day"], tier=key["tier"]).count()
        if added >= gaps.new_queries_per_day():
            return
        try:
            with transaction.atomic():
                ZeroResultQuery.objects.create(**key, count=1)
        except IntegrityError:
            ZeroResultQuery.objects.filter(**key).update(count=F("count") + 1)
