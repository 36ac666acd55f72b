"""
Freshness campaigns: the secretariat asks a chosen part of the directory (countries, roles, not
confirmed for some months) to confirm or correct their entries, sees who answered, and reminds
once. The rules (selection, starting, reminding, answering) live in notifications.freshness; the
messages go through the Delivery ledger like every other message (notifications.kinds.freshness).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FreshnessCampaign(models.Model):
    """
    One request sent by the secretariat to the people a selection matched when it was started.
    The criteria are kept as they were chosen, and the people as they were matched (the
    recipients), so that the campaign's page says who was asked even after the directory
    changed. Each recipient gets one message and at most one reminder: the ledger's rows are
    unique per person, kind and campaign (`event_key`).
    """

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
        help_text=_("The secretariat member who started the campaign."),
    )
    started_at = models.DateTimeField(
        _("started"), auto_now_add=True, help_text=_("When the campaign was started.")
    )
    countries = models.ManyToManyField(
        "network.Country",
        blank=True,
        related_name="+",
        verbose_name=_("countries"),
        help_text=_("People working for these countries; none chosen means every country."),
    )
    roles = models.JSONField(
        _("roles"),
        default=list,
        blank=True,
        help_text=_("People holding one of these current roles (role values); empty: any role."),
    )
    unconfirmed_months = models.PositiveSmallIntegerField(
        _("not confirmed for (months)"),
        help_text=_("People whose entry was not confirmed for this many months; 0: everyone."),
    )
    start_key = models.UUIDField(
        _("start key"),
        unique=True,
        help_text=_("The confirmation form's key: a form sent twice starts one campaign."),
    )
    reminded_at = models.DateTimeField(
        _("reminded"),
        null=True,
        blank=True,
        help_text=_("When the one reminder was requested; a campaign reminds once."),
    )
    reminded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reminded by"),
        help_text=_("The secretariat member who requested the reminder."),
    )
    people = models.ManyToManyField(
        "network.Person",
        through="CampaignRecipient",
        related_name="+",
        verbose_name=_("people"),
        help_text=_("The people asked."),
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("freshness campaign")
        verbose_name_plural = _("freshness campaigns")

    def __str__(self):
        return _("Freshness campaign %(number)s") % {"number": self.pk}

    @property
    def event_key(self):
        """The ledger's event for this campaign's messages and reminders."""
        return f"campaign:{self.pk}"


class CampaignRecipient(models.Model):
    """
    One person asked by one campaign, and what came of it. Whether and when the message and the
    reminder were sent is read from their Delivery rows (one source of truth: the ledger). Every
    answer given through the campaign's link is a CampaignAnswer; the latest one is repeated
    here (`answer`, `answered_at`) so that the campaign's counts and filters read one row per
    person.
    """

    class Answer(models.TextChoices):
        CONFIRMED = "confirmed", _("Still correct")
        CORRECTED = "corrected", _("Something changed")

    campaign = models.ForeignKey(
        FreshnessCampaign,
        on_delete=models.CASCADE,
        related_name="recipients",
        verbose_name=_("campaign"),
    )
    person = models.ForeignKey(
        "network.Person",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
        help_text=_("The directory entry asked about."),
    )
    message = models.ForeignKey(
        "notifications.Delivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("message"),
        help_text=_("The request's row in the ledger, once claimed."),
    )
    reminder = models.ForeignKey(
        "notifications.Delivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reminder"),
        help_text=_("The reminder's row in the ledger, if one was claimed."),
    )
    answer = models.CharField(
        _("answer"),
        max_length=10,
        choices=Answer.choices,
        blank=True,
        help_text=_("The latest answer given through the link; empty while none."),
    )
    answered_at = models.DateTimeField(
        _("answered"), null=True, blank=True, help_text=_("When the latest answer was given.")
    )

    class Meta:
        ordering = ["person__family_name", "person__given_name", "pk"]
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"], name="notifications_campaign_person_once"
            )
        ]

    def __str__(self):
        return f"{self.campaign} → {self.person}"


class CampaignAnswer(models.Model):
    """
    One answer given through a campaign's link, kept as it was given. Answers are added, never
    rewritten: the link is a bearer token (a forwarded or leaked email works as well as the
    person's own), so a later answer must not erase an earlier correction, and a correction
    the secretariat applied stays applied; a new correction is a new one to apply. The link
    signs nobody in, so an answer is the link's, never a signed-in account's.
    """

    recipient = models.ForeignKey(
        CampaignRecipient,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("recipient"),
        help_text=_("The person and campaign whose link gave the answer."),
    )
    answer = models.CharField(
        _("answer"),
        max_length=10,
        choices=CampaignRecipient.Answer.choices,
        help_text=_("What the person answered through the link."),
    )
    given_at = models.DateTimeField(
        _("given"), default=timezone.now, help_text=_("When the answer was given.")
    )
    note = models.TextField(
        _("correction"),
        blank=True,
        max_length=2000,
        help_text=_("What the person says changed, for the secretariat to apply."),
    )
    applied_at = models.DateTimeField(
        _("applied"),
        null=True,
        blank=True,
        help_text=_("When the secretariat marked this correction as applied."),
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("applied by"),
        help_text=_("The secretariat member who marked this correction as applied."),
    )

    class Meta:
        ordering = ["given_at", "pk"]
        verbose_name = _("campaign answer")
        verbose_name_plural = _("campaign answers")
        constraints = [
            # Only a correction has a note and can be applied.
            models.CheckConstraint(
                condition=models.Q(answer=CampaignRecipient.Answer.CORRECTED)
                | models.Q(note="", applied_at__isnull=True),
                name="notifications_campaign_answer_only_corrections_apply",
            ),
            models.CheckConstraint(
                condition=~models.Q(answer=CampaignRecipient.Answer.CORRECTED) | ~models.Q(note=""),
                name="notifications_campaign_correction_has_a_note",
            ),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.get_answer_display()}"

    @property
    def to_apply(self):
        """A correction the secretariat has not applied yet."""
        return self.answer == CampaignRecipient.Answer.CORRECTED and self.applied_at is None
