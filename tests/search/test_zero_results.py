"""Searches without results: counted by day, the searcher's tier (as the policy gives it) and
interface language, never who; read by the secretariat by ISO week with filters, exported as CSV
and handled with a note."""

import csv
import datetime
import io

import pytest

from django.conf import settings
from django.utils import timezone, translation

from search import gaps, service
from search.models import ZeroResultHandling, ZeroResultQuery
from tests.clients import Client
from tests.conftest import session_reads
from tests.portal.factories import UserFactory
from tests.search.conftest import make_record, store

API = "/api/search/"
PAGE = "/search/"
LIST = "/admin/search/zero-results/"
EXPORT = "/admin/search/zero-results/export/"


def handle_url(row):
    return f"/admin/search/zero-results/{row.pk}/handle/"


@pytest.fixture
def records(db, settings):
    settings.ELASTICSEARCH_URL = ""
    return store(
        make_record(1, "Public referral guide", body="Referral of victims."),
        make_record(2, "Members' screening checklist", audience="members", body="Screening."),
    )


@pytest.fixture
def today():
    return gaps.portal_day()


def count(query, day, *, tier="public", language="en", n=1):
    return ZeroResultQuery.objects.create(
        query=query, day=day, tier=tier, language=language, count=n
    )


def monday_of(day, weeks_back=0):
    return day - datetime.timedelta(days=day.weekday() + 7 * weeks_back)


def listed(response):
    """(week, query, language, tier, total, status) of each row the list shows, in order."""
    return [
        (row["iso_week"], row["query"], row["language"], row["tier"], row["total"], row["status"])
        for row in response.context["rows"]
    ]


