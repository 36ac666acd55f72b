"""
The leak matrix: for every kind of restricted content and every way out of the portal, what an
anonymous visitor, a member and the secretariat get. Each kind of content carries a marker word
that appears nowhere else; a way out leaks when a marker reaches a tier below the content's.

Every row also names what a tier *must* see, so that a probe that silently shows nothing (a
broken URL, an empty index) fails instead of passing. New ways out must be added here.
"""

import datetime
import hashlib
import io
import re
import uuid
import zipfile

import pytest

from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from meetings.models import ActionPoint, AgendaItem, Decision, MeetingDocument, Registration
from network.models import Institution, PersonEmail
from notifications.campaigns import CampaignRecipient, FreshnessCampaign
from notifications.tokens import freshness_token
from portal.access import Audience
from tests.clients import Client
from tests.library import factories as library
from tests.meetings.factories import make_meeting
from tests.network.factories import MandateFactory, PersonFactory
from tests.portal.factories import UserFactory
from tests.portal.images import image_block, make_image, rich_text_embed

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
    # Meeting papers (the text of the file) by the audience they have where they are shown.
    "members_paper": "Halyardish",
    "public_paper_of_members_meeting": "Pumiceous",
    "members_paper_of_members_meeting": "Marmosetic",
    # A file linked only from the minutes of a public meeting.
    "minutes_document": "Quandongle",
    # Images (see IMAGE_MARKERS): one only in a members-only resource, one only in minutes.
    "members_image": "Tamarindish",
    "minutes_image": "Kookaburral",
    # A referral institution's members-only phone number.
    "institution_phone": "+382 98 555 0199",
}
SECRETARIAT_MARKERS = {
    "biography": "Cassowarine",
    "secretariat_paper": "Nautiloidal",
    "secretariat_paper_of_members_meeting": "Gibbousness",
    # A referral institution's secretariat-only email address.
    "institution_email": "pangolinhotline",
    # What a registrant needs organised (dietary needs), and a secretariat-only resource that
    # only the personal-feed test creates.
    "registration_needs": "Kumquatish",
    "secretariat_resource": "Quillwortian",
}
PUBLIC_MARKERS = {
    "public_resource": "Heliotropic",
    "meeting_summary": "Lanternfish",
    "public_paper": "Sassafrassy",
    "public_image": "Wisteriant",
    # A referral institution's (public) name.
    "institution_name": "Axolotlian",
}
# Indicators: one only in a members-only indicator set, one in a public set.
MEMBERS_MARKERS["members_indicator"] = "Quetzalloom"
PUBLIC_MARKERS["public_indicator"] = "Tamboritza"
# An image's bytes hold no words: the world names each image file by its marker, and `body`
# hands over that marker when a response carries the file.
IMAGE_MARKERS = {}
TIERS = ("anonymous", "member", "secretariat")


def text_file(marker):
    """A document whose text is a marker word (served as it is, extracted for search). Its name
    is not: a refusal page may repeat the URL."""
    return library.document("paper.txt", f"Paper {marker}.".encode(), title="Paper")


def paper(marker, audience):
    return MeetingDocument(document=text_file(marker), audience=audience)


def marked_image(marker, colour):
    """An image whose renditions count as `marker` for `body`."""
    image = make_image(colour=colour)
    with image.get_rendition("original").file.open("rb") as handle:
        IMAGE_MARKERS[hashlib.sha256(handle.read()).hexdigest()] = marker
    return image


def indicator_world():
    """A public indicator set and a members-only one, each with a strong screening indicator
    carrying its marker."""
    public = library.indicator(
        f"Public sign {PUBLIC_MARKERS['public_indicator']}.", stage="screening", strength="strong"
    )
    members = library.indicator(
        f"Restricted sign {MEMBERS_MARKERS['members_indicator']}.",
        stage="screening",
        strength="strong",
    )
    public_set = library.indicator_set("Open indicator set", [("Signs", public)])
    members_set = library.indicator_set(
        "Closed indicator set", [("Signs", members)], audience=Audience.MEMBERS
    )
    return {"public_indicator_set": public_set, "members_indicator_set": members_set}


