"""
Countries and organisations: the public skeleton of the directory. The library and meetings refer
to them (countries covered, publishers), so their shapes stay stable; the secretariat edits them as
snippets with revisions, so every change has a history.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.models import RevisionMixin
from wagtail.search import index

from portal.vocabulary import label_of

iso_code_validator = RegexValidator(
    r"^[A-Za-z]{2}$", _("Enter a two-letter ISO 3166-1 code, e.g. AL.")
)


class CountryQuerySet(models.QuerySet):
    def in_network(self):
        """Members, observers and partners: the countries the directory lists as the network."""
        return self.exclude(membership=Country.Membership.OUTSIDE)

    def outside_network(self):
        return self.filter(membership=Country.Membership.OUTSIDE)


class Country(RevisionMixin, index.Indexed, models.Model):
    """A country of the network, keyed by its ISO 3166-1 alpha-2 code (used in URLs and filters).
    A country outside the network is kept too, as a referral destination with one contact point
    (see network.models.referral)."""

    class Membership(models.TextChoices):
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")
        PARTNER = "partner", _("Partner")
        OUTSIDE = "outside", _("Outside the network")

    name = models.CharField(_("name"), max_length=120, help_text=_("Short English name."))
    name_fr = models.CharField(
        _("name in French"),
        max_length=120,
        blank=True,
        help_text=_("Short French name; when empty, the English name shows."),
    )
    iso_code = models.CharField(
        _("ISO code"),
        max_length=2,
        unique=True,
        validators=[iso_code_validator],
        help_text=_("ISO 3166-1 alpha-2 code in capitals, e.g. AL."),
    )
    membership = models.CharField(
        _("membership status"),
        max_length=10,
        choices=Membership.choices,
        default=Membership.MEMBER,
        help_text=_(
            "The country's standing in the network; “outside the network” for a referral "
            "destination that holds only a contact point."
        ),
    )
    joined = models.DateField(
        _("date joined"), null=True, blank=True, help_text=_("When the country joined the network.")
    )
    referral_summary = models.TextField(
        _("national coordination and referral mechanism"),
        blank=True,
        help_text=_("How identification and referral are organised nationally (public)."),
    )

    objects = CountryQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("name_fr"),
        FieldPanel("iso_code"),
        FieldPanel("membership"),
        FieldPanel("joined"),
        FieldPanel("referral_summary"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("name_fr"),
        index.AutocompleteField("name"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        self.iso_code = self.iso_code.upper()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("network:country", args=[self.iso_code])

    @property
    def label(self):
        """The name in the interface language (see portal.vocabulary)."""
        return label_of(self)

    @property
    def in_network(self):
        return self.membership != self.Membership.OUTSIDE


class Organisation(RevisionMixin, index.Indexed, models.Model):
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
