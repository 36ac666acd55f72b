from django.urls import path

from library.feeds import ResourceFeed

app_name = "library"
urlpatterns = [path("feed/", ResourceFeed(), name="feed")]
