import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.models import Country
from portal.models import Topic

from .models import SavedSearch, Subscription

# The search page's filter parameters (CONTRACTS.md) that a saved search may keep.
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
