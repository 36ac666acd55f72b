"""
References in the admin's forms that scale with the screen, not with the database.

A `<select>` renders every row of the table it chooses from, in every inline row of an editor
and in each row's empty template: at the network's size the meeting editor was megabytes of
`<option>`s. Here are the two pieces that replace it:

- `AutocompleteSelect` and `AutocompleteSelectMultiple`: for references Wagtail has no chooser
  for (many-to-many fields, user accounts). They render only what is chosen, and search a
  named source as the editor types (`autocomplete_view`, secretariat only). The form field,
  its validation and what the form posts stay those of a select.
- `ChosenObjectsFormMixin`: Wagtail's own choosers (snippets, pages, documents) each load their
  chosen object with a query of its own, once per row. Forms with this mixin load what all
  their rows (inline panels included) refer to in one query per model, the first time a widget
  asks, so that an editor costs as many queries with 3 rows as with 30.

Domain apps register their sources (`register_source`); this module names no domain model.
"""

import functools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from wagtail.admin.widgets import BaseChooser
from wagtail.models import Page

from portal.access import is_secretariat

#: Results per answer: enough to find someone by a few letters of their name.
RESULT_LIMIT = 20
#: Longer queries are refused (400): nobody types a name this long.
QUERY_MAX_LENGTH = 100
#: Words of a query that count; each must match one of the source's fields.
QUERY_MAX_WORDS = 5


@dataclass(frozen=True)
class Source:
    """What an autocomplete searches: rows, the fields a query matches, how a row is named."""

    name: str
    queryset: Any  # a callable returning the queryset of every row that may be chosen
    search_fields: tuple
    label: Any = str
    placeholder: Any = _("Type to search")

    def rows(self):
        return self.queryset()

    def search(self, text):
        rows = self.rows()
        for word in text.split()[:QUERY_MAX_WORDS]:
            matches = Q()
            for name in self.search_fields:
                matches |= Q(**{f"{name}__icontains": word})
            rows = rows.filter(matches)
        return rows

    def in_bulk(self, pks):
        """The rows with these primary keys (strings, as a form holds them), by string key.
        Keys that are not valid primary keys are ignored (the field's validation names them)."""
        rows = self.rows()
        valid = _valid_pks(rows.model, pks)
        if not valid:
            return {}
        return {str(row.pk): row for row in rows.filter(pk__in=valid)}


_sources = {}


def register_source(name, queryset, search_fields, label=str, placeholder=None):
    """Make `name` searchable at /admin/autocomplete/<name>/ and usable by the widgets."""
    _sources[name] = Source(
        name=name,
        queryset=queryset,
        search_fields=tuple(search_fields),
        label=label,
        placeholder=placeholder or _("Type to search"),
    )


def get_source(name):
    try:
        return _sources[name]
    except KeyError:
        raise LookupError(f"No autocomplete source named {name!r} is registered") from None


def _valid_pks(model, values):
    valid = set()
    for value in values:
        try:
            valid.add(model._meta.pk.to_python(value))
        except ValidationError:
            continue
    valid.discard(None)
    return valid


@require_GET
def autocomplete_view(request, source):
    """`?q=words`: up to RESULT_LIMIT rows of the source matching every word, as JSON
    `{"results": [{"id": "12", "label": "..."}], "more": false}`."""
    if not is_secretariat(request.user):
        raise PermissionDenied
    try:
        chosen_source = get_source(source)
    except LookupError:
        raise Http404 from None
    query = request.GET.get("q", "")
    if len(query) > QUERY_MAX_LENGTH:
        return _refuse_query(
            _("The search “q” is too long: at most %(limit)s characters.")
            % {"limit": QUERY_MAX_LENGTH}
        )
    if "\x00" in query:
        # PostgreSQL refuses a NUL in any string it is given.
        return _refuse_query(_("The search “q” contains a NUL character."))
    rows = list(chosen_source.search(query.strip())[: RESULT_LIMIT + 1])
    return JsonResponse(
        {
            "results": [
                {"id": str(row.pk), "label": chosen_source.label(row)}
                for row in rows[:RESULT_LIMIT]
            ],
            "more": len(rows) > RESULT_LIMIT,
        }
    )


