"""
Publishing from a new page's form while its first autosave is in flight creates one page, never
two, and never answers 500. The browser sends two requests to the create view from the same form:
the autosave (a background POST asking for JSON, which creates the page as a draft) and the
editor's own Publish (a form submission, sent before the autosave's answer has switched the form
to the edit view). These tests replay both, in either order, as the browser sends them; on
PostgreSQL also truly at once: two web workers (threads, each with its own connection), the first
held inside its request until the second has either finished or is waiting for it.
"""

import re
import threading
import uuid
from datetime import timedelta

import pytest

from django.db import connection, connections
from django.db.models.signals import pre_save
from django.utils import timezone

from wagtail.test.utils.form_data import nested_form_data, streamfield

from portal.autosave import TOKEN_FIELD
from portal.models import CreateFormClaim, HomePage, StandardPage
from tests.clients import Client
from tests.portal.factories import UserFactory
from tests.workers import wait_for

TITLE = "Terms of cooperation"


def create_url(parent):
    return f"/admin/pages/add/portal/standardpage/{parent.pk}/"


def form_data(client, parent, **fields):
    """What the create form posts once the editor has typed a title (the slug follows it)."""
    response = client.get(create_url(parent))
    assert response.status_code == 200
    html = response.content.decode()
    token = re.search(rf'name="{TOKEN_FIELD}" value="([^"]+)"', html)
    assert token, "the create form carries no token"
    # One token, inside the form (Wagtail's template renders its footer block twice).
    assert html.count(f'name="{TOKEN_FIELD}"') == 1
    form = html.index('id="page-edit-form"')
    assert form < token.start() < html.index("</form>", form)
    data = {"title": TITLE, "slug": "terms-of-cooperation", "body": streamfield([]), **fields}
    return {**nested_form_data(data), TOKEN_FIELD: token[1]}


def autosave(client, parent, data):
    return client.post(create_url(parent), data, HTTP_ACCEPT="application/json")


def publish(client, parent, data):
    return client.post(create_url(parent), {**data, "action-publish": "action-publish"})


@pytest.fixture
def editor(secretariat):
    client = Client(raise_request_exception=False)
    client.force_login(secretariat)
    return client


@pytest.mark.django_db
def test_publish_after_the_autosave_created_the_page_publishes_that_page(editor):
    home = HomePage.objects.get()
    data = form_data(editor, home)

    saved = autosave(editor, home, data)
    published = publish(editor, home, data)

    assert saved.status_code == 200, saved.content
    assert published.status_code == 302, published.content[:2000]
    page = StandardPage.objects.get()
    assert page.live and page.title == TITLE


@pytest.mark.django_db
def test_publish_after_an_autosave_of_a_shorter_title_publishes_that_page(editor):
    """The editor typed on after the autosave began: the slug followed the title."""
    home = HomePage.objects.get()
    data = form_data(editor, home)
    early = {**data, "title": "Terms of", "slug": "terms-of"}

    saved = autosave(editor, home, early)
    published = publish(editor, home, data)

    assert saved.status_code == 200, saved.content
    assert published.status_code == 302, published.content[:2000]
    page = StandardPage.objects.get()
    assert page.live and page.title == TITLE


@pytest.mark.django_db
def test_an_autosave_answered_after_the_publish_leaves_the_published_page_alone(editor):
    """The autosave left first but reached the server last: its form state is older."""
    home = HomePage.objects.get()
    data = form_data(editor, home)
    early = {**data, "title": "Terms of", "slug": "terms-of"}

    published = publish(editor, home, data)
    saved = autosave(editor, home, early)

    assert published.status_code == 302
    assert saved.status_code == 400
    assert saved.json()["error_code"] == "invalid_revision"
    page = StandardPage.objects.get()
    assert page.live and page.title == TITLE and not page.has_unpublished_changes
    assert page.revisions.count() == 1


