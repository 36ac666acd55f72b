"""
The Elasticsearch backend (elasticsearch.dsl): one shared Document for every record kind, text
in per-language fields analysed by that language's analyzer, facets as terms aggregations,
highlighting with sentinels (escaped later, like every backend), the tier as a bool filter.
Indices are versioned behind an alias named with the environment prefix; a rebuild fills a new
index and swaps the alias.
"""

import re
import time

from elasticsearch import Elasticsearch, helpers
from elasticsearch.dsl import A, Date, Document, Float, Keyword, Object, Q, Search, Text

from search.backends.base import (
    FACET_NAMES,
    MARK_END,
    MARK_START,
    RawHit,
    RawResults,
    content_hash,
    plain_snippet,
    record_facets,
    record_year,
)

# Elasticsearch's built-in language analyzers by language code; others use "standard".
ANALYZERS = {
    "en": "english", "fr": "french", "de": "german", "es": "spanish", "it": "italian",
    "pt": "portuguese", "nl": "dutch", "ru": "russian", "el": "greek", "ro": "romanian",
    "tr": "turkish", "hu": "hungarian", "bg": "bulgarian", "sr": "serbian", "cs": "czech",
    "std": "standard",
}  # fmt: skip
PARTS = {"title": 3, "summary": 2, "body": 1}
FACET_FIELDS = {"kind": "kind", "year": "year", "type": "facet_type", "topic": "facet_topic",
                "country": "facet_country", "language": "facet_language"}  # fmt: skip
# Words joined by punctuation ("cross-border", "jane.doe@example.org", "3.5"): the standard
# tokenizer keeps some whole, the query parser and the database backend split them into their
# words, so their words are also indexed, in order, in the `joined` field that every text query
# searches (a phrase of them matches there too).
JOINED = re.compile(r"\w+(?:[^\w\s]+\w+)+")
JOINED_FIELD = "joined"
TIMEOUT = 1.5  # seconds: an unreachable cluster must leave time to fall back within 2 s


def _fields():
    fields = {
        "key": Keyword(),
        "source": Keyword(),
        "object_id": Keyword(),
        "kind": Keyword(),
        "title": Keyword(index=False),
        "title_prefix": Text(analyzer="simple"),
        "summary": Keyword(index=False, doc_values=False),
        "url": Keyword(index=False),
        "audiences": Keyword(),
        "language": Keyword(),
        "date": Date(),
        "year": Keyword(),
        "external_id": Keyword(),
        "content_hash": Keyword(index=False),
        "boost": Float(index=False),
        "facet_labels": Object(enabled=False),
        JOINED_FIELD: Text(analyzer="standard"),
    }
    for name in FACET_FIELDS.values():
        fields.setdefault(name, Keyword())
    for code, analyzer in ANALYZERS.items():
        for part in PARTS:
            fields[f"{part}_{code}"] = Text(analyzer=analyzer)
    return fields


RecordDocument = type("RecordDocument", (Document,), {**_fields(), "__module__": __name__})


def joined_words(*texts):
    """The words of every punctuation-joined token of `texts`, one token per line."""
    return "\n".join(
        " ".join(re.findall(r"\w+", token))
        for text in texts
        if text
        for token in JOINED.findall(text)
    )


def query_fields():
    """The fields a text query searches: every language's, plus the joined words."""
    return [*text_fields(), JOINED_FIELD]


def text_fields(parts=PARTS, boosted=True):
    return [
        f"{part}_{code}^{weight}" if boosted and weight != 1 else f"{part}_{code}"
        for part, weight in parts.items()
        for code in ANALYZERS
    ]


