"""Follow-up between meetings: the decisions register (page, Atom feed, CSV), the history of an
action point (appended, never rewritten), the follow-up report and its place in the meeting pack,
and handovers that move only the role's action points and tell the successor."""

import csv
import datetime
import io
import zipfile

import pytest

from django.core import mail
from django.core.exceptions import ValidationError

from meetings.followup import follow_up_report, report_actions
from meetings.models import ActionPoint, ActionUpdate, Decision, MeetingSeries, Participant
from network.handover import hand_over
from notifications.models import Delivery
from portal.access import Audience
from portal.models import Topic
from tests.clients import Client
from tests.meetings.factories import make_country, make_mandate, make_meeting, make_person
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
PAST = TODAY - datetime.timedelta(days=200)


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def decision_meeting(text, audience=Audience.PUBLIC, start=PAST, series=None, **decision):
    meeting = make_meeting(
        start=start,
        audience=audience,
        series=series,
        children={"decisions": [Decision(number=1, text=text, **decision)]},
    )
    return meeting, meeting.decisions.get()


# ------------------------------------------------------------------ the decisions register


@pytest.fixture
def register_world():
    series = MeetingSeries.objects.create(name="Regional meeting")
    topic = Topic.objects.create(name="Referral", slug="referral")
    country = make_country(iso_code="AL", name="Albania")
    public, open_decision = decision_meeting("Adopt the referral Guidelinequill", series=series)
    open_decision.topics.add(topic)
    open_decision.save()  # a cluster relation is written when its object is saved
    closed, closed_decision = decision_meeting(
        "Closed Vorpalish decision", audience=Audience.MEMBERS, start=PAST.replace(year=2021)
    )
    secret, secret_decision = decision_meeting(
        "Staff Snarkwise decision", audience=Audience.SECRETARIAT
    )
    later, later_decision = decision_meeting(
        "Replace it with Borogovian", start=TODAY - datetime.timedelta(days=10), series=series
    )
    # The closed meeting's decision is superseded by a later public one; the public one is
    # implemented by an action point of Albania's.
    Decision.objects.filter(pk=closed_decision.pk).update(
        status=Decision.Status.SUPERSEDED, superseded_by=later_decision
    )
    make_meeting(
        start=TODAY - datetime.timedelta(days=5),
        children={
            "action_points": [
                ActionPoint(
                    description="Translate the Guidelinequill",
                    owner_country=country,
                    decision=open_decision,
                )
            ]
        },
    )
    return {
        "series": series,
        "open": open_decision,
        "closed": closed_decision,
        "secret": secret_decision,
        "later": later_decision,
    }


def test_anonymous_visitors_find_no_decision_in_the_register_feed_or_csv(register_world):
    anonymous = Client()
    for url in (
        "/meetings/decisions/",
        "/meetings/decisions/feed/",
        "/meetings/decisions/?format=csv",
    ):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for word in ("Guidelinequill", "Vorpalish", "Snarkwise", "Borogovian"):
            assert word not in body, (url, word)
    rows = list(
        csv.reader(io.StringIO(anonymous.get("/meetings/decisions/?format=csv").content.decode()))
    )
    assert len(rows) == 1  # the header only


def test_a_member_sees_the_decisions_they_may_see_with_their_links(register_world):
    member = client_for(UserFactory(member=True))
    page = member.get("/meetings/decisions/").content.decode()
    assert "Guidelinequill" in page and "Vorpalish" in page and "Borogovian" in page
    assert "Snarkwise" not in page
    # Linked to its meeting's record and to the action point implementing it.
    assert f"#decision-{register_world['open'].pk}" in page
    action = ActionPoint.objects.get(decision=register_world["open"])
    assert f"/meetings/actions/{action.pk}/" in page
    feed = member.get("/meetings/decisions/feed/").content.decode()
    assert "Vorpalish" in feed and "Snarkwise" not in feed
    rows = list(
        csv.DictReader(io.StringIO(member.get("/meetings/decisions/?format=csv").content.decode()))
    )
    assert {row["text"] for row in rows} >= {"Closed Vorpalish decision"}
    assert not any("Snarkwise" in value for row in rows for value in row.values())
    superseded = next(row for row in rows if row["text"] == "Closed Vorpalish decision")
    assert superseded["status"] == "superseded" and "Decision 1" in superseded["superseded_by"]


