"""The Atom feed /library/feed/: newest resources the requester may see, with the filters."""

import datetime

import pytest

from tests.library.factories import resource


@pytest.fixture
def resources(library):
    resource("Public referral guide", topics=["referral"], published=datetime.date(2020, 1, 1))
    resource("Public data tool", topics=["data-collection"], published=datetime.date(2021, 1, 1))
    resource(
        "Members-only child SOP",
        audience="members",
        topics=["referral"],
        summary="Secret summary about child referral",
        published=datetime.date(2022, 1, 1),
    )


def test_feed_is_atom_with_the_newest_public_resources(client, resources):
    response = client.get("/library/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert body.index("Public data tool") < body.index("Public referral guide")


def test_anonymous_feed_never_shows_members_only_titles_or_summaries(client, resources):
    body = client.get("/library/feed/").content.decode()
    assert "Members-only child SOP" not in body
    assert "Secret summary" not in body


def test_member_feed_includes_members_only_resources_privately(member_client, resources):
    response = member_client.get("/library/feed/")
    assert "Members-only child SOP" in response.content.decode()
    assert "private" in response["Cache-Control"]


def test_feed_takes_the_listing_filters(client, resources):
    body = client.get("/library/feed/?topic=referral").content.decode()
    assert "Public referral guide" in body
    assert "Public data tool" not in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("topic=nope", "Unknown topic: “nope”"),
        ("year=abc", "Not a year: “abc”"),
        ("type=x", "Unknown resource type: “x”"),
        ("country=X%00Y%01", "Unknown country: “XY”"),
        ("language=zz", "Unknown language: “zz”"),
        ("country=%00", None),
        ("q=%00", None),
    ],
)
def test_feed_with_bad_parameters_names_the_problem_and_still_answers(
    client, resources, query, message
):
    response = client.get(f"/library/feed/?{query}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Public referral guide" in body
    if message:
        assert message in body


@pytest.mark.parametrize("count", [3, 30])
def test_feed_query_count_is_fixed(client, library, django_assert_num_queries, count):
    for number in range(count):
        resource(f"Guide {number}", topics=["referral"])
    client.get("/library/feed/")
    with django_assert_num_queries(FEED_QUERIES):
        client.get("/library/feed/?topic=referral")


FEED_QUERIES = 6
