"""
Query parsing shared by every backend. People type natural language, sometimes "exact phrases"
and -exclusions; anything else (operators, field syntax, regexes, brackets) is just text. We
tokenize ourselves and hand backends plain word lists, never raw syntax.
"""

import re
from dataclasses import dataclass, field

from search.analysis import ENGLISH_STOP_WORDS

MAX_QUERY_LENGTH = 500
MAX_TERMS = 32
WORD = re.compile(r"\w+", re.UNICODE)
# A quoted phrase (optionally negated), or a single (optionally negated) run of non-space text.
PART = re.compile(r'(-?)"([^"]*)"|(\S+)', re.UNICODE)

# English stop words dropped from ranked terms, so an OR query is not an OR over every document:
# those the index leaves out (search.analysis, PostgreSQL's english list) plus a few generic
# verbs such as "use", which the index keeps (they count in a record's length, as they did in
# PostgreSQL's english configuration) but which find nothing worth ranking. Phrases keep every
# word.
STOP_WORDS = ENGLISH_STOP_WORDS | frozenset({
    "also", "among", "could", "may", "might", "must", "shall", "upon", "use", "used", "uses",
    "using", "within", "without", "would",
})  # fmt: skip


@dataclass
class ParsedQuery:
    terms: list = field(default_factory=list)  # ranked words (OR), lower case, no duplicates
    phrases: list = field(default_factory=list)  # required phrases, each a list of words
    excluded: list = field(default_factory=list)  # excluded words/phrases, each a list of words
    text: str = ""  # the normalised query, for logging and display
    # Terms the thesaurus adds (search.thesaurus), each (language, text): they find records
    # too, weighing less than what was typed; backends that do not weigh them may ignore them.
    expansions: list = field(default_factory=list)

    @property
    def is_empty(self):
        return not self.terms and not self.phrases

    def ranked_terms(self, drop_stop_words=True):
        """The words that score a document: the free terms plus the phrases' words."""
        words = list(self.terms)
        for phrase in self.phrases:
            words.extend(word for word in phrase if word not in words)
        if drop_stop_words:
            kept = [word for word in words if word not in STOP_WORDS]
            words = kept or words
        return words[:MAX_TERMS]


def words(text):
    return [word.lower() for word in WORD.findall(text)]


def normalise(text):
    return " ".join(str(text or "")[:MAX_QUERY_LENGTH].split()).lower()[:200]


def parse(text):
    """Parse what someone typed. Never raises; unbalanced quotes are ignored."""
    text = str(text or "")[:MAX_QUERY_LENGTH]
    if text.count('"') % 2:
        # An unbalanced quote: drop the last one so the rest parses as plain words.
        index = text.rindex('"')
        text = text[:index] + " " + text[index + 1 :]
    parsed = ParsedQuery(text=normalise(text))
    for match in PART.finditer(text):
        negated, phrase, plain = match.groups()
        if plain is not None:
            negated = plain.startswith("-") and len(plain) > 1
            tokens = words(plain)
            if not tokens:
                continue
            if negated:
                parsed.excluded.append(tokens)
            else:
                parsed.terms.extend(t for t in tokens if t not in parsed.terms)
        else:
            tokens = words(phrase)
            if not tokens:
                continue
            if negated:
                parsed.excluded.append(tokens)
            elif len(tokens) == 1:
                if tokens[0] not in parsed.terms:
                    parsed.terms.append(tokens[0])
            else:
                parsed.phrases.append(tokens)
    parsed.terms = parsed.terms[:MAX_TERMS]
    parsed.phrases = parsed.phrases[:8]
    parsed.excluded = parsed.excluded[:8]
    return parsed
