"""What every backend returns, and helpers shared by them."""

import hashlib
import html
import json
from dataclasses import dataclass, field

from search.records import FACETS

# The facets the service counts and filters on (docs/contracts.md, JSON), in display order.
FACET_NAMES = ("kind", "type", "topic", "country", "language", "year")
# Highlight sentinels: private-use characters that never reach the page; the snippet text is
# escaped first and only then are these turned into <mark>.
MARK_START = "\ue000"
MARK_END = "\ue001"
ELLIPSIS = "…"
BODY_LIMIT = 500_000  # characters of body + attachments indexed per record


@dataclass
class RawHit:
    """One hit as a backend returns it: stored fields plus a marked snippet."""

    key: str
    title: str
    url: str
    kind: str
    snippet: str  # plain text with MARK_START/MARK_END around matches
    date: object
    score: float
    external_id: str = ""
    language: str = ""
    # The other editions of a translated resource this tier may see, when the hit stands for
    # a group of translations: [{"title", "url", "language"}].
    translations: list = field(default_factory=list)


@dataclass
class RawResults:
    hits: list
    total: int
    # {facet: [(value, label, count)]}
    facets: dict = field(default_factory=dict)


def record_facets(record):
    """{facet: [values]} for the multi-valued facets of a record (kind and year are columns)."""
    facets = {}
    for name, values in (record.facets or {}).items():
        if name not in FACETS or name in ("kind", "year"):
            continue
        if isinstance(values, str | int):
            values = [values]
        cleaned = []
        for value in values:
            value = str(value)[:200]
            if value and value not in cleaned:
                cleaned.append(value)
        if cleaned:
            facets[name] = cleaned
    if "language" not in facets and record.language:
        facets["language"] = [record.language]
    return facets


def record_year(record):
    if record.date:
        return str(record.date.year)
    years = (record.facets or {}).get("year") or []
    if isinstance(years, str | int):
        years = [years]
    return str(years[0])[:4] if years else ""


def content_hash(record):
    """A digest of everything a record stores, to find stale index entries."""
    payload = {
        "key": record.key,
        "kind": record.kind,
        "title": record.title,
        "url": record.url,
        "audiences": sorted(record.audiences),
        "summary": record.summary,
        "body": record.body,
        "attachments": record.attachments,
        "language": record.language,
        "date": record.date.isoformat() if record.date else None,
        "external_id": record.external_id,
        "facets": record_facets(record),
        "labels": getattr(record, "facet_labels", {}) or {},
    }
    if getattr(record, "group", ""):
        payload["group"] = record.group
    encoded = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


def render_snippet(marked):
    """Escape the text, then turn the sentinels into <mark>: only the record's own text shows,
    and nothing in it can inject markup."""
    escaped = html.escape(marked.replace(MARK_END + MARK_START, ""))
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def plain_snippet(record_text, length=240):
    text = " ".join(record_text.split())
    if len(text) > length:
        text = text[:length].rsplit(" ", 1)[0] + " " + ELLIPSIS
    return text