@pytest.fixture
def world(django_capture_on_commit_callbacks, home_page):
    """Restricted content of every kind, indexed and extracted as in production."""
    # Wagtail caches renditions by image id, and a rolled-back test's ids are given again.
    cache.clear()
    IMAGE_MARKERS.clear()
    images = {
        "public_image": marked_image(PUBLIC_MARKERS["public_image"], "gold"),
        "members_image": marked_image(MEMBERS_MARKERS["members_image"], "navy"),
        "minutes_image": marked_image(MEMBERS_MARKERS["minutes_image"], "olive"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        indicator_sets = indicator_world()
    with django_capture_on_commit_callbacks(execute=True):
        pdf = library.document(
            "secret.pdf",
            library.pdf_bytes([f"Internal annex {MEMBERS_MARKERS['attachment_text']}."]),
        )
        papers = {
            name: paper(marker, audience)
            for markers, audience in (
                (PUBLIC_MARKERS, Audience.PUBLIC),
                (MEMBERS_MARKERS, Audience.MEMBERS),
                (SECRETARIAT_MARKERS, Audience.SECRETARIAT),
            )
            for name, marker in markers.items()
            if name in PAPERS
        }
        minutes_document = text_file(MEMBERS_MARKERS["minutes_document"])
    with django_capture_on_commit_callbacks(execute=True):
        members_resource = library.resource(
            f"Guide {MEMBERS_MARKERS['resource_title']}",
            audience=Audience.MEMBERS,
            summary="Restricted guidance.",
            body=[
                ("paragraph", f"<p>Procedure {MEMBERS_MARKERS['resource_body']}.</p>"),
                image_block(images["members_image"]),
            ],
            topics=["referral", "zebra-topic"],
            countries=["AL"],
            attachments=[pdf],
        )
        public_resource = library.resource(
            f"Open guide {PUBLIC_MARKERS['public_resource']}",
            audience=Audience.PUBLIC,
            topics=["referral"],
            countries=["AL"],
            body=[image_block(images["public_image"])],
        )
        person = PersonFactory(
            email=f"{MEMBERS_MARKERS['email']}@example.org",
            phone=MEMBERS_MARKERS["phone"],
            biography=f"Background {SECRETARIAT_MARKERS['biography']}.",
            biography_audience=Audience.SECRETARIAT,
        )
        meeting = make_meeting(
            public_summary=f"<p>Summary {PUBLIC_MARKERS['meeting_summary']}.</p>",
            minutes=(
                f"<p>Minutes {MEMBERS_MARKERS['minutes']}, with "
                f'<a linktype="document" id="{minutes_document.pk}">an annex</a>.</p>'
                f"{rich_text_embed(images['minutes_image'])}"
            ),
            start=datetime.date.today() + datetime.timedelta(days=20),
            children={
                "documents": [
                    papers["public_paper"],
                    papers["members_paper"],
                    papers["secretariat_paper"],
                ],
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
            children={
                "documents": [
                    papers["public_paper_of_members_meeting"],
                    papers["members_paper_of_members_meeting"],
                    papers["secretariat_paper_of_members_meeting"],
                ]
            },
        )
    assert PersonEmail.objects.filter(person=person).exists()
    # A freshness campaign asking someone else: its link shows that person's own entry only.
    asked = PersonFactory(given_name="Asked", family_name="Elsewhere")
    campaign = FreshnessCampaign.objects.create(unconfirmed_months=0, start_key=uuid.uuid4())
    CampaignRecipient.objects.create(campaign=campaign, person=asked)
    # A current mandate puts the person on their country's page, vCards and referral contacts;
    # a registration puts them in the meeting's registrations export.
    MandateFactory(person=person)
    Registration.objects.create(
        meeting=meeting,
        person=person,
        status="registered",
        dietary_needs=f"No {SECRETARIAT_MARKERS['registration_needs']}",
    )
    # A referral institution of the person's country, indexed, with a contact field per tier.
    with django_capture_on_commit_callbacks(execute=True):
        institution = Institution.objects.create(
            country=person.country,
            name=f"{PUBLIC_MARKERS['institution_name']} shelter",
            kind=Institution.Kind.SHELTER,
            procedures=["assistance"],
            target_groups=["children"],
            phone=MEMBERS_MARKERS["institution_phone"],
            phone_visibility=Audience.MEMBERS,
            email=f"{SECRETARIAT_MARKERS['institution_email']}@example.org",
            email_visibility=Audience.SECRETARIAT,
        )
    return {
        **indicator_sets,
        "institution": institution,
        "members_resource": members_resource,
        "public_resource": public_resource,
        "pdf": pdf,
        "person": person,
        "meeting": meeting,
        "members_meeting": members_meeting,
        "papers": {name: item.document for name, item in papers.items()},
        "minutes_document": minutes_document,
        "images": {name: image.get_rendition("original") for name, image in images.items()},
        "campaign": campaign,
        "asked": asked,
    }


@pytest.fixture
def clients(db):
    member, secretariat = UserFactory(member=True), UserFactory(secretariat=True)
    result = {"anonymous": Client(), "member": Client(), "secretariat": Client()}
    result["member"].force_login(member)
    result["secretariat"].force_login(secretariat)
    return result


def body(response):
    """Everything a way out hands over: the body (unzipped for archives, an image's marker for
    an image). A redirect's Location only repeats the URL the visitor asked for, so it is not
    counted."""
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
    if response.get("Content-Type", "").startswith("application/pdf"):
        from pypdf import PdfReader

        # The text a reader extracts, a line break read as a space (a marker may wrap).
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        return " ".join(text.split())
    if response.get("Content-Type", "").startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    ):
        import docx

        document = docx.Document(io.BytesIO(data))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)
    if response.get("Content-Type", "").startswith("image/"):
        return IMAGE_MARKERS.get(hashlib.sha256(data).hexdigest(), "an unknown image")
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
        "freshness link of another person": reverse(
            "network:freshness_answer", args=[freshness_token(w["campaign"].pk, w["asked"].pk)]
        ),
        "people listing": "/network/people/",
        "directory CSV": "/network/directory.csv",
        "referral page": f"/network/referral/?from=AL&to={w['person'].country.iso_code}",
        **{f"meeting paper ({paper})": w["papers"][paper].url for paper in PAPERS},
        "document linked from the minutes": w["minutes_document"].url,
        "search API (meeting paper text)": "/api/search/?q=" + MEMBERS_MARKERS["members_paper"],
        **{f"image ({image})": w["images"][image].url for image in IMAGES},
        "country page (institutions)": f"/network/{w['institution'].country.iso_code}/",
        "institution vCard": f"/network/institutions/{w['institution'].pk}.vcf",
        "institutions CSV": "/network/institutions.csv",
        "search API (institution)": "/api/search/?q=" + SECRETARIAT_MARKERS["institution_email"],
        "referral data edit page": f"/network/{w['institution'].country.iso_code}/referral-data/",
        "institution add page": f"/network/{w['institution'].country.iso_code}/institutions/add/",
        "institution edit page": f"/network/institutions/{w['institution'].pk}/edit/",
        "institution delete page": f"/network/institutions/{w['institution'].pk}/delete/",
        **{
            f"referral pathway ({label})": f"/network/referral/?from=AL&to="
            f"{w['institution'].country.iso_code}&{REFERRAL_CASE}{suffix}"
            for label, suffix in REFERRAL_OUTPUTS.items()
        },
        "referral coverage report": "/admin/network/referral-coverage/",
        **{
            f"indicator {label}": url.format(
                public=w["public_indicator_set"].pk, members=w["members_indicator_set"].pk
            )
            for label, url in INDICATOR_PAGES.items()
        },
        "referral coverage CSV": "/admin/network/referral-coverage/?format=csv",
        # Registration needs and attendance, the personal feed's address page.
        "meeting page (registrations)": w["meeting"].url,
        "meeting registrations CSV (needs)": (
            f"/meetings/meeting/{w['meeting'].pk}/registrations.csv"
        ),
        "meeting attendance page": f"/meetings/meeting/{w['meeting'].pk}/attendance/",
        "personal feed address page": "/notifications/feed/",
        # The decisions register, the action timeline and the follow-up report.
        "decisions register": "/meetings/decisions/",
        "decisions feed": "/meetings/decisions/feed/",
        "decisions CSV": "/meetings/decisions/?format=csv",
        "action timeline": f"/meetings/actions/{w['meeting'].action_points.get().pk}/",
        "follow-up report": "/meetings/follow-up/",
        "follow-up CSV": "/meetings/follow-up/?format=csv",
        "follow-up PDF": "/meetings/follow-up/?format=pdf",
    }[name]


