"""
Who answers for an action point, decided here and nowhere else. Views (the action list, the
update form, the meeting page), the dashboard and the notifications all ask this module.

An action point is owned by the person it names (the Person linked to the account), or, for a
country's action point, by anyone holding a current mandate for that country (so a coordinator's
deputy can report progress too).
"""

from django.db.models import Q
from django.utils.functional import cached_property

from meetings.models import ActionPoint, MeetingPage
from network.models import Mandate
from portal.access import is_member, is_secretariat, visible_audiences

ACTION_ROW_RELATED = ("meeting", "owner_person", "owner_person__country", "owner_country")


class ActionOwnership:
    """The ownership rule for one user: built with two queries, then asked per row."""

    def __init__(self, user):
        self.person = getattr(user, "person", None) if user.is_authenticated else None

    def _mandate_countries(self):
        return (
            Mandate.objects.current()
            .filter(person=self.person, country__isnull=False)
            .values_list("country_id", flat=True)
        )

    @cached_property
    def country_ids(self):
        return set(self._mandate_countries()) if self.person is not None else set()

    def owns(self, action):
        if self.person is None:
            return False
        if action.owner_person_id:
            return action.owner_person_id == self.person.pk
        return action.owner_country_id in self.country_ids

    def q(self):
        """The action points `owns` says yes to, as a filter."""
        if self.person is None:
            return Q(pk__in=[])
        # A subquery, so that a listing filtered by it costs no query of its own.
        return Q(owner_person=self.person) | Q(
            owner_person__isnull=True, owner_country_id__in=self._mandate_countries()
        )


def owner_user_ids(action, today=None):
    """The accounts that answer for `action` (the same rule as `ActionOwnership`, read the other
    way): its person's, or those of everyone holding a current mandate for its country."""
    if action.owner_person_id:
        user_id = action.owner_person.user_id if action.owner_person else None
        return {user_id} if user_id else set()
    if action.owner_country_id:
        return set(
            Mandate.objects.current(today)
            .filter(country_id=action.owner_country_id, person__user__isnull=False)
            .values_list("person__user_id", flat=True)
        )
    return set()


def may_update(user, action, ownership=None):
    """Whether `user` may add an update to `action`: the secretariat, or an owner."""
    if is_secretariat(user):
        return True
    return (ownership or ActionOwnership(user)).owns(action)


def record_meetings(user):
    """The live meetings whose members-only record `user` may see (nothing below members)."""
    if not is_member(user):
        return MeetingPage.objects.none()
    return MeetingPage.objects.live().filter(audience__in=visible_audiences(user))


def visible_actions(user):
    """The action points of the meetings whose record `user` may see."""
    return ActionPoint.objects.filter(meeting__in=record_meetings(user)).select_related(
        *ACTION_ROW_RELATED
    )
