"""
The members-only record of a meeting. Every object here belongs to the meeting's page cluster
(ParentalKey), so the secretariat edits the record in the page editor and revisions keep its
history. Action points are also updated outside the editor (by their owners, by mandate
handovers): see `ActionPoint.apply_update`, which keeps the latest revision in step.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldRowPanel
from wagtail.models import Orderable

from meetings.admin_panels import RowFieldPanel
from portal.access import Audience, audience_field
from portal.admin_choosers import AutocompleteSelect, AutocompleteSelectMultiple

# Resource pages are chosen by content type, so that this app needs no migration dependency on
# the library's page model.
RESOURCE_PAGES = {"content_type__app_label": "library", "content_type__model": "resourcepage"}


class AgendaItem(ClusterableModel, Orderable):
    """One item of the agenda, in the order the editor gives them."""

    meeting = ParentalKey(
        "meetings.MeetingPage", on_delete=models.CASCADE, related_name="agenda_items"
    )
    time = models.TimeField(
        _("time"), null=True, blank=True, help_text=_("Local start time, if fixed.")
    )
    title = models.CharField(_("title"), max_length=255, help_text=_("What the item is about."))
    presenter = models.ForeignKey(
        "network.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("presenter"),
        help_text=_("Who introduces the item."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Background and expected outcome.")
    )
    documents = ParentalManyToManyField(
        "library.LibraryDocument",
        blank=True,
        related_name="+",
        verbose_name=_("documents"),
        help_text=_("Papers for this item."),
    )
    resources = ParentalManyToManyField(
        "wagtailcore.Page",
        blank=True,
        related_name="+",
        limit_choices_to=RESOURCE_PAGES,
        verbose_name=_("library resources"),
        help_text=_("Library resources discussed."),
    )

    panels = [
        FieldRowPanel([RowFieldPanel("time"), RowFieldPanel("title")]),
        RowFieldPanel("presenter", widget=AutocompleteSelect("people")),
        RowFieldPanel("description"),
        RowFieldPanel("documents", widget=AutocompleteSelectMultiple("documents")),
        RowFieldPanel("resources", widget=AutocompleteSelectMultiple("resources")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("agenda item")

    def __str__(self):
        return self.title


class Participant(Orderable):
    """Someone invited to the meeting: a person from the directory, or a named guest."""

    class Attendance(models.TextChoices):
        INVITED = "invited", _("Invited")
        REGISTERED = "registered", _("Registered")
        ATTENDED = "attended", _("Attended")
        APOLOGIES = "apologies", _("Apologies")

    meeting = ParentalKey(
        "meetings.MeetingPage", on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey(
        "network.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("person"),
        help_text=_("A person from the directory; or give a guest below."),
    )
    guest_name = models.CharField(
        _("guest name"), max_length=200, blank=True, help_text=_("For guests not in the directory.")
    )
    guest_organisation = models.CharField(
        _("guest organisation"),
        max_length=255,
        blank=True,
        help_text=_("The guest's organisation."),
    )
    attendance = models.CharField(
        _("attendance"),
        max_length=12,
        choices=Attendance.choices,
        default=Attendance.INVITED,
        help_text=_("Where the participant stands."),
    )

    panels = [
        RowFieldPanel("person", widget=AutocompleteSelect("people")),
        FieldRowPanel([RowFieldPanel("guest_name"), RowFieldPanel("guest_organisation")]),
        RowFieldPanel("attendance"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("participant")

    def __str__(self):
        return self.name

    def clean(self):
        if bool(self.person_id) == bool(self.guest_name.strip()):
            raise ValidationError(
                _("Choose a person from the directory or name a guest, not both.")
            )

    @property
    def name(self):
        return self.person.full_name if self.person_id else self.guest_name

    @property
    def organisation_name(self):
        if self.person_id:
            return str(self.person.organisation) if self.person.organisation_id else ""
        return self.guest_organisation


class Decision(ClusterableModel, Orderable):
    """A numbered decision of the meeting, possibly adopting library resources. Decisions form
    the network's register across meetings (`/meetings/decisions/`): in force until implemented,
    or superseded by a later decision (`superseded_by`)."""

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("In force")
        IMPLEMENTED = "implemented", _("Implemented")
        SUPERSEDED = "superseded", _("Superseded")

    meeting = ParentalKey(
        "meetings.MeetingPage", on_delete=models.CASCADE, related_name="decisions"
    )
    number = models.PositiveIntegerField(
        _("number"), help_text=_("Decision number within the meeting.")
    )
    text = models.TextField(_("text"), help_text=_("The decision as adopted."))
    agenda_item = models.ForeignKey(
        AgendaItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
        verbose_name=_("agenda item"),
        help_text=_("The item under which it was taken (save new items first)."),
    )
    adopted_resources = ParentalManyToManyField(
        "wagtailcore.Page",
        blank=True,
        related_name="+",
        limit_choices_to=RESOURCE_PAGES,
        verbose_name=_("adopted resources"),
        help_text=_("Library resources this decision adopts."),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.IN_FORCE,
        db_index=True,
        help_text=_("In force until implemented, or superseded by a later decision."),
    )
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
        verbose_name=_("superseded by"),
        help_text=_("The later decision that replaces this one."),
    )
    topics = ParentalManyToManyField(
        "portal.Topic",
        blank=True,
        related_name="+",
        verbose_name=_("topics"),
        help_text=_("What the decision is about, for the register's filters."),
    )
    countries = ParentalManyToManyField(
        "network.Country",
        blank=True,
        related_name="+",
        verbose_name=_("countries"),
        help_text=_("Countries the decision concerns (those owning its action points count too)."),
    )

    panels = [
        FieldRowPanel([RowFieldPanel("number"), RowFieldPanel("agenda_item")]),
        RowFieldPanel("text"),
        RowFieldPanel("adopted_resources", widget=AutocompleteSelectMultiple("resources")),
        FieldRowPanel(
            [
                RowFieldPanel("status"),
                RowFieldPanel("superseded_by", widget=AutocompleteSelect("decisions")),
            ]
        ),
        RowFieldPanel("topics", widget=AutocompleteSelectMultiple("topics")),
        RowFieldPanel("countries", widget=AutocompleteSelectMultiple("countries")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("decision")

    def __str__(self):
        return _("Decision %(number)s") % {"number": self.number}

    def clean(self):
        superseded = self.status == self.Status.SUPERSEDED
        if superseded and not self.superseded_by_id:
            raise ValidationError(
                {"superseded_by": _("Name the later decision that supersedes this one.")}
            )
        if self.superseded_by_id and not superseded:
            raise ValidationError(
                {"status": _("A decision superseded by a later one has the status superseded.")}
            )
        if self.superseded_by_id and self.superseded_by_id == self.pk:
            raise ValidationError({"superseded_by": _("A decision cannot supersede itself.")})


class ActionPoint(Orderable):
    """
    Who promised to do what by when. Owned by a person, or by a country (then whoever holds a
    current mandate for it answers for it). Owners update status and note from the site.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)
    FOREIGN_KEYS = ("owner_person", "owner_country", "owner_mandate", "decision")

    meeting = ParentalKey(
        "meetings.MeetingPage", on_delete=models.CASCADE, related_name="action_points"
    )
    description = models.TextField(_("description"), help_text=_("What is to be done."))
    owner_person = models.ForeignKey(
        "network.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_points",
        verbose_name=_("owner (person)"),
        help_text=_("The person who answers for it."),
    )
    owner_country = models.ForeignKey(
        "network.Country",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_points",
        verbose_name=_("owner (country)"),
        help_text=_("Or the country that answers for it."),
    )
    due_date = models.DateField(
        _("due date"), null=True, blank=True, help_text=_("Not before the meeting.")
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.OPEN,
        db_index=True,
        help_text=_("Where it stands."),
    )
    progress_note = models.TextField(
        _("progress note"), blank=True, help_text=_("What has been done so far.")
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True, editable=False)
    decision = models.ForeignKey(
        Decision,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_points",
        verbose_name=_("decision"),
        help_text=_("The decision this action point implements, if any."),
    )
    owner_mandate = models.ForeignKey(
        "network.Mandate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_points",
        verbose_name=_("owner's role"),
        help_text=_(
            "The mandate in which the person committed: a handover of that role moves the "
            "action point to the successor."
        ),
    )

    panels = [
        RowFieldPanel("description"),
        FieldRowPanel(
            [
                RowFieldPanel("owner_person", widget=AutocompleteSelect("people")),
                RowFieldPanel("owner_country", widget=AutocompleteSelect("countries")),
            ]
        ),
        RowFieldPanel("owner_mandate", widget=AutocompleteSelect("mandates")),
        FieldRowPanel([RowFieldPanel("due_date"), RowFieldPanel("status")]),
        RowFieldPanel("decision", widget=AutocompleteSelect("decisions")),
        RowFieldPanel("progress_note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("action point")

    def __str__(self):
        return self.description[:80]

    def clean(self):
        if bool(self.owner_person_id) == bool(self.owner_country_id):
            raise ValidationError(
                _("An action point is owned by a person or by a country: choose one.")
            )
        meeting = getattr(self, "meeting", None)
        if (
            self.due_date
            and meeting is not None
            and meeting.start_date
            and self.due_date < meeting.start_date
        ):
            raise ValidationError({"due_date": _("The due date is before the meeting.")})

    @property
    def owner_name(self):
        if self.owner_person_id:
            return self.owner_person.full_name
        return self.owner_country.label if self.owner_country_id else ""

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today=None):
        return (
            self.is_open
            and self.due_date is not None
            and self.due_date < (today or timezone.localdate())
        )

    def apply_update(self, **changes):
        """Change this action point outside the page editor, and carry the change into the
        meeting's latest revision so that publishing an older draft does not undo it."""
        for name, value in changes.items():
            setattr(self, name, value)
        self.updated_at = timezone.now()
        self.save(update_fields=[*changes, "updated_at"])
        serialised = {
            name: (value.pk if isinstance(value, models.Model) else value)
            for name, value in changes.items()
        }
        serialised = {
            (f"{name}_id" if name in self.FOREIGN_KEYS else name): (
                value.isoformat() if hasattr(value, "isoformat") else value
            )
            for name, value in serialised.items()
        }
        _patch_latest_revision(self.meeting_id, "action_points", self.pk, serialised)


def _patch_latest_revision(page_id, relation, child_pk, values):
    from wagtail.models import Page, Revision

    latest_revision_id = (
        Page.objects.filter(pk=page_id).values_list("latest_revision_id", flat=True).first()
    )
    if not latest_revision_id:
        return
    revision = Revision.objects.select_for_update().filter(pk=latest_revision_id).first()
    if revision is None:
        return
    changed = False
    for child in revision.content.get(relation, []):
        if child.get("pk") == child_pk:
            # Revisions store foreign keys under the field name, not the attname.
            child.update({name.removesuffix("_id"): value for name, value in values.items()})
            changed = True
    if changed:
        revision.save(update_fields=["content"])


class MeetingDocument(Orderable):
    """A document of the meeting, addressed to an audience (members by default; some papers are
    for the secretariat only, a final report may be public)."""

    meeting = ParentalKey(
        "meetings.MeetingPage", on_delete=models.CASCADE, related_name="documents"
    )
    document = models.ForeignKey(
        "library.LibraryDocument",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("document"),
        help_text=_("The file."),
    )
    title = models.CharField(
        _("title"), max_length=255, blank=True, help_text=_("Defaults to the document's title.")
    )
    audience = audience_field(default=Audience.MEMBERS)

    panels = [RowFieldPanel("document"), RowFieldPanel("title"), RowFieldPanel("audience")]

    class Meta(Orderable.Meta):
        verbose_name = _("meeting document")

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        return self.title or self.document.title


class MinutesAmendment(models.Model):
    """The log of changes to approved minutes: who, when, why, from what to what. A row here is
    also what allows the change (see MeetingPage.clean)."""

    meeting = models.ForeignKey(
        "meetings.MeetingPage", on_delete=models.CASCADE, related_name="minutes_amendments"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"))
    previous_minutes = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    minutes_status = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("minutes amendment")

    def __str__(self):
        return f"{self.meeting} — {self.created_at:%Y-%m-%d}"
