"""
Fuzzing the portal's forms and query parameters with hypothesis: XSS payloads (and any other
text) typed into a query parameter or saved through a form come back escaped or stripped, never
as markup or a script URL, and the answer is never a 500.

What counts as an injection is judged on the parsed page, not by string matching: an element or
attribute whose name carries the payload's marker, an event-handler attribute or a script that
carries it, or any link, source or form target using a script scheme.
"""

import datetime
import itertools
import json
import re
from html.parser import HTMLParser
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from wagtail.test.utils.form_data import nested_form_data, streamfield

from library.models import LibraryDocument, ResourceAttachment, ResourcePage
from meetings.models import ActionPoint, AgendaItem, Decision, MeetingPage, Registration
from network.models import Person
from portal.access import Audience
from tests.clients import Client
from tests.library import factories as library
from tests.meetings.admin_forms import editor_form_data
from tests.meetings.factories import make_country, make_meeting, make_person
from tests.network.factories import MandateFactory, PersonFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db
NUMBERS = itertools.count(1)

MARK = "xq7zk"  # a word no page contains of itself
PAYLOADS = [
    f"<script>{MARK}()</script>",
    f'"><script>{MARK}()</script>',
    f"'><img src=x onerror={MARK}()>",
    f"<svg/onload={MARK}()>",
    f'" onmouseover="{MARK}()" x="',
    f"' onfocus='{MARK}()' autofocus x='",
    f"javascript:{MARK}()",
    f"  JaVaScRiPt:{MARK}()",
    f"java\tscript:{MARK}()",
    f"data:text/html,<script>{MARK}()</script>",
    f"</textarea><script>{MARK}()</script>",
    f"</title><{MARK}>",
    f'<a href="javascript:{MARK}()">link</a>',
    f"<iframe src=javascript:{MARK}()>",
    f"<{MARK} x=1>",
    f"&lt;script&gt;{MARK}()&lt;/script&gt;",
    f"]]><{MARK}/><![CDATA[",
    f"\u2028<script>{MARK}()</script>\u2029",
    f"<math><mi xlink:href=javascript:{MARK}()>x</mi></math>",
]
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"}
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\xa0\s]+")

