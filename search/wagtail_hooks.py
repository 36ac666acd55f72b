from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.access import is_secretariat
from search import admin_views
from search.models import Concept


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("search/zero-results/", admin_views.zero_results, name="search_zero_results"),
        path(
            "search/zero-results/export/",
            admin_views.zero_results_export,
            name="search_zero_results_export",
        ),
        path(
            "search/zero-results/<int:row_id>/handle/",
            admin_views.zero_result_handle,
            name="search_zero_result_handle",
        ),
    ]


class SecretariatMenuItem(MenuItem):
    def is_shown(self, request):
        return is_secretariat(request.user)


@hooks.register("register_admin_menu_item")
def register_zero_results_menu_item():
    return SecretariatMenuItem(
        _("Searches without results"),
        reverse("search_zero_results"),
        icon_name="search",
        order=900,
    )


class ThesaurusViewSet(SnippetViewSet):
    """The thesaurus the secretariat keeps: concepts and their terms per language."""

    model = Concept
    icon = "list-ul"
    menu_label = _("Thesaurus")
    menu_order = 910
    add_to_admin_menu = True
    list_display = ["name", "source"]
    search_fields = ["name"]


register_snippet(ThesaurusViewSet)
