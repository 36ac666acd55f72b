from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from portal.timezones import time_zone_names


class AcceptInvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"), help_text=_("The address the invitation was sent to.")
    )
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password1"):
            try:
                password_validation.validate_password(data["password1"])
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)


class PreferencesForm(forms.ModelForm):
    """The interface language and the time zone a signed-in user reads the portal in. A zone is
    chosen from the names this system knows; anything else is refused, naming the value."""

    preferred_language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Used when you sign in, and for emails unless you chose another for them."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Meeting times, due dates and other times are shown in this zone."),
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a time zone name we know. Choose one from the list, "
                "e.g. Europe/Paris."
            )
        },
    )

    class Meta:
        model = get_user_model()
        fields = ["preferred_language", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].choices = [
            ("", _("The portal's default")),
            *[(code, _(name)) for code, name in settings.LANGUAGES],
        ]
        self.fields["time_zone"].choices = [
            ("", _("The portal's zone (%(zone)s)") % {"zone": settings.TIME_ZONE}),
            *[(name, name.replace("_", " ")) for name in time_zone_names()],
        ]
