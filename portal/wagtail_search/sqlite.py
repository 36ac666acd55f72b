"""
Wagtail's SQLite search backend with results in order of relevance from one pass over the
full-text index.

Wagtail's SQLite backend (django-modelsearch) orders by relevance with a correlated subquery
that runs the FTS5 MATCH again for every matching row, to read that row's bm25() score. With
thousands of matches (the admin's search for "referral" over the bench's pages) that is
thousands of full-text queries for one listing. Here the matching index entries are ranked once
(bm25 is computed by the same MATCH that finds them, limited to the objects of the searched
queryset), the window asked for is cut from that ranking, and only the objects of that window
are fetched. The results, their order (score, then newest primary key first) and the
`annotate_score()` values are those of Wagtail's backend; counts and facets are Wagtail's own
queries, which never ran the per-row subquery.
"""

from django.db.models import IntegerField
from django.db.models.functions import Cast

from wagtail.search.backends.database.sqlite.query import MatchExpression, normalize
from wagtail.search.backends.database.sqlite.sqlite import (
    SQLiteAutocompleteQueryCompiler,
    SQLiteFTSIndexEntry,
    SQLiteSearchBackend,
    SQLiteSearchQueryCompiler,
    SQLiteSearchResults,
)
from wagtail.search.query import MatchAll, Not
from wagtail.search.utils import get_descendants_content_types_pks

# Objects of a ranked window are fetched in chunks of this many primary keys (a window without
# an end, e.g. `list(results)`, may hold every match; SQLite limits the parameters of a query).
FETCH_CHUNK = 500


class RankedQueryCompilerMixin:
    def ranked_window(self, config, start, stop):
        """[(pk, score)] of the matching objects from `start` to `stop` in order of relevance,
        or None where there is no ranking to do (match-all and negated queries)."""
        query = normalize(self.query)
        if isinstance(query, (MatchAll, Not)):
            return None
        match = MatchExpression(
            self.fields or self.FTS_TABLE_FIELDS, self.build_search_query(query, config=config)
        )
        rank = self._build_rank_expression(self.get_search_vectors(), config)
        pk_field = self.queryset.model._meta.pk
        while pk_field.is_relation:  # a child model's pk is its parent link
            pk_field = pk_field.target_field
        object_id = "index_entry__object_id"
        if isinstance(pk_field, IntegerField):
            # Index entries keep ids as text: compare and order them as the numbers they are.
            object_id = Cast(object_id, output_field=IntegerField())
        ranking = (
            SQLiteFTSIndexEntry.objects.filter(match)
            .filter(
                index_entry__content_type__in=get_descendants_content_types_pks(self.queryset.model)
            )
            .annotate(object_pk=object_id, score=rank)
            .filter(object_pk__in=self.queryset.values("pk"))
            .order_by("score", "-object_pk")
            .values_list("object_pk", "score")
        )
        return [(pk_field.to_python(pk), score) for pk, score in ranking[start:stop]]


class RankedSearchQueryCompiler(RankedQueryCompilerMixin, SQLiteSearchQueryCompiler):
    pass


class RankedAutocompleteQueryCompiler(RankedQueryCompilerMixin, SQLiteAutocompleteQueryCompiler):
    pass


class RankedSQLiteSearchResults(SQLiteSearchResults):
    def _do_search(self):
        compiler = self.query_compiler
        window = None
        if compiler.order_by_relevance:
            config = compiler.get_config(self.backend)
            window = compiler.ranked_window(config, self.start, self.stop)
        if window is None:
            return super()._do_search()
        objects = {}
        pks = [pk for pk, _score in window]
        for offset in range(0, len(pks), FETCH_CHUNK):
            chunk = compiler.queryset.filter(pk__in=pks[offset : offset + FETCH_CHUNK])
            objects.update((obj.pk, obj) for obj in chunk)
        results = []
        for pk, score in window:
            obj = objects.get(pk)
            if obj is None:  # deleted between the two queries
                continue
            if self._score_field:
                setattr(obj, self._score_field, score)
            results.append(obj)
        return results


class RankedSQLiteSearchBackend(SQLiteSearchBackend):
    query_compiler_class = RankedSearchQueryCompiler
    autocomplete_query_compiler_class = RankedAutocompleteQueryCompiler
    results_class = RankedSQLiteSearchResults