# A payload somewhere in otherwise arbitrary text; and any text at all.
xss = st.builds(
    lambda before, payload, after: before + payload + after,
    st.text(max_size=6),
    st.sampled_from(PAYLOADS),
    st.text(max_size=6),
)
anything = st.one_of(xss, st.text(max_size=40))
FUZZ = settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class InjectionFinder(HTMLParser):
    """Collects every sign that a payload became markup."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        if MARK in tag:
            self.found.append(f"element <{tag}>")
        for name, value in attrs:
            value = value or ""
            if MARK in name:
                self.found.append(f"attribute {name} on <{tag}>")
            if name.startswith("on") and MARK in value:
                self.found.append(f"handler {name}={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES and _INVISIBLE.sub("", value).lower().startswith(
                SCRIPT_SCHEMES
            ):
                self.found.append(f"script URL {name}={value!r} on <{tag}>")
            if tag == "meta" and name == "content" and "javascript:" in value.lower():
                self.found.append(f"meta refresh to {value!r}")
        if tag == "script":
            kind = dict(attrs).get("type") or "text/javascript"
            self._script = kind if "json" not in kind else None

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self._script and MARK in data:
            self.found.append(f"script text {data[:80]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def injections(html):
    finder = InjectionFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def assert_safe(response, where=""):
    """The response is not a server error, and whatever it says is inert."""
    assert response.status_code < 500, (where, response.status_code)
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    if content_type.startswith("application/json"):
        data = json.loads(text)  # JSON carries text, never markup; its snippets are checked
        for hit in data.get("results", []):
            assert not injections(hit.get("snippet") or ""), (where, hit)
            tags = set(re.findall(r"<\s*([a-zA-Z]+)", hit.get("snippet") or ""))
            assert tags <= {"mark"}, (where, hit["snippet"])
        return data
    if "xml" in content_type:
        if response.status_code == 200:
            # Well-formed, whatever the parameters were (our own response, not untrusted XML).
            root = ElementTree.fromstring(body)  # noqa: S314
            assert not [el.tag for el in root.iter() if MARK in el.tag], where
        return text
    if content_type.startswith("text/html"):
        found = injections(text)
        assert not found, (where, found)
    return text


# Query parameters ------------------------------------------------------------------------------

FILTERS = ("type", "topic", "country", "language", "year", "kind")
GET_TARGETS = {
    "search page": ("/search/", ("q", *FILTERS, "sort", "page")),
    "search API": ("/api/search/", ("q", *FILTERS, "sort", "page", "page_size")),
    "search suggestions": ("/api/search/suggest/", ("q",)),
    "library listing": ("/library/", ("q", *FILTERS, "sort", "page", "all_versions")),
    "library feed": ("/library/feed/", ("q", *FILTERS)),
    "people": ("/network/people/", ("q", "country", "role", "kind", "expertise", "language")),
    "referral": ("/network/referral/", ("from", "to")),
    "meetings": ("/meetings/", ("type", "year", "country", "page")),
    "action list": ("/meetings/actions/", ("status", "owner", "country", "meeting", "overdue")),
}


@pytest.fixture
def catalogue(home_page):
    """A little of everything, so that filters have values and pages have rows."""
    library.resource("Referral guide", topics=["referral"], countries=["AL"], languages=["en"])
    library.resource("Members guide", audience=Audience.MEMBERS, topics=["referral"])
    person = PersonFactory()
    MandateFactory(person=person)
    make_meeting(
        children={"action_points": [ActionPoint(description="Report", owner_person=person)]}
    )


@pytest.mark.parametrize("target", list(GET_TARGETS))
def test_query_parameters_come_back_inert_and_never_crash(catalogue, target):
    path, names = GET_TARGETS[target]
    member = Client()
    member.force_login(UserFactory(member=True))
    viewers = {"anonymous": Client(), "member": member}

    @FUZZ
    @given(
        params=st.dictionaries(
            st.sampled_from(names), st.lists(anything, min_size=1, max_size=2), min_size=1
        )
    )
    def check(params):
        url = f"{path}?{urlencode(params, doseq=True)}"
        for tier, client in viewers.items():
            response = client.get(url)
            assert response.status_code in (200, 302, 400), (target, tier, params)
            assert_safe(response, f"{target} {tier} {params!r}")

    check()


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if not p.startswith("&lt;")])
def test_the_injection_finder_sees_each_payload_unescaped_and_none_escaped(payload):
    contexts = ("<p>{}</p>", '<input value="{}">', "<input value='{}'>", '<a href="{}">x</a>')
    assert any(injections(context.format(payload)) for context in contexts), payload
    for context in contexts[:3]:
        assert not injections(context.format(escape(payload))), (context, payload)


# Forms a member fills in -----------------------------------------------------------------------


@pytest.fixture
def owner(home_page):
    user = UserFactory(member=True)
    person = make_person(user=user, country=make_country())
    return user, person


def test_self_service_profile_fields_are_stored_as_text_and_shown_escaped(owner):
    user, person = owner
    client = Client()
    client.force_login(user)
    anonymous = Client()
    edit_url = reverse("network:person_edit", args=[person.pk])
    saved = []

    @FUZZ
    @example(biography=PAYLOADS[0], emails="ana@example.org", phones="")
    @given(
        biography=anything,
        emails=st.one_of(st.just("ana@example.org"), xss),
        phones=st.one_of(st.just("+381 11 123 4567"), xss),
    )
    def check(biography, emails, phones):
        response = client.post(
            edit_url,
            {
                "biography": biography,
                "biography_audience": "public",
                "email_audience": "public",
                "phone_audience": "public",
                "photo_audience": "members",
                "emails": emails,
                "phones": phones,
            },
        )
        assert response.status_code in (302, 400)
        assert_safe(response, "edit form")
        if response.status_code == 302:
            assert Person.objects.get(pk=person.pk).biography == biography.strip()
            saved.append(biography)
        for viewer in (client, anonymous):
            for url in (person.get_absolute_url(), "/network/people/", "/network/directory.csv"):
                assert_safe(viewer.get(url), url)
        assert_safe(client.get(edit_url), "edit form")

    check()
    assert saved, "no example was saved: the fuzzing proved nothing"


def test_action_point_notes_and_filters_come_back_inert(owner):
    user, person = owner
    meeting = make_meeting(
        children={"action_points": [ActionPoint(description="Report", owner_person=person)]}
    )
    action = meeting.action_points.get()
    client = Client()
    client.force_login(user)
    saved = []

    @FUZZ
    @example(note=PAYLOADS[2], status="done")
    @given(note=anything, status=st.one_of(st.sampled_from(["open", "done"]), anything))
    def check(note, status):
        response = client.post(
            reverse("meetings:action_update", args=[action.pk]),
            {"status": status, "progress_note": note},
        )
        assert response.status_code in (302, 400)
        assert_safe(response, "action update")
        if response.status_code == 302:
            # An update without a note keeps the latest note (the history keeps each one).
            if note.strip():
                assert ActionPoint.objects.get(pk=action.pk).progress_note == note.strip()
            saved.append(note)
        for url in ("/meetings/actions/", meeting.url):
            assert_safe(client.get(url), url)

    check()
    assert saved, "no example was saved: the fuzzing proved nothing"


def test_meeting_registration_with_any_answer_records_only_a_real_choice(owner):
    user, person = owner
    meeting = make_meeting(start=datetime.date.today() + datetime.timedelta(days=10))
    client = Client()
    client.force_login(user)

    @FUZZ
    @given(status=anything)
    def check(status):
        response = client.post(reverse("meetings:register", args=[meeting.pk]), {"status": status})
        assert response.status_code in (302, 400)
        assert_safe(response, "registration")
        assert set(Registration.objects.values_list("status", flat=True)) <= {
            "registered",
            "apologies",
        }

    check()


def test_sign_in_form_echoes_what_was_typed_inert(db):
    client = Client()

    @FUZZ
    @given(login=anything, password=anything)
    def check(login, password):
        response = client.post(reverse("account_login"), {"login": login, "password": password})
        assert response.status_code in (200, 429)
        assert_safe(response, "sign-in")
        assert "_auth_user_id" not in client.session

    check()


def test_saved_search_names_and_words_come_back_inert(owner):
    user, _person = owner
    client = Client()
    client.force_login(user)

    @FUZZ
    @given(name=anything, query=anything, topic=anything)
    def check(name, query, topic):
        response = client.post(
            reverse("notifications:saved_search_create"),
            {"name": name, "query": query, "frequency": "weekly", "topic": topic},
        )
        assert response.status_code in (200, 302, 400)
        assert_safe(response, "saved search")
        assert_safe(client.get(reverse("notifications:preferences")), "preferences")
        user.saved_searches.all().delete()  # stay under the number a member may keep

    check()


# What the secretariat saves in the admin -------------------------------------------------------


def contentstate(text, url):
    """Draftail's value for one paragraph: `text`, with a link to `url` over its first word."""
    return json.dumps(
        {
            "blocks": [
                {
                    "key": "p0000",
                    "type": "unstyled",
                    "depth": 0,
                    "text": f"Read {text}",
                    "inlineStyleRanges": [],
                    "entityRanges": [{"offset": 0, "length": 4, "key": 0}],
                    "data": {},
                }
            ],
            "entityMap": {"0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": url}}},
        }
    )


