from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from portal.vocabulary import label_of


class Topic(index.Indexed, models.Model):
    """
    A subject of the network's work (identification, referral, children...). Shared by the library
    (what a resource is about), the directory (a person's expertise) and subscriptions, so it lives
    in `portal` rather than in any one of them.
    """

    name = models.CharField(
        _("name"), max_length=120, unique=True, help_text=_("As members see it.")
    )
    slug = models.SlugField(
        _("slug"), max_length=120, unique=True, help_text=_("Used in filter URLs, e.g. referral.")
    )
    name_fr = models.CharField(
        _("name in French"),
        max_length=120,
        blank=True,
        help_text=_("As members see it in French; when empty, the English name shows."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What belongs under this topic, for editors.")
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("name_fr"),
        FieldPanel("slug"),
        FieldPanel("description"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("name_fr"),
        index.AutocompleteField("name"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.label

    @property
    def label(self):
        """The name in the interface language (see portal.vocabulary)."""
        return label_of(self)


class Language(models.Model):
    """
    A language that content is written in or a person speaks, by ISO 639-1 code. A table rather
    than a choice list so that listings can filter and count by it in one query.
    """

    code = models.CharField(
        _("code"), max_length=10, primary_key=True, help_text=_("ISO 639-1 code, e.g. en.")
    )
    name = models.CharField(_("name"), max_length=80, help_text=_("English name of the language."))
    native_name = models.CharField(
        _("native name"), max_length=80, blank=True, help_text=_("The name in the language itself.")
    )

    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("native_name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self):
        return self.name
