"""
The database backend on PostgreSQL: a weighted tsvector (title A, summary B, body and
attachments C) of the records' analysed terms (search.analysis: stemmed in each record's
language and folded, so the 'simple' configuration only splits them) with a GIN index for
phrases and exclusions, and a postings table of precomputed BM25 term-frequency parts; a query
reads the top postings of each of its terms (pruned, tier-filtered), multiplies by the IDF from
`Term.df` and sums. `ts_rank` has no IDF and ranks far below BM25 (see the benchmark).
"""

# SQL here is composed from constants and placeholders only; every value is a parameter.
# ruff: noqa: S608

import json

from django.core.cache import cache
from django.db import connection, transaction

from search.backends.database import (
    EXPANSION_WEIGHT,
    K1,
    PROFILE_CACHE_KEY,
    STAGE_COLUMNS,
    B,
    DatabaseBackend,
    analyse_fields,
)

# Postings read per query term (highest impact first): bounds the work of frequent words as
# the collection grows.
PRUNE = 1500
# Weighted term frequency: a title occurrence counts three times, summary twice.
PG_TF = (
    "(cardinality(weights) + 2 * cardinality(array_positions(weights, 'A')) "
    "+ cardinality(array_positions(weights, 'B')))"
)
# The records arrive as one JSON array parameter, read as rows by jsonb_to_recordset, with
# their analysed text (title_a, summary_a, body_a: body and attachments).
PG_RECORDS = (
    "jsonb_to_recordset(%s::jsonb) AS r(key text, source text, object_id text, kind text, "
    "title text, summary text, body text, attachments text, url text, audiences text, "
    "audience_bits smallint, language text, date date, year text, external_id text, "
    "facets jsonb, facet_labels jsonb, content_hash text, title_a text, summary_a text, "
    "body_a text)"
)
PG_TSV = (
    "setweight(to_tsvector('simple', r.title_a), 'A') || "
    "setweight(to_tsvector('simple', r.summary_a), 'B') || "
    "setweight(to_tsvector('simple', r.body_a), 'C')"
)
PG_INSERT = (
    f"INSERT INTO search_indexedrecord ({', '.join(STAGE_COLUMNS)}, indexed_at, config, tsv, "
    f"length) SELECT {', '.join('r.' + c for c in STAGE_COLUMNS)}, now(), 'simple', v.tsv, "
    f"coalesce((SELECT sum({PG_TF}) FROM unnest(v.tsv)), 0) FROM {PG_RECORDS} "
    f"CROSS JOIN LATERAL (SELECT {PG_TSV} AS tsv) v RETURNING id"
)
PG_REANALYSE = (
    "UPDATE search_indexedrecord x SET config = 'simple', tsv = v.tsv, "
    f"length = coalesce((SELECT sum({PG_TF}) FROM unnest(v.tsv)), 0) "
    "FROM jsonb_to_recordset(%s::jsonb) AS r(id bigint, title_a text, summary_a text, "
    f"body_a text) CROSS JOIN LATERAL (SELECT {PG_TSV} AS tsv) v WHERE x.id = r.id"
)
PG_INSERT_FACETS = (
    "INSERT INTO search_recordfacet (record_id, facet, value, label) "
    "SELECT r.id, f.key, v.value, left(coalesce(r.facet_labels -> f.key ->> v.value, ''), 200) "
    "FROM search_indexedrecord r, jsonb_each(r.facets) f, jsonb_array_elements_text(f.value) v "
    "WHERE r.id = ANY(%s) AND jsonb_typeof(f.value) = 'array'"
)
# The IDF of the terms of a text (its analysed words, split as the tsvectors were).
TERMS_IDF = (
    "SELECT t.term, ln(1.0::float8 + (s.doc_count - t.df + 0.5::float8) "
    "/ (t.df + 0.5::float8)) AS idf "
    "FROM search_term t, search_indexstats s, "
    "(SELECT DISTINCT u.lexeme FROM unnest(to_tsvector('simple', %s)) u) q "
    "WHERE t.term = q.lexeme AND t.df > 0 AND s.id = 1"
)


def any_phrase(alternatives):
    """(SQL, params): a tsquery matching any of these term sequences."""
    sql = " || ".join(["phraseto_tsquery('simple', %s)"] * len(alternatives))
    return f"({sql})", [" ".join(terms) for terms in alternatives]