# The referral assistant with a case profile: the page, the printable sheet and the PDF.
REFERRAL_CASE = "group=child&child=unaccompanied&procedure=assistance&asylum=no"
REFERRAL_OUTPUTS = {"page": "", "sheet": "&format=print", "PDF": "&format=pdf"}


# The indicator pages: the browser, the checklist of a selection and of the members-only set
# (with its downloads), and the compare of the two sets.
INDICATOR_PAGES = {
    "browser": "/library/indicators/",
    "browser (filtered)": "/library/indicators/?stage=screening&strength=strong",
    "browser (members-only set)": "/library/indicators/?set={members}",
    "checklist": "/library/indicators/checklist/?strength=strong",
    **{
        f"checklist {output.upper()}": f"/library/indicators/checklist/?strength=strong"
        f"&format={output}"
        for output in ("pdf", "docx", "csv")
    },
    "checklist (members-only set)": "/library/indicators/checklist/?set={members}",
    "checklist CSV (members-only set)": "/library/indicators/checklist/?set={members}&format=csv",
    "compare (members-only set)": "/library/indicators/compare/?a={public}&b={members}",
}


# Meeting papers: on the public meeting one of each audience, on the members-only one too (a
# public paper there is for members). The row of each is named after its marker.
PAPERS = (
    "public_paper",
    "members_paper",
    "secretariat_paper",
    "public_paper_of_members_meeting",
    "members_paper_of_members_meeting",
    "secretariat_paper_of_members_meeting",
)
IMAGES = ("public_image", "members_image", "minutes_image")


