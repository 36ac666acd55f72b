"""
Indicators as records, and the indicator sets that order them under headings.

Why shaped so:

- An **indicator** is one sign frontline staff look for, with its stage, target groups, forms of
  exploitation, dimension, strength, source and language. It is a row, so that it can be
  filtered, counted, compared and translated one by one (a checklist block could not be).
- An **indicator set** stays a library resource (`ResourcePage` of type indicator set): its
  audience, versions (`supersedes`), translations (`translation_of`), feeds and search are the
  library's own. Its content is its ordered rows (`IndicatorSetItem`): each row places one
  indicator under a heading. One indicator may be a row of several sets (a regional set and a
  country version that keeps it unchanged share the record).
- A **country version** is a set whose page names the regional set it derives from
  (`ResourcePage.derived_from`) and the country (`ResourcePage.version_country`). What it changes
  is read from its rows, nothing is recorded twice:
    * kept: a row holding the same indicator as a regional row;
    * reworded: a row holding its own indicator whose `rewords` names the regional indicator,
      in other words;
    * added: a row holding an indicator the regional set does not have, rewording nothing;
    * dropped: a regional indicator that no row of the version holds or rewords;
    * moved: a kept or reworded indicator under another heading, or out of the regional order.
- A **translation** of an indicator is another record in its language with `translation_of`
  naming the original; a translated set is a `ResourcePage` translation of the set whose rows
  hold the translated records.
- Target groups and forms of exploitation are the referral pathway's own closed lists
  (`network.models.referral.TargetGroup`, `network.pathway.Exploitation`), stored as validated
  JSON lists (`ChoiceListField`), filtered by matching the quoted value (see there).

Who sees an indicator: the one access policy, through the sets that hold it. An indicator is
visible to a user when at least one live set holding it has an audience the user may see
(`Indicator.objects.visible_to(user)`). An indicator in no set is nobody's to see outside the
admin: fail closed.

The query API the pages use (every function's query count is pinned by tests in
tests/library/test_indicators.py):

- `Indicator.objects.visible_to(user)`: the indicators `user` may see (one query when evaluated).
- `Indicator.objects.with_groups(*values)`, `.with_exploitation(*values)`: any of the values.
- `Indicator.objects.in_sets(pages)`: the indicators that are rows of these set pages.
- `IndicatorSet(page)` wraps one set page:
    * `.sections()`: `[Section(heading, items)]` in order, items with their indicator (1 query);
    * `.items()`: the rows in order, with their indicator (the same query, cached);
    * `.country_versions(user)`: the live versions `user` may see, with their country (1 query);
    * `.regional(user)`: the regional set a version derives from, when `user` may see it;
    * `.differences_from_regional()`: `compare(regional, version)` (2 queries);
- `IndicatorSet.visible_to(user)`: the set pages `user` may see.
- `comparison(base, other)`: what changes between any two sets, as the compare page shows it
  (library.indicator_compare, the one matching of two sets' rows: by indicator or the indicator
  it rewords, in either direction or as two country versions of one regional set, then by
  identical wording; a pair is reworded when its words differ, moved when under another heading
  or out of the order the kept rows share) (1 query a set);
- `compare(base, other)`: the same as a `SetDifferences` of the sets' rows (added, dropped,
  reworded, moved, kept).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import Orderable

from library.indicator_compare import Row as CompareRow
from library.indicator_compare import compare as compare_rows
from network.models.referral import ChoiceListField, TargetGroup, ordered_values
from network.pathway import Exploitation
from portal.admin_choosers import AutocompleteSelect

__all__ = [
    "Dimension",
    "Exploitation",
    "Indicator",
    "IndicatorSet",
    "IndicatorSetItem",
    "Section",
    "SetDifferences",
    "Stage",
    "Strength",
    "TargetGroup",
    "compare",
    "comparison",
]


class Stage(models.TextChoices):
    SCREENING = "screening", _("Initial screening")
    IDENTIFICATION = "identification", _("Formal identification")
    RISK_ASSESSMENT = "risk_assessment", _("Risk assessment")


class Strength(models.TextChoices):
    """How strongly a sign points to trafficking, as the widely used operational indicators
    classify them; a case is weighed on the combination."""

    STRONG = "strong", _("Strong")
    MEDIUM = "medium", _("Medium")
    WEAK = "weak", _("Weak")


class Dimension(models.TextChoices):
    DECEPTION = "deception", _("Deception")
    COERCION = "coercion", _("Coercion")
    VULNERABILITY = "vulnerability", _("Abuse of vulnerability")
    EXPLOITATION = "exploitation", _("Conditions of exploitation")


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Indicators held by at least one live indicator set whose audience `user` may see
        (the one access policy, through `ResourcePage.objects.visible_to`)."""
        from library.models.pages import ResourcePage

        visible_sets = ResourcePage.objects.visible_to(user).values("pk")
        return self.filter(
            Exists(IndicatorSetItem.objects.filter(indicator=OuterRef("pk"), page__in=visible_sets))
        )

    def in_sets(self, pages):
        """Indicators that are rows of any of `pages` (set pages, ids or a queryset)."""
        return self.filter(
            Exists(IndicatorSetItem.objects.filter(indicator=OuterRef("pk"), page__in=pages))
        )

    def with_groups(self, *values):
        """Indicators for any of these target groups (see ChoiceListField on the matching)."""
        return self.filter(_any_of("target_groups", TargetGroup, values))

    def with_exploitation(self, *values):
        """Indicators for any of these forms of exploitation."""
        return self.filter(_any_of("exploitation", Exploitation, values))


