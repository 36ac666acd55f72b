"""
The meeting pages. A meeting has a public face (what, when, where, a summary) and a members-only
record (agenda, participants, minutes, decisions, action points, documents). The record's child
objects live in the page's cluster so the secretariat edits them in one editor, with revisions.
"""

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import RichTextField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from meetings.admin_forms import MeetingPageForm
from meetings.admin_panels import RecordInlinePanel
from meetings.models.record import AgendaItem, MeetingDocument
from portal.access import Audience, can_see, lowest, restrict_queryset, strictest
from portal.admin_choosers import AutocompleteSelectMultiple
from portal.page_cache import CachedIds, form_state, reads, shared_key
from portal.pages import AudiencePageMixin

PAGE_SIZE = 20


class MeetingType(models.TextChoices):
    REGIONAL_MEETING = "regional_meeting", _("Regional meeting")
    WORKING_GROUP = "working_group", _("Working group")
    EXPERT_WORKSHOP = "expert_workshop", _("Expert workshop")
    STUDY_VISIT = "study_visit", _("Study visit")
    ONLINE_CALL = "online_call", _("Online call")


@lru_cache(maxsize=1)
def _time_zone_names():
    return frozenset(available_timezones())


def validate_time_zone(value):
    if value not in _time_zone_names():
        raise ValidationError(
            _("“%(value)s” is not a time zone name; use an IANA name such as Europe/Vienna."),
            params={"value": value},
            code="invalid_time_zone",
        )


class Invitees(models.TextChoices):
    PARTICIPANTS = "participants", _("The meeting's participants")
    SERIES = "series", _("The members of its series")


