"""
The history of an action point: every update its owners or the secretariat make is a row here,
appended and never rewritten, so the timeline shows how the commitment evolved. The action
point itself carries the latest state (for listings, filters and reminders).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models.record import ActionPoint


class ActionUpdate(models.Model):
    """One update of an action point: the state it left (status, due date, owner), a note, who
    made it and when. Append-only: saving an existing row or deleting one is refused."""

    action = models.ForeignKey(
        "meetings.ActionPoint",
        on_delete=models.CASCADE,
        related_name="updates",
        verbose_name=_("action point"),
    )
    status = models.CharField(_("status"), max_length=12, choices=ActionPoint.Status.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    owner_person = models.ForeignKey(
        "network.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner (person)"),
    )
    owner_country = models.ForeignKey(
        "network.Country",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner (country)"),
    )
    note = models.TextField(_("note"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    # Kept as written, so the timeline still says who when the account is gone.
    author_name = models.CharField(_("by (name)"), max_length=200, blank=True)
    created_at = models.DateTimeField(
        _("when"), default=timezone.now, editable=False, db_index=True
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("action point update")
        verbose_name_plural = _("action point updates")

    def __str__(self):
        return f"{self.action_id} @ {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("An update is never rewritten; add a new one."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("An update is never deleted; add a new one."))

    @property
    def owner_name(self):
        if self.owner_person_id:
            return self.owner_person.full_name
        return self.owner_country.name if self.owner_country_id else ""
