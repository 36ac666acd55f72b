"""
The data migration of today's checklist blocks into indicator records, run for real: the
database is taken back to the migration before it (0007 adds no table, so today's models can
write the content as the demo seeds it today), then migrated forward.
"""

import pytest

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from library import demo
from library.models import Indicator, IndicatorSet, IndicatorSetItem, ResourcePage, ResourceType
from tests.library import factories

BEFORE = ("library", "0006_indicators")
MIGRATION = ("library", "0007_checklist_blocks_to_indicators")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()


def expected_rows(block):
    return [
        (category["name"], indicator["text"], indicator["source"])
        for category in block["value"]["categories"]
        for indicator in category["indicators"]
    ]


def rows_of(page):
    return [
        (item.heading, item.indicator.text, item.indicator.source_section)
        for item in IndicatorSet(page).items()
    ]


def block_types(body):
    return [block.block_type for block in body]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_todays_checklist_blocks_become_records_in_order_without_loss():
    migrate(BEFORE)
    try:
        # Today's demo content: two indicator sets whose bodies hold the demo's checklist.
        subject = demo.SUBJECTS[2][0]
        pages = [
            factories.resource(
                f"Indicators {number}",
                resource_type=ResourceType.INDICATOR_SET,
                body=demo.legacy_body(ResourceType.INDICATOR_SET, subject),
                languages=["en"],
            )
            for number in range(2)
        ]
        today = demo.legacy_checklist()
        # A page with two checklists, a repeated indicator, no title, and a draft that
        # changes the list after publication.
        other = {
            "type": "indicator_checklist",
            "value": {
                "title": "",
                "introduction": "",
                "categories": [
                    {
                        "name": "Signs & <symptoms>",
                        "indicators": [
                            {"text": "Lives at the workplace.", "source": ""},
                            {"text": "Lives at the workplace.", "source": ""},
                        ],
                    }
                ],
            },
        }
        mixed = factories.resource(
            "Mixed",
            resource_type=ResourceType.INDICATOR_SET,
            body=[today, {"type": "paragraph", "value": "<p>Between.</p>"}, other],
            languages=["en"],
        )
        draft = mixed.get_latest_revision_as_object()
        draft.body = [other]
        draft.save_revision()
        guideline = factories.resource("A guideline without a checklist")
        assert Indicator.objects.count() == 0

        migrate(MIGRATION)

        for page in pages:
            page = ResourcePage.objects.get(pk=page.pk)
            assert rows_of(page) == expected_rows(today)
            assert "indicator_checklist" not in block_types(page.body)
            # The block's title and introduction stay in the body, where the block was.
            assert block_types(page.body) == ["heading", "paragraph", "heading", "paragraph"]
            assert page.body[2].value["text"] == today["value"]["title"]
            assert today["value"]["introduction"] in str(page.body[3].value)
            assert {item.indicator.language_id for item in IndicatorSet(page).items()} == {"en"}
            # The editor opens the latest revision: the same rows, no checklist.
            latest = page.get_latest_revision_as_object()
            assert [(i.pk, i.heading, i.indicator_id) for i in latest.indicator_items.all()] == [
                (i.pk, i.heading, i.indicator_id) for i in IndicatorSet(page).items()
            ]
            assert "indicator_checklist" not in block_types(latest.body)
        # The same sign from the same source is one record in both sets (they compare as
        # keeping it).
        first, second = (set(IndicatorSet(page).items()) for page in pages)
        assert {i.indicator_id for i in first} == {i.indicator_id for i in second}

        mixed = ResourcePage.objects.get(pk=mixed.pk)
        assert rows_of(mixed) == expected_rows(today) + expected_rows(other)
        repeated = [i for i in IndicatorSet(mixed).items() if i.heading == "Signs & <symptoms>"]
        assert len({i.indicator_id for i in repeated}) == 2  # a set holds a record once
        assert block_types(mixed.body) == ["heading", "paragraph", "paragraph"]
        assert mixed.body[2].value.source == "<p>Between.</p>"
        # The draft keeps its own list, as rows of its revision, not published.
        latest = mixed.get_latest_revision_as_object()
        assert [(i.heading, i.indicator.text) for i in latest.indicator_items.all()] == [
            (heading, text) for heading, text, _source in expected_rows(other)
        ]
        assert block_types(latest.body) == []
        assert IndicatorSetItem.objects.filter(page=guideline).count() == 0
        # Each block indicator is a record: 6 shared by the two sets and the mixed page's
        # first checklist, and two of the repeated sign.
        assert Indicator.objects.count() == len(expected_rows(today)) + 2

        # Run again (e.g. after a reversal): pages with rows are left as they are.
        rows = {page.pk: rows_of(page) for page in ResourcePage.objects.all()}
        migrate(BEFORE)
        migrate(MIGRATION)
        assert {page.pk: rows_of(page) for page in ResourcePage.objects.all()} == rows
        assert Indicator.objects.count() == len(expected_rows(today)) + 2
    finally:
        migrate(MIGRATION)
