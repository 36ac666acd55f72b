"""Forms of the directory: listing filters, referral lookup, self-service and mandate handover.
Every one answers bad input with a message naming the problem; none writes anything on error."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.snippets.widgets import AdminSnippetChooser

from network.models import (
    Country,
    Mandate,
    Organisation,
    Person,
    PersonEmail,
    PersonPhone,
    Procedure,
)
from network.models.people import normalise_phone, validate_international_phone
from network.pathway import Asylum, CaseProfile, ChildSituation, Exploitation, Group
from portal.models import Language, Topic
from portal.vocabulary import label_expression

MAX_CONTACT_LINES = 5


class DirectoryFilterForm(forms.Form):
    """The people listing's query parameters. Unknown values are errors shown to the visitor
    (never a 500, never silently ignored)."""

    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any role")), *Mandate.Role.choices]
    )
    kind = forms.ChoiceField(
        label=_("Organisation kind"),
        required=False,
        choices=[("", _("Any kind")), *Organisation.Kind.choices],
    )
    expertise = forms.ChoiceField(label=_("Expertise"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Three fixed queries, whatever the number of rows.
        self.fields["country"].choices = [("", _("Any country"))] + [
            (iso, name)
            for iso, name in Country.objects.values_list("iso_code", label_expression()).order_by(
                label_expression()
            )
        ]
        self.fields["expertise"].choices = [("", _("Any topic"))] + list(
            Topic.objects.values_list("slug", label_expression()).order_by(label_expression())
        )
        self.fields["language"].choices = [("", _("Any language"))] + list(
            Language.objects.values_list("code", "name")
        )

    def clean_country(self):
        return self.cleaned_data["country"].upper()

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("q"):
            for word in data["q"].split():
                queryset = queryset.filter(
                    Q(given_name__icontains=word) | Q(family_name__icontains=word)
                )
        if data.get("country"):
            queryset = queryset.filter(country__iso_code=data["country"])
        if data.get("role"):
            current = Mandate.objects.current().filter(role=data["role"])
            queryset = queryset.filter(pk__in=current.values("person_id"))
        if data.get("kind"):
            queryset = queryset.filter(organisation__kind=data["kind"])
        if data.get("expertise"):
            queryset = queryset.filter(expertise__slug=data["expertise"])
        if data.get("language"):
            queryset = queryset.filter(languages__code=data["language"])
        return queryset.distinct()


def _lines(value):
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


class SelfServiceForm(forms.ModelForm):
    """What a member may change on their own entry, and nothing else: no names, organisation,
    mandates, account or active flag (the secretariat keeps those)."""

    emails = forms.CharField(
        label=_("Email addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    phones = forms.CharField(
        label=_("Phone numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, in international format, e.g. +381 11 123 4567."),
    )

    class Meta:
        model = Person
        fields = [
            "email_audience",
            "phone_audience",
            "biography",
            "biography_audience",
            "photo",
            "photo_audience",
            "languages",
            "expertise",
        ]
        widgets = {
            "languages": forms.CheckboxSelectMultiple,
            "expertise": forms.CheckboxSelectMultiple,
        }

    #: Every POST key the form understands; anything else is refused (see the view).
    ALLOWED_KEYS = {"csrfmiddlewaretoken", "emails", "phones", "photo-clear", *Meta.fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial["emails"] = "\n".join(e.address for e in self.instance.emails.all())
            self.initial["phones"] = "\n".join(p.number for p in self.instance.phones.all())

    def clean_emails(self):
        addresses = _lines(self.cleaned_data["emails"])
        bad = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                bad.append(address)
        if bad:
            raise ValidationError(
                _("Not a valid email address: %(bad)s."), params={"bad": ", ".join(bad)}
            )
        if len(addresses) > MAX_CONTACT_LINES:
            raise ValidationError(
                _("At most %(n)s email addresses."), params={"n": MAX_CONTACT_LINES}
            )
        return list(dict.fromkeys(addresses))

    def clean_phones(self):
        numbers = _lines(self.cleaned_data["phones"])
        errors = []
        for number in numbers:
            try:
                validate_international_phone(number)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        if len(numbers) > MAX_CONTACT_LINES:
            raise ValidationError(
                _("At most %(n)s phone numbers."), params={"n": MAX_CONTACT_LINES}
            )
        return list(dict.fromkeys(normalise_phone(number) for number in numbers))

    def save(self, commit=True):
        """Save the entry with its emails, phones, languages and expertise. A clusterable person
        keeps child rows and parental many-to-many on the instance until `save()` commits them
        together."""
        person = super().save(commit=False)
        self.save_m2m()
        person.emails.set(
            PersonEmail(address=address, sort_order=order)
            for order, address in enumerate(self.cleaned_data["emails"])
        )
        person.phones.set(
            PersonPhone(number=number, sort_order=order)
            for order, number in enumerate(self.cleaned_data["phones"])
        )
        if commit:
            person.save()
        return person


class ReferralForm(forms.Form):
    """The referral assistant's query (`/network/referral/`): two countries and a case profile
    of categories only. Every parameter takes a value from a closed list; anything else (a
    parameter the assistant does not know, a value outside its list, a parameter given twice)
    is an error naming the parameter. No value a visitor typed is repeated back: the assistant
    takes no free text, and what was sent may be case data."""

    PROFILE_FIELDS = ("group", "child", "exploitation", "asylum", "procedure")
    PARAMETERS = ("from", "to", *PROFILE_FIELDS, "format")
    FORMATS = [("", _("Page")), ("print", _("Printable sheet")), ("pdf", _("PDF"))]

    def __init__(self, data=None, **kwargs):
        self.unexpected = []
        self.repeated = []
        if data is not None:
            self.unexpected = sorted(key for key in data if key not in self.PARAMETERS)
            self.repeated = sorted(
                key for key in data if key in self.PARAMETERS and len(data.getlist(key)) > 1
            )
            data = {key: data.get(key, "") for key in self.PARAMETERS}
            for key in ("from", "to"):
                data[key] = data[key].strip().upper()
        super().__init__(data, **kwargs)
        # One query: every country, for the choices and the answer.
        self.countries = {country.iso_code: country for country in Country.objects.all()}
        country_choices = [("", _("Choose a country"))] + [
            (
                iso,
                country.label
                if country.in_network
                else _("%(country)s (outside the network)") % {"country": country.label},
            )
            for iso, country in self.countries.items()
        ]
        invalid = {"invalid_choice": _("Choose one of the listed values.")}
        self.fields["from"] = forms.ChoiceField(
            label=_("Identified in (from)"), choices=country_choices
        )
        self.fields["to"] = forms.ChoiceField(label=_("Referred to (to)"), choices=country_choices)
        self.fields["group"] = forms.ChoiceField(
            label=_("Adult or child"),
            required=False,
            choices=[("", _("Not said")), *Group.choices],
            widget=forms.RadioSelect,
            initial="",
            error_messages=invalid,
        )
        self.fields["child"] = forms.ChoiceField(
            label=_("If a child"),
            required=False,
            choices=[("", _("Not said")), *ChildSituation.choices],
            widget=forms.RadioSelect,
            initial="",
            error_messages=invalid,
        )
        self.fields["exploitation"] = forms.ChoiceField(
            label=_("Form of exploitation"),
            required=False,
            choices=[("", _("Not said")), *Exploitation.choices],
            error_messages=invalid,
        )
        self.fields["asylum"] = forms.ChoiceField(
            label=_("Asylum procedure involved"),
            required=False,
            choices=[("", _("Not said")), *Asylum.choices],
            widget=forms.RadioSelect,
            initial="",
            error_messages=invalid,
        )
        self.fields["procedure"] = forms.ChoiceField(
            label=_("Procedure needed now"),
            required=False,
            choices=[("", _("All five procedures")), *Procedure.choices],
            error_messages=invalid,
        )
        self.fields["format"] = forms.ChoiceField(
            label=_("Format"), required=False, choices=self.FORMATS, error_messages=invalid
        )
        for name in ("from", "to"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "Not a country code of the network: choose a country from the list."
            )

    def clean(self):
        data = super().clean()
        for key in self.unexpected:
            # The name only (shortened, printable): never a value, which may be case data.
            name = "".join(char for char in key[:40] if char.isprintable())
            self.add_error(
                None,
                _("Unknown parameter “%(name)s”: the assistant takes only %(known)s.")
                % {"name": name, "known": ", ".join(self.PARAMETERS)},
            )
        for key in self.repeated:
            self.add_error(key, _("Given more than once: give one value."))
        if data.get("from") and data.get("from") == data.get("to"):
            self.add_error(
                "to", _("Choose two different countries for a referral across a border.")
            )
        if data.get("child") and data.get("group") == Group.ADULT:
            self.add_error("child", _("Only for a child: leave it empty for an adult."))
        elif data.get("child"):
            data["group"] = Group.CHILD
        return data

    def pathway_request(self):
        """(origin, destination, CaseProfile, format) of a valid form."""
        data = self.cleaned_data
        profile = CaseProfile(**{name: data.get(name) or "" for name in self.PROFILE_FIELDS})
        return self.countries[data["from"]], self.countries[data["to"]], profile, data["format"]

    @property
    def choice_fields(self):
        """The profile's radio groups, each shown as a fieldset."""
        return [self["group"], self["child"], self["asylum"]]

    def error_lines(self):
        """[(parameter, label, message)] of every error, for the 400 page."""
        lines = [("", "", str(message)) for message in self.non_field_errors()]
        for name in self.PARAMETERS:
            for message in self.errors.get(name, ()):
                lines.append((name, str(self.fields[name].label), str(message)))
        return lines


