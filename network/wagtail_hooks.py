"""The directory in the Wagtail admin: snippets with revisions and history, the freshness listing
and the one-step mandate handover (secretariat only)."""

from functools import reduce
from operator import or_

import django_filters

from django.db.models import Q
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from network import admin_views, coverage_admin  # noqa: F401 (coverage_admin registers its hooks)
from network.invitations import InvitePeopleBulkAction
from network.models import (
    Country,
    Institution,
    Organisation,
    Person,
    Procedure,
    ReferralProfile,
    TargetGroup,
)
from portal.access import is_secretariat


class DirectoryIndexView(IndexView):
    """A directory listing searched in the database: each word of the search must be in one of
    the viewset's `search_fields` (so "Ana Kov" finds Ana Kovač across given and family name).

    Not Wagtail's search backend: the backend can only search the model's indexed fields and
    only order its results by fields indexed as FilterFields, which the listings' column
    orderings (a country, a date, a status) are not, and on SQLite it cannot restrict a search
    to named fields at all. The directory's tables are small."""

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        for word in self.search_query.split():
            queryset = queryset.filter(
                reduce(or_, (Q(**{f"{field}__icontains": word}) for field in self.search_fields))
            )
        return queryset


class DirectoryViewSet(SnippetViewSet):
    """A directory snippet whose admin listing is searched in the database (see
    DirectoryIndexView), in any column ordering the listing offers."""

    index_view_class = DirectoryIndexView
    search_backend_name = None


class CountryViewSet(DirectoryViewSet):
    model = Country
    icon = "site"
    menu_label = _("Countries")
    list_display = ["name", "iso_code", "membership", "joined"]
    list_filter = ["membership"]
    search_fields = ["name", "name_fr", "iso_code"]
    ordering = ["name"]


class OrganisationViewSet(DirectoryViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    list_display = ["name", "acronym", "country", "kind"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "acronym"]
    ordering = ["name"]


class PersonViewSet(DirectoryViewSet):
    model = Person
    icon = "user"
    menu_label = _("People")
    list_display = ["full_name", "country", "organisation", "is_active", "last_confirmed"]
    list_filter = ["country", "is_active"]
    search_fields = ["given_name", "family_name"]
    ordering = ["family_name", "given_name"]


class ReferralProfileViewSet(DirectoryViewSet):
    model = ReferralProfile
    icon = "list-ul"
    menu_label = _("Referral profiles")
    list_display = ["country", "mechanism_name", "lead_agency", "reviewed_on"]
    list_filter = ["country__membership"]
    search_fields = ["mechanism_name", "country__name"]
    ordering = ["country__name"]


class InstitutionFilterSet(WagtailFilterSet):
    """The institutions listing's filters. Procedure and group are matched in Python-checked
    JSON text (see network.models.referral.ChoiceListField)."""

    procedure = django_filters.ChoiceFilter(
        label=_("TRM procedure"), choices=Procedure.choices, method="filter_procedure"
    )
    target_group = django_filters.ChoiceFilter(
        label=_("Target group"), choices=TargetGroup.choices, method="filter_group"
    )
    stale = django_filters.BooleanFilter(
        label=_("Not confirmed for 12 months"), method="filter_stale"
    )

    class Meta:
        model = Institution
        fields = ["country", "kind", "is_contact_point", "available_24_7"]

    def filter_procedure(self, queryset, name, value):
        return queryset.serving(procedure=value)

    def filter_group(self, queryset, name, value):
        return queryset.serving(group=value)

    def filter_stale(self, queryset, name, value):
        stale = queryset.stale()
        return stale if value else queryset.exclude(pk__in=stale.values("pk"))


class InstitutionViewSet(DirectoryViewSet):
    model = Institution
    icon = "home"
    menu_label = _("Institutions")
    list_display = ["name", "country", "kind", "is_contact_point", "confirmed_on"]
    filterset_class = InstitutionFilterSet
    search_fields = ["name"]
    ordering = ["country__name", "name"]


class DirectoryViewSetGroup(SnippetViewSetGroup):
    items = (
        CountryViewSet,
        OrganisationViewSet,
        PersonViewSet,
        ReferralProfileViewSet,
        InstitutionViewSet,
    )
    menu_icon = "group"
    menu_label = _("Directory")
    menu_name = "directory"


register_snippet(DirectoryViewSetGroup)


@hooks.register("register_admin_urls")
def register_directory_admin_urls():
    return [
        path(
            "network/freshness/",
            admin_views.freshness,
            name="network_freshness",
        ),
        path(
            "network/mandates/<int:mandate_id>/handover/",
            admin_views.handover,
            name="network_handover",
        ),
    ]


class SecretariatMenuItem(MenuItem):
    def is_shown(self, request):
        return is_secretariat(request.user)


@hooks.register("register_admin_menu_item")
def register_freshness_menu_item():
    return SecretariatMenuItem(
        _("Directory freshness"),
        reverse("network_freshness"),
        icon_name="time",
        order=310,
    )


@hooks.register("register_log_actions")
def register_directory_log_actions(actions):
    actions.register_action("network.confirm", _("Confirm entry"), _("Entry confirmed as current"))
    actions.register_action(
        "network.self_edit", _("Edit own entry"), _("Entry edited by its owner")
    )
    actions.register_action("network.handover", _("Hand over mandate"), _("Mandate handed over"))
    actions.register_action(
        "network.referral_self_edit",
        _("Edit own country's referral data"),
        _("Referral data edited by the country's coordinator"),
    )
    actions.register_action(
        "network.account_linked", _("Link account"), _("Account linked by invitation")
    )


hooks.register("register_bulk_action", InvitePeopleBulkAction)
