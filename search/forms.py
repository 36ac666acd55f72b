"""Forms of the secretariat's list of searches without results: its filters and its handling."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from search import gaps

NOTE_MAX_LENGTH = 500


def _choice(label, help_text, choices, unknown):
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        choices=[("", _("All"))] + list(choices),
        error_messages={"invalid_choice": unknown},
    )


class GapFilterForm(forms.Form):
    """The list's filters, from the query string. An unknown value is an error naming the
    filter, shown on the page; never ignored silently and never a server error."""

    week = forms.CharField(
        label=_("Week"),
        required=False,
        max_length=10,
        help_text=_("An ISO week, such as 2025-W07."),
        widget=forms.TextInput(attrs={"type": "week", "placeholder": "2025-W07"}),
    )
    language = _choice(
        _("Interface language"),
        _("The language the portal was shown in."),
        settings.LANGUAGES,
        _("Unknown language “%(value)s”: choose one the portal offers."),
    )
    tier = _choice(
        _("Searcher's tier"),
        _("What the searcher could see: the public's gaps leave out members-only guidance."),
        gaps.SEARCHER_TIERS.items(),
        _("Unknown tier “%(value)s”: choose public, members or secretariat."),
    )
    status = _choice(
        _("Handled"),
        _("Whether someone has handled the query, and whether it was searched again since."),
        [(gaps.NEEDS_ATTENTION, _("Open or seen again")), *gaps.STATUS_LABELS.items()],
        _("Unknown status “%(value)s”: choose open, attention, handled or seen-again."),
    )

    def clean_week(self):
        text = self.cleaned_data["week"].strip()
        if not text:
            return None
        try:
            return gaps.week_start(text)
        except ValueError:
            raise forms.ValidationError(
                _(
                    "Unknown week “%(value)s”: write the year, W and the week number, "
                    "such as 2025-W07."
                ),
                code="invalid",
                params={"value": text[:10]},
            ) from None

    def filters(self):
        """Keyword arguments for `gaps.weekly`, from a valid form."""
        data = self.cleaned_data
        return {
            "week": data["week"],
            "language": data["language"] or None,
            "tier": data["tier"] or None,
            "status": data["status"] or None,
        }


class HandleForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX_LENGTH,
        strip=True,
        help_text=_(
            "What was done about it (guidance published, a word added, nothing to do), in at "
            "most 500 characters. No names of people or cases."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
