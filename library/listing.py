"""
The library's filters, shared by the listing page and the Atom feed: parse the query parameters
of docs/contracts.md (Library), say clearly which values are not understood (and ignore them
rather than fail), and count each facet over what the visitor may see. Every query is fixed in
number: one per facet, one count, one page of results and its prefetches.
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from library.models import ResourcePage, ResourceType
from network.models import Country
from portal.access import audience_of
from portal.models import Language, Topic
from portal.page_cache import generation, reads
from portal.parameters import whole_number
from portal.vocabulary import label_expression

PAGE_SIZE = 20
# Facet counts, totals and the ids of a page are shared by everyone of the same tier asking the
# same filters: cached under the generations of the sections the library reads (a publish,
# unpublish, move or edit there starts new ones, see portal.page_cache), so they are never
# stale, and by tier, so nobody sees counts of what their tier may not see.
CACHE_SECONDS = 600
SORTS = {
    "newest": (F("published").desc(nulls_last=True), "-first_published_at", "title"),
    "title": ("title", "pk"),
}
MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_VALUES = 50  # per filter; more is not a person choosing filters


# A facet's name: the resource's relation it counts.
_RELATED = {"topic": "topics", "country": "countries", "language": "languages"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def shown(value, length=60):
    """A visitor's value as quoted back in a message: no control characters (which a feed's
    XML cannot carry), not too long."""
    return f"“{_CONTROL.sub('', value)[:length]}”"


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    query: str = ""  # the listing's parameters with this option toggled


@dataclass
class Facet:
    name: str
    label: str
    options: list = field(default_factory=list)


class ResourceListing:
    """The resources `user` may see, filtered and sorted as `params` (a QueryDict) ask."""

    def __init__(self, params, user, index_page=None):
        self.params = params
        self.user = user
        self.index_page = index_page
        self.errors = []
        self.query = _CONTROL.sub("", params.get("q") or "").strip()[:200]
        self.all_versions = params.get("all_versions") in ("1", "true", "on")
        self.sort = params.get("sort") or "newest"
        if self.sort not in SORTS:
            self.errors.append(
                _("Unknown sort %(value)s: showing the newest first.") % {"value": shown(self.sort)}
            )
            self.sort = "newest"
        self.selected = {
            "type": self._choices("type", ResourceType.values, _("resource type")),
            "topic": self._known("topic", Topic, "slug", _("topic")),
            "country": self._known("country", Country, "iso_code", _("country"), upper=True),
            "language": self._known("language", Language, "code", _("language"), lower=True),
            "year": self._years(),
        }

    # Parsing -------------------------------------------------------------------------------

    def _cache_key(self, part):
        state = repr(
            (
                sorted((name, sorted(map(str, values))) for name, values in self.selected.items()),
                self.query,
                self.all_versions,
                self.sort,
                getattr(self.index_page, "pk", None),
            )
        )
        digest = hashlib.sha256(state.encode()).hexdigest()[:32]
        # The facets carry translated labels: one entry per language.
        return f"{self._cache_prefix}:{get_language()}:{part}:{digest}"

    @cached_property
    def _cache_prefix(self):
        return f"library-listing:{generation(*reads('library'))}:{audience_of(self.user)}"

    def _values(self, name):
        # Control characters never name anything, and PostgreSQL refuses NUL in a query.
        values = [_CONTROL.sub("", value).strip() for value in self.params.getlist(name)]
        values = [value for value in values if value]
        if len(values) > MAX_VALUES:
            self.errors.append(
                _("Too many values for %(name)s: only the first %(max)d are used.")
                % {"name": name, "max": MAX_VALUES}
            )
        return list(dict.fromkeys(values[:MAX_VALUES]))

    def _unknown(self, label, values):
        if values:
            self.errors.append(
                _("Unknown %(label)s: %(values)s. It was left out of the filters.")
                % {"label": label, "values": ", ".join(shown(value) for value in values)}
            )

    def _choices(self, name, allowed, label):
        values = self._values(name)
        self._unknown(label, [value for value in values if value not in allowed])
        return [value for value in values if value in allowed]

    def _known(self, name, model, field_name, label, upper=False, lower=False):
        values = self._values(name)
        if upper:
            values = [value.upper() for value in values]
        if lower:
            values = [value.lower() for value in values]
        if not values:
            return []
        known = set(
            model.objects.filter(**{f"{field_name}__in": values}).values_list(field_name, flat=True)
        )
        self._unknown(label, [value for value in values if value not in known])
        return [value for value in values if value in known]

    def _years(self):
        years, bad = [], []
        for value in self._values("year"):
            year = whole_number(value)
            if year is not None and MIN_YEAR <= year <= MAX_YEAR:
                years.append(year)
            else:
                bad.append(value)
        if bad:
            self.errors.append(
                _("Not a year: %(values)s. Give a year such as 2019.")
                % {"values": ", ".join(shown(value, 20) for value in bad)}
            )
        return years

    # Querying ------------------------------------------------------------------------------

    def base_queryset(self):
        """Live resources the user may see, current editions unless all versions are asked."""
        queryset = ResourcePage.objects.visible_to(self.user)
        if self.index_page is not None:
            queryset = queryset.child_of(self.index_page)
        if not self.all_versions:
            queryset = queryset.current_for(self.user)
        if self.query:
            queryset = queryset.filter(
                Q(title__icontains=self.query) | Q(summary__icontains=self.query)
            )
        return queryset

    def _filtered(self, queryset, skip=None):
        selected = self.selected
        if selected["type"] and skip != "type":
            queryset = queryset.filter(resource_type__in=selected["type"])
        for name, lookup in (
            ("topic", "topics__slug__in"),
            ("country", "countries__iso_code__in"),
            ("language", "languages__code__in"),
        ):
            if selected[name] and skip != name:
                matching = ResourcePage.objects.filter(**{lookup: selected[name]}).values("pk")
                queryset = queryset.filter(pk__in=matching)
        if selected["year"] and skip != "year":
            queryset = queryset.filter(published__year__in=selected["year"])
        return queryset

    def results(self):
        return self._filtered(self.base_queryset()).order_by(*SORTS[self.sort])

    @property
    def results_key(self):
        """Names the rendered list of one page of results: the same for everyone of the tier
        asking the same filters, under the library's generations."""
        return self._cache_key("html")

    def page_of_results(self, per_page=PAGE_SIZE):
        number = _CONTROL.sub("", self.params.get("page") or "") or "1"
        if not whole_number(number):
            self.errors.append(
                _("Not a page number: %(value)s. Showing the first page.")
                % {"value": shown(number, 20)}
            )
            number = 1
        paginator = Paginator(_CachedResults(self, per_page), per_page)
        page = paginator.get_page(number)
        if str(page.number) != str(number) and int(number) > paginator.num_pages:
            self.errors.append(
                _("There is no page %(value)s: showing the last page.") % {"value": number}
            )
        return page

    # Facets --------------------------------------------------------------------------------

    def facets(self):
        """The five facets, each counted over the results of the *other* filters, so that a
        visitor sees how many resources each further choice would give."""
        key = self._cache_key("facets")
        facets = cache.get(key)
        if facets is None:
            facets = [
                self._type_facet(),
                self._related_facet("topic", _("Topic"), Topic, "slug", "name"),
                self._related_facet("country", _("Country"), Country, "iso_code", "name"),
                self._related_facet("language", _("Language"), Language, "code", "name"),
                self._year_facet(),
            ]
            cache.set(key, facets, CACHE_SECONDS)
        for facet in facets:
            for option in facet.options:
                option.query = self._toggled(facet.name, option.value)
        return facets

    def _type_facet(self):
        rows = (
            self._filtered(self.base_queryset(), skip="type")
            .order_by()
            .values("resource_type")
            .annotate(count=Count("pk"))
        )
        counts = {row["resource_type"]: row["count"] for row in rows}
        selected = self.selected["type"]
        return Facet(
            "type",
            _("Resource type"),
            [
                FacetOption(value, str(label), counts.get(value, 0), value in selected)
                for value, label in ResourceType.choices
                if counts.get(value) or value in selected
            ],
        )

    def _related_facet(self, name, label, model, value_field, label_field):
        # Counted over the relation's table, joined to the matching resources once (a count
        # filtered on them from the other side evaluates the subquery twice).
        matching = self._filtered(self.base_queryset(), skip=name).values("pk")
        selected = self.selected[name]
        relation = ResourcePage._meta.get_field(_RELATED[name])
        target = relation.m2m_reverse_field_name()
        counted = {
            value: (text, count)
            for value, text, count in relation.remote_field.through.objects.filter(
                **{f"{relation.m2m_field_name()}__in": matching}
            )
            .values_list(f"{target}__{value_field}", self._label(model, f"{target}__{label_field}"))
            .annotate(count=Count("pk"))
            .order_by()
        }
        missing = [value for value in selected if value not in counted]
        if missing:  # a chosen value no resource matches still shows, with 0
            for value, text in model.objects.filter(**{f"{value_field}__in": missing}).values_list(
                value_field, self._label(model, label_field)
            ):
                counted[value] = (text, 0)
        return Facet(
            name,
            label,
            [
                FacetOption(value, text, count, value in selected)
                for value, (text, count) in sorted(
                    counted.items(), key=lambda item: (item[1][0].casefold(), item[0])
                )
            ],
        )

    @staticmethod
    def _label(model, path):
        """Topics and countries show their names in the interface language."""
        if model in (Topic, Country):
            return label_expression(path)
        return F(path)

    def _year_facet(self):
        rows = (
            self._filtered(self.base_queryset(), skip="year")
            .filter(published__isnull=False)
            .annotate(year=ExtractYear("published"))
            .order_by()
            .values("year")
            .annotate(count=Count("pk"))
        )
        counts = {row["year"]: row["count"] for row in rows}
        for year in self.selected["year"]:
            counts.setdefault(year, 0)
        return Facet(
            "year",
            _("Year"),
            [
                FacetOption(str(year), str(year), count, year in self.selected["year"])
                for year, count in sorted(counts.items(), reverse=True)
            ],
        )

    # Links ---------------------------------------------------------------------------------

    def _toggled(self, name, value):
        params = self.params.copy()
        params.pop("page", None)
        values = [item for item in params.getlist(name) if item != value]
        if len(values) == len(params.getlist(name)):
            values.append(value)
        params.setlist(name, values)
        return params.urlencode()

    def querystring(self, **changes):
        """The current parameters with `changes` applied (None removes), without the page."""
        params = self.params.copy()
        params.pop("page", None)
        for key, value in changes.items():
            params.pop(key, None)
            if value is not None:
                params[key] = value
        return params.urlencode()


