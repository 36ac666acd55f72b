"""
The meeting record's inline panels, rendered lean.

A regional meeting's record has dozens of rows (agenda items, participants, decisions, action
points, papers), each with several fields, and each inline panel also renders the template of a
new row. Wagtail renders each field of each row through five nested templates and components
(the row's panel, the field's wrapper, its label, Wagtail's field template and its attributes),
with their indentation: most of the editor's server time and a fifth of its bytes.

`RecordInlinePanel` renders the markup of Wagtail's rows (the elements, classes and data
attributes that Wagtail's scripts for inline panels and panels rely on) from one template,
`meetings/admin/record_row.html`, without the indentation. The rows of a panel differ only by
their prefix and by their fields' widgets, so that markup is rendered once per panel, from the
template of a new row, and each row fills in its widgets (`RowLayout`); a row with errors is
rendered whole, with them.

Its rows' panels are `RowFieldPanel`s, possibly in `FieldRowPanel`s; any other panel in a row is
rendered by Wagtail, as usual. A field's wrapper, errors and help text take their ids from the
field's id (as Wagtail's formatted field does outside panels), not from the panel's prefix: the
panels of inline rows are not among the editor's client-side panels, which find fields by those
ids, and the prefix, long in a row, would be written into each field several times.
"""

from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.renderers import get_default_renderer
from django.template.loader import render_to_string
from django.utils.functional import Promise, cached_property
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeData, mark_safe
from django.utils.text import capfirst

from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.templatetags.wagtailadmin_tags import fieldtype, widgettype

# Stands for a widget in the markup of a row rendered once for all rows (see RowLayout).
SLOT = "\x00"


# Django's widget templates that RowWidgetRenderer writes out.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "hidden", "number", "email", "url", "password")
)
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _text(value):
    """`{{ value|stringformat:'s' }}` in an autoescaping template."""
    text = str(value)
    return text if isinstance(value, SafeData) else conditional_escape(text)


def _attrs(attrs):
    """What django/forms/widgets/attrs.html writes."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class RowWidgetRenderer:
    """The form renderer of the record's rows: Django's plain inputs, text areas and selects,
    hundreds in a meeting's record, written out here exactly as Django's templates write them (a
    test holds the two equal); every other widget is rendered by the project's form renderer, as
    usual."""

    def __init__(self, renderer=None):
        self._renderer = renderer

    @property
    def renderer(self):
        """The renderer of every other widget: the one given, else the project's."""
        return self._renderer or get_default_renderer()

    def __getattr__(self, name):
        return getattr(self.renderer, name)  # the form, formset and field templates' names

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if template_name in INPUT_TEMPLATES and widget is not None:
            value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
            return (
                f'<input type="{_text(widget["type"])}" name="{conditional_escape(widget["name"])}"'
                f"{value}{_attrs(widget['attrs'])}>"
            )
        if template_name == TEXTAREA_TEMPLATE and widget is not None:
            value = conditional_escape(widget["value"]) if widget["value"] else ""
            return (
                f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>'
                f"\n{value}</textarea>"
            )
        if template_name == SELECT_TEMPLATE and widget is not None:
            select = _select(widget)
            if select is not None:
                return select
        return self.renderer.render(template_name, context, request=request)


def _select(widget):
    """What django/forms/widgets/select.html writes, or None for options it does not write out
    here (another option template, a label that is not text)."""
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            label = option["label"]
            if option["template_name"] != OPTION_TEMPLATE or not isinstance(label, str | Promise):
                return None
            out.append(
                f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(label)}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


ROW_RENDERER = RowWidgetRenderer()


class RowFieldPanel(FieldPanel):
    """A field of an inline row, without Wagtail's comment button: the record's rows are many
    (a regional meeting has dozens), and a commenting control per field of each row and of each
    row's template weighed a tenth of the meeting editor. Comments stay on the page's fields."""

    def __init__(self, field_name, *args, **kwargs):
        kwargs.setdefault("disable_comments", True)
        super().__init__(field_name, *args, **kwargs)


