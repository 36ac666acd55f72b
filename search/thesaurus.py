"""
The thesaurus the secretariat keeps (search.models.Concept): a query's words that are a term of a
concept, in any language, bring the concept's other terms into the search as expansions, which
weigh less than what was typed (the database backend's EXPANSION_WEIGHT). So "upućivanje
žrtava" also finds "referral of victims", and "VoT" "victim of trafficking".

Terms are compared as the index compares words (search.analysis): each term analysed in its
own language, the query's words in each of the thesaurus' languages.

The thesaurus is read once per process and change: a token in the cache changes whenever a
concept or term is saved or deleted.
"""

import json
import uuid
from pathlib import Path

from django.core.cache import cache
from django.db import connection, transaction

from search import analysis

VERSION_KEY = "search:thesaurus:version"
MAX_WORDS = 8
MAX_EXPANSIONS = 48
SEED_FILE = Path(__file__).resolve().parent / "data" / "thesaurus.json"

# The thesaurus this process holds, at a version; "dirty" while a change made in this process
# is not committed (or was rolled back): searches then read the database each time, until one
# runs outside any transaction.
_loaded = {"version": None, "index": None, "dirty": False}


class Index:
    """{(analyser name, term tuple): {concept ids}} and each concept's terms."""

    def __init__(self, rows):
        self.entries = {}
        self.terms = {}
        self.analysers = set()
        self.longest = 0
        for concept_id, language, text in rows:
            each = analysis.analyser(language)
            key = tuple(each.terms(text))
            if not key:
                continue
            self.entries.setdefault((each.name, key), set()).add(concept_id)
            self.terms.setdefault(concept_id, []).append((language, text, (each.name, key)))
            self.analysers.add(each.name)
            self.longest = max(self.longest, len(key))

    def concepts_in(self, sequence):
        """{concept id: matched keys} for the n-grams of a word sequence, in every language."""
        found = {}
        text = " ".join(sequence)
        for name in sorted(self.analysers):
            terms = analysis.analyser(name, by_name=True).terms(text)
            for size in range(1, min(self.longest, len(terms)) + 1):
                for start in range(len(terms) - size + 1):
                    key = (name, tuple(terms[start : start + size]))
                    for concept_id in self.entries.get(key, ()):
                        found.setdefault(concept_id, set()).add(key)
        return found


def changed(**kwargs):
    """A concept or term changed: every process reads the thesaurus again, now and after the
    commit (others see the change then). Until the commit this process reads it from the
    database for each search: the change may yet be rolled back."""
    _loaded.update(index=None, dirty=True)
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(_committed)


def _committed():
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    _loaded.update(index=None, dirty=False)


def forget():
    """Drop what this process and the cache hold (tests: a rolled-back transaction's
    thesaurus must not outlive it)."""
    cache.delete(VERSION_KEY)
    _loaded.update(version=None, index=None, dirty=False)


def hold_empty():
    """Hold an empty thesaurus (tests: the state of a fresh test database, restored after a
    test that loaded one in its rolled-back transaction)."""
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, None)
    _loaded.update(version=version, index=Index([]), dirty=False)


def _read():
    from search.models import ConceptTerm

    return Index(ConceptTerm.objects.values_list("concept_id", "language", "text"))


def index():
    if _loaded["dirty"]:
        if connection.in_atomic_block:
            return _read()  # this transaction's state, which may not last
        _loaded["dirty"] = False
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    if _loaded["version"] != version or _loaded["index"] is None:
        _loaded["index"] = _read()
        _loaded["version"] = version
    return _loaded["index"]


def expand(parsed):
    """`parsed` with the expansions of its words and phrases (in place; returned)."""
    sequences = [seq for seq in [parsed.terms, *parsed.phrases] if seq]
    if not sequences:
        return parsed
    thesaurus = index()
    if not thesaurus.entries:
        return parsed
    expansions = []
    for sequence in sequences:
        for concept_id, matched in sorted(thesaurus.concepts_in(sequence).items()):
            for language, text, key in thesaurus.terms[concept_id]:
                if key not in matched and (language, text) not in expansions:
                    expansions.append((language, text))
    parsed.expansions = expansions[:MAX_EXPANSIONS]
    return parsed