class MeetingSeries(models.Model):
    """A recurring body (e.g. the annual regional meeting, a working group) whose meetings follow
    up on each other's action points. A snippet, so that series can be named once and chosen."""

    name = models.CharField(
        _("name"),
        max_length=200,
        unique=True,
        help_text=_("E.g. Working group on labour exploitation."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the series is for.")
    )
    members = models.ManyToManyField(
        "network.Person",
        blank=True,
        related_name="meeting_series",
        verbose_name=_("members"),
        help_text=_(
            "The people who belong to the series (e.g. a working group's members); a meeting "
            "may send its invitation to them instead of its own participants."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("members", widget=AutocompleteSelectMultiple("people")),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")

    def __str__(self):
        return self.name


class MeetingPageQuerySet(PageQuerySet):
    def visible_to(self, user):
        """Live meetings whose page the user may open (their public part at least)."""
        return restrict_queryset(self.live(), user)

    def upcoming(self, today=None):
        return self.filter(end_date__gte=today or timezone.localdate())

    def past(self, today=None):
        return self.filter(end_date__lt=today or timezone.localdate())

    def upcoming_first(self, today=None):
        """Upcoming meetings soonest first, then past meetings latest first, in one query."""
        today = today or timezone.localdate()
        upcoming = models.Q(end_date__gte=today)
        return self.order_by(
            Case(When(upcoming, then=Value(0)), default=Value(1)),
            Case(When(upcoming, then=F("start_date"))).asc(nulls_last=True),
            F("start_date").desc(),
            "start_time",
            "pk",
        )


MeetingPageManager = PageManager.from_queryset(MeetingPageQuerySet)


class MeetingIndexPage(Page):
    """The one listing of meetings at /meetings/: upcoming first, then past, with filters."""

    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("A short lead paragraph above the listing.")
    )

    content_panels = [*Page.content_panels, FieldPanel("introduction")]

    parent_page_types = ["portal.HomePage"]
    subpage_types = ["meetings.MeetingPage"]
    max_count = 1

    class Meta:
        verbose_name = _("meeting index")

    def serve(self, request, *args, **kwargs):
        from meetings.forms import MeetingFilterForm

        form = MeetingFilterForm(request.GET or None)
        response = super().serve(request, *args, filter_form=form, **kwargs)
        if request.GET and not form.is_valid():
            response.status_code = 400
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        return response

    def get_context(self, request, *args, filter_form=None, **kwargs):
        from meetings.forms import MeetingFilterForm

        context = super().get_context(request, *args, **kwargs)
        form = filter_form or MeetingFilterForm(request.GET or None)
        today = timezone.localdate()
        meetings = MeetingPage.objects.child_of(self).visible_to(request.user).upcoming_first(today)
        state = []
        if form.is_bound and form.is_valid():
            meetings = form.filter(meetings)
            state = form_state(form)
        # The total and each page's ids are shared by the tier (see portal.page_cache).
        rows = CachedIds(
            meetings,
            shared_key(
                "meeting-index",
                request.user,
                self.pk,
                str(today),
                state,
                sections=reads("meetings"),
            ),
            detail=lambda queryset: queryset.select_related("host_country", "series"),
        )
        page_number = request.GET.get("page") if not form.errors else 1
        page = Paginator(rows, PAGE_SIZE).get_page(page_number)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=form,
            meetings=page,
            upcoming=[meeting for meeting in page if meeting.end_date >= today],
            past=[meeting for meeting in page if meeting.end_date < today],
            query=query.urlencode(),
        )
        return context


class MeetingPage(AudiencePageMixin, Page):
    """
    One meeting. Start and end are wall-clock dates and times in the meeting's own time zone
    (an IANA name), because that is how invitations state them and how calendars need them; the
    instants derive from them. `sequence` counts published changes of date, place or status,
    for calendar clients. The record is never shown below the members tier, whatever the page's
    own audience: see `record_audience`.
    """

    class MinutesStatus(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    meeting_type = models.CharField(
        _("type"),
        max_length=20,
        choices=MeetingType.choices,
        default=MeetingType.REGIONAL_MEETING,
        help_text=_("What kind of meeting this is."),
    )
    series = models.ForeignKey(
        MeetingSeries,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
        verbose_name=_("series"),
        help_text=_("The series this meeting belongs to; open action points follow the series."),
    )
    start_date = models.DateField(_("start date"), help_text=_("First day, local to the meeting."))
    start_time = models.TimeField(
        _("start time"), help_text=_("Local time in the meeting's time zone.")
    )
    end_date = models.DateField(_("end date"), help_text=_("Last day, local to the meeting."))
    end_time = models.TimeField(
        _("end time"), help_text=_("Local time in the meeting's time zone.")
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Vienna",
        validators=[validate_time_zone],
        help_text=_("IANA time zone of the meeting, e.g. Europe/Belgrade."),
    )
    host_country = models.ForeignKey(
        "network.Country",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_meetings",
        verbose_name=_("host country"),
        help_text=_("The country hosting the meeting, if any."),
    )
    online = models.BooleanField(
        _("online"), default=False, help_text=_("Held online (alone or alongside a venue).")
    )
    venue_city = models.CharField(
        _("city"), max_length=120, blank=True, help_text=_("Where the meeting takes place.")
    )
    venue_address = models.TextField(
        _("venue address"), blank=True, help_text=_("Venue name and address.")
    )
    joining_link = models.URLField(
        _("joining link"), blank=True, help_text=_("Video-call link; shown to members only.")
    )
    organisers = ParentalManyToManyField(
        "network.Organisation",
        blank=True,
        related_name="organised_meetings",
        verbose_name=_("organisers"),
        help_text=_("Organisations convening the meeting."),
    )
    public_summary = RichTextField(
        _("public summary"),
        blank=True,
        features=["bold", "italic", "link", "ul", "ol"],
        help_text=_("What the meeting is about and what came of it; public."),
    )
    cancelled = models.BooleanField(
        _("cancelled"), default=False, help_text=_("Keep the page and tell calendars it is off.")
    )
    invite = models.CharField(
        _("invitation goes to"),
        max_length=12,
        choices=Invitees.choices,
        default=Invitees.PARTICIPANTS,
        help_text=_(
            "Who receives the invitation when the meeting is published: the participants listed "
            "in its record, or every member of its series."
        ),
    )
    capacity = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        help_text=_("How many may register; empty for no limit."),
    )
    registration_deadline = models.DateField(
        _("registration deadline"),
        null=True,
        blank=True,
        help_text=_("The last day to register (in the meeting's time zone); empty for none."),
    )
    minutes = RichTextField(
        _("minutes"), blank=True, help_text=_("The record of discussion; members only.")
    )
    minutes_status = models.CharField(
        _("minutes status"),
        max_length=10,
        choices=MinutesStatus.choices,
        default=MinutesStatus.DRAFT,
        help_text=_("Approved minutes can be changed only with a recorded reason."),
    )
    minutes_approved_on = models.DateField(
        _("minutes approved on"),
        null=True,
        blank=True,
        help_text=_("When the minutes were approved."),
    )
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # The `sequence` of the latest published change that is news to those expected (see
    # ANNOUNCED_FIELDS); 0 while there is none. Each value is announced once per recipient.
    announced_sequence = models.PositiveIntegerField(default=0, editable=False)

    # Changes to these fields are news to calendar clients (see `sequence`).
    CALENDAR_FIELDS = (
        "title",
        "start_date",
        "start_time",
        "end_date",
        "end_time",
        "time_zone",
        "venue_city",
        "venue_address",
        "online",
        "cancelled",
        "host_country_id",
    )
    # Changes those registered and invited are told about: the date, time, place, or that it is
    # off. A new title alone is not worth an email.
    ANNOUNCED_FIELDS = (
        "start_date",
        "start_time",
        "end_date",
        "end_time",
        "time_zone",
        "venue_city",
        "venue_address",
        "online",
        "cancelled",
        "host_country_id",
    )

    objects = MeetingPageManager()

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("meeting_type"),
                FieldPanel("series"),
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("start_time")]),
                FieldRowPanel([FieldPanel("end_date"), FieldPanel("end_time")]),
                FieldPanel("time_zone"),
                FieldPanel("cancelled"),
            ],
            heading=_("When"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("invite"),
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("registration_deadline")]),
            ],
            heading=_("Invitation and registration"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("host_country"),
                FieldPanel("venue_city"),
                FieldPanel("venue_address"),
                FieldPanel("online"),
                FieldPanel("joining_link"),
            ],
            heading=_("Where"),
        ),
        FieldPanel("organisers", widget=AutocompleteSelectMultiple("organisations")),
        FieldPanel("public_summary"),
    ]
    record_panels = [
        RecordInlinePanel("agenda_items", heading=_("Agenda"), label=_("Agenda item")),
        RecordInlinePanel("participants", heading=_("Participants"), label=_("Participant")),
        MultiFieldPanel(
            [
                FieldPanel("minutes"),
                FieldPanel("minutes_status"),
                FieldPanel("minutes_approved_on"),
                FieldPanel("minutes_change_reason"),
            ],
            heading=_("Minutes"),
        ),
        RecordInlinePanel("decisions", heading=_("Decisions"), label=_("Decision")),
        RecordInlinePanel("action_points", heading=_("Action points"), label=_("Action point")),
        RecordInlinePanel("documents", heading=_("Documents"), label=_("Document")),
    ]
    settings_panels = [FieldPanel("audience"), *Page.settings_panels]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Meeting")),
            ObjectList(record_panels, heading=_("Record (members only)")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(settings_panels, heading=_("Settings")),
        ]
    )
    # Only the public part: Wagtail's own search must never hold members-only text.
    search_fields = [*Page.search_fields, index.SearchField("public_summary")]

    base_form_class = MeetingPageForm

    parent_page_types = ["meetings.MeetingIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def save(self, *args, **kwargs):
        # Wagtail writes content to the row only on create and publish (drafts live in
        # revisions), so comparing with the row counts published changes only.
        if not kwargs.get("update_fields") and self.pk:
            previous = (
                MeetingPage.objects.filter(pk=self.pk)
                .values(*self.CALENDAR_FIELDS, "sequence", "first_published_at")
                .first()
            )
            if previous:
                changed = any(
                    getattr(self, name) != previous[name] for name in self.CALENDAR_FIELDS
                )
                self.sequence = previous["sequence"] + (1 if changed else 0)
                # Only a meeting already announced has changes to announce.
                if previous["first_published_at"] is not None and any(
                    getattr(self, name) != previous[name] for name in self.ANNOUNCED_FIELDS
                ):
                    self.announced_sequence = self.sequence
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        times_given = all((self.start_date, self.start_time, self.end_date, self.end_time))
        if times_given and self.time_zone in _time_zone_names() and self.ends_at < self.starts_at:
            errors["end_date"] = _(
                "The meeting ends before it starts: check the end date and time."
            )
        if self.start_date:
            for action in self.action_points.all():
                if action.due_date and action.due_date < self.start_date:
                    errors.setdefault("__all__", []).append(
                        _("Action point “%(action)s” is due before the meeting starts.")
                        % {"action": action.description[:60]}
                    )
        if self.minutes_status == self.MinutesStatus.APPROVED and not self.minutes_approved_on:
            errors["minutes_approved_on"] = _("Give the date the minutes were approved.")
        if self.pk and self.approved_minutes_changed() and not self.minutes_amendment_recorded():
            errors["minutes"] = _(
                "These minutes are approved: they change only through the secretariat, with a "
                "reason recorded."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def zone(self):
        return ZoneInfo(self.time_zone)

    @property
    def starts_at(self):
        return datetime.combine(self.start_date, self.start_time, tzinfo=self.zone)

    @property
    def ends_at(self):
        return datetime.combine(self.end_date, self.end_time, tzinfo=self.zone)

    @property
    def is_past(self):
        return self.ends_at < timezone.now()

    @property
    def accepts_registrations(self):
        return not self.cancelled and not self.is_past and not self.deadline_passed

    @property
    def deadline_passed(self):
        """Whether the registration deadline (a whole day in the meeting's zone) is over."""
        if self.registration_deadline is None:
            return False
        return timezone.now().astimezone(self.zone).date() > self.registration_deadline

    @property
    def record_audience(self):
        """The record is members-only at least, and follows a stricter page audience."""
        return strictest(Audience.MEMBERS, self.audience)

    def can_see_record(self, user):
        return can_see(user, self.record_audience)

    # Where a meeting shows a file to the meeting's own audience; everything else is the record.
    PUBLIC_PARTS = ("public_summary",)

    @classmethod
    def audiences_at(cls, obj, paths_by_page):
        """The audience a document or image has on each meeting that shows it (see portal.usage):
        a paper of the meeting (MeetingDocument) its own audience, never below the meeting's; the
        public summary the meeting's audience; anything else (minutes, agenda papers, any field
        added later) the record's, members-only at least. Agenda papers are read directly: the
        reference index does not follow their ParentalManyToManyField. At most three queries."""
        paths_by_page = {page_id: list(paths) for page_id, paths in paths_by_page.items()}
        if isinstance(obj, MeetingDocument.document.field.related_model):
            agenda_meetings = AgendaItem.documents.through.objects.filter(
                librarydocument=obj
            ).values_list("agendaitem__meeting_id", flat=True)
            for meeting_id in agenda_meetings:
                paths_by_page.setdefault(meeting_id, []).append("agenda_items")
        if not paths_by_page:
            return {}
        paper_ids = {
            int(path.split(".")[1])
            for paths in paths_by_page.values()
            for path in paths
            if path.startswith("documents.")
        }
        papers = {}
        if paper_ids:
            # Filtered by the document too: a reference index row not yet rebuilt may name a
            # paper whose document has since been replaced.
            papers = dict(
                MeetingDocument.objects.filter(pk__in=paper_ids, document_id=obj.pk).values_list(
                    "pk", "audience"
                )
            )
        audiences = {}
        for meeting in cls.objects.filter(pk__in=paths_by_page).only("audience"):
            found = []
            for path in paths_by_page[meeting.pk]:
                field = path.split(".")[0]
                if field == "documents":
                    paper = papers.get(int(path.split(".")[1]))
                    if paper is not None:
                        found.append(strictest(paper, meeting.audience))
                elif field in cls.PUBLIC_PARTS:
                    found.append(meeting.audience)
                else:
                    found.append(meeting.record_audience)
            audiences[meeting.pk] = lowest(found)
        return audiences

    @cached_property
    def _stored_minutes(self):
        return (
            MeetingPage.objects.filter(pk=self.pk)
            .values("minutes", "minutes_status", "minutes_approved_on")
            .first()
        )

    def approved_minutes_changed(self):
        """Whether this save would change minutes that are approved in the database."""
        stored = self._stored_minutes
        if not stored or stored["minutes_status"] != self.MinutesStatus.APPROVED:
            return False
        return (
            stored["minutes"] != self.minutes
            or stored["minutes_status"] != self.minutes_status
            or stored["minutes_approved_on"] != self.minutes_approved_on
        )

    def minutes_amendment_recorded(self):
        """Whether the secretariat recorded (or, in the editor's form, is recording) a reason for
        exactly the change being saved."""
        if getattr(self, "minutes_change_authorised", False):
            return True
        return self.minutes_amendments.filter(
            minutes=self.minutes, minutes_status=self.minutes_status
        ).exists()

    def get_context(self, request, *args, **kwargs):
        from meetings.page_context import meeting_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(meeting_page_context(self, request))
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if request.user.is_authenticated:
            # The page carries the members-only record or personal registration state.
            patch_cache_control(response, private=True)
        return response