def lowest_tier_of(marker_name):
    for tier, markers in (
        ("anonymous", PUBLIC_MARKERS),
        ("member", MEMBERS_MARKERS),
        ("secretariat", SECRETARIAT_MARKERS),
    ):
        if marker_name in markers:
            return tier
    raise KeyError(marker_name)


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
    # Each file is served to the lowest tier of its marker, and above: the file's own text.
    **{f"meeting paper ({paper})": {lowest_tier_of(paper): {paper}} for paper in PAPERS},
    "document linked from the minutes": {"member": {"minutes_document"}},
    "search API (meeting paper text)": {"member": {"members_paper"}},
    **{f"image ({image})": {lowest_tier_of(image): {image}} for image in IMAGES},
    "meeting calendar entry": {},
    "meetings calendar feed": {"member": {"members_meeting"}},
    "meetings index": {"member": {"members_meeting"}},
    "meeting pack": {
        "member": {"agenda", "public_paper", "members_paper"},
        "secretariat": {"secretariat_paper"},
    },
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
    # A signed link shows its own person's entry (tested below), never the world's person.
    "freshness link of another person": {},
    "people listing": {},
    "directory CSV": {"member": {"email"}, "secretariat": {"biography"}},
    "referral page": {"member": {"resource_title"}, "anonymous": {"public_resource"}},
    # The referral pathway's institutions: each contact field by its own audience.
    "country page (institutions)": {
        "anonymous": {"institution_name"},
        "member": {"institution_phone"},
        "secretariat": {"institution_email"},
    },
    "institution vCard": {
        "anonymous": {"institution_name"},
        "member": {"institution_phone"},
        "secretariat": {"institution_email"},
    },
    "institutions CSV": {
        "member": {"institution_name", "institution_phone"},
        "secretariat": {"institution_email"},
    },
    "search API (institution)": {"secretariat": {"institution_name", "institution_email"}},
    # A country's coordinators (none of these tiers) and the secretariat edit its referral data.
    "referral data edit page": {"secretariat": {"institution_name"}},
    "institution add page": {},
    "institution edit page": {
        "secretariat": {"institution_name", "institution_phone", "institution_email"}
    },
    "institution delete page": {"secretariat": {"institution_name"}},
    # The pathway: the institution and the country's coordinator (the person), each contact
    # field by its audience, and the guidance on referral the tier may see (all of it on the
    # page; the sheet and the PDF name a selection of it, whose order may differ by database).
    **{
        f"referral pathway ({label})": {
            "anonymous": {"institution_name"} | ({"public_resource"} if label == "page" else set()),
            "member": {"institution_phone", "email", "phone"}
            | ({"resource_title"} if label == "page" else set()),
            "secretariat": {"institution_email"},
        }
        for label in REFERRAL_OUTPUTS
    },
    **{
        f"indicator {label}": {"anonymous": {"public_indicator"}, "member": {"members_indicator"}}
        for label in INDICATOR_PAGES
        if "members-only set" not in label
    },
    **{
        f"indicator {label}": {"member": {"members_indicator"}}
        for label in INDICATOR_PAGES
        if "members-only set" in label
    },
    # The secretariat's report names institutions (the world's one was never confirmed).
    "referral coverage report": {"secretariat": {"institution_name"}},
    "referral coverage CSV": {"secretariat": {"institution_name"}},
    # What a registrant needs organised: the secretariat's only, wherever registrations show.
    "meeting page (registrations)": {"secretariat": {"registration_needs"}},
    "meeting registrations CSV (needs)": {"secretariat": {"registration_needs"}},
    "meeting attendance page": {"secretariat": {"registration_needs"}},
    "personal feed address page": {},
    # Decisions and action points are the meetings' members-only record, wherever they go.
    "decisions register": {"member": {"decision"}},
    "decisions feed": {"member": {"decision"}},
    "decisions CSV": {"member": {"decision"}},
    "action timeline": {"member": {"action_point"}},
    "follow-up report": {"member": {"action_point"}},
    "follow-up CSV": {"member": {"action_point"}},
    "follow-up PDF": {"member": {"action_point"}},
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
        "/admin/search/zero-results/",
        "/admin/search/zero-results/export/",
        # The admin's search-as-you-type boxes (portal/admin_choosers.py).
        "/admin/autocomplete/people/?q=a",
        "/admin/autocomplete/resources/?q=a",
        "/admin/autocomplete/users/?q=a",
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