@pytest.mark.django_db
def test_an_autosave_sent_again_saves_the_same_draft_and_switches_the_form(editor):
    """An autosave whose answer was lost is sent again, by the create form, with what the
    editor typed since: it updates the draft the first made and moves the form to the edit
    view, as the first answer would have."""
    home = HomePage.objects.get()
    data = form_data(editor, home)
    early = {**data, "title": "Terms of", "slug": "terms-of"}

    first = autosave(editor, home, early)
    again = autosave(editor, home, data)

    assert first.status_code == 200 and again.status_code == 200, again.content
    page = StandardPage.objects.get()
    answer = again.json()
    assert answer["success"] and answer["pk"] == page.pk
    assert answer["url"] == f"/admin/pages/{page.pk}/edit/"
    assert answer["hydrate_url"] == f"/admin/pages/{page.pk}/edit/?_w_hydrate_create_view=1"
    assert answer["revision_id"] == first.json()["revision_id"]  # overwritten, not a new one
    assert not page.live and page.get_latest_revision_as_object().title == TITLE
    assert page.revisions.count() == 1


@pytest.mark.django_db
def test_two_create_forms_create_two_pages(editor):
    home = HomePage.objects.get()
    one = form_data(editor, home)
    other = {**form_data(editor, home), "title": "Accessibility", "slug": "accessibility"}
    assert one[TOKEN_FIELD] != other[TOKEN_FIELD]

    autosave(editor, home, one)
    publish(editor, home, other)

    assert sorted(StandardPage.objects.values_list("title", "live")) == [
        ("Accessibility", True),
        (TITLE, False),
    ]


@pytest.mark.django_db
def test_a_form_without_a_token_creates_as_wagtail_does(editor):
    """A create form opened before the token existed still works."""
    home = HomePage.objects.get()
    data = form_data(editor, home)
    del data[TOKEN_FIELD]

    assert publish(editor, home, data).status_code == 302
    assert StandardPage.objects.get().live


@pytest.mark.django_db
def test_a_form_shown_again_with_its_errors_keeps_its_token(editor):
    home = HomePage.objects.get()
    data = form_data(editor, home)

    refused = publish(editor, home, {**data, "title": ""})

    assert refused.status_code == 200
    assert f'name="{TOKEN_FIELD}" value="{data[TOKEN_FIELD]}"' in refused.content.decode()
    assert not StandardPage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_a_malformed_token_is_refused_naming_the_field(editor, accept):
    home = HomePage.objects.get()
    data = {**form_data(editor, home), TOKEN_FIELD: "not-a-token"}

    response = editor.post(create_url(home), data, HTTP_ACCEPT=accept)

    assert response.status_code == 400
    assert TOKEN_FIELD in response.content.decode()
    assert not StandardPage.objects.exists()


@pytest.mark.django_db
def test_another_users_form_token_is_refused(editor, secretariat):
    home = HomePage.objects.get()
    data = form_data(editor, home)
    autosave(editor, home, data)
    someone = Client(raise_request_exception=False)
    someone.force_login(UserFactory(secretariat=True))

    response = someone.post(create_url(home), {**data, "action-publish": "action-publish"})

    assert response.status_code == 400
    page = StandardPage.objects.get()
    assert not page.live and page.revisions.count() == 1


@pytest.mark.django_db
def test_claims_older_than_a_day_are_pruned_by_the_next_create(editor, secretariat):
    old = CreateFormClaim.objects.create(
        token=uuid.uuid4(), user=secretariat, created_at=timezone.now() - timedelta(days=2)
    )
    home = HomePage.objects.get()

    autosave(editor, home, form_data(editor, home))

    assert not CreateFormClaim.objects.filter(pk=old.pk).exists()
    assert CreateFormClaim.objects.get().page == StandardPage.objects.get().page_ptr


class HeldRequest:
    """A request in another web worker (a thread with its own database connection), held as its
    new page is about to be inserted, until `release()`."""

    def __init__(self, send):
        self.reached = threading.Event()
        self.go_on = threading.Event()
        self.outcome = {}
        pre_save.connect(self._hold, sender=StandardPage, dispatch_uid="held-request")
        self.thread = threading.Thread(target=self._run, args=(send,))
        self.thread.start()
        assert self.reached.wait(timeout=60), "the held request never reached its insert"

    def _hold(self, sender, instance, **kwargs):
        if threading.current_thread() is self.thread and not self.reached.is_set():
            self.reached.set()
            assert self.go_on.wait(timeout=60), "never released"

    def _run(self, send):
        try:
            self.outcome["response"] = send()
        finally:
            connections.close_all()

    def release(self):
        self.go_on.set()
        self.thread.join(timeout=60)
        pre_save.disconnect(sender=StandardPage, dispatch_uid="held-request")
        assert not self.thread.is_alive()
        return self.outcome["response"]


