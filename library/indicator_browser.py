"""
The indicator browser (`/library/indicators/`, docs/contracts.md) and the selections it hands to the
checklist: the indicators a visitor may see, filtered by stage, target group, form of
exploitation, strength, set, country version and language, with a count for each value.

Who sees what is the one access policy: the sets come from `IndicatorSet.visible_to(user)` and an
indicator is shown only as a row of one of them, so a members-only set's indicators (and the set
itself, in the set facet) are absent for anyone who may not see it.

Filters: values of one filter are alternatives (any of them), filters together narrow (all of
them). An indicator that names no target group applies to every group, one that names no form of
exploitation to any form: each is counted and kept under every value of that filter. A value that
is not understood is ignored with a message naming it, never a 500.

Queries are fixed in number whatever the number of indicators: the visible sets, their rows, the
filter values of their indicators (counted here, in one pass), and one page of indicators.
"""

import re
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from library.models import Indicator, IndicatorSet, Stage, Strength
from network.models.referral import TargetGroup
from network.pathway import Exploitation
from portal.parameters import whole_number

PAGE_SIZE = 50
MAX_VALUES = 50  # per filter; more is not a person choosing filters
#: A checklist of a selection is for reading and ticking: beyond this it is not one.
CHECKLIST_LIMIT = 500
#: What a set's page holds that the browser, checklist and comparison never show: not loaded.
SET_TEXTS = ("body", "summary", "problem", "approach", "results", "transferability")
STRENGTH_RANK = {Strength.STRONG: 0, Strength.MEDIUM: 1, Strength.WEAK: 2}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?")

#: The filters, in the order the form shows them: (parameter, label).
FILTERS = [
    ("stage", gettext_lazy("Stage")),
    ("group", gettext_lazy("Target group")),
    ("exploitation", gettext_lazy("Form of exploitation")),
    ("strength", gettext_lazy("Strength")),
    ("set", gettext_lazy("Indicator set")),
    ("country", gettext_lazy("Country version")),
    ("language", gettext_lazy("Language")),
]
FILTER_NAMES = [name for name, _label in FILTERS]


def shown(value, length=60):
    """A visitor's value as quoted back in a message: no control characters, not too long."""
    return f"“{_CONTROL.sub('', value)[:length]}”"


@dataclass
class Option:
    value: str
    label: str
    count: int = 0
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    options: list = field(default_factory=list)

    @property
    def selected_labels(self):
        return [option.label for option in self.options if option.selected]


@dataclass
class Entry:
    """An indicator's filter values, as the counts read them (no text: a page's worth is fetched
    on its own)."""

    pk: int
    stage: str
    strength: str
    groups: tuple
    exploitation: tuple
    language: str
    sets: set = field(default_factory=set)
    countries: set = field(default_factory=set)

    def values(self, name):
        """This indicator's values of filter `name`; None where it applies to any value."""
        if name == "stage":
            return {self.stage}
        if name == "strength":
            return {self.strength}
        if name == "group":
            return set(self.groups) or None
        if name == "exploitation":
            return set(self.exploitation) or None
        if name == "set":
            return self.sets
        if name == "country":
            return self.countries
        return {self.language}


