"""The meeting page editor's form: rules that span the page and its record."""

from django import forms
from django.db import transaction
from django.forms.models import apply_limit_choices_to_to_formfield
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminPageForm

from portal.access import is_secretariat
from portal.admin_choosers import ChosenObjectsFormMixin, register_source

APPROVED = "approved"


class RowLimitsOnceMixin:
    """Django restricts a model form field's choices by its model field's `limit_choices_to` in
    each form it builds, with an EXISTS subquery put together anew for each: for the record's
    rows (an agenda item's and a decision's library resources), a tenth of the editor's form.
    The rows of a formset share their form class, so a fixed restriction is applied once, to the
    class's field, which every row's form copies. The choices are the same."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for formset in getattr(self, "formsets", {}).values():
            for field in formset.form.base_fields.values():
                limit = getattr(field, "limit_choices_to", None)
                if limit and not callable(limit) and hasattr(field, "queryset"):
                    apply_limit_choices_to_to_formfield(field)
                    field.limit_choices_to = None


class MeetingPageForm(ChosenObjectsFormMixin, RowLimitsOnceMixin, WagtailAdminPageForm):
    """The page editor's rules: due dates not before the meeting, decisions point at this
    meeting's agenda, and approved minutes change only through the secretariat with a reason.
    What the rows refer to is loaded once for all rows (see ChosenObjectsFormMixin)."""

    minutes_change_reason = forms.CharField(
        label=_("Reason for changing approved minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to change minutes that are already approved; it is logged."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        decisions = self.formsets.get("decisions")
        if decisions is not None:
            self._offer_this_meetings_agenda(decisions)

    def _offer_this_meetings_agenda(self, decisions):
        """A decision's agenda item is one of this meeting's saved items: read once for every
        row, and for the template of new rows too (which the formset builds afresh each time
        it is asked, so it gets them from its form class)."""
        from meetings.models.record import AgendaItem

        items = (
            AgendaItem.objects.filter(meeting_id=self.instance.pk)
            if self.instance.pk
            else AgendaItem.objects.none()
        )
        choices = None

        def offer(form):
            nonlocal choices
            field = form.fields["agenda_item"]
            field.queryset = items
            if choices is None:
                # From their iterator: list() of the choices would ask their length, a COUNT.
                choices = list(iter(field.choices))
            field.choices = choices

        for form in decisions.forms:
            offer(form)
        row_form = decisions.form

        class DecisionRowForm(row_form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                offer(self)

        DecisionRowForm.__name__ = row_form.__name__
        decisions.form = DecisionRowForm

    def clean(self):
        cleaned_data = super().clean()
        start_date = cleaned_data.get("start_date")
        actions = self.formsets.get("action_points")
        if start_date and actions is not None:
            for form in actions.forms:
                due = form.cleaned_data.get("due_date") if hasattr(form, "cleaned_data") else None
                if due and due < start_date and not form.cleaned_data.get("DELETE"):
                    form.add_error("due_date", _("The due date is before the meeting."))
        if self._changes_approved_minutes():
            reason = (cleaned_data.get("minutes_change_reason") or "").strip()
            if not is_secretariat(self.for_user):
                self.add_error(
                    "minutes", _("Approved minutes change only through the secretariat.")
                )
            elif not reason:
                self.add_error(
                    "minutes_change_reason", _("Say why the approved minutes are being changed.")
                )
            else:
                # Lets the model's own check pass before save() records the amendment.
                self.instance.minutes_change_authorised = True
        return cleaned_data

    def _changes_approved_minutes(self):
        if self.initial.get("minutes_status") != APPROVED:
            return False
        return any(
            name in self.changed_data
            for name in ("minutes", "minutes_status", "minutes_approved_on")
        )

    @transaction.atomic
    def save(self, commit=True):
        page = super().save(commit=False)
        if self.instance.pk and self._changes_approved_minutes():
            from meetings.models.record import MinutesAmendment

            MinutesAmendment.objects.create(
                meeting_id=page.pk,
                changed_by=self.for_user,
                reason=self.cleaned_data["minutes_change_reason"].strip(),
                previous_minutes=self.initial.get("minutes") or "",
                minutes=page.minutes,
                minutes_status=page.minutes_status,
            )
        if commit:
            page.save()
            self.save_m2m()
        return page


def decision_label(decision):
    """The meeting and the number: "Decision 3" alone is ambiguous across meetings."""
    return _("%(meeting)s — Decision %(number)s") % {
        "meeting": decision.meeting.title,
        "number": decision.number,
    }


def mandate_label(mandate):
    """Who, in which role, for which country."""
    parts = [mandate.person.full_name, mandate.get_role_display()]
    if mandate.country is not None:
        parts.append(str(mandate.country))
    return " — ".join(str(part) for part in parts)


def register_autocomplete_sources():
    """Decisions (what supersedes a decision, what an action point implements) and mandates
    (the role an owner committed in) are chosen by typing: no row lists every one of them."""
    from meetings.models.record import Decision
    from network.models import Mandate

    register_source(
        "decisions",
        lambda: Decision.objects.select_related("meeting").order_by(
            "-meeting__start_date", "number", "pk"
        ),
        ["meeting__title", "text"],
        label=decision_label,
        placeholder=_("Type words of the meeting's title or of the decision"),
    )
    register_source(
        "mandates",
        lambda: Mandate.objects.select_related("person", "country").order_by(
            "person__family_name", "person__given_name", "-start", "pk"
        ),
        ["person__given_name", "person__family_name", "country__name", "role"],
        label=mandate_label,
        placeholder=_("Type a name or a country"),
    )
