"""
The database backend: records in `IndexedRecord`, ranked by BM25, on whichever database Django
uses. This module holds what every engine shares: record handling (hashing, staging, facets,
translation groups), query analysis (search.analysis: the same terms on every engine), the
ranking frame (one sort gives the page, the total and the facets), snippets and "did you mean".
Each engine is one module of this package named after Django's vendor (`sqlite`,
`postgresql`) with a `Backend` class implementing the engine's storage and candidate search;
`for_connection()` picks it, so a third engine is one more file.

The user's tier is tested inside every statement, before ranking, counting and snippets.
"""

# SQL here is composed from constants and placeholders only; every value is a parameter.
# ruff: noqa: S608

import difflib
import importlib
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection, transaction

from portal.access import TIERS
from search import analysis
from search.backends.base import (
    BODY_LIMIT,
    ELLIPSIS,
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
from search.models import AUDIENCE_BITS, IndexedRecord, RecordFacet

K1 = 1.2
B = 0.75
# A term the thesaurus added weighs this much of a typed one.
EXPANSION_WEIGHT = 0.4
# The facet row that puts a record in a group of translations (one hit per group).
GROUP_FACET = "_group"
SNIPPET_TOKENS = 28
SNIPPET_LEAD = 6  # words shown before the first match
SNIPPET_SCAN = 5000  # characters of each text field scanned for a match
# The columns a record is written with (the rest are computed).
STAGE_COLUMNS = (
    "key", "source", "object_id", "kind", "title", "summary", "body", "attachments", "url",
    "audiences", "audience_bits", "language", "date", "year", "external_id", "facets",
    "facet_labels", "content_hash",
)  # fmt: skip
PROFILE_CACHE_KEY = "search:index-profile"
PROFILE_SECONDS = 600
FACET_DEPTH = 300
# "Did you mean": the terms of a letter kept (the most frequent), the longest term considered,
# the candidates scored per word, and how long a vocabulary stays cached (a write starts a new
# generation, so this only bounds memory).
VOCABULARY_CAP = 10_000
MAX_TERM = 40
WINDOW_CAP = 2_000
VOCABULARY_SECONDS = 60 * 60
GENERATION_KEY = "search:generation"
TIER_TOKENS = {"tiernone", *(f"tier{tier}" for tier in TIERS)}


def for_connection(conn=None):
    """The backend of the database `conn` (Django's default connection) uses: the `Backend` of
    the module named after its vendor."""
    vendor = (conn or connection).vendor
    try:
        module = importlib.import_module(f"search.backends.{vendor}")
    except ImportError:
        raise RuntimeError(f"The database search backend does not support {vendor}.") from None
    return module.Backend()


def reanalyse_stored(apps, schema_editor):
    """A migration's step after the analysis changed (search.analysis): every stored record of
    the migrated database analysed again from its stored text; nothing to do on an empty index
    or another engine."""
    conn = schema_editor.connection
    if conn.vendor not in ("sqlite", "postgresql"):
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM search_indexedrecord LIMIT 1")
        if cursor.fetchone() is None:
            return
    for_connection(conn).reanalyse()


def generation():
    """The database index's generation: a token that changes with every write to it."""
    token = cache.get(GENERATION_KEY)
    if token is None:
        token = uuid.uuid4().hex
        cache.add(GENERATION_KEY, token, None)
        token = cache.get(GENERATION_KEY, token)
    return token


def changed():
    """A new generation now (this transaction sees its writes) and again after the commit
    (others see them only then: a vocabulary read from the old state meanwhile is dropped)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, uuid.uuid4().hex, None))


def prefix_window(word, terms):
    """The terms that may be `word` with a typo from its second letter on: those starting with
    its first two letters (a typo further on), with its first and third (a letter inserted or
    swapped second), or having its first and third letters in those places (the second letter
    mistyped). The first WINDOW_CAP, in the vocabulary's order (most frequent first)."""
    first_two, first_third = word[:2], word[0] + word[2:3]
    window = []
    for term in terms:
        if term[:2] in (first_two, first_third) or term[0] + term[2:3] == first_third:
            window.append(term)
            if len(window) >= WINDOW_CAP:
                break
    return window


def close_terms(word, candidates, limit=3, cutoff=0.7):
    """The candidates most like `word` (difflib's ratio at least `cutoff`), best first; a
    candidate of 4 or more letters shorter than the word is also compared, as a stem, with
    the word's start. Each matcher holds the word's side, and the cheap upper bounds
    (real_quick_ratio, quick_ratio) skip most candidates before the full ratio."""
    size = len(word)
    whole = difflib.SequenceMatcher(None, "", word)
    heads = {}
    scored = []
    for candidate in candidates:
        length = len(candidate)
        if length > size + 3 or candidate == word:
            continue
        score = 0.0
        whole.set_seq1(candidate)
        if whole.real_quick_ratio() >= cutoff and whole.quick_ratio() >= cutoff:
            score = whole.ratio()
        if 4 <= length < size:
            head = heads.get(length)
            if head is None:
                head = heads[length] = difflib.SequenceMatcher(None, "", word[: length + 1])
            head.set_seq1(candidate)
            bound = 0.95 * head.quick_ratio()
            if bound >= cutoff and bound > score:
                score = max(score, 0.95 * head.ratio())
        if score >= cutoff:
            scored.append((-score, candidate))
    return [candidate for _, candidate in sorted(scored)[:limit]]


def _text(value):
    return (value or "").replace("\x00", "")


@dataclass
class AnalysedRecord:
    """A record's text fields as index terms, analysed in the record's language."""

    title: str
    summary: str
    body: str
    attachments: str


def analyse_fields(title, summary, body, attachments, language):
    each = analysis.analyser(language)
    return AnalysedRecord(
        title=each.analyse(title),
        summary=each.analyse(summary),
        body=each.analyse(body),
        attachments=each.analyse(attachments),
    )


@dataclass
class AnalysedQuery:
    """A parsed query as index terms, for every analyser the index uses.

    `terms`: the typed words' terms (OR); `phrases` and `excluded`: per phrase, its term
    sequences (one per analyser, any of which matches); `expansions`: the thesaurus' terms, each
    a term sequence, weighing EXPANSION_WEIGHT; `marks`: every term a snippet highlights."""

    terms: list = field(default_factory=list)
    phrases: list = field(default_factory=list)
    excluded: list = field(default_factory=list)
    expansions: list = field(default_factory=list)
    marks: set = field(default_factory=set)
    empty: bool = True


def analyse_query(parsed, languages):
    analysers = analysis.analysers_for(languages)
    query = AnalysedQuery(empty=parsed.is_empty)
    for word in parsed.ranked_terms():
        for term in analysis.forms(word, analysers):
            if term not in query.terms:
                query.terms.append(term)
    for phrase in parsed.phrases:
        alternatives = analysis.phrase_forms(phrase, analysers)
        if alternatives:
            query.phrases.append(alternatives)
    for excluded in parsed.excluded:
        alternatives = analysis.phrase_forms(excluded, analysers)
        if alternatives:
            query.excluded.append(alternatives)
    for language, text in getattr(parsed, "expansions", None) or []:
        terms = tuple(analysis.analyser(language).terms(text))
        if not terms or terms in query.expansions:
            continue
        if any(term in query.terms for term in terms):
            # Every record holding it holds a word of the query too, which finds it already:
            # checking such a phrase ("referral of victims" for "referral") in each record
            # whose text has both common words costs far more than the little it adds.
            continue
        query.expansions.append(terms)
    query.expansions = query.expansions[:64]
    marks = set(query.terms)
    for word in parsed.ranked_terms(drop_stop_words=False):
        marks.update(analysis.forms(word, analysers))
    for alternatives in query.phrases:
        for terms in alternatives:
            marks.update(terms)
    for terms in query.expansions:
        # Short words of an expansion ("of", "a", "i") would mark every passage.
        marks.update(term for term in terms if len(term) > 2)
    query.marks = marks
    return query


def snippet(texts, analyser, marks):
    """A passage of `texts` (tried in order) around the first word whose term is in `marks`,
    each such word between MARK_START and MARK_END; "" when none matches."""
    for text in texts:
        text = " ".join((text or "")[:SNIPPET_SCAN].split())
        if not text:
            continue
        found = list(analysis.TOKEN.finditer(text))
        matched = [analyser.term(m.group().lower()) in marks for m in found]
        if True not in matched:
            continue
        first = matched.index(True)
        start = max(0, first - SNIPPET_LEAD)
        end = min(len(found), start + SNIPPET_TOKENS)
        begin = found[start].start() if start else 0
        finish = found[end - 1].end() if end < len(found) else len(text)
        parts, position = [], begin
        for index in range(start, end):
            if not matched[index]:
                continue
            token = found[index]
            parts.append(text[position : token.start()])
            parts.append(MARK_START + token.group() + MARK_END)
            position = token.end()
        parts.append(text[position:finish])
        passage = "".join(parts)
        if begin > 0:
            passage = ELLIPSIS + " " + passage.lstrip()
        if finish < len(text):
            passage = passage.rstrip() + " " + ELLIPSIS
        return passage
    return ""


class DatabaseBackend:
    """What every engine shares. An engine subclass sets `vendor` and implements the hooks
    marked "engine" below."""

    vendor = ""

    def __init__(self):
        self.name = self.vendor

    # ---------------------------------------------------------------- engine hooks

    def lock_object(self, cursor, source_name, object_id):
        """engine: serialise concurrent rewrites of one object's records (optional)."""

    def begin_rebuild(self):  # engine
        raise NotImplementedError

    def finish_rebuild(self, target=None):  # engine
        raise NotImplementedError

    def after_rebuild(self):
        cache.delete(PROFILE_CACHE_KEY)
        changed()

    def reanalyse(self):  # engine: rewrite the full-text structures from the stored rows
        raise NotImplementedError

    def _store(self, rows, analysed, postings):  # engine: write rows, return their ids
        raise NotImplementedError

    def _remove(self, cursor, ids):  # engine: remove the full-text parts of these records
        raise NotImplementedError

    def _candidates(self, query, tier, where, params, sort):  # engine: (sql, params)
        raise NotImplementedError

    facet_parts = ()  # engine: the facet-count selects over `best`
    vocabulary_sql = ""  # engine: indexed terms of a letter, most frequent first

    # ---------------------------------------------------------------- writing

    def replace(self, source_name, object_id, records):
        """Make `records` the complete set for one object. Skips writing when nothing changed."""
        object_id = str(object_id)
        hashes = {record.key: content_hash(record) for record in records}
        with transaction.atomic():
            with connection.cursor() as cursor:
                self.lock_object(cursor, source_name, object_id)
            existing = dict(
                IndexedRecord.objects.filter(source=source_name, object_id=object_id).values_list(
                    "key", "content_hash"
                )
            )
            if existing == hashes:
                return False
            stale_keys = set(existing) | set(hashes)
            self._delete(
                IndexedRecord.objects.filter(key__in=stale_keys).values_list("id", flat=True)
            )
            self._insert(records, hashes)
        changed()
        return True

    def bulk_add(self, records, defer_postings=False, target=None):
        """Insert many new records (after begin_rebuild()). With `defer_postings`, engines that
        keep postings build them in `finish_rebuild()`, all with the final average length."""
        records = list(records)
        if not records:
            return []
        hashes = {record.key: content_hash(record) for record in records}
        with transaction.atomic():
            ids = self._insert(records, hashes, postings=not defer_postings)
        changed()
        return ids

    def _fields(self, record, digest):
        """The stored columns of one record, in STAGE_COLUMNS order. NUL characters (which
        extracted text can carry) are dropped: PostgreSQL text cannot hold them."""
        body = _text(record.body)[:BODY_LIMIT]
        facets = record_facets(record)
        group = getattr(record, "group", "")
        if group:
            facets[GROUP_FACET] = [str(group)[:200]]
        return (
            record.key,
            record.source,
            str(record.object_id),
            record.kind,
            _text(record.title),
            _text(record.summary),
            body,
            _text(record.attachments)[: max(0, BODY_LIMIT - len(body))],
            record.url,
            ",".join(record.audiences),
            _audience_bits(record.audiences),
            record.language or "",
            record.date,
            record_year(record),
            record.external_id or "",
            facets,
            getattr(record, "facet_labels", {}) or {},
            digest,
        )

    def _insert(self, records, hashes, postings=True):
        rows = [
            dict(zip(STAGE_COLUMNS, self._fields(record, hashes[record.key]), strict=True))
            for record in records
        ]
        analysed = [
            analyse_fields(r["title"], r["summary"], r["body"], r["attachments"], r["language"])
            for r in rows
        ]
        ids = self._store(rows, analysed, postings)
        cache.delete(PROFILE_CACHE_KEY)  # a record may bring a new language or group
        return ids

    def _delete(self, ids):
        ids = list(ids)
        if not ids:
            return
        with connection.cursor() as cursor:
            self._remove(cursor, ids)
        RecordFacet.objects.filter(record_id__in=ids).delete()
        IndexedRecord.objects.filter(id__in=ids).delete()

    # ---------------------------------------------------------------- reading

    def profile(self):
        """(languages of the indexed records, whether any record is in a translation group),
        cached briefly and dropped when a record brings a new language or group: a query is
        analysed for those languages only, so no other language's stemmer turns a query word
        into an unrelated indexed term."""
        found = cache.get(PROFILE_CACHE_KEY)
        if found is None:
            with connection.cursor() as cursor:
                # The distinct languages by skipping through the language index.
                cursor.execute(
                    "WITH RECURSIVE l AS (SELECT min(language) AS v FROM search_indexedrecord "
                    "UNION ALL SELECT (SELECT min(language) FROM search_indexedrecord "
                    "WHERE language > l.v) FROM l WHERE l.v IS NOT NULL) "
                    "SELECT v FROM l WHERE v IS NOT NULL UNION ALL "
                    "SELECT * FROM (SELECT %s FROM search_recordfacet WHERE facet = %s LIMIT 1) g",
                    [GROUP_FACET, GROUP_FACET],
                )
                values = [row[0] for row in cursor.fetchall()]
            found = (sorted(v for v in values if v != GROUP_FACET), GROUP_FACET in values)
            cache.set(PROFILE_CACHE_KEY, found, PROFILE_SECONDS)
        return found

    def analyse_query(self, parsed):
        languages, _ = self.profile()
        return analyse_query(parsed, languages)

    def search(self, parsed, tier, filters, sort, offset, limit):
        bit = AUDIENCE_BITS[str(tier)]
        query = self.analyse_query(parsed)
        _, grouped = self.profile()
        params = []
        where = ["(r.audience_bits & %s) <> 0"]
        params.append(bit)
        for name in FACET_NAMES:
            values = filters.get(name) or []
            if not values:
                continue
            marks = ",".join(["%s"] * len(values))
            if name in ("kind", "year"):
                where.append(f"r.{name} IN ({marks})")
            else:
                where.append(
                    "EXISTS (SELECT 1 FROM search_recordfacet f WHERE f.record_id = r.id "
                    f"AND f.facet = %s AND f.value IN ({marks}))"
                )
                params.append(name)
            params.extend(values)
        cand_sql, cand_params = self._candidates(query, tier, where, params, sort)
        if query.empty or sort == "newest":
            order = "date DESC NULLS LAST, score DESC, id DESC"
        else:
            order = "score DESC, id"
        if grouped:
            # One hit per translation group: its best-ranked record.
            prefix = f"WITH cand AS MATERIALIZED ({cand_sql}), "
            source = (
                "(SELECT c.id, c.date, c.score FROM cand c LEFT JOIN search_recordfacet g "
                f"ON g.record_id = c.id AND g.facet = '{GROUP_FACET}' WHERE g.record_id IS NULL "
                "UNION ALL SELECT id, date, score FROM (SELECT c.id, c.date, c.score, "
                "row_number() OVER (PARTITION BY g.value ORDER BY c.score DESC, c.id) AS n "
                f"FROM cand c JOIN search_recordfacet g ON g.record_id = c.id "
                f"AND g.facet = '{GROUP_FACET}') x WHERE n = 1)"
            )
        else:
            prefix, source = "WITH ", f"({cand_sql})"
        # One sort of the matches gives the page, the total (counted by the same pass) and the
        # best FACET_DEPTH matches, over which facets are counted: all of them on a
        # portal-sized index, and a bounded amount of work for a long natural-language query
        # over a large one.
        sql = (
            f"{prefix}ranked AS MATERIALIZED (SELECT id, score, date, count(*) OVER () AS total "
            f"FROM {source} m ORDER BY {order} LIMIT %s), "
            f"ordered AS MATERIALIZED (SELECT id, score, total, "
            f"row_number() OVER (ORDER BY {order}) AS n FROM ranked), "
            f"best AS (SELECT id FROM ordered WHERE n <= {FACET_DEPTH}), "
            "page AS (SELECT id, score, n FROM ordered WHERE n > %s AND n <= %s) "
            "SELECT 'h', id, score, NULL, NULL, NULL, n FROM page "
            "UNION ALL SELECT 't', NULL, NULL, NULL, NULL, NULL, max(total) FROM ordered "
            "UNION ALL " + " UNION ALL ".join(self.facet_parts)
        )
        with connection.cursor() as cursor:
            depth = max(FACET_DEPTH, offset + limit)
            cursor.execute(sql, [*cand_params, depth, offset, offset + limit])
            rows = cursor.fetchall()
        page, total, facets = [], 0, {}
        for kind, record_id, score, facet, value, label, count in rows:
            if kind == "h":
                page.append((count, record_id, score or 0.0))
            elif kind == "t":
                total = count or 0
            elif facet in FACET_NAMES and value:  # records carry others (a person's role)
                facets.setdefault(facet, []).append((value, label or "", count))
        page.sort()
        hits = self._hits(page, query, bit, grouped)
        return RawResults(hits=hits, total=total, facets=facets)

    def _hits(self, page, query, bit, grouped):
        if not page:
            return []
        ids = [record_id for _, record_id, _ in page]
        scores = {record_id: score for _, record_id, score in page}
        marks = ",".join(["%s"] * len(ids))
        group = (
            f"(SELECT g.value FROM search_recordfacet g WHERE g.record_id = r.id "
            f"AND g.facet = '{GROUP_FACET}')"
            if grouped
            else "''"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.id, r.key, r.title, r.url, r.kind, r.date, r.external_id, r.language, "
                f"substr(r.summary, 1, {SNIPPET_SCAN}), substr(r.body, 1, {SNIPPET_SCAN}), "
                f"substr(r.attachments, 1, {SNIPPET_SCAN}), {group} "
                f"FROM search_indexedrecord r WHERE r.id IN ({marks})",
                ids,
            )
            by_id = {row[0]: row for row in cursor.fetchall()}
            translations = self._translations(cursor, by_id, bit) if grouped else {}
        hits = []
        for record_id in ids:
            row = by_id.get(record_id)
            if row is None:
                continue
            _, key, title, url, kind, date, external_id, language, summary, body, attached, g = row
            marked = ""
            if not query.empty:
                texts = (summary, body, attached)
                marked = snippet(texts, analysis.analyser(language), query.marks)
            if not marked:
                lead = summary or (body or "")[:300]
                marked = plain_snippet(lead) if lead else ""
            hits.append(
                RawHit(
                    key=key, title=title, url=url, kind=kind, snippet=marked, date=date,
                    score=float(scores[record_id]), external_id=external_id,
                    language=language, translations=translations.get(g, {}).get(record_id, []),
                )
            )  # fmt: skip
        return hits

    def _translations(self, cursor, by_id, bit):
        """{group: {record id: [other records of its group this tier may see, as dicts]}}."""
        groups = {row[11] for row in by_id.values() if row[11]}
        if not groups:
            return {}
        marks = ",".join(["%s"] * len(groups))
        cursor.execute(
            "SELECT g.value, r.id, r.title, r.url, r.language FROM search_recordfacet g "
            "JOIN search_indexedrecord r ON r.id = g.record_id "
            f"WHERE g.facet = %s AND g.value IN ({marks}) AND (r.audience_bits & %s) <> 0 "
            "ORDER BY r.language, r.title, r.id",
            [GROUP_FACET, *sorted(groups), bit],
        )
        members = {}
        for value, record_id, title, url, language in cursor.fetchall():
            members.setdefault(value, []).append(
                {"id": record_id, "title": title, "url": url, "language": language}
            )
        found = {}
        for record_id, row in by_id.items():
            others = [
                {k: v for k, v in m.items() if k != "id"}
                for m in members.get(row[11], [])
                if m["id"] != record_id
            ]
            found.setdefault(row[11], {})[record_id] = others
        return found

    def suggest(self, prefix, tier, limit=8):
        """Titles visible to `tier` with a word starting with `prefix`."""
        bit = AUDIENCE_BITS[str(tier)]
        prefix = prefix.lower().replace("\\", "").replace("%", "").replace("_", "")[:100]
        if not prefix:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT title, date FROM search_indexedrecord r "
                "WHERE (r.audience_bits & %s) <> 0 AND (lower(r.title) LIKE %s "
                "OR lower(r.title) LIKE %s) ORDER BY date DESC NULLS LAST, title LIMIT %s",
                [bit, f"{prefix}%", f"% {prefix}%", limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def vocabulary_near(self, word, limit=3):
        """Indexed terms close to `word`, best first; the service only offers one if searching
        it finds something the user may see. Indexed terms are stems, so a stem that matches
        the start of the word counts as close too. Bounded work whatever the index holds: the
        candidates are the most frequent terms of the word's first letter (VOCABULARY_CAP, read
        once per index generation, see `vocabulary`), within its prefix windows (a typo from
        the second letter on keeps one of them: see `prefix_window`), at most WINDOW_CAP of
        them, scored with difflib's cheap upper bounds before its full ratio."""
        word = analysis.fold(word.lower())
        if len(word) < 3:
            return []
        window = prefix_window(word, self.vocabulary(word[0]))
        return close_terms(word, window, limit)

    def vocabulary(self, letter):
        """The indexed terms starting with `letter` (3 to MAX_TERM characters, the most frequent
        VOCABULARY_CAP), cached under the index generation: no query while the index is
        unchanged, a fresh list after any write."""
        key = f"search:vocabulary:{self.vendor}:{generation()}:{ord(letter)}"
        terms = cache.get(key)
        if terms is None:
            with connection.cursor() as cursor:
                cursor.execute(self.vocabulary_sql, self.vocabulary_params(letter))
                terms = [row[0] for row in cursor.fetchall() if row[0] not in TIER_TOKENS]
            cache.set(key, terms, VOCABULARY_SECONDS)
        return terms

    def vocabulary_params(self, letter):
        return [letter, MAX_TERM, VOCABULARY_CAP]

    def stored(self):
        """(key, source, object_id, content_hash) of every stored record, streaming."""
        return IndexedRecord.objects.values_list(
            "key", "source", "object_id", "content_hash"
        ).iterator(chunk_size=5000)

    def count(self):
        return IndexedRecord.objects.count()

    def status(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM search_indexedrecord LIMIT 1")
        return True, f"database ({self.vendor})"

    def stored_rows(self, chunk=1000):
        """(id, title, summary, body, attachments, audiences, language) of every stored record,
        in id order, in chunks: what `reanalyse` reads (plain SQL: it runs from migrations)."""
        last = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, title, summary, body, attachments, audiences, language "
                    "FROM search_indexedrecord WHERE id > %s ORDER BY id LIMIT %s",
                    [last, chunk],
                )
                rows = cursor.fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]


def _audience_bits(audiences):
    from search.models import audience_bits

    return audience_bits(audiences)