def test_a_later_decision_of_a_closed_meeting_is_not_named(register_world):
    Decision.objects.filter(pk=register_world["open"].pk).update(
        status=Decision.Status.SUPERSEDED, superseded_by=register_world["secret"]
    )
    member = client_for(UserFactory(member=True))
    page = member.get("/meetings/decisions/?status=superseded").content.decode()
    assert "Guidelinequill" in page
    assert register_world["secret"].meeting.title not in page
    rows = list(
        csv.DictReader(
            io.StringIO(
                member.get("/meetings/decisions/?status=superseded&format=csv").content.decode()
            )
        )
    )
    open_row = next(row for row in rows if "Guidelinequill" in row["text"])
    assert open_row["superseded_by"] == ""


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("status=superseded", {"Vorpalish"}, {"Guidelinequill", "Borogovian"}),
        ("status=in_force", {"Guidelinequill", "Borogovian"}, {"Vorpalish"}),
        ("topic=referral", {"Guidelinequill"}, {"Vorpalish", "Borogovian"}),
        ("country=AL", {"Guidelinequill"}, {"Vorpalish", "Borogovian"}),
        ("year=2021", {"Vorpalish"}, {"Guidelinequill"}),
    ],
)
def test_the_register_filters(register_world, query, shown, hidden):
    member = client_for(UserFactory(member=True))
    for url in (
        f"/meetings/decisions/?{query}",
        f"/meetings/decisions/feed/?{query}",
        f"/meetings/decisions/?{query}&format=csv",
    ):
        body = member.get(url).content.decode()
        assert all(word in body for word in shown), (url, shown)
        assert not any(word in body for word in hidden), (url, hidden)


def test_the_series_filter(register_world):
    member = client_for(UserFactory(member=True))
    body = member.get(f"/meetings/decisions/?series={register_world['series'].pk}").content.decode()
    assert "Guidelinequill" in body and "Borogovian" in body and "Vorpalish" not in body


@pytest.mark.parametrize(
    "query, problem",
    [
        ("series=abc", "Series"),
        ("series=999999", "Series"),
        ("year=²⁰²¹", "Year"),
        ("year=99999999999999999999", "Year"),
        ("topic=no-such-topic", "Topic"),
        ("country=ZZ", "Country"),
        ("status=repealed", "Status"),
    ],
)
def test_a_bad_filter_gets_a_400_naming_it_never_a_500(register_world, query, problem):
    member = client_for(UserFactory(member=True))
    for url in (
        f"/meetings/decisions/?{query}",
        f"/meetings/decisions/feed/?{query}",
        f"/meetings/decisions/?{query}&format=csv",
    ):
        response = member.get(url)
        assert response.status_code == 400, url
        assert f"{problem}:" in response.content.decode(), url


def test_an_unknown_format_or_page_is_refused_or_ignored(register_world):
    member = client_for(UserFactory(member=True))
    assert member.get("/meetings/decisions/?format=xlsx").status_code == 400
    assert member.get("/meetings/decisions/?page=²").status_code == 200


def test_the_csv_cannot_carry_a_formula(register_world):
    decision_meeting('=HYPERLINK("http://evil")')
    member = client_for(UserFactory(member=True))
    rows = list(
        csv.DictReader(io.StringIO(member.get("/meetings/decisions/?format=csv").content.decode()))
    )
    texts = [row["text"] for row in rows]
    assert '\'=HYPERLINK("http://evil")' in texts


def test_a_decision_superseded_names_the_later_decision():
    _, decision = decision_meeting("Earlier")
    decision.status = Decision.Status.SUPERSEDED
    with pytest.raises(ValidationError):
        decision.clean()
    decision.status = Decision.Status.IN_FORCE
    decision.superseded_by = decision
    with pytest.raises(ValidationError):
        decision.clean()


# ------------------------------------------------------------------ action point history


def action_of(owner_person=None, owner_country=None, **fields):
    meeting = make_meeting(
        start=PAST,
        children={
            "action_points": [
                ActionPoint(
                    description=fields.pop("description", "Draft the national plan"),
                    owner_person=owner_person,
                    owner_country=owner_country,
                    **fields,
                )
            ]
        },
    )
    return meeting.action_points.get()


def add_update(client, action, **data):
    data = {"status": "in_progress", "due_date": "", "progress_note": "", **data}
    return client.post(f"/meetings/actions/{action.pk}/update/", data)


def test_an_update_never_erases_an_earlier_one(owner, owner_client):
    action = action_of(owner_person=owner.person)
    assert add_update(owner_client, action, progress_note="Drafted the outline").status_code == 302
    first = ActionUpdate.objects.get(action=action)
    response = add_update(
        owner_client, action, status="done", progress_note="Adopted by government"
    )
    assert response.status_code == 302
    updates = list(ActionUpdate.objects.filter(action=action))
    assert [u.note for u in updates] == ["Drafted the outline", "Adopted by government"]
    assert [u.status for u in updates] == ["in_progress", "done"]
    assert updates[0].created_at == first.created_at and updates[0].author_id == owner.pk
    action.refresh_from_db()
    assert action.status == "done" and action.progress_note == "Adopted by government"
    timeline = owner_client.get(f"/meetings/actions/{action.pk}/").content.decode()
    assert timeline.index("Drafted the outline") < timeline.index("Adopted by government")
    assert owner.person.full_name in timeline
    # Nobody rewrites or deletes a past update, not even from the code.
    first.note = "Rewritten"
    with pytest.raises(ValidationError):
        first.save()
    with pytest.raises(ValidationError):
        first.delete()
    assert ActionUpdate.objects.get(pk=first.pk).note == "Drafted the outline"


