from django.urls import path

from library import indicator_views
from library.feeds import ResourceFeed

app_name = "library"
urlpatterns = [path("feed/", ResourceFeed(), name="feed")]

# The indicator pages (docs/contracts.md, Library: `/library/indicators/`).
urlpatterns += [
    path("indicators/", indicator_views.browser, name="indicators"),
    path("indicators/checklist/", indicator_views.checklist, name="indicator_checklist"),
    path("indicators/compare/", indicator_views.compare_sets, name="indicator_compare"),
]
