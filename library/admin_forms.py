"""The library's admin forms, and what the admin's autocompletes may search in it."""

from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminPageForm

from portal.admin_choosers import ChosenObjectsFormMixin, register_source


class ResourcePageForm(ChosenObjectsFormMixin, WagtailAdminPageForm):
    """The resource editor's form: attachments' documents and related resources are loaded in
    one query each, whatever the number of rows."""


def resource_label(page):
    title = page.get_admin_display_title()
    return title if page.live else _("%(title)s (draft)") % {"title": title}


def indicator_label(indicator):
    """An indicator as the set editor lists it: its words, its stage and language (loaded
    with it by the source's queryset: no query per row)."""
    details = [
        str(part)
        for part in (indicator.get_stage_display(), indicator.language_id and indicator.language)
        if part
    ]
    return f"{indicator} ({', '.join(details)})" if details else str(indicator)


def register_autocomplete_sources():
    from wagtail.documents import get_document_model

    from library.models import Indicator, ResourcePage

    register_source(
        "resources",
        lambda: ResourcePage.objects.order_by("title", "pk"),
        ["title"],
        label=resource_label,
        placeholder=_("Type words of the title"),
    )
    register_source(
        "documents",
        lambda: get_document_model().objects.order_by("title", "pk"),
        ["title"],
        placeholder=_("Type words of the title"),
    )
    register_source(
        "indicators",
        lambda: Indicator.objects.select_related("language").order_by("pk"),
        ["text", "external_id"],
        label=indicator_label,
        placeholder=_("Type words of the indicator"),
    )
