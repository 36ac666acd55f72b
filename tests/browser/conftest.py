"""
The browser harness: Playwright drives Debian's Chromium (/usr/bin/chromium; Playwright never
downloads a browser of its own) against pytest-django's live server, on the demo network that
`seed_demo` builds. axe-core comes from npm (`npm ci` puts it in node_modules/).

Where Chromium or axe-core is missing the tests skip, naming what is missing; CI installs both.
Screenshots go to test-artifacts/screenshots/, which the run's summary names.
"""

import gzip
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from django.core.management import call_command
from django.db import connections

from tests.portal.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"desktop": 1280, "phone": 375}
# What a page may make a visitor download in stylesheets and scripts together, compressed.
WEIGHT_BUDGET = 150 * 1024
MEMBER_EMAIL = "member@demo.test"
SECRETARIAT_EMAIL = "secretariat@demo.test"
# Every browser test module is marked with this: the live server runs in another thread, so
# the test is transactional and the database is flushed afterwards; the data the migrations
# seeded is put back for the tests that follow. The live server serves each browser connection
# in a thread with a connection of its own (the SQLite test database is a file for that: see
# portal/settings/test.py), so a page's requests run at once, as they do in a deployment.
LIVE_DATABASE = pytest.mark.django_db(transaction=True, serialized_rollback=True)

_screenshots_taken = []


def pytest_terminal_summary(terminalreporter):
    if _screenshots_taken:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(
            f"{len(_screenshots_taken)} screenshots (1280 px and 375 px wide) in {SCREENSHOTS}"
        )


@pytest.fixture(scope="session")
def screenshot_dir():
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


@pytest.fixture
def browser(monkeypatch):
    """
    Chromium for one test. Skips, saying why, when the browser or axe-core is not installed; in
    CI (which installs both) their absence is a failure, never a quiet skip.
    """
    for tool, remedy in [(CHROMIUM, "apt-get install chromium"), (AXE_SCRIPT, "npm ci")]:
        if not tool.exists():
            message = f"{tool} is missing: run `{remedy}` (.ci/run does)"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the test's own ORM calls
    # (seeding, checking what a journey wrote) are ordinary synchronous code all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        # The test's ORM calls inside Playwright's sync API use a connection of their own, which
        # the database teardown outside it never sees; left open, it keeps the test database from
        # being dropped at the end of the run.
        connections.close_all()
        chromium.close()


@pytest.fixture
def demo_network(live_server, settings):
    """The demo network of docs/contracts.md (`seed_demo`), seeded into the test database behind
    the live server."""
    settings.ALLOWED_HOSTS = ["*"]
    call_command("seed_demo", password=PASSWORD, verbosity=0)
    return live_server.url


@dataclass
class Weight:
    """Stylesheets and scripts a page loaded, each measured as gzip sends it."""

    files: dict = field(default_factory=dict)

    def record(self, response):
        if response.request.resource_type not in ("stylesheet", "script"):
            return
        try:
            body = response.body()
        except Exception:  # noqa: BLE001 - a response cut off by navigation has no body
            return
        self.files[response.url] = len(gzip.compress(body, compresslevel=9))

    @property
    def total(self):
        return sum(self.files.values())


class Visitor:
    """One person's browser session: visits pages, signs in, checks, takes screenshots."""

    def __init__(self, browser, base_url, screenshot_dir, name, *, bypass_csp=False):
        self.base_url = base_url
        self.name = name
        self.screenshot_dir = screenshot_dir
        # axe-core is injected as a script of its own; the portal's CSP (script-src 'self')
        # would refuse it, so the accessibility checks use a context that bypasses the CSP.
        self.context = browser.new_context(
            base_url=base_url,
            viewport={"width": WIDTHS["desktop"], "height": 900},
            bypass_csp=bypass_csp,
            accept_downloads=True,
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.console_errors = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        # Routing every request turns the browser's HTTP cache off, so each page's stylesheets
        # and scripts are measured as a first-time visitor downloads them.
        self.context.route("**/*", lambda route: route.continue_())
        self.weight = Weight()
        self.page.on("response", lambda response: self.weight.record(response))

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def goto(self, path, *, expect_status=200):
        """Open a page, measuring the stylesheets and scripts it loads."""
        self.weight = Weight()
        response = self.page.goto(path, wait_until="load")
        assert response is not None, f"{path}: no response"
        assert response.status == expect_status, (
            f"{self.name} {path}: HTTP {response.status}, expected {expect_status}"
        )
        return response

    def sign_in(self, email, password=PASSWORD, next_url="/"):
        self.page.goto(f"/accounts/login/?next={next_url}")
        self.page.get_by_label(re.compile("email", re.I)).first.fill(email)
        self.page.get_by_label(re.compile("password", re.I)).first.fill(password)
        self.page.locator("form").filter(has=self.page.locator("input[name=password]")).locator(
            "button[type=submit]"
        ).click()
        self.page.wait_for_load_state("load")

    def screenshot(self, label):
        """Full-page screenshots at 1280 and 375 px wide; returns their paths."""
        paths = []
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.name}-{label}".lower()).strip("-")
        for width in WIDTHS.values():
            self.page.set_viewport_size({"width": width, "height": 900})
            path = self.screenshot_dir / f"{slug}-{width}.png"
            self.page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 0
            _screenshots_taken.append(path)
            paths.append(path)
        self.page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
        # Let the page's scripts see the width change (media query listeners) before going on.
        self.page.evaluate(
            "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
        return paths

    def axe_violations(self, impacts=("serious", "critical")):
        """axe-core's violations of the given impact on the current page, as readable lines."""
        self.page.add_script_tag(path=str(AXE_SCRIPT))
        results = self.page.evaluate("async () => await axe.run(document)")
        lines = []
        for violation in results["violations"]:
            if violation["impact"] not in impacts:
                continue
            targets = [" ".join(node["target"]) for node in violation["nodes"][:5]]
            lines.append(
                f"{violation['impact']} {violation['id']}: {violation['help']} at {targets}"
            )
        return lines

    def close(self):
        self.context.close()


@pytest.fixture
def visitor_factory(browser, demo_network, screenshot_dir):
    visitors = []

    def make(name, *, bypass_csp=False):
        visitor = Visitor(browser, demo_network, screenshot_dir, name, bypass_csp=bypass_csp)
        visitors.append(visitor)
        return visitor

    yield make
    for visitor in visitors:
        visitor.close()


def wait_for(condition, timeout=10, message="condition"):
    """Waits for a condition with a deadline (for work the server does after a response)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message}")
