"""
The library's search records. One record per live resource, shown to the tiers at and above its
audience, minus the tiers that see a live edition superseding it (for them the successor is the
current version; a public edition replaced by a members-only one stays findable by the public).
"""

import itertools

from django.db.models import Q

from portal.access import lowest, tier_at_least
from search.records import SearchRecord, tiers_from
from search.registry import RecordSource, with_site_root_paths

SOURCE_NAME = "library.resource"


CHUNK = 500


def _queryset():
    from library.models import ResourcePage

    return ResourcePage.objects.all()


def _related(page_ids):
    """{page id: Related} for these pages, read as plain values: a query per relation for all
    of them, no model instances or modelcluster managers per page (a rebuild reads them all)."""
    from library.models import IndicatorSetItem, ResourceAttachment, ResourcePage

    related = {pk: Related() for pk in page_ids}
    through = ResourcePage._meta
    for name, value, order in (
        ("topics", "topic__slug", "topic__name"),
        ("countries", "country__iso_code", "country__name"),
        ("languages", "language__code", "language__name"),
    ):
        model = through.get_field(name).remote_field.through
        for page_id, code in (
            model.objects.filter(resourcepage_id__in=page_ids)
            .order_by(order, "pk")
            .values_list("resourcepage_id", value)
        ):
            getattr(related[page_id], name).append(code)
    for page_id, text in (
        ResourceAttachment.objects.filter(page_id__in=page_ids)
        .exclude(document__extracted_text="")
        .order_by("sort_order", "pk")
        .values_list("page_id", "document__extracted_text")
    ):
        related[page_id].attachments.append(text)
    # Live editions superseding these pages, and live translations of them, in one query.
    for supersedes_id, translation_of_id, audience in ResourcePage.objects.filter(
        Q(supersedes_id__in=page_ids) | Q(translation_of_id__in=page_ids), live=True
    ).values_list("supersedes_id", "translation_of_id", "audience"):
        if supersedes_id in related:
            related[supersedes_id].successor_audiences.append(audience)
        if translation_of_id in related:
            related[translation_of_id].translated = True
    # An indicator set's rows: their headings and words are the set's text too.
    heading_of = {}
    for page_id, heading, text in (
        IndicatorSetItem.objects.filter(page_id__in=page_ids)
        .order_by("page_id", "sort_order", "pk")
        .values_list("page_id", "heading", "indicator__text")
    ):
        if heading and heading_of.get(page_id) != heading:
            related[page_id].indicators.append(heading)
        heading_of[page_id] = heading
        related[page_id].indicators.append(text)
    return related


class Related:
    """What a resource's record needs from its relations, as plain values."""

    __slots__ = (
        "topics",
        "countries",
        "languages",
        "attachments",
        "successor_audiences",
        "translated",
        "indicators",
    )

    def __init__(self):
        for name in self.__slots__:
            setattr(self, name, [])
        self.translated = False  # a live translation of this page exists


def _with_related(pages):
    """`pages` (an iterable), in chunks, each with its `Related` values and the sites' root
    paths."""
    pages = with_site_root_paths(pages)
    while chunk := list(itertools.islice(pages, CHUNK)):
        related = _related([page.pk for page in chunk])
        for page in chunk:
            page._search_related = related[page.pk]
        yield from chunk


def _related_of(page):
    if getattr(page, "_search_related", None) is None:
        page._search_related = _related([page.pk])[page.pk]
    return page._search_related


def record_audiences(page):
    """The tiers that should find `page`: its audience and above, less those that see a live
    successor."""
    successors = _related_of(page).successor_audiences
    return tuple(
        tier
        for tier in tiers_from(page.audience)
        if not any(tier_at_least(tier, audience) for audience in successors)
    )


def indexed_summary(summary, body):
    """The summary as the index should weigh it: none when it only repeats the start of the
    body (an import derives one so when a line has none), so those words do not count twice."""
    lead = " ".join(summary.rstrip("…").split())
    if lead and " ".join(body.split()).startswith(lead):
        return ""
    return summary


def translation_group(page, related):
    """The group of an original and its translations (one search hit for them all), or ""
    for a resource without translations."""
    if page.translation_of_id:
        return f"{SOURCE_NAME}:{page.translation_of_id}"
    if related.translated:
        return f"{SOURCE_NAME}:{page.pk}"
    return ""


def body_text(page):
    field = page._meta.get_field("body")
    return "\n".join(text for text in field.get_searchable_content(page.body) if text)


class ResourceRecordSource(RecordSource):
    name = SOURCE_NAME

    def get_object(self, object_id):
        try:
            pk = int(object_id)
        except (TypeError, ValueError):
            return None
        return next(_with_related(_queryset().filter(pk=pk)), None)

    def get_objects(self, object_ids):
        """{id: page} for many ids at once (bulk indexing after an import)."""
        pks = [int(pk) for pk in object_ids if str(pk).isdigit()]
        return {page.pk: page for page in _with_related(_queryset().filter(pk__in=pks))}

    def iter_objects(self):
        return _with_related(
            _queryset().filter(live=True).order_by("pk").iterator(chunk_size=CHUNK)
        )

    def records_for(self, page):
        if page is None or not page.live:
            return []
        audiences = record_audiences(page)
        if not audiences:
            return []
        related = _related_of(page)
        languages = related.languages
        when = page.published or (page.first_published_at and page.first_published_at.date())
        attachments = "\n\n".join(related.attachments)
        body = "\n".join(text for text in (body_text(page), *related.indicators) if text)
        facets = {
            "kind": ["resource"],
            "type": [page.resource_type],
            "topic": related.topics,
            "country": related.countries,
            "language": languages,
        }
        if when:
            facets["year"] = [str(when.year)]
        return [
            SearchRecord(
                key=f"{SOURCE_NAME}:{page.pk}",
                kind="resource",
                title=page.title,
                url=page.get_url() or "",
                audiences=audiences,
                source=SOURCE_NAME,
                object_id=str(page.pk),
                summary=indexed_summary(page.summary, body),
                body=body,
                attachments=attachments,
                language=languages[0] if languages else "en",
                date=when,
                external_id=page.external_id or "",
                facets=facets,
                group=translation_group(page, related),
            )
        ]


