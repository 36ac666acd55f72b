"""
Language-aware text analysis, done in Python so that every database engine indexes and queries
the same terms.

A text is split into words (runs of letters and digits), lower-cased, and each word becomes one
term, so positions (phrases) are kept (English stop words, PostgreSQL's english list, are left
out):

- Serbian and the languages written like it (Croatian, Bosnian, Montenegrin, Serbo-Croatian) are
  transliterated from Cyrillic to Latin first, so "упућивање" and "upućivanje" are one word;
- where Snowball has a stemmer for the language (PyStemmer, the same algorithms as PostgreSQL's
  configurations), the word is stemmed as written, diacritics included (the stemmers' rules use
  them);
- then diacritics are folded ("upućivanj" -> "upucivanj"), so a query typed on a keyboard
  without them matches, while the stored text and snippets keep the original.

Languages without a stemmer (Albanian, Macedonian, Bulgarian, Slovenian, Ukrainian...) are
folded and matched on whole words. A query is analysed once for each analyser the index uses
(`forms`), as the records' languages require.
"""

import re
import unicodedata

import Stemmer

# Words: runs of letters and digits (the underscore, which \w includes, separates words).
TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

# Snowball stemmers by language code (ISO 639-1, or 639-3 where there is none).
_STEMMERS = {
    "en": "english", "fr": "french", "de": "german", "es": "spanish", "it": "italian",
    "pt": "portuguese", "nl": "dutch", "ru": "russian", "el": "greek", "ro": "romanian",
    "sr": "serbian", "hr": "serbian", "bs": "serbian", "cnr": "serbian", "sh": "serbian",
    "tr": "turkish", "hu": "hungarian", "sv": "swedish", "da": "danish", "fi": "finnish",
    "no": "norwegian", "nb": "norwegian", "nn": "norwegian", "lt": "lithuanian",
    "ar": "arabic", "ca": "catalan", "ga": "irish", "id": "indonesian", "hy": "armenian",
    "eu": "basque", "cs": "czech", "pl": "polish", "et": "estonian", "hi": "hindi",
    "ne": "nepali", "ta": "tamil", "yi": "yiddish",
}  # fmt: skip
STEMMERS = {code: name for code, name in _STEMMERS.items() if name in Stemmer.algorithms()}
# The languages whose Cyrillic is transliterated to Latin before stemming.
SERBIAN_SCRIPT = frozenset({"sr", "hr", "bs", "cnr", "sh"})
# The analyser of languages without a stemmer: folded whole words.
WHOLE_WORDS = ""

_LATIN = (
    "a", "b", "v", "g", "d", "đ", "e", "ž", "z", "i", "j", "k", "l", "lj", "m", "n", "nj", "o",
    "p", "r", "s", "t", "ć", "u", "f", "h", "c", "č", "dž", "š",
)  # fmt: skip
_CYRILLIC = dict(zip("абвгдђежзијклљмнњопрстћуфхцчџш", _LATIN, strict=True))
CYRILLIC_TO_LATIN = str.maketrans(_CYRILLIC)
# Letters that NFKD does not decompose, folded as people type them without diacritics.
_SPECIAL = str.maketrans(
    {"đ": "dj", "ð": "d", "ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th",
     "ı": "i", "ħ": "h", "ŧ": "t"}
)  # fmt: skip
_CACHE_LIMIT = 200_000
# The English words the index leaves out: PostgreSQL's english stop list, word for word (its
# tsearch_data/english.stop), so both databases index an English record as that configuration
# did. search.query drops a few more from a query's ranked terms.
ENGLISH_STOP_WORDS = frozenset({
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours",
    "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it",
    "its", "itself", "they", "them", "their", "theirs", "themselves", "what", "which", "who",
    "whom", "this", "that", "these", "those", "am", "is", "are", "was", "were", "be", "been",
    "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an", "the", "and",
    "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about",
    "against", "between", "into", "through", "during", "before", "after", "above", "below", "to",
    "from", "up", "down", "in", "out", "on", "off", "over", "under", "again", "further", "then",
    "once", "here", "there", "when", "where", "why", "how", "all", "any", "both", "each", "few",
    "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so",
    "than", "too", "very", "s", "t", "can", "will", "just", "don", "should", "now",
})  # fmt: skip


def base_language(code):
    """ "sr-Latn", "sr_Cyrl", "EN-gb" -> "sr", "sr", "en"."""
    return re.split(r"[-_]", str(code or "").strip().lower(), maxsplit=1)[0]


def analyser_name(language):
    """The analyser a language's text goes through: a Snowball stemmer's name ("serbian"), or
    WHOLE_WORDS."""
    return STEMMERS.get(base_language(language), WHOLE_WORDS)


def fold(word):
    """Diacritics removed (NFKD, combining marks dropped, a few letters mapped)."""
    word = word.translate(_SPECIAL)
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Analyser:
    """Turns words into terms for one analyser name (cached per word)."""

    def __init__(self, name):
        self.name = name
        self.stemmer = Stemmer.Stemmer(name) if name else None
        self.transliterate = name == "serbian"
        # English stop words are not indexed (as PostgreSQL's english configuration did): they
        # would only lengthen records and the postings.
        self.stop_words = ENGLISH_STOP_WORDS if name == "english" else frozenset()
        self._cache = {}

    def term(self, word):
        """One lower-case word -> its term ("" for a stop word)."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        if word in self.stop_words:
            return ""
        text = word.translate(CYRILLIC_TO_LATIN) if self.transliterate else word
        if self.stemmer is not None:
            text = self.stemmer.stemWord(text) or text
        term = fold(text) or word
        self._cache[word] = term
        return term

    def terms(self, text):
        """Every word of `text`, in order, as terms (stop words left out)."""
        term = self.term
        return [t for t in map(term, TOKEN.findall((text or "").lower())) if t]

    def analyse(self, text):
        """`text` as space-separated terms, for the full-text index."""
        return " ".join(self.terms(text))


_analysers = {}


def analyser(language_or_name, by_name=False):
    name = language_or_name if by_name else analyser_name(language_or_name)
    found = _analysers.get(name)
    if found is None:
        found = _analysers[name] = Analyser(name)
    return found


def words(text):
    """The lower-case words of `text`, as the index splits them."""
    return TOKEN.findall((text or "").lower())


def analyse(text, language):
    return analyser(language).analyse(text)


def analysers_for(languages):
    """The analysers a query goes through for an index holding `languages`: one per distinct
    analyser, whole words always (so an unknown language's words still match)."""
    names = {analyser_name(language) for language in languages}
    names.add(WHOLE_WORDS)
    return [analyser(name, by_name=True) for name in sorted(names)]


def forms(word, analysers):
    """The distinct terms of one query word under each analyser, in a stable order."""
    found = []
    for each in analysers:
        for token in words(word):
            term = each.term(token)
            if term and term not in found:
                found.append(term)
    return found


def phrase_forms(phrase_words, analysers):
    """The distinct term sequences of a phrase (a list of words) under each analyser."""
    found = []
    for each in analysers:
        terms = tuple(each.terms(" ".join(phrase_words)))
        if terms and terms not in found:
            found.append(terms)
    return found
