"""
Moving the campaigns' answers into their own rows (notifications 0005): every answer a recipient
held is kept, and a correction hidden by a later "still correct" comes back to be applied.
"""

import uuid

import pytest

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from notifications import freshness
from notifications.campaigns import CampaignRecipient
from tests.network.factories import PersonFactory

BEFORE = [("notifications", "0004_freshness_campaigns")]
AFTER = [("notifications", "0005_campaign_answers")]


def migrate(targets=None):
    """Migrate to `targets` (None: every app's latest) and return the apps of that state."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    """Whatever happens in the test, the database ends up at the latest migration."""
    yield
    migrate()


# serialized_rollback: the flush after this test must leave the migrated data (groups, pages).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_answer_is_kept_and_a_correction_hidden_by_still_correct_is_to_apply_again(
    back_to_latest,
):
    people = [PersonFactory() for _ in range(4)]
    old = migrate(BEFORE)
    campaign = old.get_model("notifications", "FreshnessCampaign").objects.create(
        unconfirmed_months=0, start_key=uuid.uuid4()
    )
    recipients = old.get_model("notifications", "CampaignRecipient").objects
    when = timezone.now()
    hidden, applied, pending, silent = (
        recipients.create(campaign_id=campaign.pk, person_id=person.pk) for person in people
    )
    # A correction, then "still correct": the old fields kept the text and dropped the count.
    recipients.filter(pk=hidden.pk).update(
        answer="confirmed", answered_at=when, correction="New phone."
    )
    recipients.filter(pk=applied.pk).update(
        answer="corrected", answered_at=when, correction="New title.", correction_applied_at=when
    )
    recipients.filter(pk=pending.pk).update(
        answer="corrected", answered_at=when, correction="New address."
    )

    migrate(AFTER)

    def answers(recipient):
        return [
            (a.answer, a.note, a.applied_at is not None)
            for a in CampaignRecipient.objects.get(pk=recipient.pk).answers.all()
        ]

    assert answers(hidden) == [("corrected", "New phone.", False), ("confirmed", "", False)]
    assert answers(applied) == [("corrected", "New title.", True)]
    assert answers(pending) == [("corrected", "New address.", False)]
    assert answers(silent) == []
    [counted] = freshness.campaigns_with_counts()
    assert counted.to_apply == 2