class HandoverForm(forms.Form):
    """End a mandate and start the successor's in one step."""

    # Wagtail's snippet chooser, not a select of the whole directory: the editor searches for
    # the successor by name; the queryset still decides who may be chosen.
    successor = forms.ModelChoiceField(
        label=_("Successor"),
        queryset=Person.objects.filter(is_active=True).select_related("country"),
        widget=AdminSnippetChooser(Person),
        help_text=_("The person who takes over the role: an active entry of the directory."),
        error_messages={
            "invalid_choice": _(
                "Select a valid choice: an active person of the directory other than the "
                "current holder."
            )
        },
    )
    handover_date = forms.DateField(
        label=_("Handover date"),
        help_text=_("The successor's first day; the current mandate ends the day before."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, mandate, **kwargs):
        self.mandate = mandate
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = self.fields["successor"].queryset.exclude(
            pk=mandate.person_id
        )
        self.fields["handover_date"].initial = timezone.localdate()

    def clean_handover_date(self):
        day = self.cleaned_data["handover_date"]
        if day <= self.mandate.start:
            raise ValidationError(_("The handover must come after the mandate started."))
        if self.mandate.end is not None and self.mandate.end < day - datetime.timedelta(days=1):
            raise ValidationError(_("This mandate had already ended by then."))
        return day