def _is_plain_field(bound_panel):
    """A field panel record_row.html renders itself (others are rendered by Wagtail)."""
    return (
        isinstance(bound_panel, FieldPanel.BoundPanel)
        and not bound_panel.read_only
        and not bound_panel.comments_enabled
        and bool(bound_panel.bound_field.auto_id)
    )


def _help_text_id(bound_field):
    return f"{bound_field.auto_id}-helptext"


def render_widget(bound_field, help_text):
    """A row's widget, described by the field's help text (and its errors), as Wagtail's
    FieldPanel renders it. Returns the HTML and the errors left to show around it."""
    described_by = [_help_text_id(bound_field)] if help_text else []
    errors = bound_field.errors
    widget = bound_field.field.widget
    if errors and hasattr(widget, "render_with_errors"):
        attrs = {"id": bound_field.auto_id}
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
        html = widget.render_with_errors(
            bound_field.html_name, bound_field.value(), attrs=attrs, errors=errors
        )
        return html, []  # the widget shows them itself
    if errors:
        described_by.append(f"{bound_field.auto_id}-errors")
        attrs = {"aria-invalid": "true", "aria-describedby": " ".join(described_by)}
        return bound_field.as_widget(attrs=attrs), errors
    attrs = {"aria-describedby": " ".join(described_by)} if described_by else {}
    return bound_field.as_widget(attrs=attrs), []


def _field_context(bound_panel, rendered_field=None):
    """What record_row.html needs of one field panel, as Wagtail shows it (its
    multi_field_panel_child.html, and shared/formatted_field.html as FieldPanel uses it).
    `rendered_field` stands in for the widget when given."""
    if not _is_plain_field(bound_panel):
        html = rendered_field or render_to_string(
            "wagtailadmin/panels/multi_field_panel_child.html", {"child": bound_panel}
        )
        return {"html": mark_safe(html)}  # noqa: S308 - rendered by Wagtail's template
    field = bound_panel.bound_field
    errors = []
    if rendered_field is None:
        rendered_field, errors = render_widget(field, bound_panel.help_text)
    return {
        "heading": bound_panel.heading,
        "wrapper_classes": " ".join(["w-panel__wrapper", *bound_panel.classes()]),
        "attrs": _attrs_html(bound_panel.panel.attrs),
        "id_for_label": bound_panel.id_for_label(),
        "is_required": bound_panel.is_required(),
        "field_classname": f"w-field--{fieldtype(field)} w-field--{widgettype(field)}",
        "error_message_id": f"{field.auto_id}-errors",
        "help_text_id": _help_text_id(field),
        "help_text": bound_panel.help_text,
        "has_errors": bool(field.errors),
        "errors": errors,
        "rendered_field": rendered_field,
    }


