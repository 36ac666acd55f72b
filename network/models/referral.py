"""
The transnational referral pathway's data: a country's referral profile (its national referral
mechanism) and the institutions responsible for the TRM procedures, with their contacts.

An institution is a record of its own, not a person's employer: a 24/7 hotline or a shelter is
called whoever staffs it. Its phone and email each carry an audience, as a person's contact fields
do, and every display asks `Institution.visible_contact(user)` (network/presenters.py), never the
fields directly. Countries outside the network hold a profile with one contact point.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import RevisionMixin
from wagtail.search import index

from portal.access import Audience, audience_field
from portal.validators import validate_single_line

from .directory import Country, Organisation
from .people import normalise_phone, validate_international_phone

#: A contact not confirmed for this long is stale (12 months, as for people's entries).
STALE_AFTER = datetime.timedelta(days=365)


class Procedure(models.TextChoices):
    """The five procedures of the TRM model, in the order a case goes through them. The values
    are a public URL contract (`procedure=` on /network/referral/)."""

    IDENTIFICATION = "identification", _("Identification")
    ASSISTANCE = "assistance", _("First assistance and protection")
    INCLUSION = "inclusion", _("Long-term assistance and social inclusion")
    RETURN = "return", _("Return and social inclusion")
    PROCEEDINGS = "proceedings", _("Criminal and civil proceedings")


class TargetGroup(models.TextChoices):
    ADULTS = "adults", _("Adults")
    CHILDREN = "children", _("Children")
    ASYLUM = "asylum", _("People in the asylum procedure")


class ChoiceListField(models.JSONField):
    """A list of values from a closed choice list, edited as checkboxes.

    Why a JSON list rather than a many-to-many table: the pathway reads an institution's
    procedures and groups as plain values (`serves()`), always for the few institutions of one or
    two countries fetched together, so filtering happens in Python on rows already loaded. SQLite
    has no JSON containment lookup; where the database must filter (the admin's procedure filter,
    `InstitutionQuerySet.serving`), the quoted value is matched in the stored JSON text, which is
    exact because every value is a validated slug from the closed list (none is a quoted part of
    another). The choices are not part of the schema, so migrations see a plain JSONField."""

    def __init__(self, *args, item_choices=None, **kwargs):
        self.item_choices = item_choices
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if not isinstance(value, list):
            raise ValidationError(_("Choose from the list."), code="invalid_list")
        allowed = set(self.item_choices.values)
        unknown = [str(item) for item in value if item not in allowed]
        if unknown:
            raise ValidationError(
                _("“%(value)s” is not one of the choices for %(field)s."),
                code="invalid_choice",
                params={"value": ", ".join(unknown), "field": self.verbose_name},
            )

    def formfield(self, **kwargs):
        defaults = {
            "choices": self.item_choices.choices,
            "required": not self.blank,
            "label": self.verbose_name,
            "help_text": self.help_text,
            "widget": forms.CheckboxSelectMultiple,
        }
        # The admin would otherwise pass JSONField's own form field and widget.
        kwargs.pop("form_class", None)
        kwargs.pop("widget", None)
        defaults.update(kwargs)
        return forms.MultipleChoiceField(**defaults)


def ordered_values(values, choices):
    """`values` without duplicates, in the order of the choice list (so stored lists compare)."""
    wanted = set(values)
    return [value for value in choices.values if value in wanted]


class ReferralProfile(RevisionMixin, index.Indexed, models.Model):
    """A country's national referral mechanism: who leads it, on what legal basis, and the
    national SOP. One per country; the secretariat edits it, and so does the country's
    national coordinator through the self-service."""

    country = models.OneToOneField(
        Country,
        on_delete=models.CASCADE,
        related_name="referral_profile",
        verbose_name=_("country"),
        help_text=_("The country whose referral mechanism this describes."),
    )
    mechanism_name = models.CharField(
        _("name of the mechanism"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text=_("The national name, e.g. National Referral Mechanism (NRM)."),
    )
    lead_agency = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lead agency"),
        help_text=_(
            "The institution that coordinates the mechanism (e.g. the national "
            "coordinator's office)."
        ),
    )
    legal_basis = models.TextField(
        _("legal basis"),
        blank=True,
        max_length=2000,
        help_text=_("The laws and by-laws that establish the mechanism, with their dates."),
    )
    national_sop = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("national SOP"),
        help_text=_("The national standard operating procedures, as a library resource."),
    )
    summary = models.TextField(
        _("how a referral enters the country"),
        blank=True,
        max_length=4000,
        help_text=_(
            "Public notes for colleagues abroad: whom to contact first, how a "
            "transnational referral is received, what to send ahead."
        ),
    )
    reviewed_on = models.DateField(
        _("reviewed on"),
        null=True,
        blank=True,
        help_text=_("When the profile was last checked as current."),
    )

    panels = [
        FieldPanel("country"),
        FieldPanel("mechanism_name"),
        FieldPanel("lead_agency"),
        FieldPanel("legal_basis"),
        FieldPanel("national_sop"),
        FieldPanel("summary"),
        FieldPanel("reviewed_on"),
    ]
    search_fields = [
        index.SearchField("mechanism_name"),
        index.FilterField("country_id"),
        index.RelatedFields("country", [index.SearchField("name")]),
    ]

    class Meta:
        ordering = ["country__name"]
        verbose_name = _("referral profile")
        verbose_name_plural = _("referral profiles")

    def __str__(self):
        return str(_("Referral profile of %(country)s") % {"country": self.country})

    def get_absolute_url(self):
        return self.country.get_absolute_url()


class InstitutionQuerySet(models.QuerySet):
    def for_countries(self, countries):
        """The institutions of `countries` (Country objects, ids or ISO codes) with everything
        a listing shows, in a fixed number of queries (this one, then the languages)."""
        ids, codes = [], []
        for country in countries:
            if isinstance(country, Country):
                ids.append(country.pk)
            elif isinstance(country, str):
                codes.append(country.upper())
            else:
                ids.append(country)
        return (
            self.filter(models.Q(country_id__in=ids) | models.Q(country__iso_code__in=codes))
            .select_related("country", "organisation")
            .prefetch_related("languages")
        )

    def serving(self, procedure=None, group=None):
        """Institutions responsible for `procedure` and serving `group` (either may be None).
        See ChoiceListField on why the quoted value is matched in the JSON text."""
        queryset = self
        if procedure:
            queryset = queryset.filter(procedures__icontains=f'"{Procedure(procedure).value}"')
        if group:
            queryset = queryset.filter(target_groups__icontains=f'"{TargetGroup(group).value}"')
        return queryset

    def stale(self, today=None):
        return self.filter(
            models.Q(confirmed_on__isnull=True) | models.Q(confirmed_on__lt=stale_cutoff(today))
        )


def stale_cutoff(today=None):
    """The earliest confirmation date that is still fresh."""
    return (today or timezone.localdate()) - STALE_AFTER


class Institution(RevisionMixin, index.Indexed, ClusterableModel):
    """An institution with a part in the referral pathway of one country: which TRM procedures it
    is responsible for, whom it serves, how to reach it and when that was last confirmed."""

    class Kind(models.TextChoices):
        COORDINATION = "coordination", _("National coordination office")
        CHILD_PROTECTION = "child_protection", _("Child-protection authority")
        SOCIAL_SERVICES = "social_services", _("Social services")
        SHELTER = "shelter", _("Shelter")
        HOTLINE = "hotline", _("Hotline")
        POLICE = "police", _("Police anti-trafficking unit")
        BORDER_POLICE = "border_police", _("Border police")
        PROSECUTION = "prosecution", _("Prosecution")
        LABOUR_INSPECTORATE = "labour_inspectorate", _("Labour inspectorate")
        ASYLUM_AUTHORITY = "asylum_authority", _("Asylum authority")
        HEALTH = "health", _("Health service")
        LEGAL_AID = "legal_aid", _("Legal aid")
        NGO = "ngo", _("NGO service provider")
        INTERNATIONAL = "international", _("International organisation")
        MINISTRY = "ministry", _("Ministry")
        EMBASSY = "embassy", _("Embassy or consulate")
        OTHER = "other", _("Other")

    country = models.ForeignKey(
        Country,
        on_delete=models.CASCADE,
        related_name="institutions",
        verbose_name=_("country"),
        help_text=_("The country whose pathway the institution belongs to."),
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="institutions",
        verbose_name=_("organisation"),
        help_text=_(
            "The directory's organisation record, if the institution is one (people "
            "list it as their employer)."
        ),
    )
    name = models.CharField(
        _("name"),
        max_length=255,
        validators=[validate_single_line],
        help_text=_("The service's name as colleagues abroad know it."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=30,
        choices=Kind.choices,
        default=Kind.OTHER,
        help_text=_("What sort of institution this is."),
    )
    procedures = ChoiceListField(
        _("TRM procedures"),
        item_choices=Procedure,
        help_text=_("The procedures the institution is responsible for."),
    )
    target_groups = ChoiceListField(
        _("target groups"),
        item_choices=TargetGroup,
        help_text=_("Whom the institution serves."),
    )
    phone = models.CharField(
        _("phone number"),
        max_length=32,
        blank=True,
        validators=[validate_single_line, validate_international_phone],
        help_text=_("International format, e.g. +381 11 123 4567."),
    )
    phone_visibility = audience_field(
        default=Audience.MEMBERS,
        verbose_name=_("who may see the phone number"),
        help_text=_("Members-only unless the number is meant for the public (e.g. a hotline)."),
    )
    email = models.EmailField(
        _("email address"), blank=True, help_text=_("A functional address, not a person's.")
    )
    email_visibility = audience_field(
        default=Audience.MEMBERS,
        verbose_name=_("who may see the email address"),
        help_text=_("Members-only unless the address is meant for the public."),
    )
    website = models.URLField(_("website"), blank=True, help_text=_("Public website."))
    hours = models.CharField(
        _("opening hours"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text=_("When the contact answers, with the time zone, e.g. Mon–Fri 08:00–16:00 CET."),
    )
    available_24_7 = models.BooleanField(
        _("available 24/7"),
        default=False,
        help_text=_("Whether the phone is answered at any hour, every day."),
    )
    languages = ParentalManyToManyField(
        "portal.Language",
        blank=True,
        related_name="institutions",
        verbose_name=_("working languages"),
        help_text=_("Languages in which the contact can be reached."),
    )
    is_contact_point = models.BooleanField(
        _("transnational contact point"),
        default=False,
        help_text=_(
            "The country's contact point for transnational referral. A country outside "
            "the network holds just this one institution."
        ),
    )
    confirmed_on = models.DateField(
        _("confirmed on"),
        null=True,
        blank=True,
        help_text=_(
            "When the contact details were last confirmed as working. Unconfirmed for "
            "12 months means stale."
        ),
    )

    objects = InstitutionQuerySet.as_manager()

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("country"),
                FieldPanel("name"),
                FieldPanel("kind"),
                FieldPanel("organisation"),
                FieldPanel("is_contact_point"),
            ],
            heading=_("Institution"),
        ),
        MultiFieldPanel(
            [FieldPanel("procedures"), FieldPanel("target_groups")],
            heading=_("Responsibilities"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("phone"),
                FieldPanel("phone_visibility"),
                FieldPanel("email"),
                FieldPanel("email_visibility"),
                FieldPanel("website"),
                FieldPanel("hours"),
                FieldPanel("available_24_7"),
                FieldPanel("languages", widget=forms.CheckboxSelectMultiple),
                FieldPanel("confirmed_on"),
            ],
            heading=_("Contact"),
        ),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("country_id"),
        index.FilterField("kind"),
    ]

    class Meta:
        ordering = ["country__name", "name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "name"], name="institution_unique_name_per_country"
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.phone:
            self.phone = normalise_phone(self.phone)
        self.procedures = ordered_values(self.procedures or [], Procedure)
        self.target_groups = ordered_values(self.target_groups or [], TargetGroup)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # Institutions are listed on their country's page rather than a page of their own.
        return f"{self.country.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        return f"institution-{self.pk}"

    def clean(self):
        super().clean()
        if self.country_id and self.country.membership == Country.Membership.OUTSIDE:
            # Outside the network the portal keeps a way in, not a pathway.
            if not self.is_contact_point:
                raise ValidationError(
                    {
                        "is_contact_point": _(
                            "A country outside the network holds its contact point only: "
                            "mark this institution as the contact point."
                        )
                    }
                )
            if Institution.objects.filter(country_id=self.country_id).exclude(pk=self.pk).exists():
                # Not tied to the `country` field: the coordinators' form has none (the country
                # comes from the URL), and a form cannot show an error on a field it lacks.
                raise ValidationError(
                    _("%(country)s is outside the network and already has its one contact point."),
                    code="one_contact_point",
                    params={"country": self.country},
                )

    @property
    def is_stale(self):
        """Unconfirmed, or confirmed more than 12 months ago."""
        return self.confirmed_on is None or self.confirmed_on < stale_cutoff()

    def serves(self, procedure=None, group=None):
        """Whether the institution is responsible for `procedure` and serves `group` (values or
        choice members; None matches anything). No query."""
        return (procedure is None or str(procedure) in self.procedures) and (
            group is None or str(group) in self.target_groups
        )

    def procedure_labels(self):
        return [Procedure(value).label for value in self.procedures if value in Procedure.values]

    def target_group_labels(self):
        return [TargetGroup(value).label for value in self.target_groups]

    def visible_contact(self, user):
        """What `user` may see of this institution's contact: the one place that applies the
        field audiences (network/presenters.py)."""
        from network.presenters import institution_entry_for

        return institution_entry_for(self, user)