def exported(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


class TestRecording:
    def test_a_member_missing_members_only_guidance_is_counted_with_the_member_tier(
        self, member_client, records
    ):
        member_client.get(API, {"q": "forced criminality indicators"})
        Client().get(API, {"q": "Forced  Criminality indicators"})
        rows = ZeroResultQuery.objects.order_by("tier")
        assert [(r.query, r.tier, r.language, r.count) for r in rows] == [
            ("forced criminality indicators", "members", "en", 1),
            ("forced criminality indicators", "public", "en", 1),
        ]

    def test_counts_add_up_per_day_tier_and_language_and_keep_no_identity(
        self, member_client, records
    ):
        for _ in range(3):
            member_client.get(API, {"q": "labour inspection"})
        member_client.get(PAGE, {"q": "labour inspection"})
        row = ZeroResultQuery.objects.get()
        assert (row.count, row.tier, row.day) == (4, "members", gaps.portal_day())
        fields = {field.name for field in ZeroResultQuery._meta.fields}
        assert fields == {"id", "query", "day", "tier", "language", "count"}

    def test_the_interface_language_is_recorded(self, client, records):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
        client.get(API, {"q": "travail forcé"})
        assert ZeroResultQuery.objects.get().language == "fr"

    def test_a_secretariat_session_without_the_second_factor_counts_as_a_member(self, records):
        client = Client()
        client.force_login(UserFactory(secretariat=True), second_factor=False)
        client.get(API, {"q": "budget lines"})
        assert ZeroResultQuery.objects.get().tier == "members"

    def test_the_secretariat_is_counted_as_such(self, secretariat_client, records):
        secretariat_client.get(API, {"q": "budget lines"})
        assert ZeroResultQuery.objects.get().tier == "secretariat"

    def test_searches_run_on_someones_behalf_are_not_counted(self, member, records):
        """A saved-search alert finding nothing is no one looking for guidance."""
        assert service.search("budget lines", member).total == 0
        assert not ZeroResultQuery.objects.exists()

    def test_filtered_and_found_searches_are_not_counted(self, client, records):
        client.get(API, {"q": "budget lines", "type": "guideline"})
        client.get(API, {"q": "referral"})
        assert not ZeroResultQuery.objects.exists()

    def test_the_day_is_the_portals_not_the_searchers_time_zone(self, db, settings):
        settings.TIME_ZONE = "UTC"
        ahead = "Pacific/Kiritimati"  # UTC+14: tomorrow for most of the portal's day
        with timezone.override(ahead):
            service.record_zero_result("budget lines", "public")
        utc_day = timezone.now().astimezone(datetime.UTC).date()
        assert ZeroResultQuery.objects.get().day == utc_day

    def test_a_language_the_portal_does_not_offer_is_left_empty(self, db):
        with translation.override("de"):
            service.record_zero_result("budget lines", "public", service.interface_language())
        assert ZeroResultQuery.objects.get().language == ""


class TestList:
    def test_rows_are_grouped_by_iso_week_language_and_tier_most_searched_first(
        self, secretariat_client, today
    ):
        this_week, last_week = monday_of(today), monday_of(today, 1)
        count("budget lines", this_week, n=2)
        count("budget lines", this_week + datetime.timedelta(days=2), n=3)  # same week
        count("budget lines", last_week, n=4)
        count("budget lines", this_week, language="fr", n=1)
        count("budget lines", this_week, tier="members", n=6)
        response = secretariat_client.get(LIST)
        assert response.status_code == 200
        week, before = gaps.iso_week(this_week), gaps.iso_week(last_week)
        assert listed(response) == [
            (week, "budget lines", "en", "members", 6, "open"),
            (week, "budget lines", "en", "public", 5, "open"),
            (before, "budget lines", "en", "public", 4, "open"),
            (week, "budget lines", "fr", "public", 1, "open"),
        ]
        html = response.content.decode()
        assert week in html and "Member" in html and "French" in html

    def test_the_week_filter(self, secretariat_client, today):
        last_week = monday_of(today, 1)
        count("budget lines", today)
        count("shelters", last_week + datetime.timedelta(days=6))
        count("old", last_week - datetime.timedelta(days=1))
        response = secretariat_client.get(LIST, {"week": gaps.iso_week(last_week)})
        assert [row[1] for row in listed(response)] == ["shelters"]

    def test_the_language_filter(self, secretariat_client, today):
        count("budget lines", today, language="en")
        count("lignes budgétaires", today, language="fr")
        response = secretariat_client.get(LIST, {"language": "fr"})
        assert [row[1] for row in listed(response)] == ["lignes budgétaires"]

    def test_the_public_view_of_gaps_leaves_out_members_missing_members_only_guidance(
        self, secretariat_client, member, records
    ):
        member_client = Client()
        member_client.force_login(member)
        member_client.get(API, {"q": "interviews at border crossings"})
        Client().get(API, {"q": "hotline number"})
        public = secretariat_client.get(LIST, {"tier": "public"})
        assert [row[1] for row in listed(public)] == ["hotline number"]
        assert "border crossings" not in public.content.decode()
        members = secretariat_client.get(LIST, {"tier": "members"})
        assert [row[1] for row in listed(members)] == ["interviews at border crossings"]

    def test_the_handled_filter(self, secretariat_client, secretariat, today):
        last_week = monday_of(today, 1)
        count("never handled", today)
        count("handled", last_week)
        count("came back", last_week)
        count("came back", today)
        for query in ("handled", "came back"):
            handling = gaps.handle(query, "Guidance published.", secretariat)
            handling.handled_on = last_week
            handling.save()

        def shown(status):
            response = secretariat_client.get(LIST, {"status": status})
            assert response.status_code == 200
            return sorted((row[1], row[5]) for row in listed(response))

        assert shown("open") == [("never handled", "open")]
        assert shown("handled") == [("came back", "handled"), ("handled", "handled")]
        assert shown("seen-again") == [("came back", "seen-again")]
        assert shown("attention") == [("came back", "seen-again"), ("never handled", "open")]
        assert len(shown("")) == 4

    def test_filters_combine_and_pages_keep_them(self, secretariat_client, today):
        for i in range(55):
            count(f"query {i:02d}", today, tier="members", n=100 - i)
        count("other tier", today, tier="public", n=1000)
        response = secretariat_client.get(LIST, {"tier": "members", "language": "en"})
        assert len(listed(response)) == 50
        assert listed(response)[0][1] == "query 00"
        assert "tier=members&amp;language=en&amp;p=2" in response.content.decode()
        second = secretariat_client.get(LIST, {"tier": "members", "language": "en", "p": "2"})
        assert [row[1] for row in listed(second)] == [f"query {i}" for i in range(50, 55)]

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({"week": "last week"}, "Unknown week “last week”"),
            ({"week": "2025-W54"}, "Unknown week “2025-W54”"),
            ({"week": "9999-W52"}, "Unknown week “9999-W52”"),
            ({"week": "0001-W01"}, "Unknown week “0001-W01”"),
            ({"language": "klingon"}, "Unknown language “klingon”"),
            ({"tier": "admin"}, "Unknown tier “admin”"),
            ({"status": "done"}, "Unknown status “done”"),
        ],
    )
    def test_an_unknown_filter_value_gets_a_message_naming_it(
        self, secretariat_client, today, params, message
    ):
        count("budget lines", today)
        for url in (LIST, EXPORT):
            response = secretariat_client.get(url, params)
            assert response.status_code == 400, url
            html = response.content.decode()
            assert message in html
            assert "budget lines" not in html

    def test_a_very_long_filter_value_is_not_echoed_in_full(self, secretariat_client, db):
        response = secretariat_client.get(LIST, {"tier": "x" * 5000})
        assert response.status_code == 400
        assert "x" * 21 not in response.content.decode()

    def test_the_list_spends_the_same_queries_for_3_or_30_rows(
        self, secretariat_client, secretariat, today, django_assert_num_queries
    ):
        def fill(n):
            for i in range(n):
                row = count(f"query {i}", today - datetime.timedelta(days=i % 14), n=i + 1)
                if i % 3 == 0:
                    gaps.handle(row.query, f"Note {i}", secretariat)

        secretariat_client.get(LIST)  # warm the admin's per-process caches
        fill(3)
        # The session (when read from the database); the user, their groups and their two
        # permission sets (four); for Wagtail's frame, the user's profile, the locales, page
        # and collection permissions and the explorer's root (five); then the list's count,
        # its rows and their handlings (three).
        expected = 12 + session_reads()
        with django_assert_num_queries(expected):
            assert len(listed(secretariat_client.get(LIST, {"status": "attention"}))) == 2
        ZeroResultQuery.objects.all().delete()
        fill(30)
        with django_assert_num_queries(expected):
            assert len(listed(secretariat_client.get(LIST, {"status": "attention"}))) == 20