def load(path=SEED_FILE, replace=False):
    """Load concepts from a thesaurus file (see data/thesaurus.json): a concept already there
    is left as the secretariat keeps it unless `replace`. Returns (created, replaced).

    A concept's terms are given per language: {"preferred": term, "alternative": [terms],
    "acronym": [terms], "sources": [keys]}; a term is a string, which the language's
    "sources" cover, or {"text": ..., "sources": [keys]}. Keys name entries of the file's
    "sources" map (a text, or {"label", "title", ...}); a key the map lacks is taken as the
    source's own text. The concept's source, as the admin shows it, summarises its terms'."""
    from search.models import Concept, ConceptTerm

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    sources = data.get("sources", {})
    created = replaced = 0
    with transaction.atomic():
        for entry in data["concepts"]:
            concept = Concept.objects.filter(name=entry["name"]).first()
            if concept is not None and not replace:
                continue
            terms, cited = _terms(entry["terms"])
            if concept is None:
                concept = Concept(name=entry["name"])
                created += 1
            else:
                replaced += 1
            concept.note = entry.get("note", "")
            length = Concept._meta.get_field("source").max_length
            concept.source = _summary(entry.get("sources", []), cited, sources, length)
            concept.save()
            ConceptTerm.objects.filter(concept=concept).delete()
            terms = [
                ConceptTerm(concept=concept, language=language, text=text, kind=kind)
                for language, kind, text in terms
            ]
            for order, term in enumerate(terms):
                term.sort_order = order
                term.full_clean(exclude=["concept"])
            ConceptTerm.objects.bulk_create(terms)
    changed()
    return created, replaced


def _terms(languages):
    """[(language, kind, text)] of a concept's "terms", and {language: [source keys]} in the
    order they are cited."""
    if not isinstance(languages, dict):
        raise TypeError("a concept's terms must be an object of languages")
    terms, cited = [], {}
    for language, block in languages.items():
        if not isinstance(block, dict):
            raise TypeError(f"terms in {language!r} must be an object")
        default = _keys(block.get("sources", []))
        for kind, values in block.items():
            if kind == "sources":
                continue
            for value in [values] if isinstance(values, (str, dict)) else values:
                if isinstance(value, dict):
                    text, keys = value["text"], _keys(value.get("sources", default))
                else:
                    text, keys = value, default
                if not isinstance(text, str):
                    raise TypeError(f"a term in {language!r} must be a text")
                terms.append((language, kind, text))
                keys_of = cited.setdefault(language, [])
                keys_of.extend(key for key in keys if key not in keys_of)
    return terms, cited


def _keys(keys):
    if isinstance(keys, str) or not all(isinstance(key, str) for key in keys):
        raise TypeError("sources must be a list of keys")
    return list(keys)


def _label(key, sources):
    source = sources.get(key, key)
    if isinstance(source, dict):
        return source.get("label") or source.get("title") or key
    return str(source)


def _summary(concept_keys, cited, sources, length):
    """The concept's source for the admin: the sources of its terms, language by language,
    then the concept's own; shortened to fit the field (languages left out, then whole
    sources)."""
    parts = [
        f"{language}: {', '.join(_label(key, sources) for key in keys)}"
        for language, keys in cited.items()
        if keys
    ]
    parts += [_label(key, sources) for key in _keys(concept_keys)]
    text = "; ".join(parts)
    if len(text) <= length:
        return text
    labels = [_label(key, sources) for keys in cited.values() for key in keys]
    labels = list(dict.fromkeys(labels + [_label(key, sources) for key in concept_keys]))
    text = "; ".join(labels)
    while len(text) > length:
        labels.pop()
        text = "; ".join(labels) + "; …"
    return text