class _CachedResults:
    """The listing's results as the paginator sees it: the total and each page's ids come from
    the cache when another visitor of the same tier asked the same; the page's resources are
    read from the database (one query and its prefetches) only when the page's rendered list is
    not cached too (see `results_key` and the library template)."""

    def __init__(self, listing, per_page):
        self.listing = listing
        self.per_page = per_page

    def count(self):
        key = self.listing._cache_key("count")
        total = cache.get(key)
        if total is None:
            total = self.listing.results().count()
            cache.set(key, total, CACHE_SECONDS)
        return total

    def __getitem__(self, bounds):
        return _Rows(lambda: self._read(bounds))

    def _read(self, bounds):
        key = self.listing._cache_key(f"ids:{bounds.start}:{bounds.stop}")
        ids = cache.get(key)
        queryset = self.listing.results().for_listing()
        if ids is None:
            resources = list(queryset[bounds])
            cache.set(key, [resource.pk for resource in resources], CACHE_SECONDS)
            return resources
        found = queryset.order_by().in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


class _Rows(Sequence):
    """A page's rows, read when first looked at: a page whose rendered list is cached reads
    none."""

    def __init__(self, read):
        self._read = read

    @cached_property
    def _rows(self):
        return self._read()

    def __len__(self):
        return len(self._rows)

    def __getitem__(self, index):
        return self._rows[index]