class TestExport:
    def test_the_export_is_the_filtered_list_as_csv(self, secretariat_client, secretariat, today):
        last_week = monday_of(today, 1)
        count("budget lines", today, tier="members", n=3)
        count("budget lines", last_week, tier="members", n=2)
        count("hotline", today, tier="public", n=7)
        gaps.handle("budget lines", "Added to the finance guide.", secretariat)
        rows = exported(secretariat_client.get(EXPORT, {"tier": "members"}))
        assert [(r["week"], r["query"], r["tier"], r["searches"], r["status"]) for r in rows] == [
            (gaps.iso_week(today), "budget lines", "members", "3", "handled"),
            (gaps.iso_week(last_week), "budget lines", "members", "2", "handled"),
        ]
        assert rows[0]["note"] == "Added to the finance guide."
        assert rows[0]["handled_by"] == secretariat.get_full_name()
        assert rows[0]["language"] == "en" and rows[0]["handled_at"]
        everything = exported(secretariat_client.get(EXPORT))
        assert [r["query"] for r in everything] == ["hotline", "budget lines", "budget lines"]

    def test_the_export_is_not_limited_to_one_page(self, secretariat_client, today):
        for i in range(120):
            count(f"query {i}", today)
        assert len(exported(secretariat_client.get(EXPORT))) == 120

    def test_exported_cells_never_run_as_formulas(self, secretariat_client, secretariat, today):
        count('=hyperlink("http://evil.example","x")', today)
        gaps.handle('=hyperlink("http://evil.example","x")', "+cmd|' /C calc'!A0", secretariat)
        [row] = exported(secretariat_client.get(EXPORT))
        assert row["query"] == "'" + '=hyperlink("http://evil.example","x")'
        assert row["note"] == "'+cmd|' /C calc'!A0"

    def test_the_list_links_to_the_export_with_its_filters(self, secretariat_client, today):
        count("budget lines", today)
        html = secretariat_client.get(LIST, {"tier": "public", "status": "open"}).content.decode()
        assert f"{EXPORT}?tier=public&amp;status=open" in html


