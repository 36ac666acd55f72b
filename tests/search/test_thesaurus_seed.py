"""The seed thesaurus file as reviewed: every term says where it comes from, in a source the file
describes, and is written in its language's alphabet (Serbian in both scripts, term by term).
Checks on the file itself, as the loader reads it (search.thesaurus)."""

import json
import unicodedata

from search import thesaurus
from search.analysis import CYRILLIC_TO_LATIN

SEED = json.loads(thesaurus.SEED_FILE.read_text(encoding="utf-8"))
KINDS = {"preferred", "alternative", "acronym"}

SERBO_CROATIAN_LATIN = set("abcčćdđefghijklmnoprsštuvzž")
ALPHABETS = {
    "en": set("abcdefghijklmnopqrstuvwxyz"),
    "fr": set("abcdefghijklmnopqrstuvwxyzàâæçéèêëîïôœùûüÿ"),
    "sq": set("abcçdeëfghijklmnopqrstuvxyz"),
    "bs": SERBO_CROATIAN_LATIN,
    "hr": SERBO_CROATIAN_LATIN,
    "cnr": SERBO_CROATIAN_LATIN | set("śź"),
    "ro": set("aăâbcdefghiîjklmnopqrsștțuvwxyz"),  # ș ț with the comma below, not ş ţ
    "sl": set("abcčdefghijklmnoprsštuvzž"),
    "el": set("αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ"),
    "mk": set("абвгдѓежзѕијклљмнњопрстќуфхцчџш"),
    "bg": set("абвгдежзийклмнопрстуфхцчшщъьюя"),
    "uk": set("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"),
}
SERBIAN_CYRILLIC = set("абвгдђежзијклљмнњопрстћуфхцчџш")


def terms(concept):
    """(language, kind, text, source keys) of a concept's terms, as the loader reads them."""
    for language, block in concept["terms"].items():
        default = block.get("sources", [])
        for kind, values in block.items():
            if kind == "sources":
                continue
            for value in [values] if isinstance(values, str | dict) else values:
                if isinstance(value, dict):
                    yield language, kind, value["text"], value.get("sources", default)
                else:
                    yield language, kind, value, default


ALL_TERMS = [(c["name"], *term) for c in SEED["concepts"] for term in terms(c)]


def letters(text):
    return {ch for ch in unicodedata.normalize("NFC", text.lower()) if ch.isalpha()}


def test_every_term_names_sources_that_the_file_describes():
    sources = SEED["sources"]
    cited = set()
    for name, language, kind, text, keys in ALL_TERMS:
        assert kind in KINDS, (name, language, kind)
        assert keys, f"{text!r} ({language}, {name}) names no source"
        assert set(keys) <= set(sources), (text, set(keys) - set(sources))
        cited |= set(keys)
    assert cited == set(sources), f"described but never cited: {set(sources) - cited}"
    for key, source in sources.items():
        assert {"label", "title", "issuer", "year", "kind", "seen"} <= set(source), key
        assert source["kind"] in {"document", "usage"}, key
        if source["kind"] == "document":
            assert source["seen"], f"{key}: a document names where its terms were found"


def test_no_term_is_left_unreviewed():
    text = json.dumps(SEED, ensure_ascii=False).lower()
    for mark in ("to be confirmed", "unreviewed", "not reviewed", "todo"):
        assert mark not in text
    for concept in SEED["concepts"]:
        assert "sources" not in concept, "sources are named per language or per term"
        for language, block in concept["terms"].items():
            assert set(block) <= KINDS | {"sources"}, (concept["name"], language)
            assert isinstance(block["preferred"], str | dict), (concept["name"], language)
    assert len({(n, lang, t) for n, lang, _, t, _ in ALL_TERMS}) == len(ALL_TERMS), "duplicates"


def script_slips(language, text):
    """What is wrong with a term's letters for its language, or None."""
    if text != " ".join(text.split()) or not text:
        return "spacing"
    used = letters(text)
    if language == "sr":
        if used <= SERBO_CROATIAN_LATIN or used <= SERBIAN_CYRILLIC:
            return None
        return f"not one Serbian script: {sorted(used - SERBO_CROATIAN_LATIN - SERBIAN_CYRILLIC)}"
    if used <= ALPHABETS[language]:
        return None
    return f"letters outside the alphabet: {sorted(used - ALPHABETS[language])}"


def test_every_term_is_written_in_its_languages_alphabet():
    slips = [
        (language, text, slip)
        for _, language, _, text, _ in ALL_TERMS
        if (slip := script_slips(language, text))
    ]
    assert not slips


def test_serbian_terms_come_in_both_scripts():
    for concept in SEED["concepts"]:
        serbian = [(text, keys) for language, _, text, keys in terms(concept) if language == "sr"]
        latin = {text for text, _ in serbian if letters(text) <= SERBO_CROATIAN_LATIN}
        cyrillic = {text.translate(CYRILLIC_TO_LATIN) for text, _ in serbian if text not in latin}
        assert latin == cyrillic, (concept["name"], latin ^ cyrillic)
        sources = {}
        for text, keys in serbian:
            sources.setdefault(text.translate(CYRILLIC_TO_LATIN), set()).add(tuple(keys))
        assert all(len(keys) == 1 for keys in sources.values()), concept["name"]


def test_the_scripts_are_checked_for_real():
    # The checks above would catch the usual slips: a Latin letter in a Cyrillic word, the
    # Russian letters in Ukrainian or Macedonian, cedilla for the Romanian comma below.
    assert script_slips("mk", "трговија cо луѓе")  # a Latin c
    assert script_slips("uk", "жертвы торговли людьми")  # Russian ы
    assert script_slips("mk", "помоћ на жртвите")  # Serbian ћ, not Macedonian ќ
    assert script_slips("ro", "traficul de persoane şi")  # cedilla
    assert script_slips("sr", "trgovina људима")
    assert script_slips("el", "θύμα  εμπορίας")
    assert script_slips("mk", "национален механизам за упатување") is None
    assert script_slips("sr", "упућивање жртава") is None
