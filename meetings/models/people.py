"""
What members do around meetings from the site: register or send apologies, and subscribe to a
personal calendar. These are plain models, not part of the page cluster, so that publishing a
revision of the meeting never undoes a member's registration.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Registration(models.Model):
    """A member's answer to a meeting: coming, or apologies."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        APOLOGIES = "apologies", _("Apologies")

    meeting = models.ForeignKey(
        "meetings.MeetingPage", on_delete=models.CASCADE, related_name="registrations"
    )
    person = models.ForeignKey(
        "network.Person", on_delete=models.CASCADE, related_name="meeting_registrations"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person__family_name", "person__given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="one_registration_per_person"
            )
        ]
        verbose_name = _("registration")

    def __str__(self):
        return f"{self.person} — {self.meeting}: {self.get_status_display()}"


def new_token():
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret in a member's personal calendar URL. Calendar clients carry no session, so the
    token stands for the user; regenerating it revokes the old URL, deleting it revokes all."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_calendar_token"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar token")

    def __str__(self):
        return f"{self.user}"

    def regenerate(self):
        self.token = new_token()
        self.save(update_fields=["token", "created_at"])
