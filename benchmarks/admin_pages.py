"""
Admin benchmarks, part of `manage.py bench --only portal` (benchmarks/site.py runs them after the
public pages, on the same seeded database): server time p50/p95, query count and HTML size of the
pages the secretariat works in, at the bench scale.

Measured as the demo secretariat account in a session that passed the second factor, with the
second factor required (as in production) and DEBUG off, through Django's test client in this
process, as the public pages are (benchmarks/measure.py: server time, no network). Each page is
requested once to warm up, once with its queries counted (that request's body is the HTML size),
then timed over `repeats` requests, or fewer (at least measure.MIN_SAMPLES) when a slow page has
spent its time budget, so that one slow editor cannot hold the whole bench for minutes. `cpu` is
the median CPU time this process spent per request: on a shared machine, what a page costs apart
from waiting for a core (and, on PostgreSQL, apart from the database server's own time).

The meeting editor is measured on a meeting with 10 agenda items and 20 participants (created
here if the data has none): the record the secretariat keeps after a regional meeting.
"""

import datetime
import time

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from benchmarks.measure import measure

ADMIN_TARGET_MS = 300
ADMIN_HTML_TARGET_KB = 500
BENCH_MEETING_SLUG = "bench-admin-meeting"
AGENDA_ITEMS = 10
PARTICIPANTS = 20


def bench_admin(command, quick, user=None):
    """One `admin.<page>` line per page of admin_pages(), as `user` (default: the demo
    secretariat account)."""
    user = user or _secretariat_user()
    repeats, budget = (3, 10) if quick else (20, 30)  # samples; seconds per page
    with override_settings(DEBUG=False, MFA_REQUIRED_FOR_SECRETARIAT=True):
        client = signed_in_client(user)
        for name, url in admin_pages(user):
            if url is None:
                command.figure(f"admin.{name}", "missing", note="no such object in the data")
                continue
            measured = measure(client, url, repeats, warm=1, budget=budget)
            html_kb = measured.bytes / 1024
            met = (
                measured.p95 <= ADMIN_TARGET_MS
                and html_kb <= ADMIN_HTML_TARGET_KB
                and measured.status == 200
            )
            command.figure(
                f"admin.{name}",
                round(measured.p50, 1),
                "ms p50",
                target=f"p95<={ADMIN_TARGET_MS}ms html<={ADMIN_HTML_TARGET_KB}kB",
                p95=f"{measured.p95:.1f}ms",
                cpu=f"{measured.cpu:.1f}ms",
                queries=measured.queries,
                html=f"{html_kb:.1f}kB",
                samples=measured.samples,
                status=measured.status,
                ok="yes" if met else "NO",
            )


def _secretariat_user():
    from portal.demo import SECRETARIAT_EMAIL

    return apps.get_model(settings.AUTH_USER_MODEL).objects.get(email=SECRETARIAT_EMAIL)


def signed_in_client(user):
    """A test client signed in as `user` with the second factor passed: the records allauth
    keeps in the session after a password and a TOTP code (what portal.access reads)."""
    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)  # whose records they are
    session.save()
    return client


def admin_pages(user):
    """(name, URL) of each admin page measured; None for a URL whose object the data lacks."""
    from wagtail.admin.admin_url_finder import AdminURLFinder

    from library.models import LibraryIndexPage, ResourcePage, ResourceType
    from network.models import Person

    finder = AdminURLFinder(user)

    def edit_url(obj):
        return finder.get_edit_url(obj) if obj is not None else None

    library = LibraryIndexPage.objects.first()
    explorer = reverse("wagtailadmin_explore", args=[library.pk]) if library else None
    # The resource and the person with the most rows in their editors' inline panels.
    resource = (
        ResourcePage.objects.exclude(resource_type=ResourceType.INDICATOR_SET)
        .annotate(rows=Count("attachments", distinct=True) + Count("related_links", distinct=True))
        .order_by("-rows", "pk")
        .first()
    )
    indicator_set = (
        ResourcePage.objects.filter(resource_type=ResourceType.INDICATOR_SET).order_by("pk").first()
    )
    person = (
        Person.objects.filter(is_active=True)
        .annotate(rows=Count("mandates"))
        .order_by("-rows", "pk")
        .first()
    )
    return [
        ("dashboard", reverse("wagtailadmin_home")),
        ("library_explorer", explorer),
        ("search", reverse("wagtailadmin_pages:search") + "?q=referral"),
        ("resource_editor", edit_url(resource)),
        ("meeting_editor", edit_url(bench_meeting(user))),
        ("person_editor", edit_url(person)),
        ("indicator_set_editor", edit_url(indicator_set)),
    ]


def bench_meeting(user):
    """A published meeting with AGENDA_ITEMS agenda items and PARTICIPANTS participants from the
    directory, with decisions, action points and papers: the first such meeting in the data, else
    one created as the editor creates it. None without a meetings page or enough people."""
    from library.models import LibraryDocument, ResourcePage
    from meetings import models as meetings
    from network.models import Country, Person
    from portal.access import Audience

    existing = (
        meetings.MeetingPage.objects.annotate(
            items=Count("agenda_items", distinct=True),
            people=Count("participants", distinct=True),
        )
        .filter(items=AGENDA_ITEMS, people=PARTICIPANTS)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing
    index = meetings.MeetingIndexPage.objects.first()
    people = list(Person.objects.filter(is_active=True).order_by("pk")[:PARTICIPANTS])
    if index is None or len(people) < PARTICIPANTS:
        return None
    country = Country.objects.order_by("pk").first()
    documents = list(LibraryDocument.objects.order_by("pk")[:4])
    resources = list(ResourcePage.objects.live().order_by("pk")[:4])
    start = datetime.date.today() - datetime.timedelta(days=30)
    meeting = meetings.MeetingPage(
        title="Regional meeting of national coordinators (benchmark record)",
        slug=BENCH_MEETING_SLUG,
        series=meetings.MeetingSeries.objects.order_by("pk").first(),
        start_date=start,
        start_time=datetime.time(9, 0),
        end_date=start + datetime.timedelta(days=1),
        end_time=datetime.time(17, 0),
        time_zone="Europe/Belgrade",
        host_country=country,
        venue_city="Belgrade",
        public_summary="<p>The network reviewed transnational referral and its indicators.</p>",
        audience=Audience.PUBLIC,
        minutes="<p>The chair opened the meeting; the agenda was adopted.</p>",
        agenda_items=[
            meetings.AgendaItem(
                time=datetime.time(9 + number // 2, 30 * (number % 2)),
                title=f"Agenda item {number + 1}",
                description="Background and expected outcome.",
                presenter=people[number],
                documents=documents[number % 2 : number % 2 + 2] if documents else [],
                resources=resources[:1] if number % 3 == 0 and resources else [],
            )
            for number in range(AGENDA_ITEMS)
        ],
        participants=[
            meetings.Participant(person=person, attendance=meetings.Participant.Attendance.ATTENDED)
            for person in people
        ],
        decisions=[
            meetings.Decision(number=number + 1, text=f"Decision {number + 1} of the meeting.")
            for number in range(4)
        ],
        action_points=[
            meetings.ActionPoint(
                description=f"Action point {number + 1}",
                owner_person=people[number],
                due_date=start + datetime.timedelta(days=60),
            )
            for number in range(4)
        ],
        documents=[meetings.MeetingDocument(document=document) for document in documents[:2]],
    )
    with transaction.atomic():
        index.add_child(instance=meeting)
        meeting.save_revision(user=user).publish(user=user)
    return meetings.MeetingPage.objects.get(pk=meeting.pk)
