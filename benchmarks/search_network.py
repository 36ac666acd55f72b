"""
The network's own test collection (benchmarks/data/network_collection.json): queries a
coordinator types in the region's languages, against the demo's multilingual resources, with
graded judgements written before any ranking was tuned for them. Run by `manage.py bench --only
search` after the NPL figures, in the same throwaway database.

The documents go through `import_resources` (the real import path; their topics and countries
are left out, as the bench's database has none) and only they are indexed, so each query
ranks the collection and nothing else. Each query runs through `search.service.search` as the
search page runs it (anonymous, relevance, top 100). Printed per query language and overall:
MAP@100 (grades 1 and 2 relevant) and nDCG@10 (the grades as gains).

With and without the thesaurus: when the portal has one (`search.thesaurus`), every figure is
measured twice: as the bench's database holds it ("on"), and with it emptied ("off": its
concepts deleted in a transaction rolled back afterwards, and `SEARCH_THESAURUS` off for code
that reads the setting). Without one only the "off" lines print.
"""

import importlib
import importlib.util
import io
import json
import logging
import os
import tempfile
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from benchmarks.ranking import average_precision, ndcg
from search import registry, reindex

COLLECTION = Path(__file__).resolve().parent / "data" / "network_collection.json"
PREFIX = "demo-ml-"


def load(path=COLLECTION):
    """(document lines as dicts, queries) of the collection."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    documents_path = Path(settings.BASE_DIR) / collection["documents"]
    documents = [
        json.loads(line)
        for line in documents_path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return documents, collection["queries"]


def has_thesaurus():
    return importlib.util.find_spec("search.thesaurus") is not None


def _concepts():
    try:
        return apps.get_model("search", "Concept")
    except LookupError:
        return None


def _thesaurus_module():
    return importlib.import_module("search.thesaurus") if has_thesaurus() else None


def load_thesaurus():
    """The seed thesaurus, as the demo loads it, when the bench's database has none yet.
    Returns how many concepts it holds."""
    module, model = _thesaurus_module(), _concepts()
    if module is None or model is None:
        return 0
    if not model.objects.exists() and hasattr(module, "load"):
        module.load()
    return model.objects.count()


@contextmanager
def thesaurus(enabled):
    """The thesaurus as the database holds it, or (not `enabled`) none."""
    if enabled:
        yield
        return
    with override_settings(SEARCH_THESAURUS=False):
        model = _concepts()
        if model is None:
            yield
            return
        try:
            with transaction.atomic():
                model.objects.all().delete()
                yield
                transaction.set_rollback(True)
        finally:
            # What the process read of the emptied thesaurus must not outlive the rollback.
            forget = getattr(_thesaurus_module(), "forget", None)
            if forget is not None:
                forget()


def import_documents(documents):
    """The collection's documents as library resources, through import_resources; then an index
    of them alone. Returns how many records were indexed."""
    from benchmarks.search import ensure_library

    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as out:
        for document in documents:
            line = dict(document)
            line["topics"], line["countries"] = [], []
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        path = out.name
    ensure_library()
    try:
        call_command("import_resources", path, verbosity=0, stdout=io.StringIO())
    finally:
        os.unlink(path)
    pages = apps.get_model("library", "ResourcePage").objects.filter(external_id__startswith=PREFIX)
    source = registry.get_source("library.resource")
    objects = source.get_objects(list(pages.values_list("pk", flat=True)))
    return reindex.rebuild(
        records=lambda: (record for page in objects.values() for record in source.records_for(page))
    )


def scores(queries):
    """{language: ([AP], [nDCG@10])} and the same for "all"."""
    from benchmarks.search import search_top

    by_language = defaultdict(lambda: ([], []))
    for query in queries:
        ranked = search_top(query["text"])
        judgements = query["judgements"]
        for key in (query["language"], "all"):
            by_language[key][0].append(average_precision(ranked, judgements))
            by_language[key][1].append(ndcg(ranked, judgements))
    return by_language


def run(command, backend):
    documents, queries = load()
    # The figures are the output: not a line per task the import runs eagerly, nor its alerts.
    for name in ("celery", "kombu", "py.warnings"):
        logging.getLogger(name).setLevel(logging.ERROR)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        indexed = import_documents(documents)
    concepts = load_thesaurus()
    modes = [False, True] if has_thesaurus() else [False]
    for enabled in modes:
        with thesaurus(enabled):
            measured = scores(queries)
        mode = f"on concepts={concepts}" if enabled else "off"
        for language in sorted(measured, key=lambda code: (code == "all", code)):
            aps, ndcgs = measured[language]
            extra = {"queries": len(aps), "thesaurus": mode, "backend": backend}
            command.figure(f"search.network.{language}.map@100", round(sum(aps) / len(aps), 4),
                           documents=indexed, **extra)  # fmt: skip
            command.figure(
                f"search.network.{language}.ndcg@10", round(sum(ndcgs) / len(ndcgs), 4), **extra
            )