def prepare(record):
    """The document for one record: text goes to the fields of its language."""
    code = record.language if record.language in ANALYZERS else "std"
    facets = record_facets(record)
    doc = {
        "key": record.key,
        "source": record.source,
        "object_id": str(record.object_id),
        "kind": record.kind,
        "title": record.title,
        "title_prefix": record.title,
        "summary": record.summary,
        "url": record.url,
        "audiences": list(record.audiences),
        "language": record.language,
        "date": record.date.isoformat() if record.date else None,
        "year": record_year(record) or None,
        "external_id": record.external_id,
        "content_hash": content_hash(record),
        "facet_labels": record.facet_labels or {},
        f"title_{code}": record.title,
        f"summary_{code}": record.summary,
        f"body_{code}": "\n".join(part for part in (record.body, record.attachments) if part),
    }
    joined = joined_words(record.title, record.summary, record.body, record.attachments)
    if joined:
        doc[JOINED_FIELD] = joined
    for name, field in FACET_FIELDS.items():
        if name in facets:
            doc[field] = facets[name]
    return doc


def build_search(parsed, tier, filters, sort, offset, limit, index="records"):
    """The query for one search: everything the user may not see is filtered out inside it."""
    search = Search(index=index).extra(track_total_hits=True)
    search = search.filter("term", audiences=str(tier))
    for name, values in filters.items():
        search = search.filter("terms", **{FACET_FIELDS[name]: list(values)})
    terms = parsed.ranked_terms()
    if terms:
        search = search.query(
            Q("multi_match", query=" ".join(terms), fields=query_fields(), type="most_fields")
        )
    for phrase in parsed.phrases:
        search = search.filter(
            Q("multi_match", query=" ".join(phrase), type="phrase", fields=query_fields())
        )
    for excluded in parsed.excluded:
        search = search.exclude(
            Q("multi_match", query=" ".join(excluded), type="phrase", fields=query_fields())
        )
    if sort == "newest" or not terms:
        search = search.sort({"date": {"order": "desc", "missing": "_last"}}, "_score")
    for name in FACET_NAMES:
        search.aggs.bucket(name, A("terms", field=FACET_FIELDS[name], size=50))
    if terms:
        search = search.highlight_options(
            pre_tags=[MARK_START], post_tags=[MARK_END], fragment_size=160, number_of_fragments=2
        ).highlight(*text_fields({"summary": 1, "body": 1}, boosted=False))
    return search.source(
        ["key", "title", "url", "kind", "date", "external_id", "summary", "facet_labels"]
    )[offset : offset + limit]


