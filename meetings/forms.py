"""Forms of the meetings app: the listing filters, the page editor's rules, action updates."""

import html

from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from meetings.models import ActionPoint, MeetingType
from network.models import Country, Person


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


class OwnerSelect(forms.Select):
    """The owner filter's options rendered in one pass: with thousands of people, Django's
    template per option costs more than the rest of the page."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = "" if value is None else str(value)
        # The standard library's escape (what Django's own wraps) without a SafeString and a
        # format_html per option: thousands of options, one string.
        options = "".join(
            f'<option value="{html.escape(str(option))}"'
            f"{' selected' if str(option) == selected else ''}>{html.escape(str(label))}</option>"
            for option, label in self.choices
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))  # noqa: S308 - every part escaped above


class OwnerChoiceIterator(forms.models.ModelChoiceIterator):
    """The owners as (id, name) read in one query of plain values, not as model instances."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, given, family in self.queryset.values_list("pk", "given_name", "family_name"):
            yield (pk, f"{given} {family}".strip())


class OwnerChoiceField(forms.ModelChoiceField):
    iterator = OwnerChoiceIterator


class ActionFilterForm(forms.Form):
    """Filters of the action-point list."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *ActionPoint.Status.choices],
    )
    owner = OwnerChoiceField(
        label=_("Owner"),
        required=False,
        queryset=Person.objects.filter(action_points__isnull=False).distinct(),
        empty_label=_("Anyone"),
        widget=OwnerSelect,
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

    def filter(self, actions):
        data = self.cleaned_data
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
