import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.models import Country, Mandate
from portal.models import Topic

from .models import SavedSearch, Subscription

# The search page's filter parameters (docs/contracts.md, JSON) that a saved search may keep.
FILTER_KEYS = ("kind", "type", "topic", "country", "language", "year")
MAX_VALUES_PER_FILTER = 20
MAX_SAVED_SEARCHES = 50
_VALUE = re.compile(r"^[\w-]{1,100}$")


def resource_type_choices():
    from .kinds.library import RESOURCE_TYPE_CHOICES

    return RESOURCE_TYPE_CHOICES


class SubscriptionForm(forms.ModelForm):
    resource_types = forms.MultipleChoiceField(
        label=_("Resource types"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("New or updated guidance of these types."),
    )

    class Meta:
        model = Subscription
        fields = [
            "frequency",
            "everything",
            "topics",
            "countries",
            "resource_types",
            "meetings",
            "action_points",
            "directory_reminders",
            "language",
        ]
        widgets = {
            "topics": forms.CheckboxSelectMultiple,
            "countries": forms.CheckboxSelectMultiple,
            "frequency": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource_types"].choices = resource_type_choices()
        self.fields["topics"].queryset = Topic.objects.order_by("name")
        self.fields["countries"].queryset = Country.objects.order_by("name")


def parse_filters(data):
    """
    The filters of a search from a query string or form data (a QueryDict): only the search
    page's parameters, each value a short slug or code, years as four digits. Raises
    ValidationError naming the offending parameter.
    """
    filters = {}
    for key in FILTER_KEYS:
        values = [value.strip() for value in data.getlist(key) if value.strip()]
        if not values:
            continue
        if len(values) > MAX_VALUES_PER_FILTER:
            raise forms.ValidationError(
                _("Too many values for “%(key)s” (at most %(max)s)."),
                params={"key": key, "max": MAX_VALUES_PER_FILTER},
            )
        for value in values:
            if not _VALUE.match(value) or (key == "year" and not re.fullmatch(r"\d{4}", value)):
                raise forms.ValidationError(
                    _("“%(value)s” is not a valid value for “%(key)s”."),
                    params={"key": key, "value": value[:100]},
                )
        filters[key] = sorted(set(values))
    return filters


class SavedSearchForm(forms.ModelForm):
    """Name, words and alert frequency are visible fields; the filters travel as hidden inputs
    copied from the search page's query string and are validated like it."""

    class Meta:
        model = SavedSearch
        fields = ["name", "query", "frequency"]
        widgets = {"frequency": forms.RadioSelect}

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.data:
            try:
                self.instance.filters = parse_filters(self.data)
            except forms.ValidationError as error:
                self.add_error(None, error)
        if (
            self.instance.pk is None
            and SavedSearch.objects.filter(user=self.user).count() >= MAX_SAVED_SEARCHES
        ):
            self.add_error(
                None,
                _("You already have %(max)s saved searches; delete one first.")
                % {"max": MAX_SAVED_SEARCHES},
            )
        return cleaned

    def save(self, commit=True):
        self.instance.user = self.user
        if self.instance.pk is None:
            # Alerts report what is new from now on, not everything that already matched.
            self.instance.last_checked = timezone.now()
        return super().save(commit=commit)


class CorrectionForm(forms.Form):
    """What changed in one's directory entry, in one's own words, for the secretariat to apply."""

    note = forms.CharField(
        label=_("What has changed?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "aria-describedby": "id_note-help"}),
        help_text=_(
            "For example a new job title, organisation, role, email address or phone number. "
            "The secretariat checks and applies it. At most 2000 characters."
        ),
        error_messages={
            "required": _("Say what has changed, so that the secretariat can correct it."),
        },
    )


class CampaignForm(forms.Form):
    """A freshness campaign's criteria, as the start page's query string or confirmation."""

    countries = forms.ModelMultipleChoiceField(
        label=_("Countries"),
        queryset=Country.objects.none(),
        to_field_name="iso_code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People working for these countries; choose none for every country."),
        error_messages={
            "invalid_choice": _("“%(value)s” is not a country of the directory."),
            "invalid_list": _("Choose countries from the list."),
        },
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Mandate.Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People holding one of these roles now; choose none for any role."),
        error_messages={"invalid_choice": _("“%(value)s” is not a role of the directory.")},
    )
    months = forms.IntegerField(
        label=_("Not confirmed for (months)"),
        min_value=0,
        max_value=120,
        initial=12,
        help_text=_(
            "Ask only people whose entry was not confirmed for this many months (0 to 120); "
            "0 asks everyone selected."
        ),
        error_messages={
            "required": _("Say for how many months an entry has not been confirmed (0 to 120)."),
            "invalid": _("The number of months must be a whole number from 0 to 120."),
            "min_value": _("The number of months must be a whole number from 0 to 120."),
            "max_value": _("The number of months must be a whole number from 0 to 120."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].queryset = Country.objects.order_by("name")

    def criteria(self):
        data = self.cleaned_data
        return {
            "countries": list(data["countries"]),
            "roles": list(data["roles"]),
            "months": data["months"],
        }


class CampaignStartForm(CampaignForm):
    """The preview's confirmation: the criteria, the number of people the preview showed (the
    campaign is not started if the selection changed since) and the start key (a form sent twice
    starts one campaign)."""

    expected = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    start_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Carried over from the preview as it was shown.
        self.fields["countries"].widget = forms.MultipleHiddenInput()
        self.fields["roles"].widget = forms.MultipleHiddenInput()
        self.fields["months"].widget = forms.HiddenInput()
