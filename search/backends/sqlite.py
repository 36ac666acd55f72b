"""
The database backend on SQLite: an FTS5 table of the records' analysed terms (search.analysis:
stemmed in each record's language, folded; FTS5's own tokenizer only splits them), whose
`bm25()` ranks an OR of the query's terms. Its `tiers` column holds a token per tier that may see
the record, so FTS5 itself keeps what a tier may not see out of the matches, before ranking.
"""

# SQL here is composed from constants and placeholders only; every value is a parameter.
# ruff: noqa: S608

from django.db import connection

from portal.access import TIERS
from search.backends.database import EXPANSION_WEIGHT, DatabaseBackend, analyse_fields
from search.models import IndexedRecord, RecordFacet

# The FTS5 columns people's words are matched in.
FTS_TEXT_COLUMNS = "{title summary body attachments}"
# Column weights of bm25(): title, summary, body, attachments, tiers.
BM25 = "bm25(search_fts, 3.0, 2.0, 1.0, 1.0, 0.0)"


def fts_quote(terms):
    """A phrase for FTS5: terms are letters and digits only, so quoting is all it needs."""
    return '"' + " ".join(terms) + '"'


def fts_any(alternatives):
    """Any of these term sequences."""
    return "(" + " OR ".join(fts_quote(terms) for terms in alternatives) + ")"


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


def fts_match(ranked, query, tier=None):
    """The FTS5 expression: any of the `ranked` term sequences, AND each phrase, NOT each
    exclusion, in the text columns; with `tier`, only records that tier may see."""
    expression = fts_any(ranked)
    for alternatives in query.phrases:
        expression = f"({expression} AND {fts_any(alternatives)})"
    for alternatives in query.excluded:
        expression = f"({expression} NOT {fts_any(alternatives)})"
    expression = fts_text(expression)
    if tier is not None:
        expression = f'({expression}) AND tiers : "{fts_tier(tier)}"'
    return expression


INSERT_FTS = (
    "INSERT INTO search_fts (rowid, title, summary, body, attachments, tiers) "
    "VALUES (%s, %s, %s, %s, %s, %s)"
)


class Backend(DatabaseBackend):
    vendor = "sqlite"

    # ---------------------------------------------------------------- writing

    def begin_rebuild(self):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")
            cursor.execute("DELETE FROM search_recordfacet")
            cursor.execute("DELETE FROM search_indexedrecord")

    def finish_rebuild(self, target=None):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")

    def _store(self, rows, analysed, postings):
        created = IndexedRecord.objects.bulk_create(
            [IndexedRecord(**row) for row in rows], batch_size=1000
        )
        # bulk_create returns ids on SQLite 3.35+.
        with connection.cursor() as cursor:
            cursor.executemany(
                INSERT_FTS,
                [
                    (r.id, a.title, a.summary, a.body, a.attachments,
                     fts_tiers(r.audiences.split(",")))
                    for r, a in zip(created, analysed, strict=True)
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

    def _remove(self, cursor, ids):
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({marks})", chunk)

    def reanalyse(self):
        """The FTS5 rows again from the stored records (after the analysis changed)."""
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")
        for rows in self.stored_rows():
            values = []
            for record_id, title, summary, body, attachments, audiences, language in rows:
                a = analyse_fields(title, summary, body, attachments, language)
                values.append(
                    (record_id, a.title, a.summary, a.body, a.attachments,
                     fts_tiers(audiences.split(",")))
                )  # fmt: skip
            with connection.cursor() as cursor:
                cursor.executemany(INSERT_FTS, values)
        self.finish_rebuild()
        self.after_rebuild()

    # ---------------------------------------------------------------- reading

    facet_parts = (
        # `best` stays the outer loop (CROSS JOIN) and is joined on the record id alone, kind
        # and year read from the covering index: a condition on a second column (facet, year)
        # makes SQLite build a Bloom filter over the whole inner table first, which costs more
        # than the search. Empty years and other facets are dropped by the caller.
        "SELECT 'f', NULL, NULL, 'kind', r.kind, NULL, count(*) FROM best CROSS JOIN "
        "search_indexedrecord r INDEXED BY search_rec_cover WHERE r.id = best.id "
        "GROUP BY r.kind",
        "SELECT 'f', NULL, NULL, 'year', r.year, NULL, count(*) FROM best CROSS JOIN "
        "search_indexedrecord r INDEXED BY search_rec_cover WHERE r.id = best.id "
        "GROUP BY r.year",
        "SELECT 'f', NULL, NULL, f.facet, f.value, max(f.label), count(*) FROM best "
        "CROSS JOIN search_recordfacet f WHERE f.record_id = best.id "
        "GROUP BY f.facet, f.value",
    )
    vocabulary_sql = (
        "SELECT term FROM search_fts_vocab WHERE term >= %s AND term < %s "
        "AND length(term) BETWEEN 3 AND %s ORDER BY doc DESC, term LIMIT %s"
    )

    def vocabulary_params(self, letter):
        from search.backends.database import MAX_TERM, VOCABULARY_CAP

        return [letter, letter + "\U0010ffff", MAX_TERM, VOCABULARY_CAP]

    def _candidates(self, query, tier, where, params, sort):
        conditions = " AND ".join(where)
        if not query.terms and not query.expansions:
            sql = (
                f"SELECT r.id, r.date, 0.0 AS score FROM search_indexedrecord r WHERE {conditions}"
            )
            params = list(params)
            for alternatives in query.phrases:
                sql += " AND r.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"
                params.append(fts_text(fts_any(alternatives)))
            for alternatives in query.excluded:
                sql += " AND r.id NOT IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"
                params.append(fts_text(fts_any(alternatives)))
            return sql, params
        # The typed terms, and the thesaurus' terms in a second match whose score weighs less.
        parts = []
        if query.terms:
            parts.append((fts_match([(t,) for t in query.terms], query, tier), ""))
        if query.expansions:
            parts.append((fts_match(query.expansions, query, tier), f" * {EXPANSION_WEIGHT}"))
        if len(parts) == 1:
            match, factor = parts[0]
            if len(where) == 1 and sort != "newest":
                # The tier is in the match: FTS5 alone gives the candidates and their scores,
                # no record row is read for each of them.
                sql = (
                    f"SELECT search_fts.rowid AS id, NULL AS date, -{BM25}{factor} AS score "
                    "FROM search_fts WHERE search_fts MATCH %s"
                )
                return sql, [match]
            sql = (
                f"SELECT r.id, r.date, -{BM25}{factor} AS score FROM search_fts "
                "JOIN search_indexedrecord r ON r.id = search_fts.rowid "
                f"WHERE search_fts MATCH %s AND {conditions}"
            )
            return sql, [match, *params]
        matches = (
            "SELECT id, sum(score) AS score FROM ("
            + " UNION ALL ".join(
                f"SELECT rowid AS id, -{BM25}{factor} AS score FROM search_fts "
                "WHERE search_fts MATCH %s"
                for _, factor in parts
            )
            + ") GROUP BY id"
        )
        match_params = [match for match, _ in parts]
        if len(where) == 1 and sort != "newest":
            return f"SELECT id, NULL AS date, score FROM ({matches})", match_params
        sql = (
            f"SELECT r.id, r.date, hits.score FROM ({matches}) hits "
            f"JOIN search_indexedrecord r ON r.id = hits.id WHERE {conditions}"
        )
        return sql, [*match_params, *params]
