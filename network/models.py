"""
The directory's core: countries, organisations, people and their mandates. These are the shapes
the library and meetings rely on (countries covered, publishers, presenters, owners); the network
issue extends them (field-level visibility, self-service, exports).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Country(index.Indexed, models.Model):
    """A country of the network, keyed by its ISO 3166-1 alpha-2 code (used in URLs and filters)."""

    class Membership(models.TextChoices):
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")
        PARTNER = "partner", _("Partner")

    name = models.CharField(_("name"), max_length=120, help_text=_("Short English name."))
    iso_code = models.CharField(
        _("ISO code"),
        max_length=2,
        unique=True,
        help_text=_("ISO 3166-1 alpha-2 code in capitals, e.g. AL."),
    )
    membership = models.CharField(
        _("membership status"),
        max_length=10,
        choices=Membership.choices,
        default=Membership.MEMBER,
        help_text=_("The country's standing in the network."),
    )
    joined = models.DateField(
        _("date joined"), null=True, blank=True, help_text=_("When the country joined the network.")
    )
    referral_summary = models.TextField(
        _("national coordination and referral mechanism"),
        blank=True,
        help_text=_("How identification and referral are organised nationally (public)."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("iso_code"),
        FieldPanel("membership"),
        FieldPanel("joined"),
        FieldPanel("referral_summary"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.iso_code = self.iso_code.upper()
        super().save(*args, **kwargs)


class Organisation(index.Indexed, models.Model):
    """An institution people work for and resources are published by."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        POLICE = "police", _("Police")
        PROSECUTION = "prosecution", _("Prosecution")
        LABOUR_INSPECTORATE = "labour_inspectorate", _("Labour inspectorate")
        SOCIAL_SERVICES = "social_services", _("Social services")
        NGO = "ngo", _("NGO")
        INTERNATIONAL = "international", _("International organisation")
        SECRETARIAT = "secretariat", _("Secretariat")

    name = models.CharField(_("name"), max_length=255, help_text=_("Full official name."))
    acronym = models.CharField(_("acronym"), max_length=30, blank=True, help_text=_("E.g. NRM."))
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
        verbose_name=_("country"),
        help_text=_("Empty for international organisations."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=30,
        choices=Kind.choices,
        default=Kind.MINISTRY,
        help_text=_("What sort of institution this is."),
    )
    website = models.URLField(_("website"), blank=True, help_text=_("Public website."))
    address = models.TextField(_("address"), blank=True, help_text=_("Postal address."))

    panels = [
        FieldPanel("name"),
        FieldPanel("acronym"),
        FieldPanel("country"),
        FieldPanel("kind"),
        FieldPanel("website"),
        FieldPanel("address"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("acronym"),
        index.AutocompleteField("name"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Person(index.Indexed, models.Model):
    """A professional in the network's directory. Never a victim or a case: the portal holds no
    such data."""

    given_name = models.CharField(_("given name"), max_length=120, help_text=_("First name(s)."))
    family_name = models.CharField(_("family name"), max_length=120, help_text=_("Surname."))
    job_title = models.CharField(
        _("job title"), max_length=200, blank=True, help_text=_("Position in their organisation.")
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        verbose_name=_("organisation"),
        help_text=_("Where the person works."),
    )
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        verbose_name=_("country"),
        help_text=_("The country the person works for in the network."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        verbose_name=_("user account"),
        help_text=_("The account this person signs in with, if any."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive people are kept for history but not listed."),
    )
    last_confirmed = models.DateTimeField(
        _("last confirmed"),
        null=True,
        blank=True,
        help_text=_("When the person last confirmed their entry is current."),
    )

    panels = [
        FieldPanel("given_name"),
        FieldPanel("family_name"),
        FieldPanel("job_title"),
        FieldPanel("organisation"),
        FieldPanel("country"),
        FieldPanel("user"),
        FieldPanel("is_active"),
        FieldPanel("last_confirmed", read_only=True),
    ]
    search_fields = [
        index.SearchField("given_name"),
        index.SearchField("family_name"),
        index.AutocompleteField("family_name"),
    ]

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}".strip()


class MandateQuerySet(models.QuerySet):
    def current(self, on=None):
        """Mandates in force on `on` (today by default): started, and not yet ended."""
        on = on or timezone.localdate()
        return self.filter(start__lte=on).filter(models.Q(end__isnull=True) | models.Q(end__gte=on))


class Mandate(models.Model):
    """A person's role in the network for a period. History is kept; "current" derives from the
    dates."""

    class Role(models.TextChoices):
        NATIONAL_COORDINATOR = "national_coordinator", _("National coordinator")
        DEPUTY_COORDINATOR = "deputy_coordinator", _("Deputy coordinator")
        REFERRAL_FOCAL_POINT = "referral_focal_point", _("National referral focal point")
        TRANSNATIONAL_CONTACT = "transnational_contact", _("Transnational referral contact point")
        WORKING_GROUP_MEMBER = "working_group_member", _("Working-group member")
        OBSERVER = "observer", _("Observer")
        SECRETARIAT_STAFF = "secretariat_staff", _("Secretariat staff")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="mandates", verbose_name=_("person")
    )
    role = models.CharField(
        _("role"), max_length=30, choices=Role.choices, help_text=_("The role in the network.")
    )
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mandates",
        verbose_name=_("country"),
        help_text=_("The country the role is held for; empty for secretariat staff."),
    )
    start = models.DateField(_("start"), help_text=_("First day of the mandate."))
    end = models.DateField(
        _("end"),
        null=True,
        blank=True,
        help_text=_("Last day of the mandate; empty while current."),
    )

    objects = MandateQuerySet.as_manager()

    panels = [
        FieldPanel("person"),
        FieldPanel("role"),
        FieldPanel("country"),
        FieldPanel("start"),
        FieldPanel("end"),
    ]

    class Meta:
        ordering = ["-start"]
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="mandate_end_not_before_start",
            )
        ]

    def __str__(self):
        return f"{self.person} — {self.get_role_display()}"

    @property
    def is_current(self):
        today = timezone.localdate()
        return self.start <= today and (self.end is None or self.end >= today)
