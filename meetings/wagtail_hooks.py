from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from meetings.models import AgendaItem, MeetingDocument, MeetingSeries
from portal.access import Audience, can_see


class MeetingSeriesViewSet(SnippetViewSet):
    model = MeetingSeries
    icon = "date"
    menu_label = _("Meeting series")
    add_to_admin_menu = False
    list_display = ["name"]
    search_fields = ["name"]


register_snippet(MeetingSeriesViewSet)


@hooks.register("before_serve_document")
def guard_meeting_documents(document, request):
    """A file attached to a meeting is served only to those who may see it there, whatever URL
    they found: a meeting document follows its own audience, an agenda paper the record's."""
    audiences = list(
        MeetingDocument.objects.filter(document=document).values_list("audience", flat=True)
    )
    if AgendaItem.documents.through.objects.filter(librarydocument=document).exists():
        audiences.append(Audience.MEMBERS)
    if not audiences or any(can_see(request.user, audience) for audience in audiences):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied
