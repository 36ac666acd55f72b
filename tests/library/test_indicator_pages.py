"""
The indicator pages: the browser at /library/indicators/ (each filter, counts, bad values), the
checklist of a set or a selection and its downloads, the compare of two sets; a members-only
set's indicators absent for anonymous visitors on each; query counts pinned.
"""

import csv
import io
import re

import docx
import pytest
from pypdf import PdfReader

from portal.access import Audience
from tests.library import factories

pytestmark = pytest.mark.django_db

BROWSER = "/library/indicators/"
CHECKLIST = "/library/indicators/checklist/"
COMPARE = "/library/indicators/compare/"


@pytest.fixture
def sets(library):
    """A regional set, its Albanian version (adds, drops, rewords, moves), a French translation
    of one indicator, and a members-only set."""
    documents = factories.indicator(
        "Does not hold own identity documents.",
        stage="screening",
        strength="strong",
        target_groups=["adults"],
        exploitation=["labour"],
        dimension="coercion",
        language="en",
    )
    hours = factories.indicator(
        "Works excessive hours without rest days.",
        stage="identification",
        strength="medium",
        exploitation=["labour", "domestic"],
        language="en",
    )
    debt = factories.indicator(
        "Owes a debt to the recruiter.",
        stage="screening",
        strength="weak",
        target_groups=["children"],
        language="en",
    )
    promised = factories.indicator(
        "Was promised other work than the work done.",
        stage="screening",
        strength="strong",
        exploitation=["sexual"],
        language="en",
    )
    regional = factories.indicator_set(
        "Regional screening indicators",
        [
            ("Control", documents),
            ("Conditions", hours),
            ("Conditions", debt),
            ("Deception", promised),
        ],
        version_label="2nd edition",
    )
    reworded = factories.indicator(
        "Owes the recruiter or the employer money for travel.",
        stage="screening",
        strength="weak",
        target_groups=["children"],
        language="en",
    )
    added = factories.indicator(
        "Is not allowed to contact family.", stage="screening", strength="strong", language="en"
    )
    version = factories.indicator_set(
        "Albanian screening indicators",
        [
            ("Conditions", documents),  # moved
            ("Conditions", hours),
            ("Conditions", reworded, debt),
            ("Control", added),
        ],  # promised: dropped
        version_of=regional,
        country_code="AL",
    )
    french = factories.indicator(
        "Ne détient pas ses propres papiers d'identité.",
        stage="screening",
        strength="strong",
        language="fr",
        translation_of=documents,
    )
    translated = factories.indicator_set(
        "Indicateurs de repérage", [("Contrôle", french)], translation_of=regional
    )
    secret = factories.indicator(
        "Members-only sign: recruited through the closed forum.",
        stage="screening",
        strength="strong",
        language="en",
    )
    members = factories.indicator_set(
        "Members-only indicators", [("Restricted", secret)], audience=Audience.MEMBERS
    )
    return {
        "regional": regional,
        "version": version,
        "translated": translated,
        "members": members,
        "documents": documents,
        "hours": hours,
        "debt": debt,
        "promised": promised,
        "reworded": reworded,
        "added": added,
        "french": french,
        "secret": secret,
    }


def shown_texts(response):
    return {indicator.text for indicator in response.context["indicators"]}


def facet(response, name):
    return {
        option.value: option.count
        for facet in response.context["selection"].facets
        if facet.name == name
        for option in facet.options
    }


# ----------------------------------------------------------------------------- the browser


def test_the_browser_lists_every_indicator_an_anonymous_visitor_may_see(client, sets):
    response = client.get(BROWSER)
    assert response.status_code == 200
    assert shown_texts(response) == {
        sets[name].text
        for name in ("documents", "hours", "debt", "promised", "reworded", "added", "french")
    }
    assert sets["secret"].text not in response.content.decode()
    assert "Members-only indicators" not in response.content.decode()


