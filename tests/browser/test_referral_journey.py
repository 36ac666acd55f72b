"""
A coordinator's referral of an unaccompanied child, in a real browser on the demo network: the
member builds the pathway from Albania to Greece with the assistant's form (selects and radio
buttons, no typing), opens the referral sheet and prints it. axe-core finds no serious or
critical violation on the assistant and the sheet, at 1280 and 375 px wide.
"""

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import LIVE_DATABASE, MEMBER_EMAIL, WIDTHS

pytestmark = LIVE_DATABASE


def axe_at_both_widths(visitor, label):
    problems = []
    for width in WIDTHS.values():
        visitor.page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{label} at {width}px: {line}" for line in visitor.axe_violations()]
    visitor.page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    return problems


def test_member_builds_a_childs_pathway_opens_the_sheet_and_prints_it(visitor_factory):
    visitor = visitor_factory("journey-referral", bypass_csp=True)
    page = visitor.page
    visitor.sign_in(MEMBER_EMAIL)

    visitor.goto("/network/referral/")
    expect(page.get_by_role("heading", name="Referral assistant")).to_be_visible()
    problems = axe_at_both_widths(visitor, "assistant form")
    page.get_by_label("Identified in (from)").select_option("AL")
    page.get_by_label("Referred to (to)").select_option("GR")
    page.get_by_role("group", name="Adult or child").get_by_label("Child", exact=True).check()
    page.get_by_role("group", name="If a child").get_by_label("Unaccompanied").check()
    page.get_by_label("Form of exploitation").select_option("labour")
    page.get_by_role("group", name="Asylum procedure involved").get_by_label(
        "No", exact=True
    ).check()
    visitor.screenshot("1 the case described")
    page.get_by_role("button", name="Show the pathway").click()

    expect(
        page.get_by_role("heading", name="Referral pathway from Albania to Greece")
    ).to_be_visible()
    assert "child=unaccompanied" in page.url
    identification = page.locator("section.pathway-step").filter(
        has=page.get_by_role("heading", name="Identification", exact=True)
    )
    # For a child the child-protection authority comes first, on both sides.
    for side in range(2):
        first = identification.locator(".pathway-side").nth(side).locator(".card").first
        expect(first).to_contain_text("Child-protection authority")
    expect(page.get_by_text("a guardian is appointed without delay").first).to_be_visible()
    regional = page.locator("h4:has-text('Regional guidance') + ul")
    expect(
        regional.get_by_role("link", name="Regional guidelines for the transnational referral")
    ).to_be_visible()
    agreements = page.locator("h4:has-text('Agreements between the two countries') + ul")
    expect(
        agreements.get_by_role("link", name="Bilateral protocol on the transnational")
    ).to_be_visible()
    visitor.screenshot("2 the pathway")
    problems += axe_at_both_widths(visitor, "pathway")

    page.get_by_role("link", name="Referral sheet to print").click()
    expect(
        page.get_by_role("heading", name="Referral sheet: from Albania to Greece")
    ).to_be_visible()
    print_button = page.get_by_role("button", name="Print this sheet")
    expect(print_button).to_be_visible()  # shown by the sheet's script
    expect(page.get_by_role("table", name="Who is responsible")).to_be_visible()
    visitor.screenshot("3 the sheet")
    problems += axe_at_both_widths(visitor, "sheet")

    # Printing: the print stylesheet hides the site's header and the sheet's tools, and the
    # sheet fits one A4 page.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(page.get_by_role("table", name="Who is responsible")).to_be_visible()
    pdf = page.pdf(format="A4", print_background=False, prefer_css_page_size=True)
    (visitor.screenshot_dir / "journey-referral-printed-sheet.pdf").write_bytes(pdf)
    printed = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(p.extract_text() for p in printed.pages).split())
    assert "Referral sheet: from Albania to Greece" in text
    assert "State Agency for Child Protection (Albania)" in text
    assert "Print this sheet" not in text
    assert len(printed.pages) == 1, f"the printed sheet has {len(printed.pages)} pages"
    page.emulate_media(media="screen")

    # The PDF offered beside it is the same sheet, on one page.
    href = page.get_by_role("link", name="Download as PDF").get_attribute("href")
    response = page.request.get(page.url.split("?")[0] + href)
    assert response.headers["content-type"] == "application/pdf", response.status
    assert "no-store" in response.headers["cache-control"]
    sheet = PdfReader(io.BytesIO(response.body()))
    assert len(sheet.pages) == 1
    assert "Albania to Greece" in sheet.pages[0].extract_text()

    assert visitor.console_errors == [], visitor.console_errors
    assert not problems, "\n".join(problems)
