"""
Views of the meetings app, by concern: `actions` (the action-point list, timeline and updates),
`decisions` (the register, its feed and CSV), `followup` (the follow-up report), `registrations`,
`calendars` (iCalendar feeds and the personal address) and `packs`. Who sees what goes through
`portal.access`; who owns an action point is `meetings.ownership`; what a meeting's page shows is
`meetings.page_context` (models never import views).
"""

from meetings.views.actions import action_detail, action_list, action_update
from meetings.views.calendars import (
    calendar_feed,
    calendar_subscription,
    meeting_calendar,
    personal_calendar,
)
from meetings.views.decisions import decision_register
from meetings.views.followup import follow_up
from meetings.views.packs import meeting_pack
from meetings.views.registrations import attendance, cancel, register, registrations_csv

__all__ = [
    "action_detail",
    "action_list",
    "action_update",
    "attendance",
    "calendar_feed",
    "calendar_subscription",
    "cancel",
    "decision_register",
    "follow_up",
    "meeting_calendar",
    "meeting_pack",
    "personal_calendar",
    "register",
    "registrations_csv",
]
