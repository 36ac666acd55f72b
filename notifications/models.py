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
        help_text=_("What became visible to the member after this is new to them."),
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
    idempotent, and exactly-once as far as a mail server can be known. The recipient is an
    account, or, for the messages that reach people without one (freshness campaigns), a
    directory entry (`person`): each row names exactly one, and is unique for it.

    States and transitions:

    - QUEUED: claimed for the event. The row is created (unique recipient/kind/event_key) before
      any task is enqueued, so a second beat firing, a repeated signal or a re-run finds it and
      creates no second message.
    - SENDING: an attempt holds it (`claim_token`, `claimed_by`, `claimed_at`). Taken from QUEUED
      or FAILED by one short UPDATE ... WHERE status = ..., so of two tasks only one wins; the
      message is then sent with no transaction open, and its outcome written in another short
      transaction (retried, reconnecting, should the database have gone meanwhile).
      `handed_over_at` is written just before the message itself goes to the server (SMTP DATA):
      until then the server cannot have accepted it.
    - SENT: the server accepted the message; never sent again.
    - FAILED: the server refused it or was unreachable before accepting it (`last_error`;
      `attempts` counts attempts). The task retries with back-off and the `send_pending` sweep
      re-enqueues failed rows for a day.
    - SKIPPED: at sending time there was nothing the recipient may receive (no longer a member,
      account deactivated, the item is not visible to them, they switched this kind off).
    - UNCONFIRMED: handed over, and then the outcome was lost (the connection dropped before the
      server's answer, or the worker died or could not reach the database to record "sent").
      The server may have accepted it: it is never resent automatically, it is reported (admin
      "Messages sent", status "Unconfirmed"; the sweep logs a warning) for the secretariat to
      check in the mail server's log by its Message-ID, then mark it sent or resend it
      (`manage.py resolve_deliveries`).

    A claim not handed over is known not to have reached the server, so it is safe to take over:
    the redelivered task of a killed worker does so at once (the claim names its task), anyone
    else (the sweep) once it is older than `notifications.sending.CLAIM_TIMEOUT`. The token
    fences a slow claimant out: its hand-over write matches no row, and it closes the connection
    without sending the message.

    Why "unconfirmed" rather than resending after a long wait with the same Message-ID: mail
    servers and most mailboxes do not drop a second copy with a known Message-ID (the duplicate
    this ledger was reworked for arrived exactly so), while the unconfirmed window is narrow (from
    the DATA command to the outcome written, retried for seconds), so such rows are rare and a
    person can settle each.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")
        UNCONFIRMED = "unconfirmed", _("Unconfirmed: check")

    class Kind(models.TextChoices):
        GUIDANCE = "guidance", _("New or updated guidance")
        SAVED_SEARCH = "saved_search", _("Saved search alert")
        DIGEST = "digest", _("Weekly digest")
        MEETING_INVITATION = "meeting_invitation", _("Meeting invitation")
        MEETING_REMINDER = "meeting_reminder", _("Meeting reminder")
        MEETING_MINUTES = "meeting_minutes", _("Approved minutes")
        MEETING_CHANGE = "meeting_change", _("Meeting moved or cancelled")
        ACTION_DUE = "action_due", _("Action point due soon")
        ACTION_OVERDUE = "action_overdue", _("Action point overdue")
        ACTION_HANDOVER = "action_handover", _("Action points handed over")
        CONFIRM_ENTRY = "confirm_entry", _("Confirm directory entry")
        FRESHNESS = "freshness", _("Freshness campaign: confirm or correct")
        FRESHNESS_REMINDER = "freshness_reminder", _("Freshness campaign: reminder")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("recipient"),
        help_text=_("The account the message is for; empty when it is for a directory entry."),
    )
    person = models.ForeignKey(
        "network.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
        help_text=_(
            "The directory entry the message is for, whether or not the person has an account "
            "(freshness campaigns); empty when it is for an account."
        ),
    )
    address = models.EmailField(
        _("address"),
        blank=True,
        help_text=_("The address the last attempt sent the message to."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, db_index=True)
    event_key = models.CharField(
        _("event"),
        max_length=200,
        help_text=_("What the message is about, e.g. meeting:12:reminder."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    claim_token = models.UUIDField(
        _("claim"),
        null=True,
        blank=True,
        help_text=_("The sending attempt that holds the row; a new one per attempt."),
    )
    claimed_by = models.CharField(
        _("claimed by"),
        max_length=255,
        blank=True,
        help_text=_("The task, worker and process of the last sending attempt."),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    handed_over_at = models.DateTimeField(
        _("handed over at"),
        null=True,
        blank=True,
        help_text=_(
            "When the last attempt started handing the message to the mail server; from then on "
            "the server may have accepted it."
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "event_key"], name="notifications_delivery_once"
            ),
            models.UniqueConstraint(
                fields=["person", "kind", "event_key"],
                name="notifications_delivery_once_per_person",
            ),
            # Addressed to exactly one: an account or a directory entry.
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=True, person__isnull=False)
                | models.Q(recipient__isnull=False, person__isnull=True),
                name="notifications_delivery_one_addressee",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient or self.person} ({self.event_key})"

    @property
    def message_id(self):
        """The Message-ID of this delivery's email: the same on every attempt, so a copy can be
        found in the mail server's log (and folded by the clients that do)."""
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
        return f"<delivery-{self.pk}@{domain}>"


class VisibleSince(models.Model):
    """
    When a page first became visible to a tier: published with an audience the tier may see, or
    widened to it. What alerts and the personal feed call "new to you" is what became visible
    to the recipient's tier since their last alert, whatever date the record itself carries (a
    back-dated import, a meeting announced months ahead). Written with the publish, in its
    transaction (see notifications.visibility); a row is never moved later, so withdrawing and
    re-publishing, or narrowing and widening again, is not news twice.
    """

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name=_("page")
    )
    tier = models.CharField(_("tier"), max_length=12)
    since = models.DateTimeField(_("visible since"), db_index=True)

    class Meta:
        verbose_name = _("visible since")
        verbose_name_plural = _("visible since")
        constraints = [
            models.UniqueConstraint(fields=["page", "tier"], name="notifications_visible_once")
        ]
        indexes = [models.Index(fields=["tier", "since"], name="notifications_tier_since")]

    def __str__(self):
        return f"{self.page_id} → {self.tier} since {self.since:%Y-%m-%d %H:%M}"


def new_feed_token():
    import secrets

    return secrets.token_urlsafe(32)


class FeedToken(models.Model):
    """The secret in a member's personal Atom feed URL ("new to you"). Feed readers carry no
    session, so the token stands for the user, and only while they are a member; regenerating
    it revokes the old URL, deleting it revokes all. Like meetings.CalendarToken."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("feed token")

    def __str__(self):
        return f"{self.user}"

    def regenerate(self):
        self.token = new_feed_token()
        self.save(update_fields=["token", "created_at"])


# Freshness campaigns live in their own module; imported here so that Django finds the models.
from .campaigns import CampaignAnswer, CampaignRecipient, FreshnessCampaign  # noqa: E402, F401
