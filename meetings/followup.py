"""
Follow-up between meetings, as the meetings domain decides it: the decisions register (every
decision whose meeting record the user may see), the history of an action point (updates are
appended, never rewritten) and the follow-up report (what each country committed to, per meeting
series, and where it stands). Views, the meeting pack and the handover ask here.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from meetings.models import ActionPoint, ActionUpdate, Decision
from meetings.ownership import record_meetings

# ------------------------------------------------------------------ the decisions register

REGISTER_RELATED = (
    "meeting",
    "meeting__series",
    "agenda_item",
    "superseded_by",
    "superseded_by__meeting",
)


def register_decisions(user):
    """The decisions of every meeting whose members-only record `user` may see (none for
    anonymous visitors), newest meeting first."""
    return Decision.objects.filter(meeting__in=record_meetings(user)).order_by(
        "-meeting__start_date", "-meeting_id", "number", "pk"
    )


def with_register_details(decisions, user):
    """`decisions` with what a register row shows, in a fixed number of queries: the action
    points implementing each (only those of meetings whose record `user` may see)."""
    from library.models import ResourcePage

    return decisions.select_related(*REGISTER_RELATED).prefetch_related(
        Prefetch("adopted_resources", queryset=ResourcePage.objects.all()),
        "topics",
        Prefetch(
            "action_points",
            queryset=ActionPoint.objects.filter(meeting__in=record_meetings(user))
            .select_related("owner_person", "owner_country")
            .order_by("sort_order", "pk"),
        ),
    )


def superseding(decision, user):
    """The decision that supersedes `decision`, if `user` may see its meeting's record (a later
    decision of a meeting closed to them is not named). No query: its meeting is selected."""
    later = decision.superseded_by
    if later is None or not later.meeting.live or not later.meeting.can_see_record(user):
        return None
    return later


def decisions_for_country(country):
    """A filter: decisions that concern `country`, or that its authorities or people implement."""
    return Q(
        pk__in=Decision.objects.filter(
            Q(countries=country)
            | Q(action_points__owner_country=country)
            | Q(action_points__owner_person__country=country)
        ).values("pk")
    )


# ------------------------------------------------------------------ action point history


def record_update(
    action,
    by,
    *,
    status,
    due_date,
    note,
    owner_person=None,
    owner_country=None,
    owner_mandate=None,
):
    """Append an update to `action`'s history and carry its state onto the action point. The
    owner changes only when one is given (the secretariat's choice, a handover); an earlier
    update is never touched. All or nothing."""
    changes = {"status": status, "due_date": due_date}
    if note:
        changes["progress_note"] = note
    if owner_person is not None or owner_country is not None:
        changes["owner_person"] = owner_person
        changes["owner_country"] = owner_country
        changes["owner_mandate"] = owner_mandate
    with transaction.atomic():
        action.apply_update(**changes)
        return ActionUpdate.objects.create(
            action=action,
            status=action.status,
            due_date=action.due_date,
            owner_person_id=action.owner_person_id,
            owner_country_id=action.owner_country_id,
            note=note,
            author=by if by is not None and by.is_authenticated else None,
            author_name=_author_name(by),
        )


def _author_name(user):
    if user is None or not user.is_authenticated:
        return ""
    person = getattr(user, "person", None)
    if person is not None:
        return person.full_name
    return user.get_full_name() or user.get_username()


def action_points_of_role(mandate, person):
    """The open action points `person` answers for in the role of `mandate`: those recorded as
    committed in that mandate, and those recorded with no mandate when the person holds no
    other role on the day the handover takes effect (then they can only be this role's). An
    action point committed in another of their roles stays with them."""
    from network.models import Mandate

    handover_day = (mandate.end + timedelta(days=1)) if mandate.end else timezone.localdate()
    other_roles = (
        Mandate.objects.filter(person=person, start__lte=handover_day)
        .filter(Q(end__isnull=True) | Q(end__gte=handover_day))
        .exclude(pk=mandate.pk)
    )
    tied = Q(owner_mandate=mandate)
    if not other_roles.exists():
        tied |= Q(owner_mandate__isnull=True)
    return ActionPoint.objects.filter(
        tied, owner_person=person, status__in=ActionPoint.OPEN_STATUSES
    ).select_related("meeting")


def timeline(action):
    """The action point's history, oldest first: the commitment, then every update."""
    return list(action.updates.select_related("owner_person", "owner_country"))


# ------------------------------------------------------------------ the follow-up report


@dataclass
class ReportGroup:
    """The action points of one country in one meeting series, and their counts."""

    country: object
    series: object
    actions: list = field(default_factory=list)

    @property
    def committed(self):
        return len(self.actions)

    def count(self, *statuses):
        return sum(1 for action in self.actions if action.status in statuses)

    @property
    def open(self):
        return self.count(*ActionPoint.OPEN_STATUSES)

    @property
    def done(self):
        return self.count(ActionPoint.Status.DONE)

    @property
    def dropped(self):
        return self.count(ActionPoint.Status.DROPPED)

    @property
    def overdue(self):
        return sum(1 for action in self.actions if action.overdue)


def country_of(action):
    """The country an action point counts for: its own, or its person's."""
    if action.owner_country_id:
        return action.owner_country
    return action.owner_person.country if action.owner_person_id else None


def report_actions(user, series=None, countries=None, before=None):
    """The action points of the report: of meetings whose record `user` may see, optionally of
    one series, of the given countries (owned by the country or by its people), and of meetings
    that started before `before`. Each carries `latest_update` and `overdue`. Three queries."""
    actions = ActionPoint.objects.filter(meeting__in=record_meetings(user))
    if series is not None:
        actions = actions.filter(meeting__series=series)
    if before is not None:
        actions = actions.filter(meeting__start_date__lt=before)
    if countries is not None:
        actions = actions.filter(
            Q(owner_country__in=countries) | Q(owner_person__country__in=countries)
        )
    actions = list(
        actions.select_related(
            "meeting",
            "meeting__series",
            "owner_person",
            "owner_person__country",
            "owner_country",
            "decision",
        ).order_by("meeting__start_date", "meeting_id", "sort_order", "pk")
    )
    latest = {}
    if actions:
        for update in ActionUpdate.objects.filter(action__in=[a.pk for a in actions]).order_by(
            "action_id", "-created_at", "-pk"
        ):
            latest.setdefault(update.action_id, update)
    today = timezone.localdate()
    for action in actions:
        action.latest_update = latest.get(action.pk)
        action.overdue = action.is_overdue(today)
    return actions


def follow_up_report(actions):
    """`actions` grouped per country, then per series (countries by name, no country last)."""
    groups = defaultdict(dict)
    for action in actions:
        country = country_of(action)
        series = action.meeting.series
        group = groups[country].setdefault(
            series.pk if series else None, ReportGroup(country=country, series=series)
        )
        group.actions.append(action)

    def country_key(country):
        return (country is None, country.name if country else "")

    return [
        group
        for country in sorted(groups, key=country_key)
        for _, group in sorted(
            groups[country].items(), key=lambda item: (item[1].series is None, str(item[1].series))
        )
    ]


def invited_countries(meeting):
    """The countries whose people are invited to `meeting` (participants from the directory)."""
    from network.models import Country

    return Country.objects.filter(
        pk__in=meeting.participants.filter(person__country__isnull=False).values(
            "person__country_id"
        )
    )
