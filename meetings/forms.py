"""Forms of the meetings app: the listing filters, the page editor's rules, action updates."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import ActionPoint, Decision, MeetingSeries, MeetingType
from network.models import Country, Person
from portal.access import is_secretariat
from portal.models import Topic


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
    """An update of an action point, added to its history: status, due date and a note; the
    secretariat may also give it a new owner (a person or a country)."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionPoint.Status.choices)
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for no due date."),
    )
    progress_note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("What has been done since the last update."),
    )
    owner_person = forms.ModelChoiceField(
        label=_("New owner (person)"),
        required=False,
        queryset=Person.objects.filter(is_active=True),
        help_text=_("Only to hand the action point to someone else."),
    )
    owner_country = forms.ModelChoiceField(
        label=_("New owner (country)"),
        required=False,
        queryset=Country.objects.all(),
        help_text=_("Or to a country."),
    )

    def __init__(self, *args, action=None, may_reassign=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        if not may_reassign:
            del self.fields["owner_person"]
            del self.fields["owner_country"]

    def clean(self):
        data = super().clean()
        if data.get("owner_person") and data.get("owner_country"):
            raise forms.ValidationError(
                _("An action point is owned by a person or by a country: choose one.")
            )
        due = data.get("due_date")
        meeting = getattr(self.action, "meeting", None)
        if due and meeting is not None and due < meeting.start_date:
            self.add_error("due_date", _("The due date is before the meeting."))
        return data


class DecisionFilterForm(forms.Form):
    """Filters of the decisions register. A value that names nothing is refused with a message."""

    STATUS_CHOICES = [("", _("Any status")), *Decision.Status.choices]

    series = forms.ModelChoiceField(
        label=_("Series"),
        required=False,
        queryset=MeetingSeries.objects.all(),
        empty_label=_("Any series"),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        required=False,
        queryset=Topic.objects.all(),
        to_field_name="slug",
        empty_label=_("Any topic"),
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        required=False,
        queryset=Country.objects.all(),
        to_field_name="iso_code",
        empty_label=_("Any country"),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)

    def filter(self, decisions):
        from meetings.followup import decisions_for_country

        data = self.cleaned_data
        if data.get("series"):
            decisions = decisions.filter(meeting__series=data["series"])
        if data.get("year"):
            decisions = decisions.filter(meeting__start_date__year=data["year"])
        if data.get("topic"):
            decisions = decisions.filter(topics=data["topic"])
        if data.get("country"):
            decisions = decisions.filter(decisions_for_country(data["country"]))
        if data.get("status"):
            decisions = decisions.filter(status=data["status"])
        return decisions


class FollowUpFilterForm(forms.Form):
    """Filters of the follow-up report."""

    series = forms.ModelChoiceField(
        label=_("Series"),
        required=False,
        queryset=MeetingSeries.objects.all(),
        empty_label=_("Every series"),
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        required=False,
        queryset=Country.objects.all(),
        to_field_name="iso_code",
        empty_label=_("Every country"),
    )


class RegistrationForm(forms.Form):
    """A member's answer, and what the secretariat needs to organise their coming (seen by the
    member and the secretariat only)."""

    status = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            ("registered", _("I will attend")),
            ("apologies", _("Apologies: I cannot attend")),
        ],
    )
    travel_support = forms.BooleanField(
        label=_("I need the network to arrange my travel"), required=False
    )
    visa_support = forms.BooleanField(
        label=_("I need an invitation letter for a visa"), required=False
    )
    interpretation_language = forms.CharField(
        label=_("Interpretation into (language)"),
        required=False,
        max_length=60,
        help_text=_("Leave empty if you need none."),
    )
    dietary_needs = forms.CharField(
        label=_("Dietary needs"),
        required=False,
        max_length=200,
        help_text=_("Allergies or diet; seen by the secretariat only."),
    )

    NEEDS = ("travel_support", "visa_support", "interpretation_language", "dietary_needs")

    def clean(self):
        cleaned = super().clean()
        for name in ("interpretation_language", "dietary_needs"):
            value = cleaned.get(name) or ""
            if any(ord(character) < 32 for character in value):
                self.add_error(name, _("Remove the control characters from this field."))
        return cleaned

    def error_text(self):
        """Every error, each naming its field, in one sentence for the refusal page."""
        parts = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            for error in errors:
                parts.append(f"{label}: {error}" if label else str(error))
        return " ".join(parts)


class AttendanceForm(forms.Form):
    """The secretariat marks attendance against registrations: one choice per row, named
    `attendance-<registration id>`. Built for the meeting's own registrations only."""

    def __init__(self, *args, registrations=(), **kwargs):
        from meetings.models import Registration

        super().__init__(*args, **kwargs)
        self.registrations = list(registrations)
        for registration in self.registrations:
            self.fields[f"attendance-{registration.pk}"] = forms.ChoiceField(
                label=registration.name,
                choices=Registration.Attendance.choices,
                required=False,
                initial=registration.attendance,
            )

    def marks(self):
        """(registration, attendance) for each row whose mark changed."""
        for registration in self.registrations:
            value = self.cleaned_data.get(f"attendance-{registration.pk}") or ""
            if value != registration.attendance:
                yield registration, value


class WalkInForm(forms.Form):
    """Someone who came without registering: an invited person from the list, or a guest."""

    person = forms.TypedChoiceField(
        label=_("Invited person"), required=False, coerce=int, empty_value=None
    )
    guest_name = forms.CharField(label=_("Or a guest's name"), required=False, max_length=200)
    guest_organisation = forms.CharField(
        label=_("The guest's organisation"), required=False, max_length=255
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Choose…"))] + [
            (person.pk, person.full_name) for person in people
        ]

    def clean(self):
        cleaned = super().clean()
        person, guest = cleaned.get("person"), (cleaned.get("guest_name") or "").strip()
        if bool(person) == bool(guest):
            raise forms.ValidationError(
                _("Choose an invited person or name a guest, not both."), code="one_of"
            )
        cleaned["guest_name"] = guest
        return cleaned
