from django.urls import path

from . import views
from .feeds import PersonalFeed

app_name = "notifications"
urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("saved-searches/new/", views.saved_search_create, name="saved_search_create"),
    path("saved-searches/<int:pk>/", views.saved_search_edit, name="saved_search_edit"),
    path("saved-searches/<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("confirm-entry/<str:token>/", views.confirm_entry, name="confirm_entry"),
    path("feed/", views.feed_subscription, name="feed_subscription"),
    path("feed/<slug:token>.atom", PersonalFeed(), name="personal_feed"),
]
