"""
The leak matrix: for every kind of restricted content and every way out of the portal, what an
anonymous visitor, a member and the secretariat get. Each kind of content carries a marker word
that appears nowhere else; a way out leaks when a marker reaches a tier below the content's.

Every row also names what a tier *must* see, so that a probe that silently shows nothing (a
broken URL, an empty index) fails instead of passing. New ways out must be added here.
"""

import datetime
import io
import zipfile

import pytest

from django.core import mail
from django.utils import timezone

from meetings.models import ActionPoint, AgendaItem, Decision, Registration
from network.models import PersonEmail
from portal.access import Audience
from tests.clients import Client
from tests.library import factories as library
from tests.meetings.factories import make_meeting
from tests.network.factories import MandateFactory, PersonFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

# Marker words, by the lowest tier allowed to see them.
MEMBERS_MARKERS = {
    "resource_title": "Zanzibarquill",
    "resource_body": "Quokkaplinth",
    "attachment_text": "Vexillograph",
    "agenda": "Marzipanoid",
    "minutes": "Fjordhopper",
    "decision": "Gnomonical",
    "action_point": "Tesseractal",
    "members_meeting": "Obsidianly",
    "email": "wombatcourier",
    "phone": "+381 99 123 7654",
}
SECRETARIAT_MARKERS = {"biography": "Cassowarine"}
PUBLIC_MARKERS = {"public_resource": "Heliotropic", "meeting_summary": "Lanternfish"}
TIERS = ("anonymous", "member", "secretariat")


@pytest.fixture
def world(django_capture_on_commit_callbacks, home_page):
    """Restricted content of every kind, indexed and extracted as in production."""
    with django_capture_on_commit_callbacks(execute=True):
        pdf = library.document(
            "secret.pdf",
            library.pdf_bytes([f"Internal annex {MEMBERS_MARKERS['attachment_text']}."]),
        )
    with django_capture_on_commit_callbacks(execute=True):
        members_resource = library.resource(
            f"Guide {MEMBERS_MARKERS['resource_title']}",
            audience=Audience.MEMBERS,
            summary="Restricted guidance.",
            body=[("paragraph", f"<p>Procedure {MEMBERS_MARKERS['resource_body']}.</p>")],
            topics=["referral", "zebra-topic"],
            countries=["AL"],
            attachments=[pdf],
        )
        public_resource = library.resource(
            f"Open guide {PUBLIC_MARKERS['public_resource']}",
            audience=Audience.PUBLIC,
            topics=["referral"],
            countries=["AL"],
        )
        person = PersonFactory(
            email=f"{MEMBERS_MARKERS['email']}@example.org",
            phone=MEMBERS_MARKERS["phone"],
            biography=f"Background {SECRETARIAT_MARKERS['biography']}.",
            biography_audience=Audience.SECRETARIAT,
        )
        meeting = make_meeting(
            public_summary=f"<p>Summary {PUBLIC_MARKERS['meeting_summary']}.</p>",
            minutes=f"<p>Minutes {MEMBERS_MARKERS['minutes']}.</p>",
            start=datetime.date.today() + datetime.timedelta(days=20),
            children={
                "agenda_items": [AgendaItem(title=f"Item {MEMBERS_MARKERS['agenda']}")],
                "decisions": [Decision(number=1, text=f"Decided {MEMBERS_MARKERS['decision']}")],
                "action_points": [
                    ActionPoint(
                        description=f"Do {MEMBERS_MARKERS['action_point']}", owner_person=person
                    )
                ],
            },
        )
        members_meeting = make_meeting(
            title=f"Closed {MEMBERS_MARKERS['members_meeting']}",
            audience=Audience.MEMBERS,
            start=datetime.date.today() + datetime.timedelta(days=40),
        )
    assert PersonEmail.objects.filter(person=person).exists()
    # A current mandate puts the person on their country's page, vCards and referral contacts;
    # a registration puts them in the meeting's registrations export.
    MandateFactory(person=person)
    Registration.objects.create(meeting=meeting, person=person, status="registered")
    return {
        "members_resource": members_resource,
        "public_resource": public_resource,
        "pdf": pdf,
        "person": person,
        "meeting": meeting,
        "members_meeting": members_meeting,
    }


@pytest.fixture
def clients(db):
    member, secretariat = UserFactory(member=True), UserFactory(secretariat=True)
    result = {"anonymous": Client(), "member": Client(), "secretariat": Client()}
    result["member"].force_login(member)
    result["secretariat"].force_login(secretariat)
    return result


def body(response):
    """Everything a way out hands over: the body (unzipped for archives). A redirect's Location
    only repeats the URL the visitor asked for, so it is not counted."""
    if (
        response.get("Content-Type", "").startswith("application/zip")
        and response.status_code == 200
    ):
        content = b"".join(response.streaming_content) if response.streaming else response.content
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode("utf-8", "replace")


