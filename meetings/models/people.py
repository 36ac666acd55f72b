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
    """
    A member's answer to a meeting (coming, or apologies), what the secretariat needs to
    organise their coming (travel and visa support, interpretation, dietary needs: the
    secretariat's and the member's own business, never shown to other members), and, once the
    meeting is held, whether they came. A walk-in is someone who came without registering: a
    directory entry, or a guest named here.
    """

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        APOLOGIES = "apologies", _("Apologies")

    class Attendance(models.TextChoices):
        UNMARKED = "", _("Not marked")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not come")

    meeting = models.ForeignKey(
        "meetings.MeetingPage", on_delete=models.CASCADE, related_name="registrations"
    )
    person = models.ForeignKey(
        "network.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meeting_registrations",
    )
    guest_name = models.CharField(
        _("guest name"),
        max_length=200,
        blank=True,
        help_text=_("A walk-in who is not in the directory."),
    )
    guest_organisation = models.CharField(
        _("guest organisation"),
        max_length=255,
        blank=True,
        help_text=_("The guest's organisation."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    travel_support = models.BooleanField(
        _("travel support"), default=False, help_text=_("Needs the network to arrange travel.")
    )
    visa_support = models.BooleanField(
        _("visa support"), default=False, help_text=_("Needs an invitation letter for a visa.")
    )
    interpretation_language = models.CharField(
        _("interpretation language"),
        max_length=60,
        blank=True,
        help_text=_("The language they need interpretation into, if any."),
    )
    dietary_needs = models.CharField(
        _("dietary needs"), max_length=200, blank=True, help_text=_("Allergies, diet.")
    )
    attendance = models.CharField(
        _("attendance"),
        max_length=10,
        choices=Attendance.choices,
        default=Attendance.UNMARKED,
        blank=True,
        help_text=_("Marked by the secretariat at or after the meeting."),
    )
    walk_in = models.BooleanField(
        _("walk-in"), default=False, help_text=_("Came without registering.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person__family_name", "person__given_name", "guest_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="one_registration_per_person"
            ),
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | ~models.Q(guest_name=""),
                name="registration_names_someone",
            ),
        ]
        verbose_name = _("registration")

    def __str__(self):
        return f"{self.name} — {self.meeting}: {self.get_status_display()}"

    @property
    def name(self):
        return self.person.full_name if self.person_id else self.guest_name

    @property
    def organisation_name(self):
        if self.person_id:
            return str(self.person.organisation) if self.person.organisation_id else ""
        return self.guest_organisation

    @property
    def needs(self):
        """What the secretariat organises for them, as short labels (secretariat only)."""
        labels = []
        if self.travel_support:
            labels.append(_("travel support"))
        if self.visa_support:
            labels.append(_("visa support"))
        if self.interpretation_language:
            labels.append(
                _("interpretation: %(language)s") % {"language": self.interpretation_language}
            )
        if self.dietary_needs:
            labels.append(_("diet: %(needs)s") % {"needs": self.dietary_needs})
        return labels


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
