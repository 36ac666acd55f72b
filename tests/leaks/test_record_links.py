"""
Record links: every place that renders a link to a page or a document, and what an anonymous
visitor, a member and the secretariat are shown there. Each place links five targets whose titles
carry a marker word found nowhere else: a public, a members-only and a secretariat-only one, a
draft never published and one withdrawn (unpublished) after publication. A place leaks when a
tier is shown the title or the address of a target it may not open.

Every row also names what each tier *must* be shown, so that a place that silently shows nothing
fails instead of passing. New places that link to pages or documents belong here.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from django.core import mail
from django.utils import timezone

from meetings.models import ActionPoint, AgendaItem, Decision, MeetingDocument, Participant
from portal.access import Audience
from tests.clients import Client
from tests.library import factories as library
from tests.meetings.factories import (
    make_country,
    make_document,
    make_mandate,
    make_meeting,
    make_person,
)
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

# Marker words of the linked targets, by what they are.
MARKERS = {
    "public": "Axolotlish",
    "members": "Marmosetic",
    "secretariat": "Pangolinery",
    "draft": "Draftwhisker",
    "withdrawn": "Withdrawnoid",
}
# Draft and withdrawn targets are addressed to everyone: only their not being live hides them.
AUDIENCES = {
    "public": Audience.PUBLIC,
    "members": Audience.MEMBERS,
    "secretariat": Audience.SECRETARIAT,
    "draft": Audience.PUBLIC,
    "withdrawn": Audience.PUBLIC,
}
TIERS = ("anonymous", "member", "secretariat")
ALLOWED = {
    "anonymous": {"public"},
    "member": {"public", "members"},
    "secretariat": {"public", "members", "secretariat"},
}
# The text of the place itself (a meeting's or a resource's title), shown to whoever opens it:
# proof that the probe reached the place.
PLACE = "Quillwort"
FUTURE = datetime.date.today() + datetime.timedelta(days=20)
PAST = datetime.date.today() - datetime.timedelta(days=60)


def linked_resources(**fields):
    """The five targets as resources, published in this order (the secretariat's is the newest
    live one), each with `fields` (e.g. the edition it supersedes)."""
    pages = {}
    for name, marker in MARKERS.items():
        pages[name] = library.resource(
            f"Guide {marker}",
            audience=AUDIENCES[name],
            publish=name != "draft",
            **fields,
        )
    pages["withdrawn"].unpublish()
    return pages


def linked_meetings(start, children=lambda name: {}):
    """The five targets as meetings starting on `start`, each with `children(name)`."""
    meetings = {}
    for name, marker in MARKERS.items():
        meetings[name] = make_meeting(
            title=f"Meeting {marker}",
            audience=AUDIENCES[name],
            start=start,
            publish=name != "draft",
            children=children(name),
        )
    meetings["withdrawn"].unpublish()
    return meetings


def addresses(pages):
    return {name: page.url for name, page in pages.items()}


# ------------------------------------------------------------------------- the places
# Each builds its place and returns (URL of the place, {target name: address of the target}).


def agenda_item_resources(users):
    resources = linked_resources()
    meeting = make_meeting(
        title=f"Meeting {PLACE}",
        children={"agenda_items": [AgendaItem(title="Item", resources=list(resources.values()))]},
    )
    return meeting.url, addresses(resources)


def decision_adopted_resources(users):
    resources = linked_resources()
    decision = Decision(number=1, text="Adopted.", adopted_resources=list(resources.values()))
    meeting = make_meeting(title=f"Meeting {PLACE}", children={"decisions": [decision]})
    return meeting.url, addresses(resources)


def meeting_documents(users):
    documents = {
        name: make_document(f"Paper {MARKERS[name]}")
        for name in ("public", "members", "secretariat")
    }
    meeting = make_meeting(
        title=f"Meeting {PLACE}",
        children={
            "documents": [
                MeetingDocument(document=document, audience=AUDIENCES[name])
                for name, document in documents.items()
            ]
        },
    )
    return meeting.url, {name: document.url for name, document in documents.items()}


def rich_text_links(pages):
    """Rich text linking each target with words that name none of them: only the address can
    tell who is shown the link."""
    return "".join(
        f'<p>See <a linktype="page" id="{page.pk}">reference {number}</a>.</p>'
        for number, page in enumerate(pages.values())
    )


def links_in_the_minutes(users):
    resources = linked_resources()
    meeting = make_meeting(title=f"Meeting {PLACE}", minutes=rich_text_links(resources))
    return meeting.url, addresses(resources)


def links_in_a_resource_body(users):
    resources = linked_resources()
    page = library.resource(f"Guide {PLACE}", body=[("paragraph", rich_text_links(resources))])
    return page.url, addresses(resources)


def related_resources(users):
    resources = linked_resources()
    page = library.resource(f"Guide {PLACE}", related=list(resources.values()))
    return page.url, addresses(resources)


def superseded_by(users):
    page = library.resource(f"Guide {PLACE}")
    return page.url, addresses(linked_resources(supersedes=page))


def translations(users):
    page = library.resource(f"Guide {PLACE}")
    return page.url, addresses(linked_resources(translation_of=page))


def library_listing(users):
    return "/library/", addresses(linked_resources())


def home_latest_guidance(users):
    return "/", addresses(linked_resources())


def referral_guidance(users):
    resources = linked_resources(topics=["referral"], countries=["AL"])
    library.country("MK")
    return "/network/referral/?from=AL&to=MK", addresses(resources)


def meeting_index(users):
    return "/meetings/", addresses(linked_meetings(FUTURE))


def persons_of(users):
    """A directory entry for each signed-in tier, holding a mandate for one country."""
    country = make_country()
    for tier in ("member", "secretariat"):
        make_mandate(make_person(user=users[tier], country=country), country)
    return country


def dashboard_meetings(users):
    persons_of(users)
    invited = [user.person for user in users.values() if user is not None]
    meetings = linked_meetings(
        FUTURE,
        lambda name: {"participants": [Participant(person=person) for person in invited]},
    )
    return "/", addresses(meetings)


def past_meetings_with_country_actions(users):
    country = persons_of(users)
    return linked_meetings(
        PAST,
        lambda name: {
            "action_points": [ActionPoint(description="Follow up.", owner_country=country)]
        },
    )


def dashboard_action_points(users):
    return "/", addresses(past_meetings_with_country_actions(users))


def action_list(users):
    return "/meetings/actions/", addresses(past_meetings_with_country_actions(users))


EVERYTHING_ALLOWED = {tier: ALLOWED[tier] for tier in TIERS}
RECORD = {"member": ALLOWED["member"], "secretariat": ALLOWED["secretariat"]}


def whole(text):
    return text


def dashboard(text):
    """The signed-in user's own dashboard, apart from the home page's shared sections (which
    list upcoming meetings too)."""
    match = re.search(r'<section class="dashboard".*?</section>', text, re.S)
    return match.group(0) if match else ""


@dataclass
class Place:
    build: Callable
    # The targets each tier must be shown there.
    must_see: dict
    # The tiers that may open the place (the others are sent to sign in or refused).
    opening: tuple = TIERS
    # The part of the response that is the place.
    part: Callable = whole


PLACES = {
    "meeting record: agenda item resources": Place(agenda_item_resources, RECORD),
    "meeting record: decision adopted resources": Place(decision_adopted_resources, RECORD),
    "meeting page: documents by audience": Place(meeting_documents, EVERYTHING_ALLOWED),
    "meeting record: links in the minutes": Place(links_in_the_minutes, RECORD),
    "resource page: links in the body": Place(links_in_a_resource_body, EVERYTHING_ALLOWED),
    "resource page: related resources": Place(related_resources, EVERYTHING_ALLOWED),
    # One banner: the newest live edition the tier may see.
    "resource page: superseded by": Place(
        superseded_by,
        {"anonymous": {"public"}, "member": {"members"}, "secretariat": {"secretariat"}},
    ),
    "resource page: translations": Place(translations, EVERYTHING_ALLOWED),
    "library listing": Place(library_listing, EVERYTHING_ALLOWED),
    "home page: latest guidance": Place(home_latest_guidance, EVERYTHING_ALLOWED),
    "referral page: guidance": Place(referral_guidance, EVERYTHING_ALLOWED),
    "meeting index": Place(meeting_index, EVERYTHING_ALLOWED),
    "dashboard: my meetings": Place(dashboard_meetings, RECORD, part=dashboard),
    "dashboard: my action points": Place(dashboard_action_points, RECORD, part=dashboard),
    "action list": Place(action_list, RECORD, opening=("member", "secretariat")),
}


@pytest.fixture
def users(db):
    return {
        "anonymous": None,
        "member": UserFactory(member=True),
        "secretariat": UserFactory(secretariat=True),
    }


@pytest.fixture
def clients(users):
    result = {}
    for tier, user in users.items():
        result[tier] = Client()
        if user is not None:
            result[tier].force_login(user)
    return result


def shown(text, links):
    """The targets whose marker or address is in `text`."""
    lowered = text.lower()
    return {
        name
        for name in MARKERS
        if MARKERS[name].lower() in lowered or (name in links and links[name] in text)
    }


@pytest.mark.parametrize("place", list(PLACES))
def test_no_tier_is_shown_a_link_it_may_not_open(place, users, clients, home_page):
    row = PLACES[place]
    url, links = row.build(users)
    for tier in TIERS:
        response = clients[tier].get(url)
        if tier not in row.opening:
            assert response.status_code in (302, 403), (place, tier, response.status_code)
            continue
        assert response.status_code == 200, (place, tier, response.status_code)
        text = row.part(response.content.decode())
        leaked = shown(text, links) - ALLOWED[tier]
        assert not leaked, f"{place} shows {sorted(leaked)} to {tier}"
        missing = row.must_see.get(tier, set()) - shown(text, links)
        assert not missing, f"{place} does not show {sorted(missing)} to {tier}"


def test_the_record_rows_reach_the_place_itself(users, clients, home_page):
    """The record's rows are not vacuous for the anonymous visitor: the meeting's page opens
    (its title shows), only the record is withheld."""
    url, _links = agenda_item_resources(users)
    text = clients["anonymous"].get(url).content.decode()
    assert PLACE in text
    assert "Members sign in to see the agenda" in text


def test_every_link_on_a_meeting_page_opens_for_whom_it_is_shown(users, clients, home_page):
    """The link rule and the serving rules agree: each page or file a tier is shown a link to
    on the meeting's page, it may open (no link leads to a refusal)."""
    resources = linked_resources()
    papers = {
        name: make_document(f"Paper {MARKERS[name]}")
        for name in ("public", "members", "secretariat")
    }
    agenda_paper = make_document("Agenda paper")
    meeting = make_meeting(
        title=f"Meeting {PLACE}",
        children={
            "agenda_items": [
                AgendaItem(
                    title="Item", documents=[agenda_paper], resources=list(resources.values())
                )
            ],
            "decisions": [
                Decision(number=1, text="Adopted.", adopted_resources=list(resources.values()))
            ],
            "documents": [
                MeetingDocument(document=document, audience=AUDIENCES[name])
                for name, document in papers.items()
            ],
        },
    )
    targets = {page.url for page in resources.values()} | {
        document.url for document in [agenda_paper, *papers.values()]
    }
    for tier in TIERS:
        text = clients[tier].get(meeting.url).content.decode()
        hrefs = set(re.findall(r'href="([^"]+)"', text)) & targets
        assert hrefs, f"no link to check for {tier}"
        for href in sorted(hrefs):
            status = clients[tier].get(href).status_code
            assert status == 200, f"{tier} is shown {href} but gets {status}"


