"""
The self-service forms of a country's referral data, for its coordinators (network.stewardship).
The country comes from the URL, never from the form; a field the form does not offer is refused
by the view, as on a person's own entry.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.models import Institution, Organisation, ReferralProfile


def _organisations_of(country):
    # A country has tens of organisations at most: a select of them is short.
    return Organisation.objects.filter(country=country).order_by("name")


class ReferralProfileForm(forms.ModelForm):
    """The national referral mechanism of the steward's country. The national SOP is a library
    resource the secretariat publishes and links in the admin."""

    class Meta:
        model = ReferralProfile
        fields = ["mechanism_name", "lead_agency", "legal_basis", "summary"]
        widgets = {
            "legal_basis": forms.Textarea(attrs={"rows": 4}),
            "summary": forms.Textarea(attrs={"rows": 6}),
        }

    ALLOWED_KEYS = {"csrfmiddlewaretoken", *Meta.fields}

    def __init__(self, *args, country, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_agency"].queryset = _organisations_of(country)

    def save(self, commit=True):
        profile = super().save(commit=False)
        # Saving it through the self-service is reviewing it.
        profile.reviewed_on = timezone.localdate()
        if commit:
            profile.save()
        return profile


class InstitutionForm(forms.ModelForm):
    """One institution of the steward's country."""

    confirm = forms.BooleanField(
        label=_("These contact details are confirmed as working today"),
        required=False,
        initial=True,
        help_text=_(
            "Untick if you have not checked them: a contact unconfirmed for 12 months "
            "is shown as stale."
        ),
    )

    class Meta:
        model = Institution
        fields = [
            "name",
            "kind",
            "organisation",
            "is_contact_point",
            "procedures",
            "target_groups",
            "phone",
            "phone_visibility",
            "email",
            "email_visibility",
            "website",
            "hours",
            "available_24_7",
            "languages",
        ]
        widgets = {"languages": forms.CheckboxSelectMultiple}

    ALLOWED_KEYS = {"csrfmiddlewaretoken", "confirm", *Meta.fields}

    def __init__(self, *args, country, **kwargs):
        super().__init__(*args, **kwargs)
        self.country = country
        self.instance.country = country
        self.fields["organisation"].queryset = _organisations_of(country)

    def clean_name(self):
        # The form has no country field, so the model's (country, name) constraint is not
        # checked by the form: say it here rather than fail on save.
        name = self.cleaned_data["name"].strip()
        taken = Institution.objects.filter(country=self.country, name__iexact=name).exclude(
            pk=self.instance.pk
        )
        if taken.exists():
            raise ValidationError(
                _("%(country)s already has an institution of this name."),
                params={"country": self.country},
            )
        return name

    def save(self, commit=True):
        institution = super().save(commit=False)
        self.save_m2m()  # a clusterable model keeps the languages until save()
        if self.cleaned_data.get("confirm"):
            institution.confirmed_on = timezone.localdate()
        if commit:
            institution.save()
        return institution