def test_non_owners_get_403_and_change_nothing(owner):
    action = action_of(owner_person=owner.person)
    other = UserFactory(member=True)
    make_person(user=other, country=make_country())
    client = client_for(other)
    assert add_update(client, action, progress_note="Not mine").status_code == 403
    assert client.get(f"/meetings/actions/{action.pk}/update/").status_code == 403
    # They may read the timeline, without a form.
    page = client.get(f"/meetings/actions/{action.pk}/")
    assert page.status_code == 200 and "Add the update" not in page.content.decode()
    assert not ActionUpdate.objects.filter(action=action).exists()
    assert add_update(Client(), action).status_code == 302  # anonymous: sign in
    assert not ActionUpdate.objects.filter(action=action).exists()


def test_the_secretariat_updates_and_reassigns(owner):
    action = action_of(owner_person=owner.person)
    country = make_country()
    client = client_for(UserFactory(secretariat=True))
    response = add_update(client, action, owner_country=country.pk, progress_note="To the country")
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.owner_country == country and action.owner_person is None
    assert ActionUpdate.objects.get(action=action).owner_country == country


@pytest.mark.parametrize(
    "data, problem",
    [
        ({"status": "finished"}, "Status"),
        ({"due_date": "31/02/2026"}, "Due date"),
        ({"due_date": (PAST - datetime.timedelta(days=1)).isoformat()}, "Due date"),
        ({"progress_note": "x" * 5001}, "Note"),
    ],
)
def test_a_bad_update_is_refused_with_a_message_and_writes_nothing(
    owner, owner_client, data, problem
):
    action = action_of(owner_person=owner.person)
    response = add_update(owner_client, action, **data)
    assert response.status_code == 400
    assert f"{problem}:" in response.content.decode()
    assert not ActionUpdate.objects.filter(action=action).exists()
    action.refresh_from_db()
    assert action.status == "open"


def test_an_owner_cannot_reassign(owner, owner_client):
    action = action_of(owner_person=owner.person)
    country = make_country()
    add_update(owner_client, action, owner_country=country.pk)
    action.refresh_from_db()
    assert action.owner_person == owner.person and action.owner_country is None


# ------------------------------------------------------------------ the follow-up report


@pytest.fixture
def report_world():
    series = MeetingSeries.objects.create(name="Working group on labour")
    albania, serbia = make_country(name="Albania"), make_country(name="Serbia")
    officer = make_person(country=serbia)
    overdue = TODAY - datetime.timedelta(days=3)
    first = make_meeting(
        start=PAST,
        series=series,
        children={
            "action_points": [
                ActionPoint(
                    description="AL open overdue",
                    owner_country=albania,
                    due_date=PAST + datetime.timedelta(days=30),
                ),
                ActionPoint(description="AL done", owner_country=albania, status="done"),
                ActionPoint(
                    description="RS person open",
                    owner_person=officer,
                    due_date=TODAY + datetime.timedelta(days=30),
                ),
                ActionPoint(description="RS dropped", owner_country=serbia, status="dropped"),
            ]
        },
    )
    make_meeting(
        start=PAST + datetime.timedelta(days=20),
        audience=Audience.SECRETARIAT,
        series=series,
        children={
            "action_points": [ActionPoint(description="AL staff only", owner_country=albania)]
        },
    )
    upcoming = make_meeting(
        start=TODAY + datetime.timedelta(days=15),
        series=series,
        children={
            "participants": [Participant(person=make_person(country=albania))],
            "action_points": [ActionPoint(description="AL future", owner_country=albania)],
        },
    )
    assert overdue
    return {
        "series": series,
        "albania": albania,
        "serbia": serbia,
        "first": first,
        "next": upcoming,
        "officer": officer,
    }