# ---------------------------------------------------------------------------- emails


def subscribe_everyone(users, **fields):
    from notifications.models import Subscription

    for tier in ("member", "secretariat"):
        Subscription.objects.update_or_create(user=users[tier], defaults=fields)


def guidance_alerts(users, capture):
    subscribe_everyone(users, everything=True, frequency="immediate")
    # The alerts go after the commit: by then the withdrawn resource is no longer live.
    with capture(execute=True):
        pages = linked_resources()
    return pages


def weekly_digest(users, capture):
    from notifications.tasks import send_weekly_digests

    subscribe_everyone(users, everything=True, frequency="weekly")
    with capture(execute=True):
        pages = linked_resources()
    last_week = timezone.now() - datetime.timedelta(days=timezone.localdate().weekday() + 3)
    for page in pages.values():
        type(page).objects.filter(pk=page.pk).update(last_published_at=last_week)
    mail.outbox.clear()
    with capture(execute=True):
        send_weekly_digests()
    return pages


def meeting_invitations(users, capture):
    # An invitation goes to the meeting's participants: both tiers are invited to every target.
    people = [make_person(user=users[tier]) for tier in ("member", "secretariat")]
    with capture(execute=True):
        meetings = linked_meetings(
            FUTURE, lambda name: {"participants": [Participant(person=p) for p in people]}
        )
    return meetings


EMAILS = {
    "guidance alerts": guidance_alerts,
    "weekly digest": weekly_digest,
    "meeting invitations": meeting_invitations,
}


@pytest.mark.parametrize("kind", list(EMAILS))
def test_no_recipient_is_emailed_a_link_they_may_not_open(
    kind, users, home_page, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    pages = EMAILS[kind](users, django_capture_on_commit_callbacks)
    links = addresses(pages)
    for tier in ("member", "secretariat"):
        messages = [message for message in mail.outbox if message.to == [users[tier].email]]
        text = "".join(
            message.subject + message.body + "".join(str(part[0]) for part in message.alternatives)
            for message in messages
        )
        leaked = shown(text, links) - ALLOWED[tier]
        assert not leaked, f"{kind} sends {sorted(leaked)} to {tier}"
        missing = ALLOWED[tier] - shown(text, links)
        assert not missing, f"{kind} does not send {sorted(missing)} to {tier}"
