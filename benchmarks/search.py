"""
Search benchmark (`manage.py bench --only search`): ranking quality on the NPL test collection
and latency as the index grows, for the active backend, in a throwaway test database.

Quality: every document becomes a public English library resource through `import_resources`
(the real import path, by default; SEARCH_BENCH_LOADER=direct stores the same records directly),
the index is rebuilt with `search_index rebuild`, and each query runs through
`search.service.search` as the search page runs it (anonymous, relevance, top 100).
Latency: the collection repeated with word-level variations to 10k, 30k and 100k records,
inserted through the backend's bulk path.
"""

import io
import json
import logging
import os
import random
import re
import socket
import statistics
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import connection
from django.test import Client

from benchmarks import search_network, throwaway
from benchmarks.measure import percentile
from benchmarks.ranking import average_precision, ndcg
from search import reindex, service
from search.records import SearchRecord, tiers_from

TARGET_MAP = 0.279
TARGET_NDCG = 0.452
TARGET_P10 = 0.370
DOC = re.compile(r"<DOC>\s*<DOCNO>\s*(\S+?)\s*</DOCNO>(.*?)</DOC>", re.S)


def data_dir():
    configured = os.environ.get("SEARCH_QUALITY_DIR")
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR).parent / "shared" / "benchmarks" / "search-quality"