def _any_of(field_name, choices, values):
    condition = Q()
    for value in values:
        condition |= Q(**{f"{field_name}__icontains": f'"{choices(value).value}"'})
    return condition


class Indicator(models.Model):
    """One sign of a possible trafficking case, as frontline staff read it. See the module's
    docstring for sets, country versions and translations."""

    text = models.TextField(
        _("indicator"),
        help_text=_("What frontline staff look for, in one or two sentences."),
    )
    stage = models.CharField(
        _("stage"),
        max_length=20,
        choices=Stage.choices,
        blank=True,
        db_index=True,
        help_text=_("When the indicator is used; empty when the source does not say."),
    )
    target_groups = ChoiceListField(
        _("target groups"),
        item_choices=TargetGroup,
        help_text=_("Whom it applies to; none ticked means everyone."),
    )
    exploitation = ChoiceListField(
        _("forms of exploitation"),
        item_choices=Exploitation,
        help_text=_("The forms of exploitation it points to; none ticked means any."),
    )
    dimension = models.CharField(
        _("dimension"),
        max_length=20,
        choices=Dimension.choices,
        blank=True,
        help_text=_(
            "What the sign shows: deception, coercion, abuse of vulnerability, or the "
            "conditions of exploitation."
        ),
    )
    strength = models.CharField(
        _("strength"),
        max_length=10,
        choices=Strength.choices,
        blank=True,
        db_index=True,
        help_text=_("How strongly it points to trafficking; empty when the source does not say."),
    )
    source_resource = models.ForeignKey(
        "library.ResourcePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("source resource"),
        help_text=_("The library resource the indicator comes from, if it is in the library."),
    )
    source_section = models.CharField(
        _("source section"),
        max_length=255,
        blank=True,
        help_text=_("Where in the source, e.g. section 3.2, or the source named in full."),
    )
    language = models.ForeignKey(
        "portal.Language",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
        verbose_name=_("language"),
        help_text=_("The language the indicator is written in."),
    )
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        verbose_name=_("translation of"),
        help_text=_("The original indicator, when this one is a translation of it."),
    )
    external_id = models.CharField(
        _("external identifier"),
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        default=None,
        help_text=_("A stable identifier for imports, e.g. RS-ID-12; a new import updates it."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = IndicatorQuerySet.as_manager()

    panels = [
        FieldPanel("text"),
        FieldRowPanel([FieldPanel("stage"), FieldPanel("strength"), FieldPanel("dimension")]),
        FieldPanel("target_groups"),
        FieldPanel("exploitation"),
        MultiFieldPanel(
            [
                FieldPanel("source_resource", widget=AutocompleteSelect("resources")),
                FieldPanel("source_section"),
            ],
            heading=_("Source"),
        ),
        FieldRowPanel(
            [
                FieldPanel("language"),
                FieldPanel("translation_of", widget=AutocompleteSelect("indicators")),
            ]
        ),
        FieldPanel("external_id"),
    ]

    class Meta:
        ordering = ["pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        text = " ".join(self.text.split())
        return text if len(text) <= 80 else f"{text[:79]}…"

    def save(self, *args, **kwargs):
        # Stored lists keep the choice list's order, so that two records compare as lists.
        self.target_groups = ordered_values(self.target_groups or [], TargetGroup)
        self.exploitation = ordered_values(self.exploitation or [], Exploitation)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.translation_of_id:
            if self.pk and self.translation_of_id == self.pk:
                raise ValidationError(
                    {"translation_of": _("An indicator cannot be a translation of itself.")}
                )
            if self.translation_of.translation_of_id:
                raise ValidationError(
                    {"translation_of": _("Choose the original indicator, not a translation.")}
                )

    @property
    def source_label(self):
        """The source as one line: the resource's title and the section."""
        parts = []
        if self.source_resource_id and self.source_resource:
            parts.append(self.source_resource.title)
        if self.source_section:
            parts.append(self.source_section)
        return ", ".join(parts)


class IndicatorSetItem(Orderable):
    """One row of an indicator set: an indicator under a heading, in the editor's order. Rows of
    a country version that reword a regional indicator name it in `rewords`."""

    page = ParentalKey(
        "library.ResourcePage", on_delete=models.CASCADE, related_name="indicator_items"
    )
    heading = models.CharField(
        _("heading"),
        max_length=200,
        blank=True,
        help_text=_(
            "The section the indicator appears under, e.g. Control of movement. "
            "Consecutive rows with the same heading form one section."
        ),
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="set_items",
        verbose_name=_("indicator"),
        help_text=_("The indicator; the same record may be a row of several sets."),
    )
    rewords = models.ForeignKey(
        Indicator,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rewordings",
        verbose_name=_("rewords"),
        help_text=_(
            "Country versions: the regional indicator this one replaces with other "
            "wording. Empty for indicators kept as they are or added."
        ),
    )

    class Meta(Orderable.Meta):
        verbose_name = _("indicator of the set")
        verbose_name_plural = _("indicators of the set")
        constraints = [
            models.UniqueConstraint(
                fields=["page", "indicator"], name="library_indicator_once_per_set"
            )
        ]

    def __str__(self):
        return str(self.indicator)

    def clean(self):
        super().clean()
        if self.rewords_id and self.rewords_id == self.indicator_id:
            raise ValidationError({"rewords": _("An indicator cannot reword itself.")})


@dataclass
class Section:
    """A heading and its rows, in order."""

    heading: str
    items: list = field(default_factory=list)

    @property
    def indicators(self):
        return [item.indicator for item in self.items]


@dataclass
class Pair:
    """A row of the base set and the row of the other set that matches it."""

    base: IndicatorSetItem
    other: IndicatorSetItem

    @property
    def from_heading(self):
        return self.base.heading

    @property
    def to_heading(self):
        return self.other.heading


@dataclass
class SetDifferences:
    """What `other` changes of `base`: rows added and dropped, pairs reworded and moved (a
    reworded pair may also be moved), and rows kept as they are (moved or not)."""

    added: list = field(default_factory=list)
    dropped: list = field(default_factory=list)
    reworded: list = field(default_factory=list)
    moved: list = field(default_factory=list)
    kept: list = field(default_factory=list)

    @property
    def has_changes(self):
        return bool(self.added or self.dropped or self.reworded or self.moved)


def _rows(page):
    """The rows of `page` (a page, or its id) in order, each with its indicator: one query. A
    page object holding rows in memory (a draft or revision being previewed) gives those."""
    if isinstance(page, models.Model):
        rows = page.indicator_items.all()
        if not isinstance(rows, models.QuerySet):
            return sorted(rows, key=lambda item: (item.sort_order or 0, item.pk or 0))
        page = page.pk
    return list(
        IndicatorSetItem.objects.filter(page=page)
        .select_related("indicator", "indicator__language", "indicator__source_resource")
        .order_by("sort_order", "pk")
    )


def comparison(base, other, base_items=None, other_items=None):
    """What changes from `base` to `other`, two sets (pages, or their rows already fetched), as
    the compare page shows it: a `library.indicator_compare.Comparison` whose rows' `source` is
    the set's row. One query per set not given as rows."""
    base_items = _rows(base) if base_items is None else base_items
    other_items = _rows(other) if other_items is None else other_items
    return compare_rows(_compared(base_items), _compared(other_items))


def _compared(items):
    # A country version's row that rewords a regional indicator names it as its origin.
    return [
        CompareRow(item.heading, item.indicator_id, item.indicator.text, item.rewords_id, item)
        for item in items
    ]


def compare(base, other, base_items=None, other_items=None):
    """The differences between two sets (pages, or their rows already fetched) as rows of the
    sets: `comparison` (one query per set not given as rows), its pairs as `Pair`s."""
    changes = comparison(base, other, base_items, other_items)

    def pairs(found):
        return [Pair(change.before.source, change.after.source) for change in found]

    return SetDifferences(
        added=[change.after.source for change in changes.added],
        dropped=[change.before.source for change in changes.dropped],
        reworded=pairs(changes.reworded),
        moved=pairs(changes.moved),
        kept=pairs(
            change
            for change in changes.rows
            if change.before and change.after and not change.reworded
        ),
    )


class IndicatorSet:
    """One indicator set: a `ResourcePage` of type indicator set, and its rows. A thin wrapper,
    not a model, so that the set stays one library resource."""

    def __init__(self, page):
        self.page = page
        self._items = None

    def __repr__(self):
        return f"<IndicatorSet {self.page.pk}: {self.page.title}>"

    @staticmethod
    def visible_to(user):
        """The live indicator set pages `user` may see."""
        from library.models.pages import ResourcePage, ResourceType

        return ResourcePage.objects.visible_to(user).filter(
            resource_type=ResourceType.INDICATOR_SET
        )

    @property
    def is_country_version(self):
        return self.page.derived_from_id is not None

    def items(self):
        """The rows in order, each with its indicator, its language and its source (1 query,
        then cached on this object)."""
        if self._items is None:
            self._items = _rows(self.page)
        return self._items

    def sections(self):
        """The rows grouped under their headings, in order: consecutive rows with the same
        heading form one section (1 query)."""
        sections = []
        for item in self.items():
            if not sections or sections[-1].heading != item.heading:
                sections.append(Section(item.heading))
            sections[-1].items.append(item)
        return sections

    def country_versions(self, user):
        """The live country versions of this set `user` may see, by country name (1 query)."""
        return list(
            IndicatorSet.visible_to(user)
            .filter(derived_from=self.page)
            .select_related("version_country")
            .order_by("version_country__name", "title")
        )

    def regional(self, user):
        """The regional set this version derives from, when live and visible to `user`."""
        if not self.is_country_version:
            return None
        return IndicatorSet.visible_to(user).filter(pk=self.page.derived_from_id).first()

    def differences_from_regional(self):
        """What this country version adds, drops, rewords and moves of its regional set (2
        queries), or None for a set that derives from none. Callers showing the regional set's
        rows check first that the viewer may see it (`regional(user)`)."""
        if not self.is_country_version:
            return None
        return compare(self.page.derived_from_id, self.page, other_items=self.items())
