"""Search records for the portal's own public pages (about the network, statements...)."""

from search.records import SearchRecord, tiers_from
from search.registry import RecordSource, with_site_root_paths

SOURCE_NAME = "portal.page"


class StandardPageRecordSource(RecordSource):
    name = SOURCE_NAME

    def get_object(self, object_id):
        from portal.models import StandardPage

        try:
            return StandardPage.objects.filter(pk=int(object_id)).first()
        except (TypeError, ValueError):
            return None

    def iter_objects(self):
        from portal.models import StandardPage

        return with_site_root_paths(
            StandardPage.objects.live().order_by("pk").iterator(chunk_size=500)
        )

    def records_for(self, page):
        # Standard pages are public; one under a Wagtail privacy restriction is not indexed.
        if page is None or not page.live or page.get_view_restrictions().exists():
            return []
        body = page._meta.get_field("body")
        date = page.last_published_at.date() if page.last_published_at else None
        return [
            SearchRecord(
                key=f"{SOURCE_NAME}:{page.pk}",
                kind="page",
                title=page.title,
                url=page.url or "",
                audiences=tiers_from("public"),
                source=SOURCE_NAME,
                object_id=str(page.pk),
                summary=page.search_description or page.introduction,
                body="\n".join(text for text in body.get_searchable_content(page.body) if text),
                date=date,
                facets={"kind": ["page"], "year": [str(date.year)] if date else []},
            )
        ]