def _attrs_html(attrs):
    """HTML attributes as wagtailadmin/shared/attrs.html writes them: False leaves one out,
    True writes its bare name."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in (attrs or {}).items()
            if value is not False
        ),
    )


class RecordRowPanel(MultiFieldPanel):
    """The panel of one row of a RecordInlinePanel."""

    @cached_property
    def claimed_fields(self):
        """The form fields the row's panels render; the others (id, ORDER, DELETE) are hidden."""
        return frozenset(self.get_form_options().get("fields", []))

    class BoundPanel(MultiFieldPanel.BoundPanel):
        template_name = "meetings/admin/record_row.html"

        def field_panels(self):
            """The row's panels in order, each with whether it opens or closes a FieldRowPanel."""
            for child in self.visible_children:
                if isinstance(child.panel, FieldRowPanel):
                    grandchildren = child.visible_children
                    for index, grandchild in enumerate(grandchildren):
                        yield grandchild, index == 0, index == len(grandchildren) - 1
                else:
                    yield child, False, False

        def fields(self, slots=None):
            """record_row.html's fields; with `slots`, each widget (or panel rendered by Wagtail)
            is a SLOT and `slots` gets what fills it."""
            items = []
            for bound_panel, row_start, row_end in self.field_panels():
                stand_in = None
                if slots is not None:
                    slots.append(bound_panel)
                    stand_in = mark_safe(SLOT)  # noqa: S308 - a marker, replaced before output
                item = _field_context(bound_panel, stand_in)
                item["row_start"], item["row_end"] = row_start, row_end
                items.append(item)
            return items

        def has_errors(self):
            return bool(self.form.errors)

        def render_row(self, label, can_order, slots=None):
            """The row as Wagtail's inline_panel_child.html renders it: a panel headed by the
            label, with controls to move and delete the row, around the row's fields."""
            fields = self.fields(slots)
            if slots is None:
                hidden_fields = self.hidden_fields()
            else:
                slots.append(None)  # the hidden fields
                hidden_fields = mark_safe(SLOT)  # noqa: S308 - a marker, replaced before output
            return render_to_string(
                self.template_name,
                {
                    "id": f"inline_child_{self.form.prefix}",
                    "label": label,
                    "can_order": can_order,
                    "delete_id": self.form[DELETION_FIELD_NAME].id_for_label,
                    "non_field_errors": self.form.non_field_errors(),
                    "fields": fields,
                    "hidden_fields": hidden_fields,
                },
            )

        def hidden_fields(self):
            claimed = self.panel.claimed_fields
            return mark_safe(  # noqa: S308 - Django's rendering of the form's own fields
                "".join(str(self.form[name]) for name in self.form.fields if name not in claimed)
            )

        def render_missing_fields(self):
            return self.hidden_fields()


class RowLayout:
    """The markup of a panel's rows around their widgets, rendered once from the row of a new
    item (`template_row`, whose prefix ends in __prefix__), for rows without errors."""

    def __init__(self, template_row, label, can_order):
        self.prefix = template_row.form.prefix
        slots = []
        html = template_row.render_row(label, can_order, slots)
        self.parts = html.split(SLOT)
        if len(self.parts) != len(slots) + 1:
            raise ValueError("A row's labels or help texts must not contain the slot marker.")
        # What fills each slot: a field's name and whether its help text describes it, a panel
        # (by position) rendered by Wagtail, or (None) the hidden fields.
        self.slots = [
            (
                None
                if panel is None
                else (panel.field_name, bool(panel.help_text))
                if _is_plain_field(panel)
                else ("panel", index)
            )
            for index, panel in enumerate(slots)
        ]

    def render(self, row):
        """`row` (a RecordRowPanel.BoundPanel without errors) in this layout."""
        prefix = row.form.prefix
        fills = []
        panels = None
        for slot in self.slots:
            if slot is None:
                fills.append(row.hidden_fields())
            elif slot[0] == "panel":
                if panels is None:
                    panels = [panel for panel, _start, _end in row.field_panels()]
                fills.append(_field_context(panels[slot[1]])["html"])
            else:
                name, described = slot
                fills.append(render_widget(row.form[name], described)[0])
        out = [self.parts[0].replace(self.prefix, prefix)]
        for fill, part in zip(fills, self.parts[1:], strict=True):
            out.append(fill)
            out.append(part.replace(self.prefix, prefix))
        return mark_safe("".join(out))  # noqa: S308 - rendered by templates and widgets


class RecordInlinePanel(InlinePanel):
    """An InlinePanel whose rows render lean (see the module's description)."""

    @cached_property
    def child_edit_handler(self):
        panels = self.panel_definitions
        return RecordRowPanel(panels, heading=self.heading).bind_to_model(
            self.db_field.related_model
        )

    class BoundPanel(InlinePanel.BoundPanel):
        template_name = "meetings/admin/record_inline_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            label = capfirst(self.label)
            can_order = self.formset.can_order
            for child in [*self.children, self.empty_child]:
                child.form.renderer = ROW_RENDERER
            layout = RowLayout(self.empty_child, label, can_order)
            context["rows"] = [
                child.render_row(label, can_order) if child.has_errors() else layout.render(child)
                for child in self.children
            ]
            context["empty_row"] = layout.render(self.empty_child)
            return context
