"""The directory's admin forms, and what the admin's autocompletes may search in it."""

from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm

from portal.admin_choosers import ChosenObjectsFormMixin, register_source


class DirectoryAdminForm(ChosenObjectsFormMixin, WagtailAdminModelForm):
    """The person editor's form: its mandates' countries (and any chooser of an inline row) are
    loaded in one query, whatever the number of rows."""


def person_label(person):
    """A name, and where the person works, to tell namesakes apart."""
    where = ", ".join(
        str(part) for part in (person.organisation, person.country) if part is not None
    )
    name = (
        person.full_name
        if person.is_active
        else _("%(name)s (inactive)") % {"name": person.full_name}
    )
    return f"{name} — {where}" if where else str(name)


def register_autocomplete_sources():
    from network.models import Country, Organisation, Person

    register_source(
        "people",
        lambda: Person.objects.select_related("organisation", "country").order_by(
            "family_name", "given_name", "pk"
        ),
        ["given_name", "family_name"],
        label=person_label,
        placeholder=_("Type a name"),
    )
    register_source(
        "organisations",
        lambda: Organisation.objects.order_by("name", "pk"),
        ["name", "acronym"],
        placeholder=_("Type a name or an acronym"),
    )
    register_source(
        "countries",
        lambda: Country.objects.order_by("name", "pk"),
        ["name", "iso_code"],
        placeholder=_("Type a country or its ISO code"),
    )