def alias_swap_actions(alias, new_index, old_indices):
    """The atomic alias update that puts `new_index` behind `alias`."""
    actions = [{"remove": {"index": old, "alias": alias}} for old in sorted(old_indices)]
    actions.append({"add": {"index": new_index, "alias": alias}})
    return actions


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(self, url, prefix):
        self.url = url
        self.prefix = prefix
        self.alias = f"{prefix}-search-records"
        self.refresh = False  # the contract tests ask for immediate visibility
        self.client = Elasticsearch(
            url, request_timeout=TIMEOUT, max_retries=0, retry_on_timeout=False
        )

    # ------------------------------------------------------------ indices

    def new_index_name(self):
        return f"{self.alias}-v{time.strftime('%Y%m%d%H%M%S')}{int(time.time() * 1000) % 1000:03d}"

    def create_index(self, name):
        body = {"mappings": RecordDocument._doc_type.mapping.to_dict()}
        self.client.indices.create(index=name, **body)
        return name

    def ensure_index(self):
        if not self.client.indices.exists_alias(name=self.alias):
            name = self.create_index(self.new_index_name())
            self.client.indices.put_alias(index=name, name=self.alias)

    def drop_indices(self):
        self.client.indices.delete(index=f"{self.alias}-v*", ignore_unavailable=True)

    def begin_rebuild(self):
        return self.create_index(self.new_index_name())

    def bulk_add(self, records, defer_postings=False, target=None):
        actions = (
            {"_index": target or self.alias, "_id": r.key, "_source": prepare(r)} for r in records
        )
        helpers.bulk(self.client, actions, refresh=self.refresh)

    def finish_rebuild(self, target):
        self.client.indices.refresh(index=target)
        old = []
        if self.client.indices.exists_alias(name=self.alias):
            old = list(self.client.indices.get_alias(name=self.alias))
        self.client.indices.update_aliases(actions=alias_swap_actions(self.alias, target, old))
        for index in old:
            self.client.indices.delete(index=index, ignore_unavailable=True)

    def after_rebuild(self):
        return None

    # ------------------------------------------------------------ writing

    def replace(self, source_name, object_id, records):
        self.ensure_index()
        existing = (
            Search(using=self.client, index=self.alias)
            .filter("term", source=source_name)
            .filter("term", object_id=str(object_id))
            .source(False)
        )
        keys = {record.key for record in records}
        actions = [
            {"_op_type": "delete", "_index": self.alias, "_id": hit.meta.id}
            for hit in existing.params(size=1000).execute()
            if hit.meta.id not in keys
        ]
        actions += [
            {"_index": self.alias, "_id": record.key, "_source": prepare(record)}
            for record in records
        ]
        if actions:
            helpers.bulk(self.client, actions, refresh=self.refresh)

    def make_visible(self):
        """Make every write so far visible to searches (an index refresh): a replay does so
        before searches come back to the cluster."""
        self.client.indices.refresh(index=self.alias)

    # ------------------------------------------------------------ reading

    def search(self, parsed, tier, filters, sort, offset, limit):
        search = build_search(parsed, tier, filters, sort, offset, limit, index=self.alias)
        response = search.using(self.client).execute()
        hits = []
        labels = {}
        for hit in response.hits:
            fragments = []
            highlight = getattr(hit.meta, "highlight", None)
            if highlight:
                for values in highlight.to_dict().values():
                    fragments.extend(values)
            labels.update(
                {
                    (facet, value): label
                    for facet, mapping in (getattr(hit, "facet_labels", None) or {})
                    .to_dict()
                    .items()
                    for value, label in mapping.items()
                }
                if getattr(hit, "facet_labels", None)
                else {}
            )
            summary = getattr(hit, "summary", "") or ""
            hits.append(
                RawHit(
                    key=hit.key, title=hit.title, url=hit.url, kind=hit.kind,
                    snippet=" … ".join(fragments[:2]) or plain_snippet(summary),
                    date=_date(getattr(hit, "date", None)), score=hit.meta.score or 0.0,
                    external_id=getattr(hit, "external_id", "") or "",
                )
            )  # fmt: skip
        facets = {}
        for name in FACET_NAMES:
            buckets = getattr(response.aggregations, name).buckets
            facets[name] = [
                (str(b.key), labels.get((name, str(b.key)), ""), b.doc_count) for b in buckets
            ]
        return RawResults(hits=hits, total=response.hits.total.value, facets=facets)

    def suggest(self, prefix, tier, limit=8):
        search = (
            Search(using=self.client, index=self.alias)
            .filter("term", audiences=str(tier))
            .query("match_phrase_prefix", title_prefix=prefix)
            .source(["title"])[:limit]
        )
        return list(dict.fromkeys(hit.title for hit in search.execute()))

    def vocabulary_near(self, word, limit=3):
        # The database backend holds the same records; the service verifies any candidate here.
        from search.service import database_backend

        return database_backend().vocabulary_near(word, limit)

    def stored(self):
        for hit in helpers.scan(
            self.client,
            index=self.alias,
            query={"_source": ["key", "source", "object_id", "content_hash"]},
        ):
            source = hit["_source"]
            yield source["key"], source["source"], source["object_id"], source["content_hash"]

    def status(self):
        try:
            health = self.client.cluster.health(timeout="1s")
        except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
            return False, f"elasticsearch unreachable: {type(exc).__name__}"
        return health["status"] in ("green", "yellow"), f"elasticsearch ({health['status']})"


def _date(value):
    if not value:
        return None
    if hasattr(value, "date"):
        return value.date()
    import datetime

    return datetime.date.fromisoformat(str(value)[:10])
