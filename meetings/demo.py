"""
The meetings' part of the demo network: past meetings with full records and upcoming ones with
agendas and registrations, over a few years and several host countries, with the directory's
people as presenters, participants and owners of action points. Idempotent: every meeting has a
fixed slug and is created once; reruns leave existing meetings alone.
"""

import datetime

from django.utils import timezone

from wagtail.models import Page

from library.models import LibraryDocument
from meetings.models import (
    ActionPoint,
    AgendaItem,
    Decision,
    MeetingDocument,
    MeetingIndexPage,
    MeetingPage,
    MeetingSeries,
    MeetingType,
    Participant,
    Registration,
)
from network.models import Country, Person
from portal import bulk_publish
from portal.access import Audience

PAST_PER_SCALE = 8
CITY = {
    "AL": ("Tirana", "Europe/Tirane"),
    "BA": ("Sarajevo", "Europe/Sarajevo"),
    "BG": ("Sofia", "Europe/Sofia"),
    "HR": ("Zagreb", "Europe/Zagreb"),
    "GR": ("Thessaloniki", "Europe/Athens"),
    "MD": ("Chișinău", "Europe/Chisinau"),
    "ME": ("Podgorica", "Europe/Podgorica"),
    "MK": ("Skopje", "Europe/Skopje"),
    "RO": ("Bucharest", "Europe/Bucharest"),
    "RS": ("Belgrade", "Europe/Belgrade"),
    "SI": ("Ljubljana", "Europe/Ljubljana"),
    "UA": ("Kyiv", "Europe/Kyiv"),
}
SERIES = [
    ("Regional meeting of national coordinators", MeetingType.REGIONAL_MEETING),
    ("Working group on labour exploitation", MeetingType.WORKING_GROUP),
    ("Expert workshop on transnational referral", MeetingType.EXPERT_WORKSHOP),
]
AGENDA = [
    ("Opening and adoption of the agenda", ""),
    ("Tour de table: national developments", "Each country reports in five minutes."),
    (
        "Transnational referral of presumed victims",
        "Cases of cross-border referral since the last meeting, what worked and what did not.",
    ),
    ("Indicators for labour exploitation", "Draft common indicators for labour inspectors."),
    ("Follow-up of action points", "Review of the open action points."),
    ("Any other business and closing", ""),
]
DECISIONS = [
    "The network adopts the common operating procedures for transnational referral.",
    "National coordinators will nominate a referral focal point within three months.",
    "The working group will revise the labour-exploitation indicators before the next meeting.",
    "The secretariat will publish the meeting summary on the portal.",
]
ACTIONS = [
    "Circulate the revised referral form to all focal points",
    "Send national statistics for the annual report",
    "Translate the indicator set into the national language",
    "Organise a national round table with labour inspectors",
    "Share the contact list of shelters for cross-border cases",
    "Report on the pilot of the joint identification team",
]
MINUTES = (
    "<p>The chair opened the meeting and welcomed the participants. The agenda was adopted "
    "without changes.</p><p>Under the tour de table, coordinators reported on new national "
    "action plans, the training of labour inspectors and the first results of the referral "
    "mechanism. Several countries raised the difficulty of identifying victims of labour "
    "exploitation in seasonal agriculture.</p><p>The meeting discussed the draft procedures for "
    "transnational referral and agreed on the decisions below.</p>"
)


