"""The admin benchmark (benchmarks/admin_pages.py) on the demo network, in its quick mode: one line
per admin page with its server time, query count and HTML size. Whether the targets are met is
the benchmark's finding at scale (`make bench`), not this test's."""

import re
from io import StringIO

import pytest

from django.core.management import call_command

from benchmarks.admin_pages import AGENDA_ITEMS, PARTICIPANTS, bench_admin, bench_meeting
from benchmarks.management.commands.bench import Command
from meetings.models import MeetingPage
from network.models import Person
from tests.network.factories import PersonFactory

pytestmark = pytest.mark.django_db

NUMBER = r"\d+(?:\.\d+)?"
LINE = re.compile(
    rf"^admin\.(?P<name>\w+) (?P<p50>{NUMBER}) ms p50 \(target p95<=300ms html<=500kB\) "
    rf"p95=(?P<p95>{NUMBER})ms cpu=(?P<cpu>{NUMBER})ms queries=(?P<queries>\d+) "
    rf"html=(?P<html>{NUMBER})kB "
    rf"samples=(?P<samples>\d+) status=(?P<status>\d+) ok=(?:yes|NO)$"
)
PAGES = [
    "dashboard",
    "library_explorer",
    "search",
    "resource_editor",
    "meeting_editor",
    "person_editor",
    "indicator_set_editor",
]


@pytest.fixture
def demo_network():
    call_command("seed_demo", "--password", "bench password", stdout=StringIO())


def test_admin_bench_prints_time_queries_and_html_size_of_each_admin_page(demo_network, capsys):
    out = StringIO()
    bench_admin(Command(stdout=out), quick=True)

    lines = out.getvalue().splitlines()
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    assert [match["name"] for match in matches] == PAGES
    for match in matches:
        # Every page answered the signed-in secretariat (no redirect to the second factor).
        assert match["status"] == "200", match.group(0)
        assert int(match["queries"]) > 0
        assert float(match["html"]) > 1
        assert int(match["samples"]) >= 3
        assert float(match["p95"]) >= float(match["p50"]) > 0
        assert float(match["cpu"]) > 0
    assert capsys.readouterr().out == ""  # the figures are the bench's only output


def test_the_bench_meeting_has_ten_agenda_items_and_twenty_participants_and_is_made_once(
    secretariat,
):
    PersonFactory.create_batch(PARTICIPANTS)

    meeting = bench_meeting(secretariat)

    assert meeting.live
    assert meeting.agenda_items.count() == AGENDA_ITEMS == 10
    assert meeting.participants.filter(person__isnull=False).count() == PARTICIPANTS == 20
    assert bench_meeting(secretariat) == meeting
    assert MeetingPage.objects.count() == 1


def test_pages_whose_object_the_data_lacks_are_reported_missing(secretariat):
    PersonFactory.create_batch(PARTICIPANTS - 1)  # too few people for the bench meeting
    Person.objects.update(is_active=False)  # and no active person to edit
    out = StringIO()
    bench_admin(Command(stdout=out), quick=True, user=secretariat)

    lines = out.getvalue().splitlines()
    measured = [LINE.match(line)["name"] for line in lines[:3]]
    assert measured == ["dashboard", "library_explorer", "search"]
    assert lines[3:] == [
        f"admin.{name} missing note=no such object in the data"
        for name in ["resource_editor", "meeting_editor", "person_editor", "indicator_set_editor"]
    ]
    assert not MeetingPage.objects.exists()