def test_a_member_sees_the_members_only_set_and_its_indicators(member_client, sets):
    response = member_client.get(BROWSER)
    assert sets["secret"].text in shown_texts(response)
    assert str(sets["members"].pk) in facet(response, "set")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stage=identification", {"hours"}),
        ("strength=strong", {"documents", "promised", "added", "french"}),
        ("strength=strong&strength=medium", {"documents", "promised", "added", "french", "hours"}),
        # No group named means every group: hours, promised, added and french apply to children.
        ("group=children", {"debt", "reworded", "hours", "promised", "added", "french"}),
        ("exploitation=domestic", {"hours", "debt", "reworded", "added", "french"}),
        ("language=fr", {"french"}),
        ("language=FR", {"french"}),
        ("country=AL", {"documents", "hours", "reworded", "added"}),
        ("country=al&strength=strong", {"documents", "added"}),
        (
            "stage=screening&group=adults&exploitation=labour&strength=strong",
            {"documents", "added", "french"},
        ),
    ],
)
def test_each_filter_narrows_the_indicators(client, sets, query, expected):
    response = client.get(f"{BROWSER}?{query}")
    assert response.status_code == 200
    assert shown_texts(response) == {sets[name].text for name in expected}
    assert not response.context["errors"]


def test_the_set_filter_takes_a_set_and_the_country_version_separately(client, sets):
    response = client.get(f"{BROWSER}?set={sets['regional'].pk}")
    assert shown_texts(response) == {
        sets[name].text for name in ("documents", "hours", "debt", "promised")
    }
    both = client.get(f"{BROWSER}?set={sets['regional'].pk}&set={sets['version'].pk}")
    assert len(shown_texts(both)) == 6


def test_counts_say_what_choosing_each_value_would_show(client, sets):
    response = client.get(f"{BROWSER}?strength=strong")
    stages = facet(response, "stage")
    assert stages == {"screening": 4, "identification": 0, "risk_assessment": 0}
    # A filter's own counts ignore its own choice: they are what choosing another value shows.
    assert facet(response, "strength") == {"strong": 4, "medium": 1, "weak": 2}
    assert facet(response, "country") == {"AL": 2}
    languages = facet(response, "language")
    assert languages == {"en": 3, "fr": 1}
    assert facet(response, "set") == {
        str(sets["regional"].pk): 2,
        str(sets["version"].pk): 2,
        str(sets["translated"].pk): 1,
    }
    page = response.content.decode()
    assert re.search(r"Initial screening\s*<span class=\"count\">\(4\)</span>", page)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("stage=nonsense", "“nonsense” is not a value of Stage: ignored."),
        ("group=pets", "“pets” is not a value of Target group: ignored."),
        ("exploitation=%00%3Cb%3E", "“&lt;b&gt;” is not a value of Form of exploitation"),
        ("strength=very", "“very” is not a value of Strength: ignored."),
        ("set=abc", "“abc” is not a value of Indicator set: ignored."),
        ("set=999999", "There is no indicator set “999999” that you may see: ignored."),
        ("set=%C2%B2", "“²” is not a value of Indicator set"),
        ("country=Albania", "“Albania” is not a value of Country version: ignored."),
        ("language=xx", "“xx” is not a value of Language: ignored."),
        ("page=%EF%BC%91", "“１” is not a page number"),
        ("page=99999999999999", "is not a page number"),
    ],
)
def test_a_value_not_understood_is_ignored_with_a_message_naming_it(client, sets, query, message):
    response = client.get(f"{BROWSER}?{query}")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert len(shown_texts(response)) == 7  # the filter was ignored, not applied


def test_a_members_only_set_reads_as_unknown_to_an_anonymous_visitor(client, sets):
    pk = sets["members"].pk
    response = client.get(f"{BROWSER}?set={pk}")
    assert f"There is no indicator set “{pk}” that you may see" in response.content.decode()
    assert sets["secret"].text not in response.content.decode()


def test_too_many_values_are_cut_with_a_message(client, sets):
    query = "&".join(f"stage=x{n}" for n in range(60))
    response = client.get(f"{BROWSER}?{query}")
    assert response.status_code == 200
    assert "Too many values for Stage" in response.content.decode()


def test_the_browser_works_without_javascript_as_a_plain_get_form(client, sets):
    page = client.get(f"{BROWSER}?strength=strong").content.decode()
    form = r'<form class="indicator-filters" method="get" action="/library/indicators/"'
    assert re.search(form, page)
    assert re.search(r'name="strength" value="strong" checked', page)
    assert f'href="{CHECKLIST}?strength=strong"' in page