def seed(context):
    """Create the demo meetings. Needs the site (portal's demo); uses the directory if present."""
    index = MeetingIndexPage.objects.first()
    if index is None:
        index = context.home.add_child(instance=MeetingIndexPage(title="Meetings", slug="meetings"))
    rng = context.rng
    today = timezone.localdate()
    countries = list(Country.objects.filter(iso_code__in=CITY).order_by("iso_code"))
    people = list(Person.objects.filter(is_active=True).select_related("country").order_by("pk"))
    member_person = Person.objects.filter(user=context.member_user).first()
    documents = list(LibraryDocument.objects.order_by("pk")[:6])
    resources = list(
        Page.objects.live()
        .filter(content_type__app_label="library", content_type__model="resourcepage")
        .order_by("pk")[:10]
    )
    series = [
        MeetingSeries.objects.get_or_create(name=name, defaults={"description": ""})[0]
        for name, _type in SERIES
    ]

    created = 0
    total_past = PAST_PER_SCALE * context.scale
    existing = set(MeetingPage.objects.values_list("slug", flat=True))
    batch = []
    for number in range(total_past):
        slug = f"demo-meeting-{number + 1}"
        if slug in existing:
            continue
        # Spread over about four years, most recent first.
        start = today - datetime.timedelta(days=60 + number * (4 * 365 // total_past))
        meeting = _build(
            context,
            index,
            slug,
            number,
            start,
            series,
            countries,
            people,
            member_person,
            documents,
            resources,
            past=True,
        )
        batch.append(meeting)
        if len(batch) >= BATCH:
            created += _publish(context, index, batch)
            batch = []
    created += _publish(context, index, batch)
    for number in range(2):
        slug = f"demo-upcoming-meeting-{number + 1}"
        if slug in existing:
            continue
        start = today + datetime.timedelta(days=21 + number * 45)
        meeting = _build(
            context,
            index,
            slug,
            number,
            start,
            series,
            countries,
            people,
            member_person,
            documents,
            resources,
            past=False,
        )
        _publish(context, index, [meeting])
        _register(meeting, people, member_person, number, rng)
        created += 1
    context.stdout.write(f"  {created} meetings created ({MeetingPage.objects.count()} in all).")
    _follow_up(context)


BATCH = 250


def _publish(context, index, meetings):
    """New meetings as live pages with a revision by the secretariat (portal.bulk_publish)."""
    if meetings:
        bulk_publish.create_published(index, meetings, user=context.secretariat_user)
    return len(meetings)


def _build(context, index, slug, number, start, series, countries, people, member_person,
            documents, resources, past):  # fmt: skip
    rng = context.rng
    meeting_series = series[number % len(series)]
    meeting_type = SERIES[number % len(SERIES)][1]
    country = countries[(number * 5) % len(countries)] if countries else None
    city, zone = CITY[country.iso_code] if country else ("Vienna", "Europe/Vienna")
    online = meeting_type == MeetingType.WORKING_GROUP and number % 2 == 1
    days = 1 if meeting_type == MeetingType.WORKING_GROUP else 2
    title = (
        f"{meeting_series.name}, {city} {start.year}"
        if not online
        else f"{meeting_series.name} (online), {start:%B %Y}"
    )
    presenters = rng.sample(people, min(len(people), 6)) if people else []
    agenda = [
        AgendaItem(
            time=datetime.time(9 + k, 0 if k % 2 == 0 else 30),
            title=item_title,
            description=description,
            presenter=presenters[k % len(presenters)] if presenters else None,
            documents=[documents[(number + k) % len(documents)]]
            if documents and k in (2, 3)
            else [],
            resources=[resources[(number + k) % len(resources)]] if resources and k == 3 else [],
        )
        for k, (item_title, description) in enumerate(AGENDA)
    ]
    meeting = MeetingPage(
        title=title,
        slug=slug,
        meeting_type=meeting_type,
        series=meeting_series,
        start_date=start,
        start_time=datetime.time(9, 0),
        end_date=start + datetime.timedelta(days=days - 1),
        end_time=datetime.time(17, 0) if not online else datetime.time(12, 0),
        time_zone=zone,
        host_country=None if online else country,
        online=online,
        venue_city="" if online else city,
        venue_address="" if online else f"Conference centre, {city}",
        joining_link="https://video.example.org/network-working-group" if online else "",
        public_summary=(
            f"<p>The {meeting_series.name.lower()} met to review transnational referral, "
            "identification of victims of labour exploitation and the follow-up of earlier "
            "decisions.</p>"
        ),
        audience=Audience.MEMBERS if number % 5 == 4 else Audience.PUBLIC,
        agenda_items=agenda,
        documents=[
            MeetingDocument(document=document, audience=Audience.MEMBERS)
            for document in documents[number % 3 : number % 3 + 2]
        ]
        if documents
        else [],  # fmt: skip
    )
    if past:
        attendees = rng.sample(people, min(len(people), 10)) if people else []
        meeting.participants = [
            Participant(person=person, attendance="apologies" if k == 0 else "attended")
            for k, person in enumerate(attendees)
        ] + [
            Participant(
                guest_name="Dr Elena Marković", guest_organisation="IOM", attendance="attended"
            )
        ]
        meeting.minutes = MINUTES
        meeting.minutes_status = MeetingPage.MinutesStatus.APPROVED
        meeting.minutes_approved_on = min(start + datetime.timedelta(days=30), timezone.localdate())
        meeting.decisions = [
            Decision(
                number=k + 1,
                text=text,
                adopted_resources=[resources[(number + k) % len(resources)]]
                if resources and k == 0
                else [],
            )
            for k, text in enumerate(rng.sample(DECISIONS, 3))
        ]
        meeting.action_points = _actions(number, start, people, countries, member_person, rng)
    else:
        meeting.participants = [Participant(person=person) for person in people[:8]]
    return meeting


def _actions(number, start, people, countries, member_person, rng):
    if not people and not countries:
        return []
    actions = []
    for k, description in enumerate(rng.sample(ACTIONS, 3)):
        owner_person = owner_country = None
        if member_person is not None and k == 0 and number % 2 == 0:
            owner_person = member_person
        elif k == 2 and countries:
            owner_country = rng.choice(countries)
        elif people:
            owner_person = rng.choice(people)
        else:
            owner_country = rng.choice(countries)
        due = start + datetime.timedelta(days=rng.choice([30, 60, 90, 120]))
        # Older meetings' actions are mostly done; recent ones still open (some overdue).
        if number >= 4:
            status = rng.choice(
                [ActionPoint.Status.DONE, ActionPoint.Status.DONE, ActionPoint.Status.DROPPED]
            )
        else:
            status = rng.choice([ActionPoint.Status.OPEN, ActionPoint.Status.IN_PROGRESS])
        actions.append(
            ActionPoint(
                description=description,
                owner_person=owner_person,
                owner_country=owner_country,
                due_date=due,
                status=status,
                progress_note="Draft shared with the secretariat." if status != "open" else "",
            )
        )
    return actions


def _register(meeting, people, member_person, number, rng):
    registrants = [person for person in people[:6] if person != member_person]
    for k, person in enumerate(registrants):
        Registration.objects.get_or_create(
            meeting=meeting,
            person=person,
            defaults={"status": "apologies" if k % 4 == 3 else "registered"},
        )
    if member_person is not None and number == 0:
        Registration.objects.get_or_create(
            meeting=meeting, person=member_person, defaults={"status": "registered"}
        )


def _follow_up(context):
    """Decisions with statuses (implemented, superseded by the next meeting of the series),
    action points implementing their meeting's decisions, and a history of updates for those
    that moved. Idempotent: only what is not set yet is set, updates only where there are none.
    Set with bulk queries (the record's revisions are the demo's first and only)."""
    from meetings.models import ActionUpdate

    meetings = list(
        MeetingPage.objects.filter(decisions__isnull=False)
        .distinct()
        .order_by("start_date", "pk")
        .values_list("pk", "series_id")
    )
    decisions = {}
    for decision in Decision.objects.filter(meeting_id__in=[pk for pk, _ in meetings]).order_by(
        "number", "pk"
    ):
        decisions.setdefault(decision.meeting_id, []).append(decision)
    # The first decision of each series' meeting is superseded by the next meeting's first;
    # the second decision of every meeting but the two latest is implemented.
    previous_by_series = {}
    superseded, implemented = [], []
    for position, (pk, series_id) in enumerate(meetings):
        own = decisions.get(pk, [])
        if not own:
            continue
        earlier = previous_by_series.get(series_id)
        if earlier is not None and earlier.superseded_by_id is None and position % 3 == 0:
            earlier.status = Decision.Status.SUPERSEDED
            earlier.superseded_by = own[0]
            superseded.append(earlier)
        previous_by_series[series_id] = own[0]
        if len(own) > 1 and position < len(meetings) - 2 and own[1].status == "in_force":
            own[1].status = Decision.Status.IMPLEMENTED
            implemented.append(own[1])
    Decision.objects.bulk_update(superseded + implemented, ["status", "superseded_by"])

    linked = []
    for action in ActionPoint.objects.filter(decision__isnull=True, meeting_id__in=decisions):
        own = decisions[action.meeting_id]
        action.decision = own[action.sort_order % len(own)] if own else None
        linked.append(action)
    ActionPoint.objects.bulk_update(linked, ["decision"])

    author = context.secretariat_user
    name = author.get_full_name() or author.get_username()
    updates = []
    moved = ActionPoint.objects.exclude(status=ActionPoint.Status.OPEN).filter(updates__isnull=True)
    for action in moved.select_related("meeting"):
        started = timezone.make_aware(
            datetime.datetime.combine(
                action.meeting.start_date + datetime.timedelta(days=14), datetime.time(10, 0)
            )
        )
        steps = [(ActionPoint.Status.IN_PROGRESS, "Work started; a first draft is circulating.")]
        if action.status != ActionPoint.Status.IN_PROGRESS:
            steps.append(
                (action.status, action.progress_note or "Closed at the secretariat's review.")
            )
        for k, (status, note) in enumerate(steps):
            updates.append(
                ActionUpdate(
                    action=action,
                    status=status,
                    due_date=action.due_date,
                    owner_person_id=action.owner_person_id,
                    owner_country_id=action.owner_country_id,
                    note=note,
                    author=author,
                    author_name=name,
                    created_at=min(started + datetime.timedelta(days=30 * k), timezone.now()),
                )
            )
    ActionUpdate.objects.bulk_create(updates, batch_size=500)
    context.stdout.write(
        f"  {len(superseded)} decisions superseded, {len(implemented)} implemented, "
        f"{len(updates)} action point updates."
    )
