from django.utils.translation import gettext_lazy as _

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from meetings.models import MeetingSeries


class MeetingSeriesViewSet(SnippetViewSet):
    model = MeetingSeries
    icon = "date"
    menu_label = _("Meeting series")
    add_to_admin_menu = False
    list_display = ["name"]
    search_fields = ["name"]


register_snippet(MeetingSeriesViewSet)
