"""The benchmark's scoring and corpus helpers (the benchmark itself runs with `make bench`)."""

import math

from benchmarks.measure import percentile
from benchmarks.ranking import average_precision, ndcg
from benchmarks.search import load_collection, scaled_records


def test_average_precision_over_the_top_100():
    assert average_precision(["a", "x", "b"], {"a", "b"}) == (1 / 1 + 2 / 3) / 2
    assert average_precision(["x"], {"a"}) == 0.0


def test_ndcg_at_10():
    assert ndcg(["a", "b"], {"a", "b"}) == 1.0
    assert math.isclose(ndcg(["x", "a"], {"a"}), 1 / math.log2(3))


def test_percentile():
    assert percentile(list(range(1, 101)), 0.95) == 95


def test_collection_loader_reads_trec_documents_queries_and_judgements(tmp_path):
    (tmp_path / "documents.trec").write_text(
        "<DOC>\n<DOCNO>1</DOCNO>\nfirst  text\n</DOC>\n<DOC>\n<DOCNO>2</DOCNO>\nsecond\n</DOC>\n"
    )
    (tmp_path / "queries.tsv").write_text("7\tFIRST QUERY\n")
    (tmp_path / "qrels.tsv").write_text("7\t1\n7\t2\n")
    documents, queries, qrels = load_collection(tmp_path)
    assert documents == [("1", "first text"), ("2", "second")]
    assert queries == [("7", "FIRST QUERY")]
    assert qrels == {"7": {"1", "2"}}


def test_scaled_corpus_repeats_the_collection_with_distinct_keys():
    records = list(scaled_records([("1", "alpha beta gamma"), ("2", "delta epsilon")], 5))
    assert len(records) == 5
    assert len({r.key for r in records}) == 5
    assert {r.external_id for r in records} == {"1", "2"}


def test_the_collection_loads_through_the_real_import_and_is_searchable(db, settings, capsys):
    from benchmarks.search import load_through_import
    from library.models import ResourcePage
    from search import reindex, service

    settings.ELASTICSEARCH_URL = ""
    figures = {}

    class Command:
        def figure(self, name, value, *args, **extra):
            figures[name] = (value, extra)

    documents = [("101", "radio waves in the ionosphere"), ("102", "transistor noise figures")]
    seconds = load_through_import(Command(), documents)
    assert seconds > 0  # the rebuild's time, which the index rate divides by
    # The rebuild left the index holding exactly what the sources say.
    assert reindex.check().total == 0
    rate, extra = figures["search.npl.import_rate"]
    assert rate > 0 and extra["lines"] == 2
    assert capsys.readouterr().out == ""  # the figures are the bench's only output
    pages = ResourcePage.objects.live().order_by("external_id")
    assert [(page.external_id, page.title) for page in pages] == [
        ("101", "NPL 101"),
        ("102", "NPL 102"),
    ]
    assert [hit.external_id for hit in service.search("ionosphere", None).hits] == ["101"]