def test_the_report_counts_match_the_action_points(report_world):
    member = UserFactory(member=True)
    groups = follow_up_report(report_actions(member))
    by_country = {group.country.name: group for group in groups}
    visible = ActionPoint.objects.filter(meeting__audience__in=["public", "members"])
    for name, group in by_country.items():
        mine = visible.filter(owner_country__name=name) | visible.filter(
            owner_person__country__name=name
        )
        assert group.committed == mine.count()
        assert group.open == mine.filter(status__in=ActionPoint.OPEN_STATUSES).count()
        assert group.done == mine.filter(status="done").count()
        assert group.dropped == mine.filter(status="dropped").count()
        assert (
            group.overdue
            == mine.filter(status__in=ActionPoint.OPEN_STATUSES, due_date__lt=TODAY).count()
        )
    assert (by_country["Albania"].committed, by_country["Albania"].overdue) == (3, 1)
    assert (by_country["Serbia"].committed, by_country["Serbia"].open) == (2, 1)
    client = client_for(member)
    page = client.get("/meetings/follow-up/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Committed: 3 · open: 2 · done: 1 · dropped: 0 · overdue: 1" in text
    assert "AL staff only" not in text
    rows = list(
        csv.DictReader(io.StringIO(client.get("/meetings/follow-up/?format=csv").content.decode()))
    )
    assert len(rows) == sum(group.committed for group in groups) == 5
    assert sum(row["overdue"] == "yes" for row in rows) == 1


def test_the_report_pdf_and_filters(report_world):
    from pypdf import PdfReader

    client = client_for(UserFactory(member=True))
    response = client.get(
        f"/meetings/follow-up/?format=pdf&country={report_world['serbia'].iso_code}"
    )
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(
        " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        ).split()
    )
    assert "RS person open" in text and "AL done" not in text
    assert "Committed: 2" in text
    assert client.get("/meetings/follow-up/?country=ZZ").status_code == 400
    assert "Country:" in client.get("/meetings/follow-up/?country=ZZ&format=csv").content.decode()
    assert client.get("/meetings/follow-up/?format=docx").status_code == 400
    assert client.get("/meetings/follow-up/?series=x").status_code == 400
    assert Client().get("/meetings/follow-up/").status_code == 302


def test_the_next_meetings_pack_holds_the_report_for_the_countries_invited(report_world):
    client = client_for(UserFactory(member=True))
    response = client.get(f"/meetings/meeting/{report_world['next'].pk}/pack.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        names = archive.namelist()
        report = archive.read("follow-up-report.csv").decode()
    assert "follow-up-report.pdf" in names
    # Albania is invited, Serbia is not; the meeting's own action points are not follow-up.
    assert "AL open overdue" in report and "AL done" in report
    assert "RS person open" not in report and "AL future" not in report
    assert "AL staff only" not in report


# ------------------------------------------------------------------ handover


def test_a_handover_moves_only_the_roles_action_points_and_tells_the_successor(
    django_capture_on_commit_callbacks,
):
    country = make_country()
    predecessor = make_person(country=country)
    successor = make_person(country=country, user=UserFactory(member=True))
    coordinator = make_mandate(predecessor, country)
    chair = make_mandate(predecessor, None, role="working_group_member")
    meeting = make_meeting(
        start=PAST,
        children={
            "action_points": [
                ActionPoint(
                    description="As coordinator",
                    owner_person=predecessor,
                    owner_mandate=coordinator,
                ),
                ActionPoint(
                    description="As rapporteur", owner_person=predecessor, owner_mandate=chair
                ),
                ActionPoint(description="Unrecorded role", owner_person=predecessor),
                ActionPoint(
                    description="Done as coordinator",
                    owner_person=predecessor,
                    owner_mandate=coordinator,
                    status="done",
                ),
            ]
        },
    )
    secretariat = UserFactory(secretariat=True)
    with django_capture_on_commit_callbacks(execute=True):
        hand_over(coordinator, successor, TODAY, secretariat)
    owners = dict(meeting.action_points.values_list("description", "owner_person"))
    assert owners == {
        "As coordinator": successor.pk,
        "As rapporteur": predecessor.pk,
        # The predecessor keeps another role: an action point not tied to a role stays.
        "Unrecorded role": predecessor.pk,
        "Done as coordinator": predecessor.pk,
    }
    moved = meeting.action_points.get(description="As coordinator")
    assert ActionUpdate.objects.get(action=moved).author == secretariat
    delivery = Delivery.objects.get(kind=Delivery.Kind.ACTION_HANDOVER)
    assert delivery.recipient == successor.user and delivery.status == Delivery.Status.SENT
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [successor.user.email]
    body = mail.outbox[0].body
    assert "As coordinator" in body and "As rapporteur" not in body


def test_a_handover_of_the_only_role_moves_unrecorded_action_points(
    django_capture_on_commit_callbacks,
):
    country = make_country()
    predecessor, successor = make_person(country=country), make_person(country=country)
    mandate = make_mandate(predecessor, country)
    action = action_of(owner_person=predecessor)
    with django_capture_on_commit_callbacks(execute=True):
        hand_over(mandate, successor, TODAY, UserFactory(secretariat=True))
    action.refresh_from_db()
    assert action.owner_person == successor
    # The successor has no account: nothing to send.
    assert not Delivery.objects.filter(kind=Delivery.Kind.ACTION_HANDOVER).exists()
