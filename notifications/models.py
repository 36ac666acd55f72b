"""
What members asked to hear about (Subscription, SavedSearch) and what the portal sent them
(Delivery, the ledger that makes sending idempotent).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("As it happens")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("Off")


class Subscription(models.Model):
    """
    One per member: what they want to hear about and how often. A row, not a per-topic table of
    flags, so that a weekly digest reads every recipient's interests in one query. It belongs to a
    user account (never null): there is no such thing as an anonymous subscriber.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="subscription",
        verbose_name=_("user"),
    )
    everything = models.BooleanField(
        _("all new guidance"),
        default=False,
        help_text=_("Hear about every new or updated resource, whatever its topic or country."),
    )
    topics = models.ManyToManyField(
        "portal.Topic",
        blank=True,
        related_name="+",
        verbose_name=_("topics"),
        help_text=_("New or updated guidance on these topics."),
    )
    countries = models.ManyToManyField(
        "network.Country",
        blank=True,
        related_name="+",
        verbose_name=_("countries"),
        help_text=_("New or updated guidance about these countries."),
    )
    resource_types = models.JSONField(
        _("resource types"),
        default=list,
        blank=True,
        help_text=_("New or updated guidance of these types (resource type values)."),
    )
    meetings = models.BooleanField(
        _("meetings"),
        default=True,
        help_text=_("Invitations, reminders and approved minutes of meetings."),
    )
    action_points = models.BooleanField(
        _("my action points"),
        default=True,
        help_text=_("Reminders of action points I own that are due soon or overdue."),
    )
    directory_reminders = models.BooleanField(
        _("directory reminders"),
        default=True,
        help_text=_("A yearly request to confirm that my directory entry is current."),
    )
    frequency = models.CharField(
        _("guidance alerts"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.WEEKLY,
        help_text=_("How often to hear about new guidance."),
    )
    language = models.CharField(
        _("email language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Language of the emails; empty for the language of my account."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self):
        return str(self.user)


class SavedSearch(models.Model):
    """
    A search a member wants to follow. Stores the query and the filters exactly as the search page
    takes them, so that "open this search" and the alert ask the same question.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=120, help_text=_("A name to recognise it by."))
    query = models.CharField(
        _("search words"), max_length=200, blank=True, help_text=_("The words searched for.")
    )
    filters = models.JSONField(
        _("filters"),
        default=dict,
        blank=True,
        help_text=_("Filter parameter name to a list of values, as on the search page."),
    )
    frequency = models.CharField(
        _("alerts"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.WEEKLY,
        help_text=_("How often to hear about new results."),
    )
    last_checked = models.DateTimeField(
        _("last checked"),
        null=True,
        blank=True,
        help_text=_("Results dated after this are new."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")

    def __str__(self):
        return self.name

    def query_string(self):
        """The search page's query string for this search."""
        from urllib.parse import urlencode

        pairs = [("q", self.query)] if self.query else []
        for key in sorted(self.filters):
            pairs.extend((key, value) for value in self.filters[key])
        return urlencode(pairs)


class Delivery(models.Model):
    """
    The ledger of messages: one row per (recipient, kind, event). It is what makes sending
    idempotent and exactly-once in practice.

    States and transitions:

    - QUEUED: claimed. The row is created (unique recipient/kind/event_key) before any task is
      enqueued, so a second beat firing, a repeated signal or a re-run finds it and creates no
      second message.
    - SENT: the SMTP server accepted the message; never sent again.
    - FAILED: the last attempt raised an SMTP or network error (recorded in `last_error`,
      `attempts` counts attempts). The task retries with exponential back-off and the
      `send_pending` sweep re-enqueues failed rows, so nothing is lost.
    - SKIPPED: at sending time there was nothing the recipient may receive (no longer a member,
      account deactivated, the item is not visible to them, they switched this kind off).

    A send runs inside one database transaction that holds a row lock (SELECT ... FOR UPDATE) from
    the status check until the status is written. A duplicate task for the same row waits for the
    lock and then sees SENT. A worker killed mid-send never commits: PostgreSQL rolls the
    transaction back when the connection drops, the row is still QUEUED/FAILED, and the broker
    re-delivers the task (late acknowledgement), which sends it once. The only window for a
    duplicate is between the SMTP server's final "250 OK" and our commit (microseconds); the
    Message-ID derived from the row lets mail clients drop such a copy.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    class Kind(models.TextChoices):
        GUIDANCE = "guidance", _("New or updated guidance")
        SAVED_SEARCH = "saved_search", _("Saved search alert")
        DIGEST = "digest", _("Weekly digest")
        MEETING_INVITATION = "meeting_invitation", _("Meeting invitation")
        MEETING_REMINDER = "meeting_reminder", _("Meeting reminder")
        MEETING_MINUTES = "meeting_minutes", _("Approved minutes")
        ACTION_DUE = "action_due", _("Action point due soon")
        ACTION_OVERDUE = "action_overdue", _("Action point overdue")
        CONFIRM_ENTRY = "confirm_entry", _("Confirm directory entry")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, db_index=True)
    event_key = models.CharField(
        _("event"),
        max_length=200,
        help_text=_("What the message is about, e.g. meeting:12:reminder."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "event_key"], name="notifications_delivery_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient} ({self.event_key})"