def resources_showing(document_ids):
    """(source name, page id) of every resource attaching one of these documents: their records
    carry its text (registered with search in LibraryConfig.ready())."""
    from library.models import ResourceAttachment

    page_ids = (
        ResourceAttachment.objects.filter(document_id__in=list(document_ids))
        .values_list("page_id", flat=True)
        .distinct()
    )
    return [(SOURCE_NAME, page_id) for page_id in page_ids]


def type_labels(values):
    """Resource types by their names in the interface language (search facets)."""
    from library.models import ResourceType

    return {value: str(label) for value, label in ResourceType.choices}


def topic_labels(values):
    """Topics by their names in the interface language (search facets): one cache read."""
    from portal.models import Topic
    from portal.vocabulary import cached_labels

    return cached_labels(Topic, "slug")


# ------------------------------------------------------------------------------ indicators
#
# An indicator is a record of its own: its text, stage, strength and source. It is shown to the
# tiers that may see at least one live set holding it (the lowest audience among those sets,
# and above), and links to that set's page. An indicator in no live set has no record.

INDICATOR_SOURCE_NAME = "library.indicator"


def _indicators():
    from library.models import Indicator

    return Indicator.objects.select_related("language", "source_resource")


def _holding_sets(indicator_ids):
    """{indicator id: [(page id, audience, title)]} of the live pages holding these indicators,
    in page order: one query for all of them."""
    from library.models import IndicatorSetItem

    holders = {pk: [] for pk in indicator_ids}
    rows = (
        IndicatorSetItem.objects.filter(indicator_id__in=indicator_ids, page__live=True)
        .order_by("page_id")
        .values_list("indicator_id", "page_id", "page__audience", "page__title")
    )
    for indicator_id, page_id, audience, title in rows:
        holders[indicator_id].append((page_id, audience, title))
    return holders


def _most_open(holders):
    """The holder whose audience is the least restricted; the first page of those alike."""
    audience = lowest(audience for _page_id, audience, _title in holders)
    return next(holder for holder in holders if holder[1] == audience)


def _with_holders(indicators):
    indicators = iter(indicators)
    while chunk := list(itertools.islice(indicators, CHUNK)):
        holders = _holding_sets([indicator.pk for indicator in chunk])
        for indicator in chunk:
            indicator._search_holders = holders[indicator.pk]
        yield from chunk


def _page_urls(page_ids):
    """{page id: url} of these pages, read in one query (the sites' root paths once)."""
    from library.models import ResourcePage

    pages = with_site_root_paths(ResourcePage.objects.filter(pk__in=page_ids).only("url_path"))
    return {page.pk: page.get_url() or "" for page in pages}


class IndicatorRecordSource(RecordSource):
    name = INDICATOR_SOURCE_NAME

    def get_object(self, object_id):
        try:
            pk = int(object_id)
        except (TypeError, ValueError):
            return None
        return next(_with_holders(_indicators().filter(pk=pk)), None)

    def get_objects(self, object_ids):
        pks = [int(pk) for pk in object_ids if str(pk).isdigit()]
        return {item.pk: item for item in _with_holders(_indicators().filter(pk__in=pks))}

    def iter_objects(self):
        return _with_holders(_indicators().order_by("pk").iterator(chunk_size=CHUNK))

    def records_for(self, indicator):
        if indicator is None:
            return []
        holders = getattr(indicator, "_search_holders", None)
        if holders is None:
            holders = _holding_sets([indicator.pk])[indicator.pk]
        if not holders:
            return []
        page_id, audience, set_title = _most_open(holders)
        url = _page_urls([page_id]).get(page_id, "")
        language = indicator.language_id or "en"
        facets = {"kind": ["indicator"], "type": ["indicator_set"], "language": [language]}
        details = [
            str(label)
            for label in (indicator.get_stage_display(), indicator.get_strength_display())
            if label
        ]
        summary = " · ".join([set_title, *details])
        return [
            SearchRecord(
                key=f"{INDICATOR_SOURCE_NAME}:{indicator.pk}",
                kind="indicator",
                title=str(indicator),
                url=f"{url}#indicator-{indicator.pk}" if url else "",
                audiences=tiers_from(audience),
                source=INDICATOR_SOURCE_NAME,
                object_id=str(indicator.pk),
                summary=summary,
                body="\n".join(text for text in (indicator.text, indicator.source_label) if text),
                language=language,
                date=indicator.updated_at.date() if indicator.updated_at else None,
                external_id=indicator.external_id or "",
                facets=facets,
            )
        ]


def indicators_of_pages(page_ids):
    """(source name, indicator id) of every indicator held by these pages: a set's publish,
    unpublish, audience change or deletion re-indexes them."""
    from library.models import IndicatorSetItem

    ids = (
        IndicatorSetItem.objects.filter(page_id__in=list(page_ids))
        .values_list("indicator_id", flat=True)
        .distinct()
    )
    return [(INDICATOR_SOURCE_NAME, indicator_id) for indicator_id in ids]
