"""
Views of the meetings app, by concern: `actions` (the action-point list and updates),
`registrations`, `calendars` (iCalendar feeds and the personal address) and `packs`. Who sees
what goes through `portal.access`; who owns an action point is `meetings.ownership`; what a
meeting's page shows is `meetings.page_context` (models never import views).
"""

from meetings.views.actions import action_list, action_update
from meetings.views.calendars import (
    calendar_feed,
    calendar_subscription,
    meeting_calendar,
    personal_calendar,
)
from meetings.views.packs import meeting_pack
from meetings.views.registrations import attendance, cancel, register, registrations_csv

__all__ = [
    "action_list",
    "action_update",
    "attendance",
    "calendar_feed",
    "calendar_subscription",
    "cancel",
    "meeting_calendar",
    "meeting_pack",
    "personal_calendar",
    "register",
    "registrations_csv",
]
