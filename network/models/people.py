"""
People and their mandates. A person's name, job, organisation, country and roles are public; each
contact field (emails, phones, photo, biography) carries its own audience so that a coordinator can
publish a switchboard number while keeping a mobile number for members. Every display of a person
asks `Person.visible_contact(user)` (network/presenters.py), never the fields directly.
"""

import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, RevisionMixin
from wagtail.search import index

from network.admin_forms import DirectoryAdminForm
from network.storage import PrivateMediaStorage
from portal.access import Audience, audience_field
from portal.admin_choosers import AutocompleteSelect

from .directory import Country, Organisation

PHOTO_MAX_BYTES = 2 * 1024 * 1024
_PHONE_SEPARATORS = re.compile(r"[\s().\-/]+")
_PHONE_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def normalise_phone(value):
    """The number with separators reduced to single spaces: "+381 (11) 123-4567" ->
    "+381 11 123 4567"."""
    return " ".join(part for part in _PHONE_SEPARATORS.split(str(value).strip()) if part)


def validate_international_phone(value):
    """International format only (+, country code, 7 to 15 digits), because the directory is used
    across borders: a national number is useless to a colleague abroad."""
    digits = _PHONE_SEPARATORS.sub("", str(value))
    if not _PHONE_E164.match(digits):
        raise ValidationError(
            _(
                "“%(value)s” is not a phone number in international format: start with + and the "
                "country code, e.g. +381 11 123 4567."
            ),
            code="invalid_phone",
            params={"value": value},
        )


def validate_photo_size(file):
    if file.size > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The photo is too large (at most %(mb)s MB)."),
            code="photo_too_large",
            params={"mb": PHOTO_MAX_BYTES // (1024 * 1024)},
        )


def person_photo_path(instance, filename):
    extension = filename.rsplit(".", 1)[-1].lower()
    # A random name: even the private store should not be guessable by person id.
    return f"network/photos/{secrets.token_hex(12)}.{extension}"


class Person(RevisionMixin, index.Indexed, ClusterableModel):
    """A professional in the network's directory. Never a victim or a case: the portal holds no
    such data. Clusterable so that mandates, emails and phones are edited (and revisioned) with the
    person."""

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
    languages = ParentalManyToManyField(
        "portal.Language",
        blank=True,
        related_name="speakers",
        verbose_name=_("languages spoken"),
        help_text=_("Languages the person can work in."),
    )
    expertise = ParentalManyToManyField(
        "portal.Topic",
        blank=True,
        related_name="experts",
        verbose_name=_("expertise"),
        help_text=_("Topics the person can advise on."),
    )
    biography = models.TextField(
        _("short biography"),
        blank=True,
        max_length=2000,
        help_text=_("A few sentences on the person's background and work."),
    )
    photo = models.ImageField(
        _("photo"),
        blank=True,
        upload_to=person_photo_path,
        storage=PrivateMediaStorage(),
        validators=[
            FileExtensionValidator(["jpg", "jpeg", "png", "webp"]),
            validate_photo_size,
        ],
        help_text=_(
            "Optional portrait (JPEG, PNG or WebP, at most 2 MB). Served only to those "
            "allowed to see it."
        ),
    )
    email_audience = audience_field(
        default=Audience.MEMBERS,
        verbose_name=_("who may see the email addresses"),
        help_text=_("Contact details are members-only unless the person chooses otherwise."),
    )
    phone_audience = audience_field(
        default=Audience.MEMBERS,
        verbose_name=_("who may see the phone numbers"),
        help_text=_("Contact details are members-only unless the person chooses otherwise."),
    )
    photo_audience = audience_field(
        default=Audience.MEMBERS,
        verbose_name=_("who may see the photo"),
        help_text=_("Members-only by default."),
    )
    biography_audience = audience_field(
        default=Audience.PUBLIC,
        verbose_name=_("who may see the biography"),
        help_text=_("Public by default."),
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
        MultiFieldPanel(
            [
                FieldPanel("given_name"),
                FieldPanel("family_name"),
                FieldPanel("job_title"),
                FieldPanel("organisation"),
                FieldPanel("country"),
            ],
            heading=_("Public identity"),
        ),
        InlinePanel("mandates", heading=_("Mandates"), label=_("Mandate")),
        MultiFieldPanel(
            [
                InlinePanel("emails", label=_("Email address")),
                FieldPanel("email_audience"),
                InlinePanel("phones", label=_("Phone number")),
                FieldPanel("phone_audience"),
            ],
            heading=_("Contact details"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("biography"),
                FieldPanel("biography_audience"),
                FieldPanel("photo"),
                FieldPanel("photo_audience"),
                FieldPanel("languages"),
                FieldPanel("expertise"),
            ],
            heading=_("Profile"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("user", widget=AutocompleteSelect("users")),
                FieldPanel("is_active"),
                FieldPanel("last_confirmed", read_only=True),
            ],
            heading=_("Account"),
        ),
    ]
    # Loads what the mandates' rows refer to in one query (portal.admin_choosers).
    base_form_class = DirectoryAdminForm
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

    def get_absolute_url(self):
        return reverse("network:person", args=[self.pk])

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}".strip()

    def visible_contact(self, user):
        """What `user` may see of this person: the one place that applies the field audiences.
        Uses prefetched emails, phones and mandates when present."""
        from network.presenters import entry_for

        return entry_for(self, user)

    def confirm_current(self, by):
        """Record that the entry was confirmed as current now, and log who did it."""
        from wagtail.log_actions import log

        self.last_confirmed = timezone.now()
        self.save(update_fields=["last_confirmed"])
        log(instance=self, action="network.confirm", user=by)