class TestHandling:
    def test_handling_records_the_note_who_and_when(self, secretariat_client, secretariat, today):
        row = count("budget lines", today, tier="members")
        next_url = f"{LIST}?tier=members"
        response = secretariat_client.post(
            handle_url(row), {"note": "  Published the finance guide.  ", "next": next_url}
        )
        assert response.status_code == 302 and response["Location"] == next_url
        handling = ZeroResultHandling.objects.get()
        assert handling.query == "budget lines"
        assert handling.note == "Published the finance guide."
        assert handling.handled_by == secretariat and handling.handled_on == today
        assert (timezone.now() - handling.handled_at).total_seconds() < 60
        listing = secretariat_client.get(next_url)
        assert listed(listing)[0][5] == "handled"
        assert "Published the finance guide." in listing.content.decode()

    def test_the_handle_page_shows_the_querys_weeks_and_the_note(
        self, secretariat_client, secretariat, today
    ):
        row = count("budget lines", today, tier="members", n=2)
        count("budget lines", monday_of(today, 2), tier="public", n=5)
        count("other", today)
        gaps.handle("budget lines", "Asked the finance group.", secretariat)
        response = secretariat_client.get(handle_url(row))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Asked the finance group." in html and secretariat.get_full_name() in html
        assert [(r["iso_week"], r["tier"], r["total"]) for r in response.context["history"]] == [
            (gaps.iso_week(today), "members", 2),
            (gaps.iso_week(monday_of(today, 2)), "public", 5),
        ]
        assert "other" not in html

    def test_a_handled_query_searched_again_in_a_new_week_shows_as_seen_again(
        self, secretariat_client, secretariat, records, today
    ):
        earlier = monday_of(today, 2)
        count("budget lines", earlier, n=4)
        handling = gaps.handle("budget lines", "Nothing to add: out of scope.", secretariat)
        ZeroResultHandling.objects.filter(pk=handling.pk).update(handled_on=earlier)
        Client().get(API, {"q": "budget lines"})
        rows = listed(secretariat_client.get(LIST))
        assert rows == [
            (gaps.iso_week(earlier), "budget lines", "en", "public", 4, "handled"),
            (gaps.iso_week(today), "budget lines", "en", "public", 1, "seen-again"),
        ]
        html = secretariat_client.get(LIST, {"status": "attention"}).content.decode()
        assert "Handled, seen again" in html and "Nothing to add: out of scope." in html

    def test_a_search_later_on_the_day_of_handling_is_covered_by_it(
        self, secretariat_client, secretariat, records
    ):
        Client().get(API, {"q": "budget lines"})
        gaps.handle("budget lines", "Guidance requested.", secretariat)
        Client().get(API, {"q": "budget lines"})
        assert listed(secretariat_client.get(LIST))[0][4:] == (2, "handled")

    def test_handling_again_replaces_the_note_and_reopening_forgets_it(
        self, secretariat_client, today
    ):
        row = count("budget lines", today)
        secretariat_client.post(handle_url(row), {"note": "First note."})
        secretariat_client.post(handle_url(row), {"note": "Second note."})
        assert list(ZeroResultHandling.objects.values_list("note", flat=True)) == ["Second note."]
        response = secretariat_client.post(handle_url(row), {"reopen": "1", "note": ""})
        assert response.status_code == 302
        assert not ZeroResultHandling.objects.exists()
        assert listed(secretariat_client.get(LIST))[0][5] == "open"

    @pytest.mark.parametrize(
        ("note", "message"),
        [
            ("x" * 501, "Ensure this value has at most 500 characters (it has 501)."),
            ("   ", "This field is required."),
        ],
    )
    def test_a_bad_note_is_refused_naming_the_field_and_nothing_is_written(
        self, secretariat_client, today, note, message
    ):
        row = count("budget lines", today)
        response = secretariat_client.post(handle_url(row), {"note": note})
        assert response.status_code == 400
        html = response.content.decode()
        assert message in html and 'for="id_note">Note<' in html
        assert not ZeroResultHandling.objects.exists()

    def test_a_note_of_500_characters_is_accepted(self, secretariat_client, today):
        row = count("budget lines", today)
        secretariat_client.post(handle_url(row), {"note": "x" * 500})
        assert len(ZeroResultHandling.objects.get().note) == 500

    def test_an_unknown_row_is_a_404(self, secretariat_client, db):
        missing = "/admin/search/zero-results/999999/handle/"
        assert secretariat_client.get(missing).status_code == 404
        assert secretariat_client.post(missing, {"note": "x"}).status_code == 404

    def test_handling_goes_back_only_to_the_list(self, secretariat_client, today):
        row = count("budget lines", today)
        for target in ("https://evil.example/admin/search/zero-results/", "/admin/pages/", ""):
            response = secretariat_client.post(handle_url(row), {"note": "Done.", "next": target})
            assert response["Location"] == LIST