def visible_markers(text, echo=""):
    """Markers in `text` beyond those in `echo`: a search answer repeats the query typed, so it
    is compared with the answer to a query that matches nothing but echoes the same words."""
    text, echo = text.lower(), echo.lower()
    found = set()
    for markers in (MEMBERS_MARKERS, SECRETARIAT_MARKERS, PUBLIC_MARKERS):
        found |= {
            name
            for name, marker in markers.items()
            if text.count(marker.lower()) > echo.count(marker.lower())
        }
    return found


def allowed_for(tier):
    allowed = set(PUBLIC_MARKERS)
    if tier in ("member", "secretariat"):
        allowed |= set(MEMBERS_MARKERS)
    if tier == "secretariat":
        allowed |= set(SECRETARIAT_MARKERS)
    return allowed


def url_of(world, name):
    w = world
    return {
        "resource page": w["members_resource"].url,
        "library listing": "/library/",
        "library feed": "/library/feed/",
        "sitemap": "/sitemap.xml",
        "home page": "/",
        "document download": w["pdf"].url,
        "search page (resource text)": "/search/?q=" + MEMBERS_MARKERS["resource_body"],
        "search page (attachment text)": "/search/?q=" + MEMBERS_MARKERS["attachment_text"],
        "search API (attachment text)": "/api/search/?q=" + MEMBERS_MARKERS["attachment_text"],
        "search API (meeting record)": "/api/search/?q=" + MEMBERS_MARKERS["minutes"],
        "search API (biography)": "/api/search/?q=" + SECRETARIAT_MARKERS["biography"],
        "search suggestions": "/api/search/suggest/?q=" + MEMBERS_MARKERS["resource_title"][:6],
        "meeting page": w["meeting"].url,
        "meeting calendar entry": f"/meetings/meeting/{w['meeting'].pk}.ics",
        "meetings calendar feed": "/meetings/calendar.ics",
        "meetings index": "/meetings/",
        "meeting pack": f"/meetings/meeting/{w['meeting'].pk}/pack.zip",
        "action list": "/meetings/actions/",
        "action update page": f"/meetings/actions/{w['meeting'].action_points.get().pk}/update/",
        "meeting registrations CSV": f"/meetings/meeting/{w['meeting'].pk}/registrations.csv",
        "person page": f"/network/people/{w['person'].pk}/",
        "person vCard": f"/network/people/{w['person'].pk}.vcf",
        "country vCard": f"/network/{w['person'].country.iso_code}.vcf",
        "country page": f"/network/{w['person'].country.iso_code}/",
        "directory": "/network/",
        "person edit page": f"/network/people/{w['person'].pk}/edit/",
        "people listing": "/network/people/",
        "directory CSV": "/network/directory.csv",
        "referral page": f"/network/referral/?from=AL&to={w['person'].country.iso_code}",
    }[name]


# way out -> the markers a member and the secretariat must find there (proof the probe works).
MUST_SEE = {
    "resource page": {"member": {"resource_title", "resource_body"}},
    "library listing": {"member": {"resource_title"}, "anonymous": {"public_resource"}},
    "library feed": {"member": {"resource_title"}, "anonymous": {"public_resource"}},
    "sitemap": {},
    "home page": {"member": {"resource_title"}},
    "document download": {"member": set()},
    "search page (resource text)": {"member": {"resource_title"}},
    "search page (attachment text)": {"member": {"resource_title"}},
    "search API (attachment text)": {"member": {"resource_title", "attachment_text"}},
    "search API (meeting record)": {"member": {"minutes"}},
    "search API (biography)": {"secretariat": {"biography"}},
    "search suggestions": {"member": {"resource_title"}},
    "meeting page": {
        "anonymous": {"meeting_summary"},
        "member": {"agenda", "minutes", "decision", "action_point"},
    },
    "meeting calendar entry": {},
    "meetings calendar feed": {"member": {"members_meeting"}},
    "meetings index": {"member": {"members_meeting"}},
    "meeting pack": {"member": {"agenda"}},
    "action list": {"member": {"action_point"}},
    # Only the owner (none of these tiers) or the secretariat may open it.
    "action update page": {"secretariat": {"action_point"}},
    "meeting registrations CSV": {},
    "person page": {"member": {"email", "phone"}, "secretariat": {"biography"}},
    "person vCard": {"member": {"email", "phone"}},
    "country vCard": {"member": {"email", "phone"}},
    "country page": {"member": {"email", "phone"}},
    "directory": {},
    # Only the entry's owner (none of these tiers) may open it.
    "person edit page": {},
    "people listing": {},
    "directory CSV": {"member": {"email"}, "secretariat": {"biography"}},
    "referral page": {"member": {"resource_title"}, "anonymous": {"public_resource"}},
}


