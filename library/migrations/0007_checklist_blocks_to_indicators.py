"""
Today's indicator checklist blocks become indicator records, without loss.

For each resource page whose body holds `indicator_checklist` blocks (live content and the
latest revision, which the editor opens):
- each indicator of each category becomes a row of the page (`IndicatorSetItem`), in order, under
  its category's name as heading; its text and source (kept verbatim in `source_section`) go to
  an `Indicator`, in the page's language when the page has exactly one;
- an indicator with the same text, source and language as one already migrated from another page
  reuses that record (so that two sets holding the same sign compare as keeping it); within one
  page a repeated indicator gets a record of its own (a set holds a record once);
- the block itself is replaced in the body by a heading (its title) and a paragraph (its
  introduction), when it had them, at the same place.
Older revisions keep their blocks; the block type stays registered so that they still render in
the page's history.

Reversing leaves the records (the forward step is not undone: nothing it made is lost either).
"""

import json
from collections import defaultdict

from django.db import migrations
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.html import escape

CHECKLIST = "indicator_checklist"


def _raw(body):
    if body is None or body == "":
        return []
    if isinstance(body, str):
        return json.loads(body)
    raw = getattr(body, "raw_data", body)
    return [dict(block) for block in raw]


def _has_checklist(raw):
    return any(block.get("type") == CHECKLIST for block in raw)


def _replacement(block):
    value = block.get("value") or {}
    blocks = []
    block_id = block.get("id") or ""
    if (value.get("title") or "").strip():
        blocks.append(
            {
                "type": "heading",
                "value": {"text": value["title"].strip(), "level": "h2"},
                "id": f"{block_id}-title" if block_id else None,
            }
        )
    if (value.get("introduction") or "").strip():
        paragraphs = "".join(
            f"<p>{escape(part.strip())}</p>"
            for part in value["introduction"].split("\n\n")
            if part.strip()
        )
        blocks.append(
            {
                "type": "paragraph",
                "value": paragraphs,
                "id": f"{block_id}-introduction" if block_id else None,
            }
        )
    for new in blocks:
        if new["id"] is None:
            del new["id"]
    return blocks


def _rows_of(raw):
    """(heading, text, source) of every indicator of every checklist block, in order."""
    for block in raw:
        if block.get("type") != CHECKLIST:
            continue
        for category in (block.get("value") or {}).get("categories") or []:
            heading = (category.get("name") or "").strip()
            for indicator in category.get("indicators") or []:
                text = (indicator.get("text") or "").strip()
                if text:
                    yield heading, text, (indicator.get("source") or "").strip()


def _body_without_checklists(raw):
    body = []
    for block in raw:
        if block.get("type") == CHECKLIST:
            body.extend(_replacement(block))
        else:
            body.append(block)
    return body


def forward(apps, schema_editor):
    ResourcePage = apps.get_model("library", "ResourcePage")
    Indicator = apps.get_model("library", "Indicator")
    IndicatorSetItem = apps.get_model("library", "IndicatorSetItem")
    Revision = apps.get_model("wagtailcore", "Revision")

    records = defaultdict(list)  # (text, source, language code) -> Indicator ids, across pages

    def record_ids(rows, language):
        """The record of each row: shared across pages, never twice in one page."""
        used = set()
        ids = []
        for _heading, text, source in rows:
            known = records[(text, source, language)]
            record_id = next((pk for pk in known if pk not in used), None)
            if record_id is None:
                record_id = Indicator.objects.create(
                    text=text, source_section=source[:255], language_id=language
                ).pk
                known.append(record_id)
            used.add(record_id)
            ids.append(record_id)
        return ids

    # Pages whose body, or whose latest revision (a draft may be newer), holds a checklist:
    # matched in the stored JSON's text on every database.
    candidates = set(
        ResourcePage.objects.annotate(text=Cast("body", TextField()))
        .filter(text__contains=CHECKLIST)
        .values_list("pk", flat=True)
    )
    latest = ResourcePage.objects.exclude(latest_revision_id=None).values("latest_revision_id")
    candidates.update(
        int(object_id)
        for object_id in Revision.objects.filter(pk__in=latest)
        .annotate(text=Cast("content", TextField()))
        .filter(text__contains=CHECKLIST)
        .values_list("object_id", flat=True)
    )

    for page in ResourcePage.objects.filter(pk__in=candidates).order_by("pk").iterator(200):
        if IndicatorSetItem.objects.filter(page_id=page.pk).exists():
            continue  # already has rows: never mix the two
        languages = list(page.languages.values_list("code", flat=True))
        language = languages[0] if len(languages) == 1 else None

        # The live content: its rows are the page's rows.
        raw = _raw(page.body)
        live_rows = list(_rows_of(raw))
        live_ids = record_ids(live_rows, language)
        IndicatorSetItem.objects.bulk_create(
            IndicatorSetItem(
                page_id=page.pk,
                heading=heading[:200],
                indicator_id=record_id,
                sort_order=position,
            )
            for position, ((heading, _text, _source), record_id) in enumerate(
                zip(live_rows, live_ids, strict=True)
            )
        )
        if _has_checklist(raw):
            page.body = json.dumps(_body_without_checklists(raw))
            page.save(update_fields=["body"])

        # The latest revision, which the editor opens: its own rows (the live ones when the
        # same), so that publishing it neither loses nor duplicates them.
        revision = Revision.objects.filter(pk=page.latest_revision_id).first()
        if revision is None or not isinstance(revision.content, dict):
            continue
        revision_raw = _raw(revision.content.get("body"))
        revision_rows = list(_rows_of(revision_raw))
        if revision_rows == live_rows:
            saved = IndicatorSetItem.objects.filter(page_id=page.pk).order_by("sort_order")
            items = [(item.pk, item.heading, item.indicator_id) for item in saved]
        else:
            revision_ids = record_ids(revision_rows, language)
            items = [
                (None, heading[:200], record_id)
                for (heading, _text, _source), record_id in zip(
                    revision_rows, revision_ids, strict=True
                )
            ]
        content = dict(revision.content)
        content["body"] = json.dumps(_body_without_checklists(revision_raw))
        content["indicator_items"] = [
            {
                "pk": pk,
                "page": page.pk,
                "sort_order": position,
                "heading": heading,
                "indicator": record_id,
                "rewords": None,
            }
            for position, (pk, heading, record_id) in enumerate(items)
        ]
        revision.content = content
        revision.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0006_indicators"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