def refused(response):
    """Anonymous: sent to sign in; a member: refused; a secretariat account without the second
    factor: sent to pass it. Never the content."""
    return response.status_code in (302, 403) and b"budget lines" not in response.content


class TestAccess:
    @pytest.fixture
    def others(self, db, member):
        member_client = Client()
        member_client.force_login(member)
        half_signed = Client()
        half_signed.force_login(UserFactory(secretariat=True), second_factor=False)
        return {"anonymous": Client(), "member": member_client, "half-signed": half_signed}

    def test_only_the_secretariat_with_the_second_factor_opens_the_list_export_and_handling(
        self, others, secretariat_client, today
    ):
        row = count("budget lines", today)
        for who, client in others.items():
            for url in (LIST, EXPORT, f"{EXPORT}?tier=public", handle_url(row)):
                assert refused(client.get(url)), (who, url)
            assert refused(client.post(handle_url(row), {"note": "Done."})), who
        assert not ZeroResultHandling.objects.exists()
        assert others["half-signed"].get(LIST)["Location"].startswith("/accounts/")
        for url in (LIST, EXPORT, handle_url(row)):
            assert secretariat_client.get(url).status_code == 200

    def test_the_secretariat_finds_the_list_in_the_admin_menu(self, secretariat_client):
        assert LIST in secretariat_client.get("/admin/").content.decode()


class TestWhatIsRecorded:
    """Searches are recorded as gaps in the guidance only when they read as a topic: never an
    email address, however written, a number other than the field's own (a year, an EU act, an
    article), so no date, telephone, case or account number, or a long text that reads as a
    description (of a case, perhaps) rather than a subject."""

    @pytest.mark.parametrize(
        "query",
        [
            "referral of children",
            "THB",
            "SOP 2021",
            "forced criminality indicators",
            "article 4",
            "ILO C29",
            "action plan 2021-2025",
            "national action plan 2018/2020",
            "directive 2011/36/EU",
            "Directive (EU) 2024/1712",
            "june 2021 report",
            "x" * 64,
            # Found by the attack round's secretariat tester: what stays recorded.
            "GRETA report 2019",
            "annual report 2019",
            "(2019) annual report",
            "art. 4 trafficking protocol",
            "１９７９ archive",  # a full-width year is a year
            "children at risk",  # "at" between words, no address after it
            "birth registration",  # a birth word without a number
        ],
    )
    def test_topics_are_recorded(self, db, query):
        assert gaps.recordable(query)
        service.record_zero_result(query, "public", "en")
        assert ZeroResultQuery.objects.get().query == " ".join(query.split()).lower()

    @pytest.mark.parametrize(
        "query",
        [
            "maria.popescu@example.org",
            "contact @ popescu",
            "+355 69 123 4567",
            "069-123-456",
            "0691234567",
            "(030) 12 34 56",
            "０６９１２３４５６",  # full-width digits are digits too
            "passport ab1234567",
            "case 2023/1457",
            "born 12.03.2011",
            "born 1/3/21",
            "2011-03-12",
            "born 12 march 2011",
            "le 3 mai",
            "seen on March 12",
            "2 déc. family",
            "069 2021-2025",  # a year range inside a longer run is still a number
            "12345",  # five digits: a postcode, an account
            "marriage of 3 sisters",  # a count describes a case
            "report 2019 2020",  # one number a query
            # Found by the attack round's secretariat tester: dates, addresses and an account
            # number the earlier rule let through.
            "31st of december 1979",
            "31-dec-1979",
            "31/xii/1979",
            "12 marzo 1985",
            "31 dezember 1979",
            "born 31.12.",
            "dob 31-12",
            "born 1979",
            "article 12 march",
            "jane＠mail.x",  # a full-width "@"
            "jane(at)mail",
            "jane [at] mail",
            "jane at mail.com",
            "jane at mail dot com",
            "ro12 abcd 1234",  # an IBAN
            "١٩٧٩",  # digits of another script
            "x" * 65,
            "girl from elbasan found in thessaloniki with her uncle and two others",
            "",
            "   ",
        ],
    )
    def test_what_may_be_about_a_person_or_a_case_is_never_recorded(self, db, query):
        assert not gaps.recordable(query)
        service.record_zero_result(query, "public", "en")
        assert not ZeroResultQuery.objects.exists()

    def test_a_value_that_is_not_text_is_not_recorded(self, db):
        assert not gaps.recordable(None)
        assert gaps.recordable(2021)  # a year typed alone reads as "2021"

    def test_an_anonymous_search_for_a_telephone_number_leaves_nothing(self, client, records):
        for query in ("+355 69 123 4567", "maria.popescu@example.org", "born 12.03.2011"):
            response = client.get(API, {"q": query})
            assert response.status_code == 200 and response.json()["total"] == 0
        assert not ZeroResultQuery.objects.exists()

    def test_a_query_counted_before_costs_one_statement(self, db, django_assert_num_queries):
        service.record_zero_result("budget lines", "public", "en")
        with django_assert_num_queries(1):
            service.record_zero_result("budget lines", "public", "en")
        assert ZeroResultQuery.objects.get().count == 2


