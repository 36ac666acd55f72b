from meetings.models.followup import ActionUpdate
from meetings.models.pages import (
    Invitees,
    MeetingIndexPage,
    MeetingPage,
    MeetingSeries,
    MeetingType,
)
from meetings.models.people import CalendarToken, Registration
from meetings.models.record import (
    ActionPoint,
    AgendaItem,
    Decision,
    MeetingDocument,
    MinutesAmendment,
    Participant,
)

__all__ = [
    "ActionPoint",
    "ActionUpdate",
    "AgendaItem",
    "CalendarToken",
    "Invitees",
    "Decision",
    "MeetingDocument",
    "MeetingIndexPage",
    "MeetingPage",
    "MeetingSeries",
    "MeetingType",
    "MinutesAmendment",
    "Participant",
    "Registration",
]