def test_a_freshness_link_shows_its_own_entry_to_its_holder_and_nothing_more(world, clients):
    """The link went to the person's own address: it shows their entry's contact details (as
    the owner sees them) to its holder, whoever is signed in, and nothing else of the world:
    not the secretariat-only biography, no resource, no meeting."""
    CampaignRecipient.objects.create(campaign=world["campaign"], person=world["person"])
    url = reverse(
        "network:freshness_answer",
        args=[freshness_token(world["campaign"].pk, world["person"].pk)],
    )
    for tier in TIERS:
        response = clients[tier].get(url)
        assert response.status_code == 200, tier
        assert visible_markers(body(response)) == {"email", "phone"}, tier
        assert "no-store" in response["Cache-Control"]
        # Shown to the owner, and marked as what they are (the contract's data-audience).
        html = body(response)
        for marker in (MEMBERS_MARKERS["email"], MEMBERS_MARKERS["phone"]):
            assert re.search(rf'<dd data-audience="members"><div>[^<]*{re.escape(marker)}', html)


def test_a_personal_feed_carries_what_its_holder_may_see_and_nothing_above(world, clients):
    """The feed is read without a session: the token stands for its holder, a member at most."""
    from notifications.models import FeedToken

    library.resource(
        f"Budget {SECRETARIAT_MARKERS['secretariat_resource']}", audience=Audience.SECRETARIAT
    )
    for holder in (UserFactory(member=True), UserFactory(secretariat=True)):
        token = FeedToken.objects.create(user=holder).token
        response = Client().get(f"/notifications/feed/{token}.atom")
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
        seen = visible_markers(body(response))
        assert not seen - allowed_for("member"), sorted(seen - allowed_for("member"))
        assert {"resource_title", "members_meeting", "public_resource"} <= seen
    assert Client().get("/notifications/feed/not-a-token.atom").status_code == 404