def test_the_browser_query_count_is_pinned_with_every_filter_set(
    client, sets, django_assert_num_queries
):
    query = (
        "stage=screening&group=adults&exploitation=labour&strength=strong"
        f"&set={sets['version'].pk}&country=AL&language=en"
    )
    client.get(f"{BROWSER}?{query}")  # warm the site root cache
    # The sets, their rows, the indicators' filter values, the page of indicators; the site and
    # its settings (every page's).
    with django_assert_num_queries(6):
        response = client.get(f"{BROWSER}?{query}")
    assert shown_texts(response) == {sets["documents"].text, sets["added"].text}
    for _ in range(5):
        factories.indicator_set(
            None, [("More", factories.indicator(stage="screening", strength="strong"))]
        )
    with django_assert_num_queries(6):
        client.get(f"{BROWSER}?{query}")


# ----------------------------------------------------------------------------- the checklist


def test_a_sets_checklist_keeps_its_headings_and_order_and_states_its_source(client, sets):
    response = client.get(f"{CHECKLIST}?set={sets['regional'].pk}")
    assert response.status_code == 200
    sections = [
        (heading, [indicator.text for indicator, _set in rows])
        for heading, rows in response.context["sections"]
    ]
    assert sections == [
        ("Control", [sets["documents"].text]),
        ("Conditions", [sets["hours"].text, sets["debt"].text]),
        ("Deception", [sets["promised"].text]),
    ]
    page = response.content.decode()
    assert "Regional screening indicators</a>, version 2nd edition" in page
    assert "Prepared on" in page
    # Tick boxes in no form, with no name: nothing ticked can be submitted.
    checklist = page[page.index("data-checklist>") :]
    assert "<form" not in checklist
    boxes = re.findall(r"<input [^>]*>", checklist)
    assert len(boxes) == 4
    assert all('type="checkbox"' in box and "name=" not in box for box in boxes)
    assert 'data-strength="strong"' in boxes[0]


def test_a_filtered_selection_opens_as_a_checklist_across_sets(client, sets):
    response = client.get(f"{CHECKLIST}?strength=strong&language=en")
    assert response.status_code == 200
    texts = [indicator.text for _h, rows in response.context["sections"] for indicator, _s in rows]
    assert sorted(texts) == sorted(
        [sets["documents"].text, sets["promised"].text, sets["added"].text]
    )
    assert len(texts) == len(set(texts))  # an indicator of two sets appears once
    document = response.context["checklist"]
    assert document.selection == "Strength: Strong; Language: English"
    assert {source.title for source in document.sources} == {
        "Albanian screening indicators",
        "Regional screening indicators",
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("set=abc", "“abc” is not a value of Indicator set"),
        ("strength=strong&format=xlsx", "“xlsx” is not a download format"),
        ("stage=nonsense&format=pdf", "“nonsense” is not a value of Stage"),
    ],
)
def test_a_checklist_of_something_not_understood_is_refused_with_a_400(
    client, sets, query, message
):
    response = client.get(f"{CHECKLIST}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_checklist_downloads_open_in_their_readers(client, sets):
    base = f"{CHECKLIST}?set={sets['version'].pk}"
    pdf = client.get(f"{base}&format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith('attachment; filename="albanian-screening-')
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "Source: Albanian screening indicators, undated" in text
    assert sets["reworded"].text in text

    document = docx.Document(io.BytesIO(client.get(f"{base}&format=docx").content))
    assert document.paragraphs[0].text == "Albanian screening indicators"
    cells = [row.cells[1].text for table in document.tables for row in table.rows]
    assert any(cell.startswith(sets["added"].text) for cell in cells)

    rows = list(csv.DictReader(io.StringIO(client.get(f"{base}&format=csv").content.decode())))
    assert [row["Indicator"] for row in rows] == [
        sets["documents"].text,
        sets["hours"].text,
        sets["reworded"].text,
        sets["added"].text,
    ]
    assert {row["Set"] for row in rows} == {"Albanian screening indicators"}


def test_the_checklist_query_count_is_pinned(client, sets, django_assert_num_queries):
    url = f"{CHECKLIST}?strength=strong"
    client.get(url)
    # The sets, their rows, the filter values, the indicators' texts; the site and its settings.
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["checklist"].items) == 4
    for _ in range(5):
        factories.indicator_set(None, [("More", factories.indicator(strength="strong"))])
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["checklist"].items) == 9


# ---------------------------------------------------------------------------- compare