class TestDailyBound:
    """A script cannot flood the list: each tier adds at most ZERO_RESULT_NEW_QUERIES_PER_DAY
    new rows a day. Queries already counted that day go on counting."""

    def test_a_tier_adds_at_most_the_daily_number_of_new_queries(self, client, records, settings):
        settings.ZERO_RESULT_NEW_QUERIES_PER_DAY = 3
        for word in ("alpha", "bravo", "charlie", "delta", "echo"):
            client.get(API, {"q": f"zzq {word}"})
        client.get(API, {"q": "zzq alpha"})
        rows = ZeroResultQuery.objects.order_by("query")
        assert [(r.query, r.count) for r in rows] == [
            ("zzq alpha", 2),
            ("zzq bravo", 1),
            ("zzq charlie", 1),
        ]

    def test_a_flood_of_one_tier_does_not_silence_the_others_or_the_next_day(
        self, member_client, records, settings, today
    ):
        settings.ZERO_RESULT_NEW_QUERIES_PER_DAY = 2
        anonymous = Client()
        for word in ("alpha", "bravo", "charlie", "delta", "echo"):
            anonymous.get(API, {"q": f"zzq flood {word}"})
        member_client.get(API, {"q": "forced criminality"})
        tomorrow = today + datetime.timedelta(days=1)
        service.record_zero_result("labour inspection", "public", "en", day=tomorrow)
        assert ZeroResultQuery.objects.filter(tier="public", day=today).count() == 2
        assert ZeroResultQuery.objects.filter(tier="members").get().query == "forced criminality"
        assert ZeroResultQuery.objects.filter(day=tomorrow).get().query == "labour inspection"

    def test_the_bound_is_a_setting_with_a_default(self):
        from portal.settings import base

        assert base.ZERO_RESULT_NEW_QUERIES_PER_DAY == 200


