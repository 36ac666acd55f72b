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


def register_autocomplete_sources():
    from wagtail.documents import get_document_model

    from library.models import ResourcePage

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
