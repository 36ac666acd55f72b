"""
The database backend: records in `IndexedRecord`, ranked by BM25 on both databases.

SQLite: an FTS5 table (porter tokenizer) whose `bm25()` ranks an OR of the query's words.
PostgreSQL: a weighted tsvector (title A, summary B, body and attachments C) with a GIN index for
phrases and exclusions, and a postings table of precomputed BM25 term-frequency parts; a query
reads the top postings of each of its lexemes (pruned, tier-filtered), multiplies by the IDF
from `Term.df` and sums. `ts_rank` has no IDF and ranks far below BM25 (see the benchmark).

The user's tier is tested inside every statement, before ranking, counting and snippets: a bit of
the record's audiences, and on SQLite also a token of its `tiers` column in the FTS5 match.
"""

# SQL here is composed from constants and placeholders only; every value is a parameter.
# ruff: noqa: S608

import difflib
import json
import uuid

from django.core.cache import cache
from django.db import connection, transaction

from portal.access import TIERS
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
from search.models import AUDIENCE_BITS, IndexedRecord, RecordFacet, audience_bits

K1 = 1.2
B = 0.75
# Postings read per query lexeme on PostgreSQL (highest impact first): bounds the work of
# frequent words as the collection grows.
PRUNE = 1500
# PostgreSQL text-search configurations by language code; others use 'simple'.
PG_CONFIGS = {
    "en": "english", "fr": "french", "de": "german", "es": "spanish", "it": "italian",
    "pt": "portuguese", "nl": "dutch", "ru": "russian", "el": "greek", "ro": "romanian",
    "sr": "serbian", "tr": "turkish", "hu": "hungarian", "sv": "swedish", "da": "danish",
    "fi": "finnish", "no": "norwegian", "nb": "norwegian", "lt": "lithuanian", "ar": "arabic",
    "ca": "catalan", "ga": "irish", "id": "indonesian", "hy": "armenian", "eu": "basque",
}  # fmt: skip
PG_CONFIG_CASE = (
    "(CASE r.language "
    + " ".join(f"WHEN '{code}' THEN '{config}'" for code, config in PG_CONFIGS.items())
    + " ELSE 'simple' END)::regconfig"
)
QUERY_CONFIGS = ["simple", *sorted(set(PG_CONFIGS.values()))]
# Weighted term frequency on PostgreSQL: a title occurrence counts three times, summary twice.
PG_TF = (
    "(cardinality(weights) + 2 * cardinality(array_positions(weights, 'A')) "
    "+ cardinality(array_positions(weights, 'B')))"
)
# Punctuation inside a token (hyphens, e-mail addresses, host names, decimals) gets a zero-width
# space after it before PostgreSQL parses the text, so its parser splits such tokens into their
# words exactly as the query parser and FTS5 do ("cross-border" is "cross" then "border", an
# address is found by its parts and as a phrase), and headlines still show the text as written
# (the zero-width spaces are removed from them).


def pg_split(expression):
    return f"regexp_replace({expression}, '([^\\w\\s])', '\\1' || chr(8203), 'g')"


BODY_TEXT = "r.body || ' ' || r.attachments"
SNIPPET_TOKENS = 28
# The columns a record is written with (the rest are computed).
STAGE_COLUMNS = (
    "key", "source", "object_id", "kind", "title", "summary", "body", "attachments", "url",
    "audiences", "audience_bits", "language", "date", "year", "external_id", "facets",
    "facet_labels", "content_hash",
)  # fmt: skip
# The records arrive as one JSON array parameter, read as rows by jsonb_to_recordset.
PG_RECORDS = (
    "jsonb_to_recordset(%s::jsonb) AS r(key text, source text, object_id text, kind text, "
    "title text, summary text, body text, attachments text, url text, audiences text, "
    "audience_bits smallint, language text, date date, year text, external_id text, "
    "facets jsonb, facet_labels jsonb, content_hash text)"
)
PG_INSERT = (
    f"INSERT INTO search_indexedrecord ({', '.join(STAGE_COLUMNS)}, indexed_at, config, tsv, "
    f"length) SELECT {', '.join('r.' + c for c in STAGE_COLUMNS)}, now(), v.config, v.tsv, "
    f"coalesce((SELECT sum({PG_TF}) FROM unnest(v.tsv)), 0) FROM {PG_RECORDS} "
    f"CROSS JOIN LATERAL (SELECT {PG_CONFIG_CASE} AS config) c CROSS JOIN LATERAL (SELECT "
    "c.config, "
    f"setweight(to_tsvector(c.config, {pg_split('r.title')}), 'A') || "
    f"setweight(to_tsvector(c.config, {pg_split('r.summary')}), 'B') || "
    f"setweight(to_tsvector(c.config, {pg_split(BODY_TEXT)}), 'C') AS tsv) v RETURNING id"
)
PG_INSERT_FACETS = (
    "INSERT INTO search_recordfacet (record_id, facet, value, label) "
    "SELECT r.id, f.key, v.value, left(coalesce(r.facet_labels -> f.key ->> v.value, ''), 200) "
    "FROM search_indexedrecord r, jsonb_each(r.facets) f, jsonb_array_elements_text(f.value) v "
    "WHERE r.id = ANY(%s) AND jsonb_typeof(f.value) = 'array'"
)
CONFIGS_CACHE_KEY = "search:pg-configs"
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