@pytest.mark.parametrize("way_out", list(MUST_SEE))
def test_no_tier_gets_content_above_it_by_any_way_out(world, clients, way_out):
    url = url_of(world, way_out)
    for tier in TIERS:
        response = clients[tier].get(url)
        assert response.status_code < 500, (way_out, tier, response.status_code)
        echo = ""
        if "?q=" in url:
            # The same words inside a longer one: echoed alike, matching and suggesting nothing.
            echo = body(clients[tier].get(url.replace("?q=", "?q=Qzxvwqzxvwqzxvw")))
        seen = visible_markers(body(response), echo)
        leaked = seen - allowed_for(tier)
        assert not leaked, f"{way_out} shows {sorted(leaked)} to {tier}"
        must = set()
        for lower in TIERS[: TIERS.index(tier) + 1]:
            must |= MUST_SEE[way_out].get(lower, set())
        missing = must - seen
        assert not missing, f"{way_out} does not show {sorted(missing)} to {tier} ({url})"


def test_members_only_download_is_refused_to_anonymous_and_private_for_members(world, clients):
    url = world["pdf"].url
    anonymous = clients["anonymous"].get(url)
    assert anonymous.status_code in (302, 403)
    member = clients["member"].get(url)
    assert member.status_code == 200
    assert "private" in member["Cache-Control"]
    assert member["X-Content-Type-Options"] == "nosniff"
    assert member["Content-Disposition"].startswith("attachment")
    assert member.content.startswith(b"%PDF")
    from wagtail.models import ModelLogEntry

    assert ModelLogEntry.objects.filter(
        action="library.document.download", object_id=str(world["pdf"].pk)
    ).exists()


def test_facet_counts_never_count_what_the_user_may_not_see(world, clients):
    def topic_counts(tier):
        data = clients[tier].get("/api/search/?q=").json()
        return {facet["value"]: facet["count"] for facet in data["facets"]["topic"]}

    assert "zebra-topic" not in topic_counts("anonymous")
    assert topic_counts("member").get("zebra-topic") == 1
    assert topic_counts("anonymous").get("referral") == 1
    assert topic_counts("member").get("referral") == 2


def test_sitemap_lists_public_pages_only(world, clients):
    text = body(clients["anonymous"].get("/sitemap.xml"))
    assert world["public_resource"].url in text
    assert world["members_resource"].url not in text
    assert world["members_meeting"].url not in text


def test_anonymous_meeting_calendar_has_no_joining_link_or_record(world, clients):
    text = body(clients["anonymous"].get("/meetings/calendar.ics"))
    assert MEMBERS_MARKERS["members_meeting"] not in text
    assert MEMBERS_MARKERS["agenda"] not in text


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/pages/",
        "/admin/choose-page/",
        "/admin/documents/chooser/",
        "/admin/images/chooser/",
        "/admin/snippets/",
        "/admin/api/main/pages/",
        "/admin/reports/site-history/",
    ],
)
def test_members_have_no_admin_chooser_or_admin_api(world, clients, url):
    for tier in ("anonymous", "member"):
        response = clients[tier].get(url)
        assert response.status_code in (302, 403, 404), (tier, url, response.status_code)
        assert (
            not visible_markers(body(response)) - {"resource_title"} or response.status_code != 200
        )


def test_there_is_no_public_wagtail_api(world, clients):
    for url in ("/api/v2/pages/", "/api/v2/documents/", "/api/v2/images/"):
        assert clients["anonymous"].get(url).status_code == 404


def test_notification_emails_never_carry_items_above_the_recipient(
    world, django_capture_on_commit_callbacks
):
    """The weekly digest is built per recipient at sending time: the member's carries the
    members-only resource but never a secretariat-only one; the secretariat's carries both."""
    from notifications.models import Subscription
    from notifications.tasks import send_weekly_digests

    secret_title = "Ocelotrium"
    with django_capture_on_commit_callbacks(execute=True):
        secret = library.resource(f"Internal {secret_title}", audience=Audience.SECRETARIAT)
    # The digest gathers last week's guidance.
    last_week = timezone.now() - datetime.timedelta(days=timezone.localdate().weekday() + 3)
    for page in (secret, world["members_resource"]):
        type(page).objects.filter(pk=page.pk).update(last_published_at=last_week)
    member, secretariat = UserFactory(member=True), UserFactory(secretariat=True)
    for user in (member, secretariat):
        Subscription.objects.update_or_create(
            user=user, defaults={"everything": True, "frequency": "weekly"}
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_weekly_digests()

    def text_for(user):
        messages = [m for m in mail.outbox if m.to == [user.email]]
        assert messages, f"no digest was sent to {user.email}"
        return "".join(m.body + "".join(str(a[0]) for a in m.alternatives) for m in messages)

    assert MEMBERS_MARKERS["resource_title"] in text_for(member)
    assert secret_title not in text_for(member)
    assert secret_title in text_for(secretariat)
