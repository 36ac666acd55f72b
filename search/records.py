"""The search record: what every app turns its objects into, and what every backend stores."""

from dataclasses import dataclass, field
from datetime import date

# Facet names every record may carry; unknown names are dropped by the service.
FACETS = ("kind", "type", "topic", "country", "language", "year", "meeting_type", "role")


@dataclass(frozen=True)
class SearchRecord:
    """
    One searchable unit. An object that mixes public and members-only content yields one record
    per audience part (e.g. a meeting's public summary and its members-only record), each with its
    own key, so that a backend can filter by audience before it ranks, counts or highlights.
    """

    key: str  # stable and unique, e.g. "library.resource:42:public"
    kind: str  # resource | meeting | person | organisation | country | page
    title: str
    url: str
    audience: str  # a portal.access.Audience value
    source: str  # the registered source's name, e.g. "library.resource"
    object_id: str  # the owning object's primary key, as text
    summary: str = ""
    body: str = ""
    attachments: str = ""  # extracted text of attached documents
    language: str = "en"
    date: date | None = None
    external_id: str = ""
    facets: dict[str, list[str]] = field(default_factory=dict)