def test_compare_shows_a_country_versions_differences(client, sets):
    response = client.get(f"{COMPARE}?a={sets['regional'].pk}&b={sets['version'].pk}")
    assert response.status_code == 200
    result = response.context["comparison"]
    assert [c.after.text for c in result.added] == [sets["added"].text]
    assert [c.before.text for c in result.dropped] == [sets["promised"].text]
    assert [(c.before.text, c.after.text) for c in result.reworded] == [
        (sets["debt"].text, sets["reworded"].text)
    ]
    assert [c.before.text for c in result.moved] == [sets["documents"].text]
    page = response.content.decode()
    put_in = '<ins><span class="visually-hidden">[put in:] </span> or the employer money for travel'
    assert put_in in page
    assert '<del><span class="visually-hidden">[taken out:] </span> a debt to</del>' in page
    assert "Moved to another heading" in page


def test_compare_offers_the_pairs_worth_comparing(client, sets):
    page = client.get(COMPARE).content.decode()
    assert f"?a={sets['regional'].pk}&amp;b={sets['version'].pk}" in page


@pytest.mark.parametrize("value", ["abc", "999999", "-1", "%C2%B2"])
def test_compare_refuses_a_set_it_cannot_show_with_a_400(client, sets, value):
    response = client.get(f"{COMPARE}?a={sets['regional'].pk}&b={value}")
    assert response.status_code == 400
    assert "Second set: there is no indicator set" in response.content.decode()


def test_compare_of_a_members_only_set_is_refused_to_an_anonymous_visitor(client, sets):
    response = client.get(f"{COMPARE}?a={sets['regional'].pk}&b={sets['members'].pk}")
    assert response.status_code == 400
    assert sets["secret"].text not in response.content.decode()
    assert "Members-only indicators" not in response.content.decode()


def test_the_compare_query_count_is_pinned(client, sets, django_assert_num_queries):
    url = f"{COMPARE}?a={sets['regional'].pk}&b={sets['version'].pk}"
    client.get(url)
    # The visible sets, then each set's rows with their indicators; the site and its settings.
    with django_assert_num_queries(5):
        client.get(url)


# ------------------------------------------------------------- members-only, everywhere


def test_a_members_only_sets_indicators_are_absent_for_anonymous_visitors_everywhere(client, sets):
    secret = sets["secret"].text
    pk = sets["members"].pk
    pages = [
        BROWSER,
        f"{BROWSER}?strength=strong",
        CHECKLIST,
        f"{CHECKLIST}?strength=strong",
        COMPARE,
        f"{COMPARE}?a={sets['regional'].pk}&b={sets['version'].pk}",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert secret not in body, url
        assert "Members-only indicators" not in body, url
    for output in ("csv", "docx", "pdf"):
        response = client.get(f"{CHECKLIST}?strength=strong&format={output}")
        assert response.status_code == 200
        content = response.content
        if output == "pdf":
            content = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
        elif output == "docx":
            content = "\n".join(
                cell.text
                for table in docx.Document(io.BytesIO(content)).tables
                for row in table.rows
                for cell in row.cells
            )
        else:
            content = content.decode()
        assert "closed forum" not in content, output
    assert client.get(f"{CHECKLIST}?set={pk}&format=csv").status_code == 400


# ------------------------------------------------------------------------------- links


def test_the_library_and_the_set_pages_link_to_the_indicator_pages(client, sets):
    assert 'href="/library/indicators/"' in client.get("/library/").content.decode()
    regional, version = sets["regional"], sets["version"]
    page = client.get(version.url).content.decode()
    assert f'href="{CHECKLIST}?set={version.pk}"' in page
    assert f'href="{BROWSER}?set={version.pk}"' in page
    assert f'href="{COMPARE}?a={regional.pk}&amp;b={version.pk}"' in page
    page = client.get(regional.url).content.decode()
    assert f'href="{COMPARE}?a={regional.pk}&amp;b={version.pk}"' in page
    assert "compare with Country AL" in page


def test_a_set_page_links_no_comparison_with_a_set_the_visitor_may_not_see(client, sets):
    closed = factories.indicator_set(
        "Closed national version",
        [("Signs", sets["documents"])],
        version_of=sets["members"],
        country_code="RS",
    )
    page = client.get(closed.url).content.decode()
    assert f"a={sets['members'].pk}" not in page
    assert f'href="{CHECKLIST}?set={closed.pk}"' in page