class Backend(DatabaseBackend):
    vendor = "postgresql"

    # ---------------------------------------------------------------- writing

    def lock_object(self, cursor, source_name, object_id):
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{source_name}:{object_id}"])

    def begin_rebuild(self):
        """Empty the tables for a rebuild (call inside the rebuild's transaction: DELETE keeps
        the old rows readable by others until it commits). Other writers wait for the rebuild
        (SHARE locks, taken first so nobody deadlocks), readers do not; the postings are built
        in a new table that replaces the old one at the end."""
        with connection.cursor() as cursor:
            cursor.execute(
                "LOCK TABLE search_indexedrecord, search_recordfacet, search_posting, "
                "search_term, search_indexstats IN SHARE MODE"
            )
            cursor.execute("DELETE FROM search_term")
            cursor.execute("DELETE FROM search_indexstats")
            cursor.execute("DELETE FROM search_recordfacet")
            cursor.execute("DELETE FROM search_indexedrecord")

    def finish_rebuild(self, target=None):
        """Every record's postings in one statement into a new table without indexes, its
        indexes built once over the full table (much cheaper than maintaining them row by
        row), the document frequencies from it, then the new table takes the old one's name
        and indexes' names: an alias-like swap inside the rebuild's transaction."""
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
        every posting of a frequent word from the table), ANALYZE so it knows the new sizes.
        VACUUM cannot run in a transaction: called inside one (seed_demo's), it waits for its
        commit."""
        super().after_rebuild()
        transaction.on_commit(self._vacuum)

    def _vacuum(self):
        if connection.in_atomic_block:  # a test's transaction, which never commits
            return
        with connection.cursor() as cursor:
            for table in ("search_posting", "search_indexedrecord", "search_recordfacet"):
                cursor.execute(f"VACUUM ANALYZE {table}")

    def reanalyse(self):
        """Every stored record's tsvector, length, postings and the document frequencies
        again (after the analysis changed)."""
        with transaction.atomic():
            for rows in self.stored_rows():
                values = []
                for record_id, title, summary, body, attachments, _, language in rows:
                    a = analyse_fields(title, summary, body, attachments, language)
                    values.append(
                        {"id": record_id, "title_a": a.title, "summary_a": a.summary,
                         "body_a": f"{a.body} {a.attachments}"}
                    )  # fmt: skip
                with connection.cursor() as cursor:
                    cursor.execute(PG_REANALYSE, [json.dumps(values)])
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM search_term")
                cursor.execute("DELETE FROM search_indexstats")
                cursor.execute(
                    "INSERT INTO search_indexstats (id, doc_count, total_length) "
                    "SELECT 1, count(*), coalesce(sum(length), 0) FROM search_indexedrecord"
                )
            self.finish_rebuild()
        cache.delete(PROFILE_CACHE_KEY)

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

    def _store(self, rows, analysed, postings):
        """One INSERT ... SELECT over the records (one JSON parameter) writes each record once
        with its weighted tsvector and BM25 length computed by PostgreSQL; facets and postings
        are derived in SQL from the stored rows."""
        staged = [
            {**row, "title_a": a.title, "summary_a": a.summary,
             "body_a": f"{a.body} {a.attachments}"}
            for row, a in zip(rows, analysed, strict=True)
        ]  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(PG_INSERT, [json.dumps(staged, default=str)])
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
        return ids

    def _remove(self, cursor, ids):
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

    # ---------------------------------------------------------------- reading

    facet_parts = (
        "SELECT 'f', NULL, NULL, CASE WHEN r.kind IS NULL THEN 'year' ELSE 'kind' END, "
        "coalesce(r.kind, r.year), NULL, count(*) FROM (SELECT r.kind, r.year "
        "FROM best JOIN search_indexedrecord r ON r.id = best.id) r "
        "GROUP BY GROUPING SETS ((r.kind), (r.year)) HAVING coalesce(r.kind, r.year) <> ''",
        "SELECT 'f', NULL, NULL, f.facet, f.value, max(f.label), count(*) FROM best "
        "JOIN search_recordfacet f ON f.record_id = best.id WHERE f.facet IN "
        "('type', 'topic', 'country', 'language') GROUP BY f.facet, f.value",
    )
    vocabulary_sql = (
        "SELECT term FROM search_term WHERE left(term, 1) = %s AND df > 0 "
        "AND length(term) BETWEEN 3 AND %s ORDER BY df DESC, term LIMIT %s"
    )

    def _candidates(self, query, tier, where, params, sort):
        conditions = list(where)
        extra = []
        for alternatives in query.phrases:
            sql, values = any_phrase(alternatives)
            conditions.append(f"r.tsv @@ {sql}")
            extra.extend(values)
        for alternatives in query.excluded:
            sql, values = any_phrase(alternatives)
            conditions.append(f"NOT coalesce(r.tsv @@ {sql}, false)")
            extra.extend(values)
        if not query.terms and not query.expansions:
            sql = (
                "SELECT r.id, r.date, 0.0::float AS score FROM search_indexedrecord r "
                f"WHERE {' AND '.join(conditions)}"
            )
            return sql, [*params, *extra]
        # Facet filters go into the per-term scan too, so pruning keeps filtered matches.
        filtered = len(where) > 1
        scan_join = "JOIN search_indexedrecord r ON r.id = p.record_id " if filtered else ""
        scan_where = " AND ".join(where[1:]) if filtered else "TRUE"
        parts, part_params = [], []
        if query.terms:
            parts.append(
                "SELECT p.record_id, sum(p.impact * terms.idf) AS score FROM ("
                # OFFSET 0 keeps this subquery whole, so each IDF is computed once per term,
                # not once per posting.
                f"{TERMS_IDF} OFFSET 0) terms "
                "CROSS JOIN LATERAL (SELECT p.record_id, p.impact FROM search_posting p "
                f"{scan_join}WHERE p.term = terms.term AND (p.audience_bits & %s) <> 0 "
                f"AND {scan_where} ORDER BY p.impact DESC LIMIT {PRUNE}) p "
                "GROUP BY p.record_id"
            )
            part_params += [" ".join(query.terms), params[0], *(params[1:] if filtered else [])]
        if query.expansions:
            # The thesaurus' terms: the records holding one of them (a phrase where it has
            # several words), scored as one term would be (the mean of its words' BM25
            # parts), weighed down.
            match, match_params = any_phrase(query.expansions)
            words = sorted({term for terms in query.expansions for term in terms})
            # Each term's candidates, pruned as a typed word's are (filters included): the
            # records where the rarest word of the term weighs most. Only these are checked
            # against the terms' text: a phrase needs its record's tsvector, and checking every
            # record that holds two common words ("referral of victims") reads most of the index.
            anchors = [(word, n) for n, terms in enumerate(query.expansions) for word in terms]
            parts.append(
                f"SELECT p.record_id, {EXPANSION_WEIGHT} * avg(p.impact * e.idf) AS score FROM ("
                "SELECT DISTINCT c.record_id AS id FROM ("
                "SELECT DISTINCT ON (x.n) x.w FROM unnest(%s::text[], %s::int[]) AS x(w, n) "
                "JOIN search_term t ON t.term = x.w ORDER BY x.n, t.df) anchor "
                "CROSS JOIN LATERAL (SELECT p.record_id FROM search_posting p "
                f"{scan_join}WHERE p.term = anchor.w AND (p.audience_bits & %s) <> 0 "
                f"AND {scan_where} ORDER BY p.impact DESC LIMIT {PRUNE}) c "
                "JOIN search_indexedrecord r ON r.id = c.record_id "
                f"WHERE r.tsv @@ {match} AND {' AND '.join(where)} OFFSET 0) m "
                "JOIN search_posting p ON p.record_id = m.id "
                f"JOIN ({TERMS_IDF}) e ON e.term = p.term GROUP BY p.record_id"
            )
            part_params += [
                [word for word, _ in anchors],
                [n for _, n in anchors],
                params[0],
                *(params[1:] if filtered else []),
                *match_params,
                *params,
                " ".join(words),
            ]
        if len(parts) == 1:
            hits = parts[0]
        else:
            hits = (
                "SELECT record_id, sum(score) AS score FROM ("
                + " UNION ALL ".join(parts)
                + ") u GROUP BY record_id"
            )
        # The tier is checked on the postings; the record row is read only when a phrase, an
        # exclusion or the newest-first order needs it.
        needs_record = len(conditions) > 1 or sort == "newest"
        if needs_record:
            sql = (
                f"SELECT r.id, r.date, hits.score FROM ({hits}) hits "
                "JOIN search_indexedrecord r ON r.id = hits.record_id "
                f"WHERE {' AND '.join(conditions)}"
            )
            return sql, [*part_params, *params, *extra]
        sql = f"SELECT hits.record_id AS id, NULL::date AS date, hits.score FROM ({hits}) hits"
        return sql, part_params