def test_resource_titles_and_rich_text_links_saved_in_the_admin_come_back_inert(
    secretariat_client, home_page, django_capture_on_commit_callbacks
):
    resource = library.resource("Guide", topics=["referral"])
    edit_url = f"/admin/pages/{resource.pk}/edit/"
    base = editor_form_data(secretariat_client.get(edit_url).content.decode())
    anonymous = Client()
    saved = []

    @settings(FUZZ, max_examples=6)
    @given(title=xss, summary=anything, text=anything, url=xss)
    def check(title, summary, text, url):
        data = base.copy()
        data.update(
            nested_form_data({"body": streamfield([("paragraph", contentstate(text, url))])})
        )
        data.update({"title": title, "summary": summary, "action-publish": "action-publish"})
        with django_capture_on_commit_callbacks(execute=True):
            response = secretariat_client.post(edit_url, data)
        assert response.status_code in (200, 302)
        assert_safe(response, "page editor")
        page = ResourcePage.objects.get(pk=resource.pk)
        if response.status_code == 302:
            assert page.title == title.strip()
            saved.append(title)
        for url_out in (page.url, "/library/", "/search/?q=guide", "/", "/api/search/?q="):
            assert_safe(anonymous.get(url_out), url_out)
        assert_safe(anonymous.get("/library/feed/"), "feed")

    check()
    assert saved, "no example was saved: the fuzzing proved nothing"


def test_a_title_with_a_control_character_does_not_take_the_feed_down(home_page):
    library.resource("Guide\x01 for\x0b border\x1f guards", summary="Steps\x08 to take")
    response = Client().get("/library/feed/")
    assert response.status_code == 200
    text = assert_safe(response, "feed")
    assert "Guide for border guards" in text and "Steps to take" in text


def test_rich_text_from_the_admin_loses_script_links_but_keeps_web_links(
    secretariat_client, home_page
):
    """The converter the admin uses drops script URLs; a real web link survives it (so the
    fuzzing above would see a link if one were let through)."""
    resource = library.resource("Guide")
    edit_url = f"/admin/pages/{resource.pk}/edit/"
    data = editor_form_data(secretariat_client.get(edit_url).content.decode())
    body = [
        ("paragraph", contentstate("safe", "https://example.org/guide")),
        ("paragraph", contentstate("unsafe", f"javascript:{MARK}()")),
    ]
    data.update(nested_form_data({"body": streamfield(body)}))
    data["action-publish"] = "action-publish"
    assert secretariat_client.post(edit_url, data).status_code == 302
    html = Client().get(ResourcePage.objects.get(pk=resource.pk).url).content.decode()
    assert 'href="https://example.org/guide"' in html
    assert "<a>Read</a> unsafe" in html and MARK not in html