def in_another_worker(send):
    outcome = {}

    def run():
        try:
            outcome["response"] = send()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def blocked_connections():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE cardinality(pg_blocking_pids(pid)) > 0 AND datname = current_database()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("first", ["autosave", "publish"])
def test_autosave_and_publish_at_once_create_one_page(editor, secretariat, first):
    if connection.vendor != "postgresql":
        pytest.skip("two requests at once need PostgreSQL (SQLite runs one writer at a time)")
    home = HomePage.objects.get()
    data = form_data(editor, home)
    other = Client(raise_request_exception=False)
    other.force_login(secretariat)
    sends = {
        "autosave": lambda client: autosave(client, home, data),
        "publish": lambda client: publish(client, home, data),
    }
    second = "publish" if first == "autosave" else "autosave"

    held = HeldRequest(lambda: sends[first](editor))
    thread, outcome = in_another_worker(lambda: sends[second](other))
    wait_for(
        lambda: not thread.is_alive() or blocked_connections() > 0,
        30,
        "the second request neither finished nor waited",
    )
    waited = thread.is_alive()
    responses = {first: held.release()}
    thread.join(timeout=60)
    responses[second] = outcome["response"]

    assert waited, "the second request did not wait for the first"
    assert responses["publish"].status_code == 302, responses["publish"].content[:2000]
    page = StandardPage.objects.get()
    assert page.live and page.title == TITLE and not page.has_unpublished_changes
    if first == "autosave":
        assert responses["autosave"].json()["success"] is True
    else:
        assert responses["autosave"].json()["error_code"] == "invalid_revision"


def meeting_form(client, index, titles):
    """The meeting create form as the editor fills it: a date and agenda items, no ids (the form
    has not heard back from any save)."""
    from tests.meetings.admin_forms import editor_form_data

    url = f"/admin/pages/add/meetings/meetingpage/{index.pk}/"
    data = editor_form_data(client.get(url).content.decode())
    data.update(
        {"title": "Regional meeting", "slug": "regional-meeting", "start_date": "2027-03-01",
         "end_date": "2027-03-02", "start_time": "09:00", "end_time": "17:00",
         "agenda_items-TOTAL_FORMS": str(len(titles))}
    )  # fmt: skip
    for index_, title in enumerate(titles):
        data.update({f"agenda_items-{index_}-title": title, f"agenda_items-{index_}-ORDER": ""})
    return url, data


@pytest.mark.django_db
@pytest.mark.parametrize("first", ["autosave", "publish"])
def test_a_second_request_of_the_form_adds_no_row_again(editor, first):
    """The second request of a create form edits the page the first made: its rows are the
    rows the first request created, not new ones beside them."""
    from meetings.models import MeetingIndexPage, MeetingPage

    index = MeetingIndexPage.objects.get()
    url, data = meeting_form(editor, index, ["Opening", "Referral pathway"])
    data = {key: data.getlist(key) for key in data}
    requests = {
        "autosave": lambda form: editor.post(url, form, HTTP_ACCEPT="application/json"),
        "publish": lambda form: editor.post(url, {**form, "action-publish": "action-publish"}),
    }
    answers = [requests[first](data), requests["publish"](data)]
    # The autosave answers JSON (200), a Publish redirects (302).
    expected = {"autosave": [200, 302], "publish": [302, 302]}[first]
    assert [answer.status_code for answer in answers] == expected, [
        answer.content[:3000] for answer in answers
    ]
    meeting = MeetingPage.objects.get(slug="regional-meeting")
    assert meeting.live
    assert [item.title for item in meeting.agenda_items.all()] == ["Opening", "Referral pathway"]
    # A row added to the form after the first request is new; the others stay as they were.
    more = {**data, "agenda_items-TOTAL_FORMS": ["3"], "agenda_items-2-title": ["Next steps"]}
    more["agenda_items-2-ORDER"] = [""]
    assert requests["publish"](more).status_code == 302
    assert [item.title for item in meeting.agenda_items.all()] == [
        "Opening", "Referral pathway", "Next steps"
    ]  # fmt: skip
