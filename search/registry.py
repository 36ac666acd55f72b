"""
Where apps tell the search service about their objects. Each domain app registers one
`RecordSource` per kind of object in its AppConfig.ready(); `search` never imports a domain app.
"""

from abc import ABC, abstractmethod


class RecordSource(ABC):
    """Turns one kind of object into search records."""

    #: unique name, "<app>.<kind>", stored on every record it produces
    name: str

    @abstractmethod
    def get_object(self, object_id):
        """The object with this primary key, or None when it no longer exists."""

    @abstractmethod
    def records_for(self, obj):
        """The records `obj` should have in the index now: [] when it must not be indexed
        (unpublished, deleted, superseded...). Must not query per related row: prefetch."""

    @abstractmethod
    def iter_objects(self):
        """Every object that may have records, for rebuilds and drift checks (an iterable that
        streams: use .iterator() with prefetching, not a list)."""


def with_site_root_paths(pages):
    """`pages` (an iterable), each told the sites' root paths read once: a page's URL then
    costs no cache read of its own (Wagtail reads them per call without a request)."""
    from wagtail.models import Site

    roots = Site.get_site_root_paths()
    for page in pages:
        page._wagtail_cached_site_root_paths = roots
        yield page


_sources = {}


def register(source):
    if source.name in _sources and type(_sources[source.name]) is not type(source):
        raise ValueError(f"A search record source named {source.name!r} is already registered.")
    _sources[source.name] = source
    return source


def get_source(name):
    try:
        return _sources[name]
    except KeyError:
        raise LookupError(f"No search record source named {name!r}.") from None


def all_sources():
    return list(_sources.values())
