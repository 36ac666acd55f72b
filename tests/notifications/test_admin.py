"""The secretariat's read-only view of deliveries: who got what when, and failures."""

import pytest

from django.urls import reverse

from notifications.models import Delivery
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("deliveries:index")


@pytest.fixture
def admin_client(client, secretariat):
    client.force_login(secretariat)  # the factory's secretariat has a second factor enrolled
    return client


def make_deliveries(n, **fields):
    for i in range(n):
        Delivery.objects.create(
            recipient=UserFactory(member=True),
            kind="confirm_entry",
            event_key=f"person:{i}:x",
            **fields,
        )


def test_the_secretariat_sees_what_was_sent_to_whom_and_the_failures(admin_client):
    failed = Delivery.objects.create(
        recipient=UserFactory(email="failing@example.org", member=True),
        kind="digest",
        event_key="digest:2026-W48",
        status=Delivery.Status.FAILED,
        attempts=3,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    make_deliveries(2, status=Delivery.Status.SENT)

    response = admin_client.get(INDEX + "?status=failed")

    assert response.status_code == 200
    content = response.content.decode()
    assert "failing@example.org" in content
    assert content.count("person:") == 0  # filtered to failures only

    detail = admin_client.get(reverse("deliveries:inspect", args=[failed.pk]))
    assert "SMTPServerDisconnected" in detail.content.decode()


def test_the_ledger_cannot_be_edited_or_added_to_from_the_admin(admin_client):
    make_deliveries(1)
    delivery = Delivery.objects.get()

    assert admin_client.get(reverse("deliveries:add")).status_code in (302, 403)
    assert admin_client.get(reverse("deliveries:edit", args=[delivery.pk])).status_code in (
        302,
        403,
    )
    assert admin_client.post(reverse("deliveries:delete", args=[delivery.pk])).status_code in (
        302,
        403,
    )
    assert Delivery.objects.filter(pk=delivery.pk).exists()


def test_members_cannot_see_the_ledger(member_client):
    make_deliveries(1)
    response = member_client.get(INDEX)
    assert response.status_code in (302, 403)
    assert b"person:0:x" not in response.content


def test_the_listing_queries_a_fixed_number_of_times(admin_client, django_assert_max_num_queries):
    def count_queries():
        with django_assert_max_num_queries(40) as captured:
            assert admin_client.get(INDEX).status_code == 200
        return len(captured.captured_queries)

    count_queries()
    make_deliveries(3)
    with_three = count_queries()
    make_deliveries(27)
    assert count_queries() == with_three


def test_messages_whose_outcome_is_unknown_are_listed_for_checking_with_their_message_id(
    admin_client,
):
    unconfirmed = Delivery.objects.create(
        recipient=UserFactory(email="unsure@example.org", member=True),
        kind="digest",
        event_key="digest:2026-W49",
        status=Delivery.Status.UNCONFIRMED,
        claimed_by="task 5f0c on worker-1 pid 4242",
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    make_deliveries(2, status=Delivery.Status.SENT)

    response = admin_client.get(INDEX + "?status=unconfirmed")

    content = response.content.decode()
    assert "unsure@example.org" in content
    assert "Unconfirmed: check" in content
    assert content.count("person:") == 0
    detail = admin_client.get(reverse("deliveries:inspect", args=[unconfirmed.pk]))
    detail_content = detail.content.decode()
    assert "Message-ID" in detail_content
    assert f"delivery-{unconfirmed.pk}@localhost" in detail_content
    assert "task 5f0c on worker-1 pid 4242" in detail_content
