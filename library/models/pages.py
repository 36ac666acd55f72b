"""
The library's pages. A resource is a Wagtail page so that drafts, moderation, scheduled
publishing, revisions and the audit log are Wagtail's own; its taxonomy lives in shared tables
(portal.Topic, portal.Language, network.Country) so listings filter and count in one query each.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from library.admin_forms import ResourcePageForm
from library.blocks import ResourceStreamBlock
from portal.access import visible_audiences
from portal.admin_choosers import AutocompleteSelect, AutocompleteSelectMultiple
from portal.pages import AudiencePageMixin

# The set editor's row: the indicator is chosen by typing (never a select of every indicator).
INDICATOR_ITEM_PANELS = [
    FieldPanel("heading"),
    FieldPanel("indicator", widget=AutocompleteSelect("indicators")),
    FieldPanel("rewords", widget=AutocompleteSelect("indicators")),
]

# Paths under /library/ served by library/urls.py; a resource slug must not shadow them.
RESERVED_SLUGS = {"feed", "indicators"}


class ResourceType(models.TextChoices):
    GUIDELINE = "guideline", _("Guideline")
    SOP = "sop", _("Standard operating procedure")
    INDICATOR_SET = "indicator_set", _("Indicator set")
    TOOL = "tool", _("Tool or template")
    TRAINING = "training", _("Training material")
    STUDY = "study", _("Study or report")
    LEGISLATION = "legislation", _("Legislation or policy")
    GOOD_PRACTICE = "good_practice", _("Good practice")
    # Bilateral and multilateral agreements, memoranda and protocols; the resource's countries
    # are the countries it binds (the referral pathway shows it for a pair it binds).
    AGREEMENT = "agreement", _("Agreement or protocol")


class LibraryIndexPage(Page):
    """The one library listing at /library/: filters, counts and pagination over the resources
    the visitor may see (see library.listing)."""

    introduction = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("A short paragraph above the listing: what the library holds."),
    )

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]

    parent_page_types = ["portal.HomePage"]
    subpage_types = ["library.ResourcePage"]
    max_count = 1

    class Meta:
        verbose_name = _("library")

    def get_context(self, request, *args, **kwargs):
        from library.listing import ResourceListing

        context = super().get_context(request, *args, **kwargs)
        listing = ResourceListing(request.GET, request.user, index_page=self)
        context["listing"] = listing
        context["resources"] = listing.page_of_results()
        return context


class ResourcePageQuerySet(PageQuerySet):
    def visible_to(self, user):
        """Live resources whose audience `user` may see."""
        return self.live().filter(audience__in=visible_audiences(user))

    def current_for(self, user):
        """Drop resources superseded by a live successor that `user` may see: for them the
        successor is the current version. (A public edition replaced by a members-only one stays
        current for the public.)"""
        successors = ResourcePage.objects.filter(
            supersedes=OuterRef("pk"), live=True, audience__in=visible_audiences(user)
        )
        return self.exclude(Exists(successors))

    def for_listing(self):
        """What a listing shows per item, in a fixed number of queries."""
        return self.select_related("locale").prefetch_related(
            Prefetch("topics", queryset=_topic_model().objects.order_by("name")),
            "languages",
        )


def _topic_model():
    from portal.models import Topic

    return Topic


class ResourcePageManager(PageManager.from_queryset(ResourcePageQuerySet)):
    pass


class ResourcePage(AudiencePageMixin, Page):
    """
    One item of the knowledge base: a guideline, SOP, indicator set, tool, training material,
    study, legislation summary or good practice. Files are attached as documents (whose text is
    extracted for search); versions link by `supersedes` and translations by `translation_of`,
    both pointing at the earlier or original edition so an edition never needs editing when a
    new one appears. Good practices carry the structured fields the network asks of them.
    """

    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_(
            "Two or three sentences shown in listings, feeds and search results. "
            "(Optional so that imported records without one can be published.)"
        ),
    )
    body = StreamField(
        ResourceStreamBlock(),
        blank=True,
        verbose_name=_("body"),
        help_text=_("The resource itself, or an introduction to its attached files."),
    )
    resource_type = models.CharField(
        _("resource type"),
        max_length=20,
        choices=ResourceType.choices,
        default=ResourceType.GUIDELINE,
        db_index=True,
        help_text=_("What kind of resource this is; used by the library's filters."),
    )
    topics = ParentalManyToManyField(
        "portal.Topic",
        blank=True,
        related_name="resources",
        verbose_name=_("topics"),
        help_text=_("What the resource is about."),
    )
    countries = ParentalManyToManyField(
        "network.Country",
        blank=True,
        related_name="resources",
        verbose_name=_("countries covered"),
        help_text=_("The countries the resource is about or applies to; none for regional ones."),
    )
    languages = ParentalManyToManyField(
        "portal.Language",
        blank=True,
        related_name="resources",
        verbose_name=_("languages"),
        help_text=_("The languages this edition is written in."),
    )
    publishers = ParentalManyToManyField(
        "network.Organisation",
        blank=True,
        related_name="published_resources",
        verbose_name=_("publishers"),
        help_text=_("The organisations that issued the resource."),
    )
    published = models.DateField(
        _("publication date"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("When the publisher issued it (not when it was added to the portal)."),
    )
    version_label = models.CharField(
        _("version"),
        max_length=50,
        blank=True,
        help_text=_("As the publisher names the edition, e.g. 2nd edition or v1.2."),
    )
    external_id = models.CharField(
        _("external identifier"),
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        default=None,
        help_text=_("The identifier in the secretariat's former records; set by imports."),
    )
    supersedes = models.ForeignKey(
        "library.ResourcePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
        help_text=_("The earlier edition this one replaces; it will point readers here."),
    )
    translation_of = models.ForeignKey(
        "library.ResourcePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        verbose_name=_("translation of"),
        help_text=_("The original edition, when this page is a translation of it."),
    )

    # Indicator sets: a country version derives from a regional set (see library.models.indicators).
    derived_from = models.ForeignKey(
        "library.ResourcePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="country_versions",
        verbose_name=_("country version of"),
        help_text=_(
            "Indicator sets: the regional set this country version adapts. Its rows say what "
            "it keeps, adds and rewords."
        ),
    )
    version_country = models.ForeignKey(
        "network.Country",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("country of the version"),
        help_text=_("Indicator sets: the country whose version this is."),
    )

    # Good practices: what, where, results, contact.
    practice_country = models.ForeignKey(
        "network.Country",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("implementing country"),
        help_text=_("Good practices: the country where the practice is implemented."),
    )
    practice_organisation = models.ForeignKey(
        "network.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("implementing organisation"),
        help_text=_("Good practices: the organisation that runs it."),
    )
    problem = models.TextField(
        _("problem addressed"), blank=True, help_text=_("Good practices: the gap it closes.")
    )
    approach = models.TextField(
        _("approach"), blank=True, help_text=_("Good practices: what is done, by whom, how.")
    )
    results = models.TextField(
        _("results and evidence"),
        blank=True,
        help_text=_("Good practices: what changed, and how we know."),
    )
    transferability = models.TextField(
        _("transferability"),
        blank=True,
        help_text=_("Good practices: what another country needs to adopt it."),
    )
    contact_person = models.ForeignKey(
        "network.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("contact person"),
        help_text=_("Good practices: whom to ask about it, from the directory."),
    )

    objects = ResourcePageManager()

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("resource_type"), FieldPanel("audience")]),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("Attachments")),
        MultiFieldPanel(
            [
                # Topics and languages are the secretariat's short taxonomies (tens of rows,
                # growing with neither the directory nor the library): a select of them serves.
                # Countries search as one types, like every other reference: the list is short
                # today, but an editor is the same whether the network has 15 countries or 60.
                FieldPanel("topics"),
                FieldPanel("countries", widget=AutocompleteSelectMultiple("countries")),
                FieldPanel("languages"),
                FieldPanel("publishers", widget=AutocompleteSelectMultiple("organisations")),
                FieldRowPanel([FieldPanel("published"), FieldPanel("version_label")]),
            ],
            heading=_("Description"),
        ),
        MultiFieldPanel(
            [
                PageChooserPanel("supersedes", "library.ResourcePage"),
                PageChooserPanel("translation_of", "library.ResourcePage"),
                InlinePanel("related_links", label=_("Related resources")),
            ],
            heading=_("Versions, translations and related resources"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        PageChooserPanel("derived_from", "library.ResourcePage"),
                        FieldPanel("version_country", widget=AutocompleteSelect("countries")),
                    ]
                ),
                InlinePanel("indicator_items", label=_("Indicators"), panels=INDICATOR_ITEM_PANELS),
            ],
            heading=_("Indicator set"),
            classname="collapsed",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("practice_country"), FieldPanel("practice_organisation")]
                ),
                FieldPanel("problem"),
                FieldPanel("approach"),
                FieldPanel("results"),
                FieldPanel("transferability"),
                FieldPanel("contact_person"),
            ],
            heading=_("Good practice"),
            classname="collapsed",
        ),
    ]
    promote_panels = [*Page.promote_panels, FieldPanel("external_id")]
    base_form_class = ResourcePageForm
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("resource_type"),
        index.FilterField("audience"),
    ]

    parent_page_types = ["library.LibraryIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def clean(self):
        super().clean()
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = _("“%(slug)s” is reserved for the library; choose another slug.") % {
                "slug": self.slug
            }
        if self.pk and self.supersedes_id == self.pk:
            errors["supersedes"] = _("A resource cannot supersede itself.")
        if self.translation_of_id:
            if self.pk and self.translation_of_id == self.pk:
                errors["translation_of"] = _("A resource cannot be a translation of itself.")
            elif self.translation_of.translation_of_id:
                errors["translation_of"] = _(
                    "Choose the original edition, not another translation of it."
                )
        if self.derived_from_id:
            if self.resource_type != ResourceType.INDICATOR_SET:
                errors["derived_from"] = _("Only an indicator set can be a country version.")
            elif self.pk and self.derived_from_id == self.pk:
                errors["derived_from"] = _("A set cannot be a country version of itself.")
            elif self.derived_from.resource_type != ResourceType.INDICATOR_SET:
                errors["derived_from"] = _("Choose an indicator set.")
            elif self.derived_from.derived_from_id:
                errors["derived_from"] = _(
                    "Choose the regional set, not another country version of it."
                )
            if not self.version_country_id:
                errors["version_country"] = _("Name the country of this version.")
        elif self.version_country_id and self.resource_type == ResourceType.INDICATOR_SET:
            errors["derived_from"] = _("Choose the regional set this country version adapts.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_indicator_set(self):
        return self.resource_type == ResourceType.INDICATOR_SET

    @property
    def indicator_set(self):
        """This page's indicators as an `IndicatorSet` (see library.models.indicators)."""
        from library.models.indicators import IndicatorSet

        return IndicatorSet(self)

    @property
    def is_good_practice(self):
        return self.resource_type == ResourceType.GOOD_PRACTICE

    def current_successor(self, user):
        """The newest live edition that replaces this one and `user` may see, or None. Follows
        the chain of `supersedes` links (a few queries, on one resource page only)."""
        successor = None
        page = self
        seen = {self.pk}
        while True:
            following = (
                ResourcePage.objects.visible_to(user)
                .filter(supersedes=page)
                .order_by("-first_published_at")
                .first()
            )
            if following is None or following.pk in seen:
                return successor
            seen.add(following.pk)
            successor = page = following

    def translation_family(self, user):
        """Every live edition of this resource in another language that `user` may see, with
        this one: the original and its translations, each with its languages."""
        original_id = self.translation_of_id or self.pk
        return list(
            ResourcePage.objects.visible_to(user)
            .filter(models.Q(pk=original_id) | models.Q(translation_of_id=original_id))
            .prefetch_related("languages")
            .order_by("title")
        )

    def related_resources(self, user):
        """The related resources `user` may see, in the editor's order."""
        ids = [link.resource_id for link in self.related_links.all()]
        pages = ResourcePage.objects.visible_to(user).filter(pk__in=ids).in_bulk()
        return [pages[pk] for pk in ids if pk in pages]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        context["successor"] = self.current_successor(user)
        context["translations"] = self.translation_family(user)
        context["related"] = self.related_resources(user)
        context["attachments"] = list(self.attachments.select_related("document"))
        context["topics"] = list(self.topics.all())
        context["countries"] = list(self.countries.all())
        context["languages"] = list(self.languages.all())
        context["publishers"] = list(self.publishers.all())
        if self.is_indicator_set:
            # The set's rows under their headings (1 query), and the regional set a country
            # version adapts when the viewer may see it (1 query, versions only).
            indicators = self.indicator_set
            context["indicator_sections"] = indicators.sections()
            context["regional"] = indicators.regional(user)
        if self.is_good_practice:
            context["practice_country"] = self.practice_country
            context["practice_organisation"] = self.practice_organisation
            context["contact_person"] = self.contact_person
        return context


class ResourceAttachment(Orderable):
    """A file of a resource, in the editor's order. The document keeps the extracted text;
    a resource page decides who may download it (see library.downloads)."""

    page = ParentalKey(ResourcePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "library.LibraryDocument",
        on_delete=models.CASCADE,
        related_name="resource_attachments",
        verbose_name=_("document"),
        help_text=_("The file; its text is extracted for search after upload."),
    )
    title = models.CharField(
        _("title"),
        max_length=255,
        blank=True,
        help_text=_("Shown instead of the document's title, e.g. Full text (French)."),
    )

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        return self.title or self.document.title


class RelatedResource(Orderable):
    """A link from one resource to another the reader may need next."""

    page = ParentalKey(ResourcePage, on_delete=models.CASCADE, related_name="related_links")
    resource = models.ForeignKey(
        ResourcePage,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("resource"),
        help_text=_("A resource to read alongside this one."),
    )

    panels = [PageChooserPanel("resource", "library.ResourcePage")]

    class Meta(Orderable.Meta):
        verbose_name = _("related resource")
        verbose_name_plural = _("related resources")

    def __str__(self):
        return str(self.resource)