def _refuse_query(message):
    return JsonResponse({"error": str(message), "field": "q"}, status=400)


class AutocompleteWidget:
    """A select of the chosen rows only, with a box that searches the source as one types.
    Without its script it still shows and submits what is chosen."""

    template_name = "portal/admin/widgets/autocomplete.html"

    def __init__(self, source, attrs=None):
        super().__init__(attrs)
        self.source_name = source
        self.chosen_objects = None

    @property
    def source(self):
        return get_source(self.source_name)

    def use_required_attribute(self, initial):
        # The select is hidden behind the search box: a browser could not point at it.
        return False

    def id_for_label(self, id_):
        # The field's label names the search box, the control the editor types into.
        return f"{id_}-search" if id_ else id_

    def chosen(self, values):
        """(value, label) of the chosen rows, in the order given, from the form's preloaded
        objects when it has them (see ChosenObjectsFormMixin), else in one query."""
        keys = [str(value) for value in values if value not in (None, "")]
        found = {}
        if self.chosen_objects is not None:
            found = self.chosen_objects.get(("source", self.source_name), keys)
        missing = [key for key in keys if key not in found]
        if missing:
            found = {**found, **self.source.in_bulk(missing)}
        return [(key, self.source.label(found[key])) for key in keys if key in found]

    def optgroups(self, name, value, attrs=None):
        options = [
            self.create_option(name, key, label, True, index)
            for index, (key, label) in enumerate(self.chosen(value))
        ]
        return [(None, options, 0)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        (_group, options, _index) = context["widget"]["optgroups"][0]
        context["widget"].update(
            source_url=reverse("portal_autocomplete", args=[self.source_name]),
            placeholder=self.source.placeholder,
            chosen=options,
            # The field's help text describes the box the editor types into (the select is
            # hidden).
            describedby=context["widget"]["attrs"].pop("aria-describedby", ""),
        )
        return context

    class Media:
        js = ["portal/admin/autocomplete.js"]
        css = {"all": ["portal/admin/autocomplete.css"]}


class AutocompleteSelect(AutocompleteWidget, forms.Select):
    """One reference: choosing a row replaces the one chosen before."""


class AutocompleteSelectMultiple(AutocompleteWidget, forms.SelectMultiple):
    """Many references (a many-to-many field)."""


class UsesChosenObjects:
    """Mixed into a Wagtail chooser widget's class by ChosenObjectsFormMixin: the chosen object
    comes from the form's preloaded objects instead of a query of its own."""

    chosen_objects = None

    def get_instance(self, value):
        if self.chosen_objects is not None and not isinstance(value, models.Model | None):
            instance = self.chosen_objects.get(_chooser_key(self), [str(value)]).get(str(value))
            if instance is not None:
                return instance
            if not _valid_pks(self.model_class, [value]):
                # Not an id of the model (text sent in its place): the form names the field's
                # error; showing it again must not look the text up (a 500 in Wagtail's own).
                return None
        return super().get_instance(value)


@functools.cache
def _using_chosen_objects(widget_class):
    # Same name, so the editor's markup and Wagtail's telepath registry (which looks adapters
    # up along the class's MRO) see the chooser they know.
    return type(widget_class.__name__, (UsesChosenObjects, widget_class), {})


def _chooser_key(widget):
    return ("model", widget.model_class)


def _load_for_choosers(model, keys):
    valid = _valid_pks(model, keys)
    if not valid:
        return {}
    rows = model._default_manager.filter(pk__in=valid)
    if issubclass(model, Page):
        rows = list(rows.specific())
        _attach_parents(rows)
    return {str(row.pk): row for row in rows}


def _attach_parents(pages):
    """Page choosers show each page's parent: load all parents in one query, and leave each
    where treebeard's get_parent() looks first (as Wagtail's own tree code does)."""
    steplen = Page.steplen
    paths = {page.path[:-steplen] for page in pages if page.depth > 1}
    parents = {parent.path: parent for parent in Page.objects.filter(path__in=paths)}
    for page in pages:
        parent = parents.get(page.path[:-steplen])
        if parent is not None:
            page._cached_parent_obj = parent


class ChosenObjects:
    """The objects a form's references point at, gathered over the form and its inline forms,
    loaded on first use in one query per model (or source)."""

    def __init__(self):
        self.wanted = defaultdict(set)
        self.loaded = None

    def want(self, key, values):
        self.wanted[key].update(str(value) for value in values if value not in (None, ""))

    def get(self, key, keys):
        if self.loaded is None:
            self.loaded = {}
            for wanted_key, wanted in self.wanted.items():
                kind, target = wanted_key
                if kind == "source":
                    self.loaded[wanted_key] = get_source(target).in_bulk(wanted)
                else:
                    self.loaded[wanted_key] = _load_for_choosers(target, wanted)
        found = self.loaded.get(key, {})
        return {key_: found[key_] for key_ in keys if key_ in found}


def _forms_of(form):
    yield form
    for formset in getattr(form, "formsets", {}).values():
        for child in formset.forms:
            yield from _forms_of(child)


def _load_many_to_many_initial(formset):
    """Rows read from the database list their many-to-many values with a query each: read them
    for all the formset's rows at once, from the relation's table."""
    for relation in formset.model._meta.many_to_many:
        name = relation.name
        waiting = [
            form
            for form in formset.forms
            if form.instance.pk is not None
            and isinstance(form.initial.get(name), QuerySet)
            and form.initial[name]._result_cache is None
        ]
        if not waiting:
            continue
        through = relation.remote_field.through
        source = through._meta.get_field(relation.m2m_field_name()).attname
        target = through._meta.get_field(relation.m2m_reverse_field_name()).attname
        chosen = defaultdict(list)
        pairs = (
            through.objects.filter(**{f"{source}__in": [form.instance.pk for form in waiting]})
            .order_by("pk")
            .values_list(source, target)
        )
        for source_pk, target_pk in pairs:
            chosen[source_pk].append(target_pk)
        for form in waiting:
            form.initial[name] = chosen[form.instance.pk]


class ChosenObjectsFormMixin:
    """For Wagtail admin model forms (pages and snippets) with references in inline rows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._load_inline_many_to_many(self)
        chosen_objects = ChosenObjects()
        for form in _forms_of(self):
            for name, form_field in form.fields.items():
                widget = form_field.widget
                if isinstance(widget, AutocompleteWidget):
                    key = ("source", widget.source_name)
                elif isinstance(widget, BaseChooser) and widget.model is not None:
                    if not isinstance(widget, UsesChosenObjects):
                        widget.__class__ = _using_chosen_objects(type(widget))
                    key = _chooser_key(widget)
                else:
                    continue
                value = form[name].value()
                chosen_objects.want(key, value if isinstance(value, list | tuple) else [value])
                widget.chosen_objects = chosen_objects

    @classmethod
    def _load_inline_many_to_many(cls, form):
        for formset in getattr(form, "formsets", {}).values():
            _load_many_to_many_initial(formset)
            for child in formset.forms:
                cls._load_inline_many_to_many(child)


def user_label(user):
    name = user.get_full_name()
    return f"{name} <{user.email}>" if name else user.email


def register_topic_source():
    """The network's topics, for what a decision is about."""
    from portal.models import Topic

    register_source(
        "topics",
        lambda: Topic.objects.order_by("name", "pk"),
        ["name", "name_fr"],
        placeholder=_("Type a topic"),
    )


def register_user_source():
    """User accounts, for linking a directory entry to the account its person signs in with."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    register_source(
        "users",
        lambda: user_model.objects.order_by("email", "pk"),
        ["email", "first_name", "last_name"],
        label=user_label,
        placeholder=_("Type an email address or a name"),
    )
