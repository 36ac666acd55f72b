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

from network.models import Country, Mandate, Organisation, Person, PersonEmail, PersonPhone
from network.models.people import normalise_phone, validate_international_phone
from portal.models import Language, Topic

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
            (iso, name) for iso, name in Country.objects.values_list("iso_code", "name")
        ]
        self.fields["expertise"].choices = [("", _("Any topic"))] + list(
            Topic.objects.values_list("slug", "name")
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
    """`?from=XX&to=YY`: the two countries a referral crosses."""

    from_country = forms.CharField(label=_("From"), max_length=2)
    to_country = forms.CharField(label=_("To"), max_length=2)

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = {"from_country": data.get("from", ""), "to_country": data.get("to", "")}
        super().__init__(data, **kwargs)

    def _country(self, field):
        code = self.cleaned_data[field].strip().upper()
        country = Country.objects.filter(iso_code=code).first()
        if country is None:
            raise ValidationError(
                _("“%(code)s” is not a country of the network."), params={"code": code}
            )
        return country

    def clean_from_country(self):
        return self._country("from_country")

    def clean_to_country(self):
        return self._country("to_country")

    def clean(self):
        data = super().clean()
        if data.get("from_country") and data.get("from_country") == data.get("to_country"):
            raise ValidationError(
                _("Choose two different countries for a referral across a border.")
            )
        return data


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
