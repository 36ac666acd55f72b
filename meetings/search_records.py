"""
Search records for meetings. A public meeting has two records that partition the tiers: the
public part (title, summary, place) for the public, and a cumulative record adding the agenda,
minutes, decisions, action points and document text for members and the secretariat. A meeting
addressed to members (or the secretariat) has only the cumulative record, for those tiers.
"""

from django.db.models import Prefetch
from django.utils.html import strip_tags

from library.models import LibraryDocument
from meetings.models import ActionPoint, AgendaItem, MeetingDocument, MeetingPage
from portal.access import Audience, tier_at_least
from search.records import SearchRecord, tiers_from
from search.registry import RecordSource, with_site_root_paths

SOURCE_NAME = "meetings.meeting"


def _text(html):
    return strip_tags(html or "").strip()


class MeetingRecordSource(RecordSource):
    name = SOURCE_NAME

    def _queryset(self):
        # The rows' own foreign keys are joined, not prefetched: Django 5.2 prefetches a
        # foreign key with one `id = %s OR ...` per object on SQLite, which fails past ~1,000
        # (a rebuild's chunk of meetings has more presenters than that).
        return MeetingPage.objects.select_related("host_country", "series").prefetch_related(
            "organisers",
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.select_related("presenter").prefetch_related(
                    Prefetch("documents", queryset=LibraryDocument.objects.only("extracted_text"))
                ),
            ),
            "decisions",
            Prefetch(
                "action_points",
                queryset=ActionPoint.objects.select_related("owner_person", "owner_country"),
            ),
            Prefetch("documents", queryset=MeetingDocument.objects.select_related("document")),
        )

    def get_object(self, object_id):
        try:
            return self._queryset().filter(pk=int(object_id)).first()
        except (TypeError, ValueError):
            return None

    def iter_objects(self):
        return with_site_root_paths(self._queryset().live().order_by("pk").iterator(chunk_size=200))

    def records_for(self, meeting):
        if meeting is None or not meeting.live:
            return []
        public_body = "\n".join(
            part
            for part in [
                _text(meeting.public_summary),
                meeting.venue_city,
                meeting.host_country.name if meeting.host_country_id else "",
                "; ".join(str(organisation) for organisation in meeting.organisers.all()),
            ]
            if part
        )
        common = {
            "kind": "meeting",
            "title": meeting.title,
            "url": meeting.url or "",
            "source": SOURCE_NAME,
            "object_id": str(meeting.pk),
            "summary": _text(meeting.public_summary)[:500],
            "date": meeting.start_date,
            "facets": {
                "kind": ["meeting"],
                "meeting_type": [meeting.meeting_type],
                "country": [meeting.host_country.iso_code] if meeting.host_country_id else [],
                "year": [str(meeting.start_date.year)],
            },
        }
        records = []
        if meeting.audience == Audience.PUBLIC:
            records.append(
                SearchRecord(
                    key=f"{SOURCE_NAME}:{meeting.pk}:public",
                    audiences=(Audience.PUBLIC.value,),
                    body=public_body,
                    **common,
                )
            )
        record_audience = meeting.record_audience
        # Documents addressed above the record's tier stay out of its attachment text; an
        # agenda item's papers belong to the record (and are served with its audience).
        readable = visible_audiences_for(record_audience)
        texts = {
            item.document_id: item.document.extracted_text
            for item in meeting.documents.all()
            if item.audience in readable
        }
        for agenda_item in meeting.agenda_items.all():
            for document in agenda_item.documents.all():
                texts.setdefault(document.pk, document.extracted_text)
        attachments = "\n\n".join(text for text in texts.values() if text)
        records.append(
            SearchRecord(
                key=f"{SOURCE_NAME}:{meeting.pk}:{record_audience}",
                audiences=tiers_from(record_audience),
                body="\n\n".join(
                    part for part in [public_body, self._record_text(meeting)] if part
                ),
                attachments=attachments,
                **common,
            )
        )
        return records

    def _record_text(self, meeting):
        parts = []
        for item in meeting.agenda_items.all():
            presenter = item.presenter.full_name if item.presenter_id else ""
            parts.append(" ".join(filter(None, [item.title, presenter, item.description])))
        parts.append(_text(meeting.minutes))
        parts.extend(f"{decision.number}. {decision.text}" for decision in meeting.decisions.all())
        parts.extend(
            f"{action.description} ({action.owner_name}) {action.progress_note}".strip()
            for action in meeting.action_points.all()
        )
        return "\n".join(part for part in parts if part)


def meetings_showing(document_ids):
    """(source name, meeting id) of every meeting whose record includes one of these
    documents' text: as a meeting document or an agenda item's paper (registered with search
    in MeetingsConfig.ready())."""
    document_ids = list(document_ids)
    listed = MeetingDocument.objects.filter(document_id__in=document_ids).values_list(
        "meeting_id", flat=True
    )
    on_agenda = AgendaItem.documents.through.objects.filter(
        librarydocument_id__in=document_ids
    ).values_list("agendaitem__meeting_id", flat=True)
    return [(SOURCE_NAME, meeting_id) for meeting_id in {*listed, *on_agenda}]


def visible_audiences_for(tier):
    """The audiences readable at `tier` (the same ordering as the access policy)."""
    return [audience.value for audience in Audience if tier_at_least(tier, audience)]
