"""
The indicator pages in headless Chromium, on the demo network with a regional set and its
country version: axe-core finds no serious or critical violation on the browser, the compare and
the checklist at 1280 and 375 px; ticking boxes on the checklist updates the tally and makes no
request at all; the print layout is kept as a screenshot; without JavaScript the boxes still tick.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LIVE_DATABASE, WIDTHS

pytestmark = LIVE_DATABASE


@pytest.fixture
def indicator_sets(demo_network):
    """A regional set and its Albanian version, added to the demo network."""
    from tests.library import factories

    documents = factories.indicator(
        "Does not hold own identity or travel documents.",
        stage="screening",
        strength="strong",
        exploitation=["labour"],
    )
    hours = factories.indicator(
        "Works excessive hours without rest days.", stage="screening", strength="strong"
    )
    debt = factories.indicator(
        "Owes a debt to the recruiter.", stage="screening", strength="medium"
    )
    housing = factories.indicator(
        "Lives in housing provided by the employer.", stage="screening", strength="weak"
    )
    regional = factories.indicator_set(
        "Regional screening indicators for labour exploitation",
        [("Control", documents), ("Conditions", hours), ("Conditions", debt), ("Living", housing)],
        version_label="2024",
    )
    reworded = factories.indicator(
        "Owes the recruiter or the employer money for travel or work.",
        stage="screening",
        strength="medium",
    )
    version = factories.indicator_set(
        "Albanian screening indicators for labour exploitation",
        [("Conditions", documents), ("Conditions", hours), ("Conditions", reworded, debt)],
        version_of=regional,
        country_code="AL",
    )
    return {"regional": regional, "version": version}


def axe_at_both_widths(visitor, label):
    problems = []
    for width in WIDTHS.values():
        visitor.page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{label} at {width}px: {line}" for line in visitor.axe_violations()]
        scroll_width = visitor.page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            problems.append(f"{label} at {width}px: the page is {scroll_width}px wide")
    visitor.page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    return problems


def test_the_indicator_pages_have_no_serious_accessibility_violations(
    visitor_factory, indicator_sets
):
    visitor = visitor_factory("indicators", bypass_csp=True)
    page = visitor.page
    regional, version = indicator_sets["regional"], indicator_sets["version"]
    problems = []

    visitor.goto("/library/indicators/")
    expect(page.get_by_role("heading", name="Indicators", exact=True)).to_be_visible()
    page.get_by_role("group", name="Strength").get_by_label("Strong").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]strength=strong"))
    expect(page.get_by_text("Owes a debt to the recruiter.")).to_have_count(0)
    problems += axe_at_both_widths(visitor, "browser")
    visitor.screenshot("browser filtered")

    visitor.goto(f"/library/indicators/compare/?a={regional.pk}&b={version.pk}")
    expect(page.locator("ins").first).to_contain_text("or the employer money for travel or work")
    problems += axe_at_both_widths(visitor, "compare")
    visitor.screenshot("compare")

    visitor.goto(f"/library/indicators/checklist/?set={regional.pk}")
    expect(page.locator("[data-checklist-tally]")).to_be_visible()
    problems += axe_at_both_widths(visitor, "checklist")
    visitor.screenshot("checklist")
    assert not visitor.console_errors, visitor.console_errors
    assert not problems, "\n".join(problems)


def test_ticking_boxes_updates_the_tally_and_sends_nothing(
    visitor_factory, indicator_sets, screenshot_dir
):
    visitor = visitor_factory("checklist")
    page = visitor.page
    visitor.goto(f"/library/indicators/checklist/?set={indicator_sets['regional'].pk}")
    page.wait_for_load_state("networkidle")
    tally = page.locator("[data-checklist-tally]")
    expect(tally).to_have_attribute("data-ticked", "0")
    requests = []
    page.on("request", lambda request: requests.append(f"{request.method} {request.url}"))

    page.get_by_label("Does not hold own identity or travel documents.").check()
    page.get_by_label("Works excessive hours without rest days.").check()
    page.get_by_label("Lives in housing provided by the employer.").check()
    expect(tally).to_have_attribute("data-ticked", "3")
    expect(tally.locator("[data-tally-of=strong]")).to_have_text("2")
    expect(tally.locator("[data-tally-of=medium]")).to_have_text("0")
    expect(tally.locator("[data-tally-of=weak]")).to_have_text("1")
    page.get_by_label("Works excessive hours without rest days.").uncheck()
    expect(tally.locator("[data-tally-of=strong]")).to_have_text("1")
    assert requests == [], requests
    # Nothing ticked is kept by the page either: no cookie, no storage.
    storage = page.evaluate("() => [localStorage.length, sessionStorage.length, document.cookie]")
    assert storage[:2] == [0, 0]
    assert "tick" not in storage[2]

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".checklist-downloads")).to_be_hidden()
    expect(tally).to_be_visible()
    path = screenshot_dir / "indicator-checklist-print.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    assert requests == [], requests


def test_without_javascript_the_checklist_still_ticks_and_the_browser_filters(
    browser, demo_network, indicator_sets
):
    context = browser.new_context(base_url=demo_network, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/library/indicators/checklist/?set={indicator_sets['version'].pk}")
        box = page.get_by_label("Works excessive hours without rest days.")
        box.check()
        expect(box).to_be_checked()
        expect(page.locator("[data-checklist-tally]")).to_be_hidden()
        page.goto("/library/indicators/")
        page.get_by_role("group", name="Stage").get_by_label("Initial screening").check()
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(r"[?&]stage=screening"))
        expect(page.get_by_text("Owes a debt to the recruiter.")).to_be_visible()
        stage = page.get_by_role("group", name="Stage").get_by_label("Initial screening")
        expect(stage).to_be_checked()
    finally:
        context.close()
