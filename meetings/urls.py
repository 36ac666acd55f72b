from django.urls import path

from meetings import views
from meetings.views.decisions import DecisionFeed

app_name = "meetings"
urlpatterns = [
    path("actions/", views.action_list, name="actions"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/update/", views.action_update, name="action_update"),
    path("calendar.ics", views.calendar_feed, name="calendar"),
    path("calendar/subscription/", views.calendar_subscription, name="calendar_subscription"),
    path("calendar/personal/<slug:token>.ics", views.personal_calendar, name="personal_calendar"),
    path("decisions/", views.decision_register, name="decisions"),
    path("decisions/feed/", DecisionFeed(), name="decisions_feed"),
    path("follow-up/", views.follow_up, name="follow_up"),
    path("meeting/<int:pk>.ics", views.meeting_calendar, name="meeting_calendar"),
    path("meeting/<int:pk>/register/", views.register, name="register"),
    path("meeting/<int:pk>/registrations.csv", views.registrations_csv, name="registrations_csv"),
    path("meeting/<int:pk>/pack.zip", views.meeting_pack, name="pack"),
    path("meeting/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("meeting/<int:pk>/cancel/", views.cancel, name="cancel"),
]