def load_collection(path):
    documents = [
        (docno, " ".join(text.split()))
        for docno, text in DOC.findall((path / "documents.trec").read_text(encoding="utf-8"))
    ]
    queries = []
    for line in (path / "queries.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            query_id, text = line.split("\t", 1)
            queries.append((query_id, text))
    qrels = {}
    for line in (path / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            query_id, docno = line.split("\t")[:2]
            qrels.setdefault(query_id, set()).add(docno.strip())
    return documents, queries, qrels


def search_top(text, limit=100):
    """The ranked external ids for one query, as the search page asks for them."""
    ranked, page = [], 1
    while len(ranked) < limit:
        results = service.search(text, None, sort="relevance", page=page, page_size=100)
        ranked.extend(hit.external_id for hit in results.hits)
        if not results.has_next:
            break
        page += 1
    return ranked[:limit]


def timed_queries(queries, repeat=1):
    timings = []
    for _ in range(repeat):
        for _, text in queries:
            started = time.perf_counter()
            service.search(text, None)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def bench_record(source, key, body, title, audience="public", **fields):
    """A record of the bench's own (not from the portal's content): an English resource of
    `bench.<source>` that `audience` may see."""
    return SearchRecord(
        key=f"bench.{source}:{key}:{audience}",
        kind="resource",
        title=title,
        url=f"/bench/{source}/{key}/",
        audiences=tiers_from(audience),
        source=f"bench.{source}",
        object_id=key,
        body=body,
        language="en",
        **fields,
    )


def npl_record(docno, text, copy=0):
    key = docno if not copy else f"{docno}-v{copy}"
    return bench_record("npl", key, text, title=f"NPL {docno}", external_id=docno,
                        facets={"type": ["abstract"], "language": ["en"]})  # fmt: skip


def npl_lines(documents):
    """The collection as import_resources' JSON Lines: one public English resource each."""
    for docno, text in documents:
        line = {
            "external_id": docno,
            "title": f"NPL {docno}",
            "body": text,
            "languages": ["en"],
            "audience": "public",
        }
        yield json.dumps(line) + "\n"


def ensure_library():
    """import_resources imports into the library page; a fresh database may not have one."""
    from django.apps import apps

    from wagtail.models import Page

    library_page = apps.get_model("library", "LibraryIndexPage")
    if not library_page.objects.exists():
        home = Page.objects.filter(depth=2).first() or Page.get_first_root_node()
        home.add_child(instance=library_page(title="Library", slug="library"))


def load_through_import(command, documents):
    """The real path: JSON Lines into import_resources (which indexes what it imported), then
    search_index rebuild. Reports the import's rate; returns the rebuild's seconds."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as out:
        out.writelines(npl_lines(documents))
        path = out.name
    ensure_library()
    started = time.perf_counter()
    try:
        call_command("import_resources", path, verbosity=0)
    finally:
        os.unlink(path)
    seconds = time.perf_counter() - started
    command.figure("search.npl.import_rate", round(len(documents) / seconds, 1), "lines/s",
                   target=">=50", lines=len(documents), seconds=round(seconds, 1),
                   backend=connection.vendor)  # fmt: skip
    started = time.perf_counter()
    # The figures are the output, not the command's own summary line.
    call_command("search_index", "rebuild", verbosity=0, stdout=io.StringIO())
    return time.perf_counter() - started


def vary(text, rng, vocabulary):
    """A variant of a document: some words dropped, a few others added, same topic."""
    words = [w for w in text.split() if rng.random() > 0.15]
    words.extend(rng.choice(vocabulary) for _ in range(max(1, len(words) // 10)))
    return " ".join(words)


def scaled_records(documents, size, seed=6):
    rng = random.Random(seed)  # noqa: S311 - a reproducible corpus, not a secret
    vocabulary = [w for _, text in documents[:2000] for w in text.split()]
    produced, copy = 0, 0
    while produced < size:
        for docno, text in documents:
            if produced >= size:
                return
            yield npl_record(docno, text if copy == 0 else vary(text, rng, vocabulary), copy)
            produced += 1
        copy += 1


def run(command, quick=False):
    path = data_dir()
    if not (path / "documents.trec").exists():
        command.stdout.write(f"search: skipped, no collection at {path} (set SEARCH_QUALITY_DIR)")
        return
    documents, queries, qrels = load_collection(path)
    with throwaway.database("search-bench-"):
        _run(command, quick, documents, queries, qrels)


def _run(command, quick, documents, queries, qrels):
    backend = service.active_backend().name
    # SEARCH_BENCH_PARTS=network measures only the network's own collection (search_network.py).
    if os.environ.get("SEARCH_BENCH_PARTS", "npl,network") == "network":
        search_network.run(command, backend)
        return
    # The import path creates a Wagtail page per document (import_resources' batched path);
    # SEARCH_BENCH_LOADER=direct stores the same records directly, and the output says which.
    loader = os.environ.get("SEARCH_BENCH_LOADER", "import")
    if loader == "import" and "import_resources" in get_commands():
        load_path = "import_resources"
        rebuild_seconds = load_through_import(command, documents)
    else:
        load_path = "direct"
        started = time.perf_counter()
        reindex.rebuild(records=lambda: (npl_record(d, t) for d, t in documents))
        rebuild_seconds = time.perf_counter() - started
    command.figure(
        "search.npl.index_rate", round(len(documents) / rebuild_seconds), "records/s",
        target=">=500", backend=backend, load=load_path,
    )  # fmt: skip

    aps, ndcgs, p10s = [], [], []
    for query_id, text in queries:
        relevant = qrels.get(query_id, set())
        ranked = search_top(text)
        aps.append(average_precision(ranked, relevant))
        ndcgs.append(ndcg(ranked, relevant))
        p10s.append(sum(1 for d in ranked[:10] if d in relevant) / 10)
    n = len(queries)
    command.figure("search.npl.map@100", round(sum(aps) / n, 4), target=TARGET_MAP, backend=backend)
    command.figure(
        "search.npl.ndcg@10", round(sum(ndcgs) / n, 4), target=TARGET_NDCG, backend=backend
    )
    command.figure("search.npl.p@10", round(sum(p10s) / n, 4), target=TARGET_P10, backend=backend)
    timings = timed_queries(queries, repeat=3)
    command.figure(
        "search.npl.latency_p50", round(statistics.median(timings), 1), "ms", backend=backend
    )
    command.figure("search.npl.latency_p95", round(percentile(timings, 0.95), 1), "ms",
                   backend=backend)  # fmt: skip

    sizes = (10_000,) if quick else (10_000, 30_000, 100_000)
    for size in sizes:
        started = time.perf_counter()
        count = reindex.rebuild(records=lambda size=size: scaled_records(documents, size))
        elapsed = time.perf_counter() - started
        timed_queries(queries)  # warm the caches
        timings = timed_queries(queries, repeat=3)
        label = f"{size // 1000}k"
        command.figure(f"search.scale.{label}.index_rate", round(count / elapsed), "records/s",
                       backend=backend)  # fmt: skip
        command.figure(f"search.scale.{label}.latency_p50", round(statistics.median(timings), 1),
                       "ms", backend=backend)  # fmt: skip
        command.figure(f"search.scale.{label}.latency_p95", round(percentile(timings, 0.95), 1),
                       "ms", target="<=50" if size == 100_000 else None,
                       backend=backend)  # fmt: skip
    bad_input(command, backend, label)
    zero_result(command, backend, label)
    fallback(command)
    search_network.run(command, backend)


# The bad-input list of the search issue: each must be answered (400 or results) within a second.
BAD_INPUT = [
    {"q": "x" * 20_000},
    {"q": " ".join(f"referral{i}" for i in range(3000))},
    {"q": '"unbalanced referral'},
    {"q": "("},
    {"q": "title:*"},
    {"q": "/.*/"},
    {"q": "referral", "page": "abc"},
    {"q": "referral", "colour": "red"},
    {"q": "referral", "page_size": "10000"},
]


def bad_input(command, backend, label):
    """The slowest answer of the search API and page to the bad-input list, on the largest
    index of the run, through the whole request path."""
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 400s are expected
    client = Client()
    client.get("/api/search/", {"q": "referral"})  # load views and templates first
    slowest, statuses = 0.0, set()
    for params in BAD_INPUT:
        for url in ("/api/search/", "/search/"):
            started = time.perf_counter()
            response = client.get(url, params)
            slowest = max(slowest, time.perf_counter() - started)
            statuses.add(response.status_code)
    command.figure(f"search.scale.{label}.bad_input_slowest", round(slowest * 1000, 1), "ms",
                   target="<1000", statuses="/".join(map(str, sorted(statuses))),
                   backend=backend)  # fmt: skip


def vocabulary_stress(count, seed=16):
    """`count` members-only records, each of 100 distinct made-up words beginning "st" (with
    them the letter's vocabulary passes its cap and the "st" window is as full as it can be),
    and the first word of each."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible corpus, not a secret
    letters = "abcdefghijklmnopqrstuvwxyz"
    records, first_words = [], []
    for n in range(count):
        words = ["st" + "".join(rng.choice(letters) for _ in range(10)) for _ in range(100)]
        first_words.append(words[0])
        records.append(
            bench_record("vocabulary", str(n), " ".join(words), f"Vocabulary {n}", "members")
        )
    return records, first_words


def zero_result(command, backend, label):
    """The slowest zero-result search: four words, each one letter off a members-only word of
    the fullest prefix window, searched anonymously. Each word is compared with a full window
    of the vocabulary and its closest term is verified by a search that finds nothing the
    visitor may see, so "did you mean" does all the work it can. The first request follows a
    write (a new index generation: the vocabulary is read again), the others find it cached."""
    records, words = vocabulary_stress(200)
    service.add_records(records)
    query = " ".join(word[:-1] + ("a" if word[-1] != "a" else "b") for word in words[:4])
    client = Client()
    timings = []
    for _ in range(6):
        started = time.perf_counter()
        response = client.get("/api/search/", {"q": query})
        timings.append((time.perf_counter() - started) * 1000)
    payload = response.json()
    command.figure(f"search.scale.{label}.zero_result_slowest", round(max(timings), 1), "ms",
                   target="<250", cold=round(timings[0], 1),
                   warm_p50=round(statistics.median(timings[1:]), 1),
                   total=payload["total"], suggestion=bool(payload.get("suggestion")),
                   backend=backend)  # fmt: skip


def fallback(command):
    """A search while the cluster hangs (takes connections, never answers): the first asks it
    once and gives up in time to answer from the database within 2 s; the next knows it is
    down and does not ask."""
    from django.test.utils import override_settings

    import search.backends.elasticsearch  # noqa: F401 - imported once per process, not timed

    listener = socket.create_server(("127.0.0.1", 0))  # never accept()ed: nothing answers
    saved, service._es_down_until = service._es_down_until, 0.0
    timings = []
    try:
        with override_settings(ELASTICSEARCH_URL=f"http://127.0.0.1:{listener.getsockname()[1]}"):
            for _ in range(2):
                started = time.perf_counter()
                results = service.search("referral", None)
                timings.append((time.perf_counter() - started) * 1000)
    finally:
        listener.close()
        service._es_down_until = saved
    command.figure("search.fallback.first_search", round(timings[0], 1), "ms", target="<2000",
                   next=round(timings[1], 1), answered_by=results.backend)  # fmt: skip