def fts_quote(words):
    """A phrase for FTS5: our tokens are \\w+ only, so quoting is all it needs."""
    return '"' + " ".join(words) + '"'


# The FTS5 columns people's words are matched in; the `tiers` column holds a token per tier
# that may see the record, so FTS5 itself keeps what a tier may not see out of the matches,
# before ranking.
FTS_TEXT_COLUMNS = "{title summary body attachments}"


def fts_tier(tier):
    return f"tier{tier}"


def fts_tiers(audiences):
    """The `tiers` column of a record: a token per tier in order, the tier's own where it may
    see the record and `tiernone` elsewhere, so that every row has as many tokens there and
    BM25's length normalisation does not depend on who may see a record."""
    audiences = {str(audience) for audience in audiences}
    return " ".join(fts_tier(tier) if str(tier) in audiences else "tiernone" for tier in TIERS)


def fts_text(expression):
    """`expression` matched in the text columns only, never in `tiers`."""
    return f"{FTS_TEXT_COLUMNS} : ({expression})"


class DatabaseBackend:
    def __init__(self):
        self.vendor = connection.vendor
        if self.vendor not in ("sqlite", "postgresql"):
            raise RuntimeError(f"The database search backend does not support {self.vendor}.")
        self.name = self.vendor

    # ---------------------------------------------------------------- writing

    def replace(self, source_name, object_id, records):
        """Make `records` the complete set for one object. Skips writing when nothing changed."""
        object_id = str(object_id)
        hashes = {record.key: content_hash(record) for record in records}
        with transaction.atomic():
            if self.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{source_name}:{object_id}"]
                    )
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

    def begin_rebuild(self):
        """Empty the tables for a rebuild (call inside the rebuild's transaction: DELETE keeps
        the old rows readable by others until it commits). On PostgreSQL other writers wait
        for the rebuild (SHARE locks, taken first so nobody deadlocks), readers do not; the
        postings are built in a new table that replaces the old one at the end."""
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "LOCK TABLE search_indexedrecord, search_recordfacet, search_posting, "
                    "search_term, search_indexstats IN SHARE MODE"
                )
                cursor.execute("DELETE FROM search_term")
                cursor.execute("DELETE FROM search_indexstats")
            else:
                cursor.execute("DELETE FROM search_fts")
            cursor.execute("DELETE FROM search_recordfacet")
            cursor.execute("DELETE FROM search_indexedrecord")

    def bulk_add(self, records, defer_postings=False, target=None):
        """Insert many new records (after begin_rebuild()). With `defer_postings`, PostgreSQL
        postings wait for `finish_rebuild()` so they all use the final average length."""
        records = list(records)
        if not records:
            return []
        hashes = {record.key: content_hash(record) for record in records}
        with transaction.atomic():
            ids = self._insert(records, hashes, postings=not defer_postings)
        changed()
        return ids

    def finish_rebuild(self, target=None):
        """PostgreSQL: every record's postings in one statement into a new table without
        indexes, its indexes built once over the full table (much cheaper than maintaining
        them row by row), the document frequencies from it, then the new table takes the old
        one's name and indexes' names: an alias-like swap inside the rebuild's transaction."""
        if self.vendor != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = 'search_posting' AND indexname <> 'search_posting_pkey'"
            )
            indexes = cursor.fetchall()
            cursor.execute("DROP TABLE IF EXISTS search_posting_next")
            cursor.execute(
                "CREATE TABLE search_posting_next (LIKE search_posting INCLUDING DEFAULTS "
                "INCLUDING IDENTITY INCLUDING CONSTRAINTS)"
            )
            avgdl = self._avgdl(cursor)
            cursor.execute(self._postings_sql("TRUE", table="search_posting_next"), [avgdl])
            cursor.execute(
                "ALTER TABLE search_posting_next ADD CONSTRAINT search_posting_next_pkey "
                "PRIMARY KEY (id)"
            )
            for name, definition in indexes:
                cursor.execute(
                    definition.replace(f"INDEX {name} ON", f"INDEX {name}_next ON", 1).replace(
                        ".search_posting ", ".search_posting_next ", 1
                    )
                )
            cursor.execute(
                "INSERT INTO search_term (term, df) "
                "SELECT term, count(*) FROM search_posting_next GROUP BY term"
            )
            cursor.execute("ANALYZE search_posting_next")
            cursor.execute("ANALYZE search_term")
            cursor.execute("ANALYZE search_indexedrecord")
            cursor.execute("SELECT pg_get_serial_sequence('search_posting_next', 'id')")
            (sequence,) = cursor.fetchone()
            # From here to the commit (moments) searches wait for the new table.
            cursor.execute("DROP TABLE search_posting")
            cursor.execute("ALTER TABLE search_posting_next RENAME TO search_posting")
            cursor.execute(
                "ALTER TABLE search_posting RENAME CONSTRAINT search_posting_next_pkey "
                "TO search_posting_pkey"
            )
            for name, _ in indexes:
                cursor.execute(f'ALTER INDEX "{name}_next" RENAME TO "{name}"')
            cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO search_posting_id_seq")

    def after_rebuild(self):
        """VACUUM so the covering indexes serve index-only scans (without it the planner reads
        every posting of a frequent word: 50 ms against 10 ms for a two-word query over the
        demo), ANALYZE so it knows the new sizes. VACUUM cannot run in a transaction: called
        inside one (seed_demo's), it waits for its commit."""
        cache.delete(CONFIGS_CACHE_KEY)
        changed()
        if self.vendor == "postgresql":
            transaction.on_commit(self._vacuum)

    def _vacuum(self):
        if connection.in_atomic_block:  # a test's transaction, which never commits
            return
        with connection.cursor() as cursor:
            for table in ("search_posting", "search_indexedrecord", "search_recordfacet"):
                cursor.execute(f"VACUUM ANALYZE {table}")

    def _avgdl(self, cursor):
        cursor.execute("SELECT doc_count, total_length FROM search_indexstats WHERE id = 1")
        row = cursor.fetchone()
        if not row or not row[0]:
            return 1.0
        return max(row[1] / row[0], 1.0)

    def _postings_sql(self, where, table="search_posting"):
        return (
            f"INSERT INTO {table} (term, record_id, impact, audience_bits) "
            f"SELECT left(u.lexeme, 255), r.id, "
            f"u.tf * {K1 + 1} / (u.tf + {K1} * ({1 - B} + {B} * r.length / %s)), r.audience_bits "
            f"FROM search_indexedrecord r, LATERAL (SELECT lexeme, {PG_TF} AS tf "
            f"FROM unnest(r.tsv)) u WHERE {where}"
        )

    def _fields(self, record, digest):
        """The stored columns of one record, in STAGE_COLUMNS order. NUL characters (which
        extracted text can carry) are dropped: PostgreSQL text cannot hold them."""
        body = _text(record.body)[:BODY_LIMIT]
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
            audience_bits(record.audiences),
            record.language or "",
            record.date,
            record_year(record),
            record.external_id or "",
            record_facets(record),
            getattr(record, "facet_labels", {}) or {},
            digest,
        )

    def _insert(self, records, hashes, postings=True):
        if self.vendor == "postgresql":
            return self._pg_insert(records, hashes, postings)
        rows = [
            IndexedRecord(
                **dict(zip(STAGE_COLUMNS, self._fields(record, hashes[record.key]), strict=True))
            )
            for record in records
        ]
        created = IndexedRecord.objects.bulk_create(rows, batch_size=1000)
        # bulk_create returns ids on SQLite 3.35+.
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_fts (rowid, title, summary, body, attachments, tiers) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (r.id, r.title, r.summary, r.body, r.attachments,
                     fts_tiers(r.audiences.split(",")))
                    for r in created
                ],
            )  # fmt: skip
        facets = []
        for row in created:
            labels = row.facet_labels or {}
            for name, values in row.facets.items():
                names = labels.get(name) or {}
                for value in values:
                    label = str(names.get(value, "")) if isinstance(names, dict) else ""
                    facets.append(
                        RecordFacet(record_id=row.id, facet=name, value=value, label=label[:200])
                    )
        RecordFacet.objects.bulk_create(facets, batch_size=2000)
        return [row.id for row in created]

    def _pg_insert(self, records, hashes, postings):
        """One INSERT ... SELECT over the records (one JSON parameter) writes each record once
        with its configuration, weighted tsvector and BM25 length computed by PostgreSQL;
        facets and postings are derived in SQL from the stored rows."""
        with connection.cursor() as cursor:
            rows = [
                dict(zip(STAGE_COLUMNS, self._fields(record, hashes[record.key]), strict=True))
                for record in records
            ]
            cursor.execute(PG_INSERT, [json.dumps(rows, default=str)])
            ids = [row[0] for row in cursor.fetchall()]
            cursor.execute(PG_INSERT_FACETS, [ids])
            cursor.execute(
                "INSERT INTO search_indexstats (id, doc_count, total_length) "
                "SELECT 1, count(*), coalesce(sum(length), 0) FROM search_indexedrecord "
                "WHERE id = ANY(%s) ON CONFLICT (id) DO UPDATE SET "
                "doc_count = search_indexstats.doc_count + EXCLUDED.doc_count, "
                "total_length = search_indexstats.total_length + EXCLUDED.total_length",
                [ids],
            )
            if postings:
                avgdl = self._avgdl(cursor)
                cursor.execute(self._postings_sql("r.id = ANY(%s)"), [avgdl, ids])
                cursor.execute(
                    "INSERT INTO search_term (term, df) SELECT term, count(*) FROM search_posting "
                    "WHERE record_id = ANY(%s) GROUP BY term ORDER BY term "
                    "ON CONFLICT (term) DO UPDATE SET df = search_term.df + EXCLUDED.df",
                    [ids],
                )
        cache.delete(CONFIGS_CACHE_KEY)  # a record may bring a new language
        return ids

    def _delete(self, ids):
        ids = list(ids)
        if not ids:
            return
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "UPDATE search_term t SET df = t.df - c.n FROM (SELECT term, count(*) AS n "
                    "FROM search_posting WHERE record_id = ANY(%s) GROUP BY term ORDER BY term) c "
                    "WHERE t.term = c.term",
                    [ids],
                )
                cursor.execute("DELETE FROM search_posting WHERE record_id = ANY(%s)", [ids])
                cursor.execute(
                    "UPDATE search_indexstats SET doc_count = greatest(doc_count - c.n, 0), "
                    "total_length = greatest(total_length - c.l, 0) FROM (SELECT count(*) AS n, "
                    "coalesce(sum(length), 0) AS l FROM search_indexedrecord WHERE id = ANY(%s)) c "
                    "WHERE search_indexstats.id = 1",
                    [ids],
                )
            else:
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    marks = ",".join(["%s"] * len(chunk))
                    cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({marks})", chunk)
        RecordFacet.objects.filter(record_id__in=ids).delete()
        IndexedRecord.objects.filter(id__in=ids).delete()

    # ---------------------------------------------------------------- reading

    def search(self, parsed, tier, filters, sort, offset, limit):
        bit = AUDIENCE_BITS[str(tier)]
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
        if self.vendor == "sqlite":
            cand_sql, cand_params = self._sqlite_candidates(parsed, tier, where, params, sort)
        else:
            cand_sql, cand_params = self._pg_candidates(parsed, where, params, sort)
        if sort == "newest" or parsed.is_empty:
            order = "date DESC NULLS LAST, score DESC, id DESC"
        else:
            order = "score DESC, id"
        if self.vendor == "postgresql":
            facet_parts = [
                "SELECT 'f', NULL, NULL, CASE WHEN r.kind IS NULL THEN 'year' ELSE 'kind' END, "
                "coalesce(r.kind, r.year), NULL, count(*) FROM (SELECT r.kind, r.year "
                "FROM best JOIN search_indexedrecord r ON r.id = best.id) r "
                "GROUP BY GROUPING SETS ((r.kind), (r.year)) HAVING coalesce(r.kind, r.year) <> ''",
                "SELECT 'f', NULL, NULL, f.facet, f.value, max(f.label), count(*) FROM best "
                "JOIN search_recordfacet f ON f.record_id = best.id WHERE f.facet IN "
                "('type', 'topic', 'country', 'language') GROUP BY f.facet, f.value",
            ]
        else:
            # SQLite: `best` stays the outer loop (CROSS JOIN) and is joined on the record id
            # alone, kind and year read from the covering index: a condition on a second column
            # (facet, year) makes SQLite build a Bloom filter over the whole inner table first,
            # which costs more than the search. Empty years and other facets are dropped below.
            facet_parts = [
                "SELECT 'f', NULL, NULL, 'kind', r.kind, NULL, count(*) FROM best CROSS JOIN "
                "search_indexedrecord r INDEXED BY search_rec_cover WHERE r.id = best.id "
                "GROUP BY r.kind",
                "SELECT 'f', NULL, NULL, 'year', r.year, NULL, count(*) FROM best CROSS JOIN "
                "search_indexedrecord r INDEXED BY search_rec_cover WHERE r.id = best.id "
                "GROUP BY r.year",
                "SELECT 'f', NULL, NULL, f.facet, f.value, max(f.label), count(*) FROM best "
                "CROSS JOIN search_recordfacet f WHERE f.record_id = best.id "
                "GROUP BY f.facet, f.value",
            ]
        # One sort of the matches gives the page, the total (counted by the same pass) and the
        # best FACET_DEPTH matches, over which facets are counted: all of them on a
        # portal-sized index, and a bounded amount of work for a long natural-language query
        # over a large one.
        sql = (
            f"WITH ranked AS MATERIALIZED (SELECT id, score, date, count(*) OVER () AS total "
            f"FROM ({cand_sql}) cand ORDER BY {order} LIMIT %s), "
            f"ordered AS MATERIALIZED (SELECT id, score, total, "
            f"row_number() OVER (ORDER BY {order}) AS n FROM ranked), "
            f"best AS (SELECT id FROM ordered WHERE n <= {FACET_DEPTH}), "
            "page AS (SELECT id, score, n FROM ordered WHERE n > %s AND n <= %s) "
            "SELECT 'h', id, score, NULL, NULL, NULL, n FROM page "
            "UNION ALL SELECT 't', NULL, NULL, NULL, NULL, NULL, max(total) FROM ordered "
            "UNION ALL " + " UNION ALL ".join(facet_parts)
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
        hits = self._hits(page, parsed)
        return RawResults(hits=hits, total=total, facets=facets)

    def _sqlite_match(self, parsed, tier=None):
        """The FTS5 expression: OR of the ranked words, AND each phrase, NOT each exclusion, in
        the text columns; with `tier`, only records that tier may see."""
        terms = parsed.ranked_terms()
        if not terms:
            return None
        expression = "(" + " OR ".join(fts_quote([t]) for t in terms) + ")"
        for phrase in parsed.phrases:
            expression = f"({expression} AND {fts_quote(phrase)})"
        for excluded in parsed.excluded:
            expression = f"({expression} NOT {fts_quote(excluded)})"
        expression = fts_text(expression)
        if tier is not None:
            expression = f'({expression}) AND tiers : "{fts_tier(tier)}"'
        return expression

    def _sqlite_candidates(self, parsed, tier, where, params, sort):
        match = self._sqlite_match(parsed, tier)
        conditions = " AND ".join(where)
        if match is None:
            sql = (
                f"SELECT r.id, r.date, 0.0 AS score FROM search_indexedrecord r WHERE {conditions}"
            )
            params = list(params)
            for excluded in parsed.excluded:
                sql += " AND r.id NOT IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"
                params.append(fts_text(fts_quote(excluded)))
            return sql, params
        score = "-bm25(search_fts, 3.0, 2.0, 1.0, 1.0, 0.0) AS score"
        if len(where) == 1 and sort != "newest":
            # The tier is in the match: FTS5 alone gives the candidates and their scores,
            # no record row is read for each of them.
            sql = (
                f"SELECT search_fts.rowid AS id, NULL AS date, {score} FROM search_fts "
                "WHERE search_fts MATCH %s"
            )
            return sql, [match]
        sql = (
            f"SELECT r.id, r.date, {score} FROM search_fts "
            "JOIN search_indexedrecord r ON r.id = search_fts.rowid "
            f"WHERE search_fts MATCH %s AND {conditions}"
        )
        return sql, [match, *params]

    def _pg_candidates(self, parsed, where, params, sort):
        conditions = list(where)
        extra = []
        for phrase in parsed.phrases:
            conditions.append(
                "(numnode(phraseto_tsquery(r.config, %s)) = 0 "
                "OR r.tsv @@ phraseto_tsquery(r.config, %s))"
            )
            extra.extend([" ".join(phrase)] * 2)
        for excluded in parsed.excluded:
            conditions.append("NOT coalesce(r.tsv @@ phraseto_tsquery(r.config, %s), false)")
            extra.append(" ".join(excluded))
        terms = parsed.ranked_terms()
        if not terms:
            sql = (
                "SELECT r.id, r.date, 0.0::float AS score FROM search_indexedrecord r "
                f"WHERE {' AND '.join(conditions)}"
            )
            return sql, [*params, *extra]
        text = " ".join(terms)
        configs = self._configs_in_use()
        vectors = ", ".join(f"to_tsvector('{config}', %s)" for config in configs)
        # Facet filters go into the per-lexeme scan too, so pruning keeps filtered matches.
        filtered = len(where) > 1
        scan_join = "JOIN search_indexedrecord r ON r.id = p.record_id " if filtered else ""
        scan_where = " AND ".join(where[1:]) if filtered else "TRUE"
        # The tier is checked on the postings; the record row is read only when a phrase, an
        # exclusion or the newest-first order needs it.
        needs_record = len(conditions) > 1 or sort == "newest"
        head = (
            "SELECT r.id, r.date, hits.score FROM ("
            if needs_record
            else ("SELECT hits.record_id AS id, NULL::date AS date, hits.score FROM (")
        )
        tail = (
            f"JOIN search_indexedrecord r ON r.id = hits.record_id WHERE {' AND '.join(conditions)}"
            if needs_record
            else ""
        )
        sql = (
            head + "SELECT p.record_id, sum(p.impact * terms.idf) AS score FROM ("
            "SELECT t.term, ln(1.0::float8 + (s.doc_count - t.df + 0.5::float8) "
            "/ (t.df + 0.5::float8)) AS idf "
            "FROM search_term t, search_indexstats s, "
            f"(SELECT DISTINCT u.lexeme FROM unnest(ARRAY[{vectors}]) v, unnest(v) u) q "
            # OFFSET 0 keeps this subquery whole, so each IDF is computed once per term,
            # not once per posting.
            "WHERE t.term = q.lexeme AND t.df > 0 AND s.id = 1 OFFSET 0) terms "
            "CROSS JOIN LATERAL (SELECT p.record_id, p.impact FROM search_posting p "
            f"{scan_join}WHERE p.term = terms.term AND (p.audience_bits & %s) <> 0 "
            f"AND {scan_where} ORDER BY p.impact DESC LIMIT {PRUNE}) p "
            "GROUP BY p.record_id) hits " + tail
        )
        scan_params = params[1:] if filtered else []
        record_params = [*params, *extra] if needs_record else []
        return sql, [*([text] * len(configs)), params[0], *scan_params, *record_params]

    def _configs_in_use(self):
        """The text-search configurations of the indexed records (cached briefly): a query's
        words are stemmed with each, and only those, so that no other language's stemmer
        turns a query word into an unrelated indexed lexeme."""
        configs = cache.get(CONFIGS_CACHE_KEY)
        if configs is None:
            with connection.cursor() as cursor:
                # The distinct languages by skipping through the language index.
                cursor.execute(
                    "WITH RECURSIVE l AS (SELECT min(language) AS v FROM search_indexedrecord "
                    "UNION ALL SELECT (SELECT min(language) FROM search_indexedrecord "
                    "WHERE language > l.v) FROM l WHERE l.v IS NOT NULL) "
                    "SELECT v FROM l WHERE v IS NOT NULL"
                )
                found = {PG_CONFIGS.get(row[0], "simple") for row in cursor.fetchall()}
            configs = sorted(found | {"simple"})
            cache.set(CONFIGS_CACHE_KEY, configs, 600)
        return configs

    def _hits(self, page, parsed):
        if not page:
            return []
        ids = [record_id for _, record_id, _ in page]
        scores = {record_id: score for _, record_id, score in page}
        marks = ",".join(["%s"] * len(ids))
        # Without a matching passage the snippet is the summary, or the body's opening words.
        fields = (
            "r.id, r.key, r.title, r.url, r.kind, r.date, r.external_id, "
            "CASE WHEN r.summary <> '' THEN r.summary ELSE substr(r.body, 1, 300) END"
        )
        snippets = {}
        with connection.cursor() as cursor:
            if self.vendor == "sqlite":
                match = None if parsed.is_empty else self._sqlite_match(parsed)
                if match:
                    # From the summary, body or attachments (the title is shown anyway).
                    parts = ", ".join(
                        f"snippet(search_fts, {column}, %s, %s, %s, {SNIPPET_TOKENS})"
                        for column in (1, 2, 3)
                    )
                    cursor.execute(
                        f"SELECT {fields}, {parts} FROM search_fts "
                        "JOIN search_indexedrecord r ON r.id = search_fts.rowid "
                        f"WHERE search_fts MATCH %s AND search_fts.rowid IN ({marks})",
                        [*[MARK_START, MARK_END, ELLIPSIS] * 3, match, *ids],
                    )
                    rows = []
                    for row in cursor.fetchall():
                        marked = [f for f in row[8:] if f and MARK_START in f]
                        snippets[row[0]] = marked[0] if marked else ""
                        rows.append(row[:8] + ("",))
                else:
                    cursor.execute(
                        f"SELECT {fields}, '' FROM search_indexedrecord r WHERE r.id IN ({marks})",
                        ids,
                    )
                    rows = cursor.fetchall()
            else:
                if parsed.is_empty:
                    headline, extra = "''", []
                else:
                    words = " ".join(parsed.ranked_terms(drop_stop_words=False))
                    text = pg_split(f"left(r.summary || ' ' || {BODY_TEXT}, 5000)")
                    headline = (
                        f"replace(ts_headline(r.config, {text}, "
                        "websearch_to_tsquery(r.config, %s), %s), chr(8203), '')"
                    )
                    options = (
                        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, "
                        f'MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "'
                    )
                    extra = [" OR ".join(words.split()), options]
                cursor.execute(
                    f"SELECT {fields}, {headline} FROM search_indexedrecord r "
                    f"WHERE r.id IN ({marks})",
                    [*extra, *ids],
                )
                rows = cursor.fetchall()
                snippets = {row[0]: row[8] for row in rows if row[8] and MARK_START in row[8]}
        by_id = {row[0]: row for row in rows}
        hits = []
        for record_id in ids:
            row = by_id.get(record_id)
            if row is None:
                continue
            _, key, title, url, kind, date, external_id, summary, _ = row
            snippet = snippets.get(record_id) or ""
            if MARK_START not in snippet:
                snippet = plain_snippet(summary) if summary else snippet
            hits.append(
                RawHit(
                    key=key, title=title, url=url, kind=kind, snippet=snippet, date=date,
                    score=float(scores[record_id]), external_id=external_id,
                )
            )  # fmt: skip
        return hits

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
        word = word.lower()
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
                if self.vendor == "sqlite":
                    cursor.execute(
                        "SELECT term FROM search_fts_vocab WHERE term >= %s AND term < %s "
                        "AND length(term) BETWEEN 3 AND %s ORDER BY doc DESC, term LIMIT %s",
                        [letter, letter + "\U0010ffff", MAX_TERM, VOCABULARY_CAP],
                    )
                else:
                    cursor.execute(
                        "SELECT term FROM search_term WHERE left(term, 1) = %s AND df > 0 "
                        "AND length(term) BETWEEN 3 AND %s ORDER BY df DESC, term LIMIT %s",
                        [letter, MAX_TERM, VOCABULARY_CAP],
                    )
                terms = [row[0] for row in cursor.fetchall() if row[0] not in TIER_TOKENS]
            cache.set(key, terms, VOCABULARY_SECONDS)
        return terms

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
