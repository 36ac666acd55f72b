"""
Where apps tell the search service about their objects. Each domain app registers one
`RecordSource` per kind of object in its AppConfig.ready(), and, when its records include the
text of documents, a lookup from documents to those objects; `search` never imports a domain app.
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


_document_lookups = []


def register_document_lookup(lookup):
    """`lookup(document_ids)` -> (source name, object id) of every object whose records include
    the text of one of these documents (a resource attaching it, a meeting showing it). When a
    document's text changes, each of them is re-indexed."""
    if lookup not in _document_lookups:
        _document_lookups.append(lookup)
    return lookup


def objects_showing_documents(document_ids):
    """The (source name, object id) pairs every registered lookup finds, sorted, once each
    (a query or two per app, not per object)."""
    document_ids = list(document_ids)
    found = set()
    for lookup in _document_lookups:
        found.update((source, str(object_id)) for source, object_id in lookup(document_ids))
    return sorted(found)


_facet_labellers = {}


def register_facet_labels(facet, labeller):
    """`labeller(values)` -> {value: label} of a facet's values in the interface language (a
    topic's name in French on the French pages), asked at every search: keep it to a cache
    read. Values it does not name keep the label their record gave, or show as themselves."""
    _facet_labellers[facet] = labeller
    return labeller


def facet_labels(facet, values):
    labeller = _facet_labellers.get(facet)
    if labeller is None or not values:
        return {}
    return labeller(values)
