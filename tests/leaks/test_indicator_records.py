"""
The leak matrix's rows for indicators as records: an indicator is shown through the sets that
hold it, so the words of an indicator held only by a members-only (or secretariat-only) set, and
a members-only country version's rewording of a public regional indicator, must reach no tier
below the set's by search (page, API, suggestions, the empty query that lists everything), by
the set's page, or by the library's listing and feed. As in test_leak_matrix, every row also
names what a tier must find, so that a probe that shows nothing fails.
"""

import pytest

from portal.access import Audience
from tests.clients import Client
from tests.library import factories
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

TIERS = ("anonymous", "member", "secretariat")
# Marker words, by the lowest tier allowed to see them.
MARKERS = {
    "anonymous": {"public_indicator": "Bilbyesque"},
    "member": {"members_indicator": "Numbatory", "members_rewording": "Dugongish"},
    "secretariat": {"secretariat_indicator": "Kakapoid"},
}


def marker(name):
    return next(words[name] for words in MARKERS.values() if name in words)


@pytest.fixture
def world(django_capture_on_commit_callbacks, home_page):
    with django_capture_on_commit_callbacks(execute=True):
        public = marked_indicator("public_indicator", stage="screening", strength="strong")
        members = marked_indicator("members_indicator", stage="screening", strength="strong")
        secret = marked_indicator("secretariat_indicator", stage="screening", strength="weak")
        rewording = marked_indicator("members_rewording", stage="screening")
        regional = factories.indicator_set("Open regional set", [("Signs", public)])
        members_set = factories.indicator_set(
            "Closed set", [("Signs", members)], audience=Audience.MEMBERS
        )
        secretariat_set = factories.indicator_set(
            "Internal set", [("Signs", secret)], audience=Audience.SECRETARIAT
        )
        version = factories.indicator_set(
            "Closed national version",
            [("Signs", rewording, public)],
            version_of=regional,
            audience=Audience.MEMBERS,
        )
    return {
        "regional": regional,
        "members_set": members_set,
        "secretariat_set": secretariat_set,
        "version": version,
    }


def marked_indicator(name, **fields):
    return factories.indicator(f"A sign called {marker(name)} in the screening.", **fields)


@pytest.fixture
def clients(db):
    member, secretariat = UserFactory(member=True), UserFactory(secretariat=True)
    result = {"anonymous": Client(), "member": Client(), "secretariat": Client()}
    result["member"].force_login(member)
    result["secretariat"].force_login(secretariat, second_factor=True)
    return result


def url_of(world, way_out):
    return {
        "search page (members' indicator)": "/search/?q=" + marker("members_indicator"),
        "search API (members' indicator)": "/api/search/?q=" + marker("members_indicator"),
        "search API (secretariat's indicator)": "/api/search/?q=" + marker("secretariat_indicator"),
        "search API (rewording)": "/api/search/?q=" + marker("members_rewording"),
        "search API (every indicator)": "/api/search/?q=&kind=indicator&page_size=100",
        "search API (the regional sign)": "/api/search/?q=" + marker("public_indicator"),
        "search suggestions": "/api/search/suggest/?q=" + marker("members_indicator")[:6],
        "members' set page": world["members_set"].url,
        "national version page": world["version"].url,
        "regional set page": world["regional"].url,
        "library listing": "/library/",
        "library feed": "/library/feed/",
    }[way_out]


# way out -> {tier: markers that tier (and those above) must find there}
MUST_SEE = {
    "search page (members' indicator)": {"member": {"members_indicator"}},
    "search API (members' indicator)": {"member": {"members_indicator"}},
    "search API (secretariat's indicator)": {"secretariat": {"secretariat_indicator"}},
    "search API (rewording)": {"member": {"members_rewording"}},
    "search API (every indicator)": {
        "anonymous": {"public_indicator"},
        "member": {"members_indicator", "members_rewording"},
        "secretariat": {"secretariat_indicator"},
    },
    "search API (the regional sign)": {"anonymous": {"public_indicator"}},
    "search suggestions": {},
    "members' set page": {"member": {"members_indicator"}},
    "national version page": {"member": {"members_rewording"}},
    "regional set page": {"anonymous": {"public_indicator"}},
    "library listing": {},
    "library feed": {},
}


def seen(text, echo=""):
    text, echo = text.lower(), echo.lower()
    return {
        name
        for words in MARKERS.values()
        for name, word in words.items()
        if text.count(word.lower()) > echo.count(word.lower())
    }


def allowed_for(tier):
    allowed = set()
    for lower in TIERS[: TIERS.index(tier) + 1]:
        allowed |= set(MARKERS[lower])
    return allowed


@pytest.mark.parametrize("way_out", list(MUST_SEE))
def test_no_tier_finds_an_indicator_above_it_by_any_way_out(world, clients, way_out):
    url = url_of(world, way_out)
    for tier in TIERS:
        response = clients[tier].get(url)
        assert response.status_code < 500, (way_out, tier, response.status_code)
        echo = ""
        if "?q=" in url and not url.startswith("/api/search/?q=&"):
            # The same words inside a longer one: echoed alike, matching nothing.
            echo = clients[tier].get(url.replace("?q=", "?q=Qzxvwqzxvw")).content.decode()
        found = seen(response.content.decode(), echo)
        leaked = found - allowed_for(tier)
        assert not leaked, f"{way_out} shows {sorted(leaked)} to {tier}"
        must = set()
        for lower in TIERS[: TIERS.index(tier) + 1]:
            must |= MUST_SEE[way_out].get(lower, set())
        missing = must - found
        assert not missing, f"{way_out} does not show {sorted(missing)} to {tier} ({url})"