class TestRetention:
    """Rows are kept ZERO_RESULT_RETENTION_DAYS days, then a daily beat task deletes them; a
    handling goes when its query has no row left and it is itself that old."""

    def days_ago(self, today, n):
        return today - datetime.timedelta(days=n)

    def test_rows_older_than_the_retention_period_are_deleted(self, db, settings, today):
        settings.ZERO_RESULT_RETENTION_DAYS = 30
        count("budget lines", self.days_ago(today, 31))
        count("budget lines", self.days_ago(today, 30), n=2)
        count("hotline", self.days_ago(today, 400))
        count("hotline", today, n=3)
        purged = gaps.purge()
        assert (purged.rows, purged.handlings) == (2, 0)
        remaining = ZeroResultQuery.objects.order_by("query")
        assert [(r.query, r.day, r.count) for r in remaining] == [
            ("budget lines", self.days_ago(today, 30), 2),
            ("hotline", today, 3),
        ]

    def test_purging_again_changes_nothing(self, db, settings, today):
        settings.ZERO_RESULT_RETENTION_DAYS = 30
        count("budget lines", self.days_ago(today, 31))
        count("hotline", today)
        assert gaps.purge().rows == 1
        assert gaps.purge() == gaps.Purged(rows=0, handlings=0)
        assert ZeroResultQuery.objects.get().query == "hotline"

    def test_a_handling_goes_with_its_last_row_once_it_is_that_old_itself(
        self, db, settings, secretariat, today
    ):
        settings.ZERO_RESULT_RETENTION_DAYS = 30
        old, recent = self.days_ago(today, 31), self.days_ago(today, 5)
        # Handled long ago, nothing searched since: forgotten with its rows.
        count("budget lines", old)
        gaps.handle("budget lines", "Out of scope.", secretariat)
        # Handled long ago, searched again lately: the note still explains the recent rows.
        count("hotline", old)
        count("hotline", recent)
        gaps.handle("hotline", "Hotline page written.", secretariat)
        # Handled lately, its rows are old: kept as long as a row of that day would be.
        count("labour inspection", old)
        gaps.handle("labour inspection", "Asked the labour group.", secretariat)
        ZeroResultHandling.objects.exclude(query="labour inspection").update(handled_on=old)
        ZeroResultHandling.objects.filter(query="labour inspection").update(handled_on=recent)
        assert gaps.purge() == gaps.Purged(rows=3, handlings=1)
        kept = ZeroResultHandling.objects.order_by("query").values_list("query", flat=True)
        assert list(kept) == ["hotline", "labour inspection"]
        assert list(ZeroResultQuery.objects.values_list("query", flat=True)) == ["hotline"]
        # Once the handling's own day is that old too, it goes.
        ZeroResultHandling.objects.filter(query="labour inspection").update(handled_on=old)
        assert gaps.purge() == gaps.Purged(rows=0, handlings=1)

    def test_rows_stored_before_the_rule_are_deleted_with_their_handling(
        self, db, secretariat, today
    ):
        count("+355 69 123 4567", today)
        count("maria.popescu@example.org", today, tier="members")
        count("budget lines", today)
        gaps.handle("+355 69 123 4567", "Not guidance.", secretariat)
        assert gaps.purge() == gaps.Purged(rows=2, handlings=1)
        assert list(ZeroResultQuery.objects.values_list("query", flat=True)) == ["budget lines"]
        assert not ZeroResultHandling.objects.exists()

    def test_the_task_purges_and_beat_runs_it_daily(self, db, settings, today):
        from portal.celery import app
        from search.tasks import purge_zero_results

        settings.ZERO_RESULT_RETENTION_DAYS = 30
        count("budget lines", self.days_ago(today, 31))
        purge_zero_results.delay()
        assert not ZeroResultQuery.objects.exists()
        purge_zero_results.delay()  # nothing left to do: no error
        app.loader.import_default_modules()
        schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert schedule[purge_zero_results.name]["schedule"] <= 24 * 60 * 60
        assert purge_zero_results.name in app.tasks

    def test_the_retention_is_a_setting_with_a_default(self):
        from portal.settings import base

        assert base.ZERO_RESULT_RETENTION_DAYS == 180

    @pytest.mark.parametrize("days", [0, -5])
    def test_a_retention_below_one_day_is_refused_naming_the_setting(self, db, settings, days):
        from django.core.exceptions import ImproperlyConfigured

        settings.ZERO_RESULT_RETENTION_DAYS = days
        count("budget lines", gaps.portal_day())
        with pytest.raises(ImproperlyConfigured, match="ZERO_RESULT_RETENTION_DAYS"):
            gaps.purge()
        assert ZeroResultQuery.objects.exists()


class TestTheListExplainsTheRule:
    def test_the_list_says_what_is_not_recorded_and_how_long_rows_are_kept(
        self, secretariat_client, settings
    ):
        settings.ZERO_RESULT_RETENTION_DAYS = 90
        settings.ZERO_RESULT_NEW_QUERIES_PER_DAY = 150
        html = " ".join(secretariat_client.get(LIST).content.decode().split())
        assert "email address" in html and "any number but a year" in html
        assert "a date" in html and "longer than 64 characters" in html
        assert "more than 150 new searches a day" in html
        assert "deleted after 90 days" in html