class PersonEmail(Orderable):
    """An email address of a person; several are allowed (office, personal work address)."""

    person = ParentalKey(Person, on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField(_("email address"), help_text=_("A work email address."))

    panels = [FieldPanel("address")]

    class Meta(Orderable.Meta):
        verbose_name = _("email address")
        verbose_name_plural = _("email addresses")

    def __str__(self):
        return self.address


class PersonPhone(Orderable):
    """A phone number of a person, always in international format (see
    validate_international_phone)."""

    person = ParentalKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(
        _("phone number"),
        max_length=32,
        validators=[validate_international_phone],
        help_text=_("International format, e.g. +381 11 123 4567."),
    )

    panels = [FieldPanel("number")]

    class Meta(Orderable.Meta):
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        self.number = normalise_phone(self.number)
        super().save(*args, **kwargs)


class MandateQuerySet(models.QuerySet):
    def current(self, on=None):
        """Mandates in force on `on` (today by default): started, and not yet ended."""
        on = on or timezone.localdate()
        return self.filter(start__lte=on).filter(models.Q(end__isnull=True) | models.Q(end__gte=on))


class Mandate(models.Model):
    """A person's role in the network for a period. History is kept; "current" derives from the
    dates. Edited inline on the person (so it shares the person's revisions); only the secretariat
    changes mandates."""

    class Role(models.TextChoices):
        NATIONAL_COORDINATOR = "national_coordinator", _("National coordinator")
        DEPUTY_COORDINATOR = "deputy_coordinator", _("Deputy coordinator")
        REFERRAL_FOCAL_POINT = "referral_focal_point", _("National referral focal point")
        TRANSNATIONAL_CONTACT = "transnational_contact", _("Transnational referral contact point")
        WORKING_GROUP_MEMBER = "working_group_member", _("Working-group member")
        OBSERVER = "observer", _("Observer")
        SECRETARIAT_STAFF = "secretariat_staff", _("Secretariat staff")

    person = ParentalKey(
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

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end cannot be before the start.")})

    @property
    def is_current(self):
        today = timezone.localdate()
        return self.start <= today and (self.end is None or self.end >= today)


#: Roles listed as a country's referral contacts, most senior first.
REFERRAL_ROLES = (
    Mandate.Role.NATIONAL_COORDINATOR,
    Mandate.Role.DEPUTY_COORDINATOR,
    Mandate.Role.TRANSNATIONAL_CONTACT,
    Mandate.Role.REFERRAL_FOCAL_POINT,
)
