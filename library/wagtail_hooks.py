import django_filters

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.pages.listing import ExplorableIndexView, GenericPageFilterSet
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.documents import get_document_model, get_permission_policy
from wagtail.documents import wagtail_hooks as wagtail_document_hooks
from wagtail.log_actions import log
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from library.downloads import download_audience, restricted_download
from library.models import Indicator, ResourcePage
from network.models.referral import TargetGroup
from network.pathway import Exploitation
from portal.access import Audience, deny
from portal.models import Topic
from portal.usage import may_fetch

# Wagtail's own download hook enforces a collection's privacy settings: the collection plays no
# part here, and which hook answered first would depend on the order the apps load. It is taken
# out of the registry (Wagtail has no public way to unregister a hook), so this one is the only
# one asked (tests/library/test_downloads.py checks it, and would catch a Wagtail change).
hooks._hooks["before_serve_document"] = [
    (function, order)
    for function, order in hooks._hooks.get("before_serve_document", [])
    if function is not wagtail_document_hooks.check_view_restrictions
]


@hooks.register("before_serve_document")
def guard_document_download(document, request):
    """The project's only download hook: every document download asks one policy, the lowest
    audience among the live places that show the document (see library.downloads)."""
    audience = download_audience(document)
    if not may_fetch(request.user, audience):
        return deny(request)
    if audience != Audience.PUBLIC:
        # Downloads of restricted documents are part of the audit trail.
        log(document, "library.document.download", user=request.user)
        return restricted_download(document)
    return None


@require_POST
def reextract_document(request, document_id):
    document = get_object_or_404(get_document_model(), pk=document_id)
    if not get_permission_policy().user_has_permission_for_instance(
        request.user, "change", document
    ):
        raise PermissionDenied
    from library.signals import enqueue_extraction

    type(document).objects.filter(pk=document.pk).update(
        extraction_status=document.Extraction.PENDING, extraction_error=""
    )
    enqueue_extraction(document.pk)
    messages.success(
        request, _("The text of “%(title)s” will be extracted again.") % {"title": document.title}
    )
    return redirect("wagtaildocs:edit", document.pk)


@hooks.register("register_admin_urls")
def register_library_admin_urls():
    return [
        path(
            "library/documents/<int:document_id>/extract/",
            reextract_document,
            name="library_reextract_document",
        )
    ]


class TopicViewSet(SnippetViewSet):
    """The taxonomy of topics the secretariat manages (shared with the directory)."""

    model = Topic
    icon = "tag"
    menu_label = gettext_lazy("Topics")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "slug"]
    search_fields = ["name"]


register_snippet(TopicViewSet)


def _indicator_set_pages(request=None):
    from library.models import ResourcePage, ResourceType

    return ResourcePage.objects.filter(resource_type=ResourceType.INDICATOR_SET).order_by(
        "title", "pk"
    )


class IndicatorFilterSet(WagtailFilterSet):
    """The indicators listing's filters. Target group and form of exploitation are matched in
    validated JSON text (see network.models.referral.ChoiceListField); the set is any set that
    holds the indicator as a row."""

    target_group = django_filters.ChoiceFilter(
        label=gettext_lazy("Target group"), choices=TargetGroup.choices, method="filter_group"
    )
    exploitation = django_filters.ChoiceFilter(
        label=gettext_lazy("Form of exploitation"),
        choices=Exploitation.choices,
        method="filter_exploitation",
    )
    indicator_set = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Indicator set"),
        queryset=_indicator_set_pages,
        method="filter_set",
    )

    class Meta:
        model = Indicator
        fields = ["stage", "strength", "dimension", "language"]

    def filter_group(self, queryset, name, value):
        return queryset.with_groups(value)

    def filter_exploitation(self, queryset, name, value):
        return queryset.with_exploitation(value)

    def filter_set(self, queryset, name, value):
        return queryset.in_sets([value.pk])


class IndicatorViewSet(SnippetViewSet):
    """Indicators as records (see library.models.indicators): sets order them in the resource
    editor; here they are written, filtered and translated one by one."""

    model = Indicator
    icon = "tick"
    menu_label = gettext_lazy("Indicators")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["__str__", "stage", "strength", "language", "external_id"]
    filterset_class = IndicatorFilterSet
    search_fields = ["text", "external_id", "source_section"]
    ordering = ["pk"]
    list_per_page = 50

    def get_queryset(self, request):
        return Indicator.objects.select_related("language")


register_snippet(IndicatorViewSet)


class LibraryExplorerView(ExplorableIndexView):
    """The library's resources in the page explorer: thousands of children at the bench scale.

    Each row's actions menu is most of a listing's cost (ten buttons, each with its permission
    check, URL and template), so a page of the library lists 20 resources, as Wagtail's page
    search does, rather than the explorer's 50. The page type column (every child is a
    resource) and the column leading to child pages (resources have none) say nothing here and
    are left out, unless a search reaches beyond the library into the whole tree."""

    paginate_by = 20

    @cached_property
    def explorable_columns(self):
        columns = super().explorable_columns
        if self.is_searching_whole_tree:
            return columns
        return [column for column in columns if column.name not in ("type", "navigate")]


class ResourcePageViewSet(PageViewSet):
    """Wagtail's page views for resources; Wagtail uses this viewset's listing when the
    explorer shows the children of the library page (the only parent resources may have)."""

    model = ResourcePage
    index_view_class = LibraryExplorerView
    # The explorer's filters, page type included (a search may reach beyond the library).
    filterset_class = GenericPageFilterSet


@hooks.register("register_admin_viewset")
def register_resource_page_viewset():
    return ResourcePageViewSet("library_resources")


@hooks.register("register_log_actions")
def register_library_log_actions(actions):
    actions.register_action(
        "library.document.download", gettext_lazy("Download"), gettext_lazy("Document downloaded")
    )