def test_meeting_fields_saved_in_the_admin_come_back_inert(
    secretariat_client, home_page, django_capture_on_commit_callbacks
):
    meeting = make_meeting(start=datetime.date.today() + datetime.timedelta(days=15))
    edit_url = f"/admin/pages/{meeting.pk}/edit/"
    base = editor_form_data(secretariat_client.get(edit_url).content.decode())
    member = Client()
    member.force_login(UserFactory(member=True))
    saved = []

    @settings(FUZZ, max_examples=6)
    @given(title=xss, city=anything, summary=anything, minutes=anything, url=xss)
    def check(title, city, summary, minutes, url):
        data = base.copy()
        data.update(
            {
                "title": title,
                "venue_city": city,
                "public_summary": contentstate(summary, url),
                "minutes": contentstate(minutes, url),
                "action-publish": "action-publish",
            }
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = secretariat_client.post(edit_url, data)
        assert response.status_code in (200, 302)
        assert_safe(response, "meeting editor")
        page = MeetingPage.objects.get(pk=meeting.pk)
        if response.status_code == 302:
            assert page.title == title.strip()
            saved.append(title)
        for viewer in (Client(), member):
            for url_out in (page.url, "/meetings/", "/"):
                assert_safe(viewer.get(url_out), url_out)

    check()
    assert saved, "no example was saved: the fuzzing proved nothing"


def test_document_file_names_and_titles_come_back_inert(secretariat_client, home_page):
    resource = library.resource("Guide with a file")
    member = Client()
    member.force_login(UserFactory(member=True))
    pdf = library.pdf_bytes()
    stored_any = []

    @settings(FUZZ, max_examples=10)
    @given(name=xss, title=xss)
    def check(name, title):
        before = set(LibraryDocument.objects.values_list("pk", flat=True))
        response = secretariat_client.post(
            "/admin/documents/add/",
            {"title": title, "file": SimpleUploadedFile(f"{name}.pdf", pdf), "collection": 1},
        )
        assert response.status_code in (200, 302)
        assert_safe(response, "document upload")
        for document in LibraryDocument.objects.exclude(pk__in=before):
            stored_any.append(document.pk)
            stored = document.file.name.rsplit("/", 1)[-1]
            assert re.fullmatch(r"[\w.-]+", stored), stored  # no markup, quotes or path parts
            ResourceAttachment.objects.create(page=resource, document=document)
            download = member.get(document.url)
            assert download.status_code == 200
            disposition = download["Content-Disposition"]
            assert "\n" not in disposition and "\r" not in disposition
            assert disposition.count('"') in (0, 2), disposition
            assert_safe(member.get(resource.url), "resource page")
            assert_safe(secretariat_client.get("/admin/documents/"), "admin documents")

    check()
    assert stored_any, "no upload was stored: the fuzzing proved nothing"


# What reaches the database by other paths (imports, the admin's snippets) ---------------------


def stored(strategy):
    """Text as a form lets it reach the database: every form refuses NUL (and PostgreSQL
    cannot store it)."""
    return strategy.map(lambda text: text.replace("\x00", ""))


def test_stored_text_of_every_kind_renders_escaped_on_every_page(home_page):
    # The secretariat sees every field (biographies included); anonymous pages are the others'
    # templates with less in them.
    secretariat = Client()
    secretariat.force_login(UserFactory(secretariat=True))

    @settings(FUZZ, max_examples=5)
    @given(
        name=stored(xss),
        biography=stored(xss),
        job=stored(anything),
        title=stored(xss),
        summary=stored(anything),
        agenda=stored(xss),
        decision=stored(anything),
        action=stored(anything),
    )
    def check(name, biography, job, title, summary, agenda, decision, action):
        country = make_country(name=f"{name[:90]} {next(NUMBERS)}")
        person = PersonFactory(
            given_name=name[:100],
            job_title=job[:200],
            biography=biography,
            biography_audience=Audience.PUBLIC,
            country=country,
        )
        MandateFactory(person=person)
        resource = library.resource(title[:255], summary=summary, countries=[country.iso_code])
        meeting = make_meeting(
            title=title[:255],
            children={
                "agenda_items": [AgendaItem(title=agenda[:255])],
                "decisions": [Decision(number=1, text=decision)],
                "action_points": [ActionPoint(description=action, owner_person=person)],
            },
        )
        urls = [
            person.get_absolute_url(),
            "/network/people/",
            f"/network/{country.iso_code}/",
            "/network/",
            resource.url,
            "/library/",
            meeting.url,
            "/meetings/",
            "/meetings/actions/",
            "/",
        ]
        for viewer in (Client(), secretariat):
            for url in urls:
                assert_safe(viewer.get(url), url)

    check()
