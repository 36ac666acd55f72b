"""
What changed between two indicator sets or versions (`/library/indicators/compare/`), computed
on plain rows so that it knows nothing of models or of who is asking: the caller hands it only
what the access policy let the viewer see.

A row is (heading, indicator id, text, origin id). A country version's indicator records the
regional indicator it derives from as its origin; an indicator kept as is in a new version is the
same record. So two rows are the same indicator when their lineage (origin, else own id) is the
same; rows left over are paired when their text is the same word for word (a list re-keyed by an
import). What is left is added or dropped; a pair whose text differs is reworded (with a word-level
difference); a pair under another heading, or out of the order the kept indicators share, is moved.
"""

import bisect
import difflib
import re
from dataclasses import dataclass, field
from typing import NamedTuple


class Row(NamedTuple):
    heading: str
    indicator_id: int
    text: str
    origin_id: int | None = None
    # What the caller made the row from (a set's row), handed back in the changes; not read here.
    source: object = None

    @property
    def lineage(self):
        return self.origin_id if self.origin_id is not None else self.indicator_id


class Segment(NamedTuple):
    """A run of a word-level difference: `kind` is "same", "removed" or "added"."""

    kind: str
    text: str


# Words (letters, digits and joining marks of any script), runs of spaces, and single marks.
_TOKEN = re.compile(r"\w+(?:['’-]\w+)*|\s+|[^\w\s]", re.UNICODE)


def tokens(text):
    """`text` cut into words, runs of white space and punctuation marks; joined back, it is
    `text` again."""
    return _TOKEN.findall(text or "")


def word_diff(old, new):
    """The word-level difference from `old` to `new` as segments; the "same" and "removed"
    segments spell `old`, the "same" and "added" ones spell `new`. A change inside a word shows as
    the whole word removed and added: a reader compares words, not letters."""
    before, after = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    segments = []

    def add(kind, parts):
        text = "".join(parts)
        if not text:
            return
        if segments and segments[-1].kind == kind:
            segments[-1] = Segment(kind, segments[-1].text + text)
        else:
            segments.append(Segment(kind, text))

    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if operation == "equal":
            add("same", before[a_start:a_end])
        else:
            add("removed", before[a_start:a_end])
            add("added", after[b_start:b_end])
    return segments


def _normal(text):
    return " ".join((text or "").split()).casefold()


@dataclass
class Change:
    """One indicator's fate between the two sides; `before`/`after` are rows (None where it is
    absent on that side)."""

    before: Row | None
    after: Row | None
    reworded: bool = False
    moved: bool = False
    difference: list = field(default_factory=list)

    @property
    def heading_changed(self):
        return bool(self.before and self.after and self.before.heading != self.after.heading)


@dataclass
class Comparison:
    added: list = field(default_factory=list)
    dropped: list = field(default_factory=list)
    reworded: list = field(default_factory=list)
    moved: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # every change, in the order of the two lists

    @property
    def counts(self):
        return {
            "added": len(self.added),
            "dropped": len(self.dropped),
            "reworded": len(self.reworded),
            "moved": len(self.moved),
            "unchanged": len(self.unchanged),
        }

    @property
    def identical(self):
        return not (self.added or self.dropped or self.reworded or self.moved)


def _kept_in_order(pairs):
    """The indices (into `pairs`, in the left side's order) of the longest run of kept
    indicators that keeps its order on the right: the others moved."""
    positions = [right_index for _left_index, right_index in pairs]
    # Longest increasing subsequence, O(n log n), remembering predecessors.
    tails, tails_at, previous = [], [], [None] * len(positions)
    for index, value in enumerate(positions):
        at = bisect.bisect_left(tails, value)
        if at == len(tails):
            tails.append(value)
            tails_at.append(index)
        else:
            tails[at] = value
            tails_at[at] = index
        previous[index] = tails_at[at - 1] if at else None
    kept = set()
    index = tails_at[-1] if tails_at else None
    while index is not None:
        kept.add(index)
        index = previous[index]
    return kept


def compare(left, right):
    """The changes from `left` to `right`, two ordered lists of rows (or 4-tuples)."""
    left = [Row(*row) for row in left]
    right = [Row(*row) for row in right]
    match = {}  # left index -> right index
    by_lineage = {}
    for index, row in enumerate(right):
        by_lineage.setdefault(row.lineage, []).append(index)
    taken = set()
    for index, row in enumerate(left):
        # A country version's indicator derives from the regional one (its origin); either side
        # may be the version, so the left row's own id is tried as well as its lineage.
        for key in (row.lineage, row.indicator_id):
            candidates = [i for i in by_lineage.get(key, ()) if i not in taken]
            if candidates:
                match[index] = candidates[0]
                taken.add(candidates[0])
                break
    # Rows paired by identical wording where no lineage ties them.
    by_text = {}
    for index, row in enumerate(right):
        if index not in taken:
            by_text.setdefault(_normal(row.text), []).append(index)
    for index, row in enumerate(left):
        if index in match:
            continue
        candidates = by_text.get(_normal(row.text))
        if candidates:
            match[index] = candidates.pop(0)
            taken.add(match[index])

    pairs = sorted(match.items())
    in_order = _kept_in_order(pairs)
    result = Comparison()
    changes_by_right = {}
    for position, (left_index, right_index) in enumerate(pairs):
        before, after = left[left_index], right[right_index]
        change = Change(before, after)
        if _normal(before.text) != _normal(after.text):
            change.reworded = True
            change.difference = word_diff(before.text, after.text)
            result.reworded.append(change)
        if before.heading != after.heading or position not in in_order:
            change.moved = True
            result.moved.append(change)
        if not (change.reworded or change.moved):
            result.unchanged.append(change)
        changes_by_right[right_index] = change
    for index, row in enumerate(right):
        if index not in taken:
            change = Change(None, row)
            result.added.append(change)
            changes_by_right[index] = change
    # Every change in the right side's order, each dropped row after the row that preceded it
    # on the left (or first), so a reader walks the new list and sees what went missing where.
    dropped_after = {}
    last_right = None
    for index, row in enumerate(left):
        if index in match:
            last_right = match[index]
        else:
            change = Change(row, None)
            result.dropped.append(change)
            dropped_after.setdefault(last_right, []).append(change)
    result.rows.extend(dropped_after.get(None, []))
    for index in range(len(right)):
        result.rows.append(changes_by_right[index])
        result.rows.extend(dropped_after.get(index, []))
    return result