class IndicatorSelection:
    """The indicators `user` may see, filtered as `params` (a QueryDict) ask."""

    def __init__(self, params, user):
        self.params = params
        self.user = user
        self.errors = []

    # -------------------------------------------------------------------------- the data

    @cached_property
    def sets(self):
        """The live indicator sets the user may see, by title (1 query)."""
        return list(
            IndicatorSet.visible_to(self.user)
            .select_related("version_country")
            .defer(*SET_TEXTS)
            .order_by("title", "pk")
        )

    @cached_property
    def sets_by_pk(self):
        return {page.pk: page for page in self.sets}

    @cached_property
    def _rows(self):
        """(page id, indicator id, heading) of every row of the visible sets, in each set's
        order (1 query)."""
        from library.models import IndicatorSetItem

        if not self.sets:
            return []
        return list(
            IndicatorSetItem.objects.filter(page__in=list(self.sets_by_pk))
            .order_by("page_id", "sort_order", "pk")
            .values_list("page_id", "indicator_id", "heading")
        )

    @cached_property
    def entries(self):
        """Every visible indicator's filter values, by id (1 query)."""
        sets_of, countries_of = {}, {}
        for page_id, indicator_id, _heading in self._rows:
            sets_of.setdefault(indicator_id, set()).add(str(page_id))
            country = self.sets_by_pk[page_id].version_country
            if country is not None:
                countries_of.setdefault(indicator_id, set()).add(country.iso_code)
        if not sets_of:
            return {}
        rows = list(
            Indicator.objects.filter(pk__in=list(sets_of))
            .order_by("pk")
            .values_list(
                "pk",
                "stage",
                "strength",
                "target_groups",
                "exploitation",
                "language__code",
                "language__name",
            )
        )
        self._language_names = {code: name for *_rest, code, name in rows if code}
        return {
            pk: Entry(
                pk,
                stage or "",
                strength or "",
                tuple(groups or ()),
                tuple(exploitation or ()),
                language or "",
                sets_of[pk],
                countries_of.get(pk, set()),
            )
            for pk, stage, strength, groups, exploitation, language, _name in rows
        }

    # ------------------------------------------------------------------------ the filters

    @cached_property
    def choices(self):
        """Every filter's possible values and labels, in the order shown."""
        countries = {}
        for page in self.sets:
            if page.version_country is not None:
                countries[page.version_country.iso_code] = page.version_country.label
        self.entries  # noqa: B018 - reads the language names with the filter values
        languages = getattr(self, "_language_names", {})
        return {
            "stage": dict(Stage.choices),
            "group": dict(TargetGroup.choices),
            "exploitation": dict(Exploitation.choices),
            "strength": dict(Strength.choices),
            "set": {str(page.pk): self.set_label(page) for page in self.sets},
            "country": dict(sorted(countries.items(), key=lambda item: item[1])),
            "language": dict(sorted(languages.items(), key=lambda item: item[1])),
        }

    def set_label(self, page):
        label = page.title
        if page.version_label:
            label += f" ({page.version_label})"
        return label

    @cached_property
    def selected(self):
        """The understood values of each filter; a message for each one not understood."""
        chosen = {}
        for name, label in FILTERS:
            values = [value for value in self.params.getlist(name) if value != ""]
            if len(values) > MAX_VALUES:
                self.errors.append(
                    _("Too many values for %(filter)s: the first %(count)s were used.")
                    % {"filter": label, "count": MAX_VALUES}
                )
                values = values[:MAX_VALUES]
            known = self.choices[name]
            understood = []
            for value in values:
                key = self._normal(name, value)
                if key is not None and key in known:
                    if key not in understood:
                        understood.append(key)
                elif name == "set" and whole_number(value) is not None:
                    # Unknown and not visible read alike: nothing tells a set exists.
                    self.errors.append(
                        _("There is no indicator set %(value)s that you may see: ignored.")
                        % {"value": shown(value)}
                    )
                else:
                    self.errors.append(
                        _("%(value)s is not a value of %(filter)s: ignored.")
                        % {"value": shown(value), "filter": label}
                    )
            chosen[name] = understood
        return chosen

    def _normal(self, name, value):
        if name == "set":
            number = whole_number(value)
            return None if number is None else str(number)
        if name == "country":
            return value.upper() if _COUNTRY.fullmatch(value) else None
        if name == "language":
            if not _LANGUAGE.fullmatch(value):
                return None
            codes = {code.lower(): code for code in self.choices["language"]}
            return codes.get(value.lower())
        return value

    @property
    def has_filters(self):
        return any(self.selected.values())

    def _matches(self, entry, name):
        wanted = self.selected[name]
        if not wanted:
            return True
        values = entry.values(name)
        return values is None or bool(values & set(wanted))

    @cached_property
    def matching(self):
        """The ids of the visible indicators every filter keeps, strongest first."""
        found = [
            entry
            for entry in self.entries.values()
            if all(self._matches(entry, name) for name in FILTER_NAMES)
        ]
        found.sort(key=lambda entry: (STRENGTH_RANK.get(entry.strength, 3), entry.pk))
        return [entry.pk for entry in found]

    @cached_property
    def facets(self):
        """Each filter's values with the number of indicators it would give, the other filters
        applied (so a count is what choosing the value shows)."""
        selected = self.selected
        facets = []
        for name, label in FILTERS:
            others = [other for other in FILTER_NAMES if other != name]
            pool = [
                entry
                for entry in self.entries.values()
                if all(self._matches(entry, other) for other in others)
            ]
            counts = dict.fromkeys(self.choices[name], 0)
            for entry in pool:
                values = entry.values(name)
                for value in counts if values is None else values:
                    if value in counts:
                        counts[value] += 1
            options = [
                Option(value, label_of, counts[value], value in selected[name])
                for value, label_of in self.choices[name].items()
            ]
            facets.append(Facet(name, label, options))
        return facets

    # ------------------------------------------------------------------------ the results

    def page(self, number):
        """One page of the matching indicators, with what each shows (1 query)."""
        paginator = Paginator(self.matching, PAGE_SIZE)
        page = paginator.get_page(number)
        page.object_list = self.indicators(list(page.object_list))
        return page

    def indicators(self, pks):
        """The indicators `pks` in that order, with their language and source (1 query), each
        with `visible_sets`: the sets the user may see that hold it."""
        if not pks:
            return []
        found = Indicator.objects.select_related("language", "source_resource").in_bulk(pks)
        result = []
        for pk in pks:
            indicator = found[pk]
            indicator.visible_sets = [
                self.sets_by_pk[int(page_id)] for page_id in sorted(self.entries[pk].sets, key=int)
            ]
            # A source resource is named only when the viewer may open it (one link rule).
            source = indicator.source_resource
            indicator.visible_source = source if source and self._may_see(source) else None
            result.append(indicator)
        return result

    def _may_see(self, page):
        from portal.access import may_open

        return may_open(self.user, page)

    def sections(self, limit=CHECKLIST_LIMIT):
        """The matching indicators for a checklist, under headings: a set's own headings in
        its order; for a selection across sets, each set's headings prefixed with its title. An
        indicator held by several sets appears once, under the first (1 query for the texts)."""
        wanted = set(self.matching)
        chosen_sets = self.selected["set"]
        several = len(chosen_sets) != 1
        order = []  # (heading, indicator id)
        seen = set()
        for page_id, indicator_id, heading in self._rows:
            if indicator_id not in wanted or indicator_id in seen:
                continue
            if chosen_sets and str(page_id) not in chosen_sets:
                continue
            seen.add(indicator_id)
            title = self.sets_by_pk[page_id].title
            shown_heading = heading or _("Indicators")
            if several:
                shown_heading = f"{title}: {shown_heading}"
            order.append((shown_heading, indicator_id, page_id))
        truncated = len(order) > limit
        order = order[:limit]
        texts = self.indicators([indicator_id for _heading, indicator_id, _page in order])
        by_pk = {indicator.pk: indicator for indicator in texts}
        sections = []
        for heading, indicator_id, page_id in order:
            if not sections or sections[-1][0] != heading:
                sections.append((heading, []))
            sections[-1][1].append((by_pk[indicator_id], self.sets_by_pk[page_id]))
        return sections, truncated

    @property
    def chosen_sets(self):
        return [self.sets_by_pk[int(pk)] for pk in self.selected["set"]]

    def described(self):
        """The filters in words, e.g. "Stage: Initial screening; Strength: Strong"."""
        parts = []
        for facet in self.facets:
            if facet.name == "set":
                continue
            labels = facet.selected_labels
            if labels:
                parts.append(f"{facet.label}: {', '.join(str(label) for label in labels)}")
        return "; ".join(parts)

    def querystring(self, **extra):
        """The understood filters as a query string, with `extra` parameters."""
        pairs = [(name, value) for name in FILTER_NAMES for value in self.selected[name]]
        pairs += [(name, value) for name, value in extra.items() if value is not None]
        return urlencode(pairs)
