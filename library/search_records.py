"""
The library's search records. One record per live resource, shown to the tiers at and above its
audience, minus the tiers that see a live edition superseding it (for them the successor is the
current version; a public edition replaced by a members-only one stays findable by the public).
"""

from django.db.models import Prefetch

from portal.access import RANK
from search.records import SearchRecord, tiers_from
from search.registry import RecordSource, with_site_root_paths

SOURCE_NAME = "library.resource"


def _queryset():
    from library.models import ResourceAttachment, ResourcePage

    return ResourcePage.objects.prefetch_related(
        "topics",
        "countries",
        "languages",
        Prefetch(
            "attachments",
            queryset=ResourceAttachment.objects.select_related("document").order_by("sort_order"),
        ),
        Prefetch(
            "superseded_by",
            queryset=ResourcePage.objects.filter(live=True).only("pk", "audience", "supersedes"),
            to_attr="live_successors",
        ),
    )


def record_audiences(page):
    """The tiers that should find `page`: its audience and above, less those that see a live
    successor."""
    successors = getattr(page, "live_successors", None)
    if successors is None:
        successors = list(page.superseded_by.filter(live=True).only("pk", "audience"))
    return tuple(
        tier
        for tier in tiers_from(page.audience)
        if not any(RANK.get(successor.audience, 99) <= RANK[tier] for successor in successors)
    )


def indexed_summary(summary, body):
    """The summary as the index should weigh it: none when it only repeats the start of the
    body (an import derives one so when a line has none), so those words do not count twice."""
    lead = " ".join(summary.rstrip("…").split())
    if lead and " ".join(body.split()).startswith(lead):
        return ""
    return summary


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
        return _queryset().filter(pk=pk).first()

    def get_objects(self, object_ids):
        """{id: page} for many ids at once (bulk indexing after an import)."""
        pks = [int(pk) for pk in object_ids if str(pk).isdigit()]
        pages = _queryset().in_bulk(pks)
        return {page.pk: page for page in with_site_root_paths(pages.values())}

    def iter_objects(self):
        return with_site_root_paths(
            _queryset().filter(live=True).order_by("pk").iterator(chunk_size=500)
        )

    def records_for(self, page):
        if page is None or not page.live:
            return []
        audiences = record_audiences(page)
        if not audiences:
            return []
        languages = [language.code for language in page.languages.all()]
        when = page.published or (page.first_published_at and page.first_published_at.date())
        attachments = "\n\n".join(
            attachment.document.extracted_text
            for attachment in page.attachments.all()
            if attachment.document.extracted_text
        )
        body = body_text(page)
        facets = {
            "kind": ["resource"],
            "type": [page.resource_type],
            "topic": [topic.slug for topic in page.topics.all()],
            "country": [country.iso_code for country in page.countries.all()],
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
            )
        ]
