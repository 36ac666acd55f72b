"""Forms of the meetings app: the listing filters, the page editor's rules, action updates."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import ActionPoint, MeetingType
from network.models import Country, Person
from portal.access import is_secretariat


class MeetingFilterForm(forms.Form):
    """Filters of the meeting index. Unknown values are refused with a message, not ignored."""

    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any type")), *MeetingType.choices]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    country = forms.ModelChoiceField(
        label=_("Host country"),
        required=False,
        queryset=Country.objects.all(),
        to_field_name="iso_code",
        empty_label=_("Any country"),
    )

    def filter(self, meetings):
        data = self.cleaned_data
        if data.get("type"):
            meetings = meetings.filter(meeting_type=data["type"])
        if data.get("year"):
            meetings = meetings.filter(start_date__year=data["year"])
        if data.get("country"):
            meetings = meetings.filter(host_country=data["country"])
        return meetings


class ActionFilterForm(forms.Form):
    """Filters of the action-point list."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *ActionPoint.Status.choices],
    )
    mine = forms.BooleanField(
        label=_("Mine only"),
        required=False,
        help_text=_("Named for me, or for a country I hold the mandate of."),
    )
    # One person's action points, as linked from their directory page: not a list to choose
    # from (thousands of people), so it travels hidden and shows as a filter to remove.
    owner = forms.ModelChoiceField(
        label=_("Owner"), required=False, queryset=Person.objects.all(), widget=forms.HiddenInput
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        required=False,
        queryset=Country.objects.all(),
        to_field_name="iso_code",
        empty_label=_("Any country"),
    )
    meeting = forms.IntegerField(
        label=_("Meeting"), required=False, min_value=1, widget=forms.HiddenInput
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_secretariat(user):
            # Inactive people are history that only the secretariat sees (as in the directory):
            # an owner filter naming one by id would print their name.
            self.fields["owner"].queryset = Person.objects.filter(is_active=True)

    def filter(self, actions, ownership):
        """`actions` narrowed by the filters; `ownership` answers "mine"."""
        data = self.cleaned_data
        if data.get("mine"):
            actions = actions.filter(ownership.q())
        if data.get("status"):
            actions = actions.filter(status=data["status"])
        if data.get("owner"):
            actions = actions.filter(owner_person=data["owner"])
        if data.get("country"):
            # A country's action points: owned by the country, or by its people.
            actions = actions.filter(
                Q(owner_country=data["country"]) | Q(owner_person__country=data["country"])
            )
        if data.get("meeting"):
            actions = actions.filter(meeting_id=data["meeting"])
        if data.get("overdue"):
            actions = actions.filter(
                status__in=ActionPoint.OPEN_STATUSES, due_date__lt=timezone.localdate()
            )
        return actions


class ActionUpdateForm(forms.Form):
    """What an owner may change on their action point: its status and progress note."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionPoint.Status.choices)
    progress_note = forms.CharField(
        label=_("Progress note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class RegistrationForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            ("registered", _("I will attend")),
            ("apologies", _("Apologies: I cannot attend")),
        ],
    )
