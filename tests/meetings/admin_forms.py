"""Read the page editor's form as a browser would submit it, for editor tests."""

from django.http import QueryDict

from wagtail.test.utils import WagtailTestUtils


def editor_form_data(html, form_id="page-edit-form"):
    """The fields of the editor's form with their current values. Unlike Wagtail's helper, a
    multiple select without a selection submits nothing (as browsers do)."""
    form = WagtailTestUtils.get_soup(html).find("form", attrs={"id": form_id})
    data = QueryDict(mutable=True)
    for field in form.find_all("input"):
        name, kind = field.attrs.get("name"), field.attrs.get("type", "")
        if not name or name == "csrfmiddlewaretoken":
            continue
        if kind in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data.appendlist(name, field.attrs.get("value", "on"))
        else:
            data[name] = field.attrs.get("value", "")
    for field in form.find_all("textarea"):
        if field.attrs.get("name"):
            data[field.attrs["name"]] = field.get_text().lstrip("\n")
    for field in form.find_all("select"):
        name = field.attrs.get("name")
        if not name:
            continue
        selected = [
            option.attrs.get("value", option.get_text())
            for option in field.find_all("option", selected=True)
        ]
        if selected:
            data.setlist(name, selected)
        elif not field.has_attr("multiple"):
            first = field.find("option")
            data[name] = first.attrs.get("value", first.get_text()) if first else ""
    return data
