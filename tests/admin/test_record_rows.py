"""
The meeting record's rows are rendered lean (meetings/admin_panels.py): each inline panel renders
the markup of a row once, from its template of a new row, and fills each row's widgets into it; the
rows come out as rendered whole, and a row with errors is rendered whole, with them. What a row may
refer to is restricted as before (an agenda item's resources are library resources), now that the
restriction is applied once per formset; revisions still compare row by row. Django's plain inputs,
text areas and selects in the rows are written out by the rows' own form renderer, exactly as
Django's templates write them. The editor of the meeting the admin benchmark measures (10 agenda
items, 20 participants, decisions, action points, papers) weighs under 500 kB, its budget.
"""

import pytest

from django import forms
from django.forms.renderers import get_default_renderer
from django.test import RequestFactory
from django.urls import reverse
from django.utils.safestring import mark_safe

from benchmarks.admin_pages import ADMIN_HTML_TARGET_KB, PARTICIPANTS, bench_meeting
from meetings.admin_panels import ROW_RENDERER, RecordInlinePanel, RowLayout, RowWidgetRenderer
from meetings.models import MeetingPage
from tests.admin.test_editors import edit_meeting, meeting_with_rows, page_edit_url, soup
from tests.library import factories as library
from tests.meetings.factories import make_document
from tests.network.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, secretariat):
    client.force_login(secretariat, second_factor=True)
    return client


def record_panels(meeting, user):
    """The editor's bound inline panels of the record, as the edit view builds them."""
    page = meeting.get_latest_revision_as_object()
    edit_handler = MeetingPage.get_edit_handler()
    form = edit_handler.get_form_class()(instance=page, for_user=user)
    request = RequestFactory().get(page_edit_url(meeting))
    request.user = user
    found = []

    def walk(bound_panel):
        for child in getattr(bound_panel, "children", []):
            if isinstance(child.panel, RecordInlinePanel):
                found.append(child)
            else:
                walk(child)

    walk(edit_handler.get_bound_panel(instance=page, request=request, form=form))
    return found


def test_rows_filled_into_the_markup_rendered_once_are_the_rows_rendered_whole(secretariat):
    panels = record_panels(meeting_with_rows(3), secretariat)
    assert {panel.panel.relation_name for panel in panels} == {
        "agenda_items",
        "participants",
        "decisions",
        "action_points",
        "documents",
    }
    for panel in panels:
        label, can_order = panel.label, panel.formset.can_order
        layout = RowLayout(panel.empty_child, label, can_order)
        assert len(panel.children) == 3
        for row in [*panel.children, panel.empty_child]:
            assert layout.render(row) == row.render_row(label, can_order)


def test_a_row_with_errors_shows_them_in_the_row(editor):
    meeting = meeting_with_rows(3)
    response = edit_meeting(editor, meeting, changes=[("participants-0-guest_name", "A guest")])
    assert response.status_code == 200
    row = soup(response.content.decode()).find(id="inline_child_participants-0")
    assert "Choose a person from the directory or name a guest, not both." in row.get_text()
    # The other rows are filled into the panel's markup as usual.
    assert soup(response.content.decode()).find(id="inline_child_participants-1") is not None


def test_an_agenda_item_refers_to_library_resources_only(editor):
    meeting = meeting_with_rows(3)
    before = meeting.latest_revision_id
    not_a_resource = meeting.get_parent()
    response = edit_meeting(
        editor, meeting, changes=[("agenda_items-0-resources", [str(not_a_resource.pk)])]
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert MeetingPage.objects.get(pk=meeting.pk).latest_revision_id == before


def test_the_benchmark_meetings_editor_weighs_under_its_budget(editor, secretariat):
    PersonFactory.create_batch(PARTICIPANTS)
    for number in range(4):
        make_document(title=f"Paper for the regional meeting, part {number}")
        library.resource(f"Guidelines on referral of presumed victims, part {number}")
    meeting = bench_meeting(secretariat)
    html = editor.get(page_edit_url(meeting)).content
    assert len(html) <= ADMIN_HTML_TARGET_KB * 1024, len(html) / 1024


def test_comparing_revisions_shows_a_changed_row(editor):
    meeting = meeting_with_rows(3)
    earlier = meeting.latest_revision_id
    response = edit_meeting(editor, meeting, changes=[("agenda_items-1-title", "Renamed item")])
    assert response.status_code == 302
    later = MeetingPage.objects.get(pk=meeting.pk).latest_revision_id
    url = reverse("wagtailadmin_pages:revisions_compare", args=[meeting.pk, earlier, later])
    response = editor.get(url)
    assert response.status_code == 200
    assert "Renamed item" in response.content.decode()


WIDGETS = [
    forms.TextInput(),
    forms.TextInput(attrs={"required": True, "disabled": False, "title": 'a "b" <c> & d'}),
    forms.HiddenInput(),
    forms.NumberInput(attrs={"min": 0, "step": 1}),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.Textarea(),
    forms.Textarea(attrs={"rows": 3, "aria-describedby": "id_x-helptext"}),
    forms.Select(choices=[("", "---------"), ("a", "A & <B>"), (3, "Three"), ("plain", "plain")]),
    forms.Select(
        choices=[("Group & one", [("a", "A"), ("b", mark_safe("<b>B</b>"))]), ("c", "C")],
        attrs={"required": True},
    ),
    forms.SelectMultiple(choices=[("plain", "Plain"), (0, "Zero"), ("3", "3")]),
    forms.NullBooleanSelect(),
]
VALUES = [
    None,
    "",
    0,
    3,
    "plain",
    ["plain", "3"],
    True,
    "<script>alert('x')</script> & \"q\"",
    mark_safe("<b>kept</b>"),
]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda widget: type(widget).__name__)
def test_the_rows_renderer_writes_inputs_as_djangos_templates_do(widget):
    django_renderer = get_default_renderer()
    ours = RowWidgetRenderer()
    for value in VALUES:
        for attrs in (None, {"id": "id_rows-0-field", "aria-invalid": "true"}):
            try:
                expected = widget.render(
                    "rows-0-field", value, attrs=attrs, renderer=django_renderer
                )
            except TypeError:  # a value this widget cannot take (a list, for a NullBooleanSelect)
                with pytest.raises(TypeError):
                    widget.render("rows-0-field", value, attrs=attrs, renderer=ours)
                continue
            assert widget.render("rows-0-field", value, attrs=attrs, renderer=ours) == expected


@pytest.mark.parametrize(
    "widget",
    [
        forms.RadioSelect(choices=[("a", "A & B"), ("c", "C")]),
        forms.CheckboxInput(),
        forms.Select(choices=[(1, 1), (2, 2)]),  # labels that are not text
    ],
    ids=lambda widget: type(widget).__name__,
)
def test_the_rows_renderer_hands_other_widgets_to_the_projects_renderer(widget):
    expected = widget.render("rows-0-status", "c", renderer=get_default_renderer())
    assert widget.render("rows-0-status", "c", renderer=RowWidgetRenderer()) == expected


def test_the_rows_renderer_keeps_the_projects_form_templates():
    assert RowWidgetRenderer().form_template_name == get_default_renderer().form_template_name


def test_the_record_rows_are_rendered_by_the_rows_renderer(editor, secretariat):
    meeting = meeting_with_rows(3)
    [agenda, *_] = record_panels(meeting, secretariat)
    agenda.get_context_data()
    assert all(child.form.renderer is ROW_RENDERER for child in agenda.children)
    assert agenda.empty_child.form.renderer is ROW_RENDERER
