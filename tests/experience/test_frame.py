"""
The frame every page shares (base.html): skip link and landmarks, a labelled search box, the
breadcrumbs, the language switch that remembers the choice, no inline scripts, and the member's
dashboard on the home page.
"""

import re

import pytest

from django.core.cache import cache
from django.test import override_settings
from django.utils.translation import override

from wagtail.models import Site

from portal.models import NetworkSettings, StandardPage
from portal.templatetags.portal_tags import file_type
from tests.clients import Client

pytestmark = pytest.mark.django_db

PAGES = ["/", "/search/?q=referral", "/network/", "/i18n/language/", "/no-such-page/"]


def html_of(client, path):
    return client.get(path).content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_skip_link_landmarks_and_a_labelled_search_box(client, home_page, path):
    html = html_of(client, path)
    assert re.search(r'<a class="skip-link" href="#main">', html)
    assert html.index("skip-link") < html.index("<header")  # the first thing a keyboard reaches
    for landmark in ("<header", '<main id="main"', "<footer", 'aria-label="Main"'):
        assert html.count(landmark) == 1, landmark
    search = re.search(r'<form class="site-search" action="/search/" method="get"[^>]*>', html)
    assert search and 'role="search"' in search.group(0)
    assert '<label for="site-search-q"' in html and 'id="site-search-q"' in html


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_no_inline_script_for_the_content_security_policy(client, home_page, path):
    html = html_of(client, path)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "onclick=" not in html and "onchange=" not in html


def test_wagtail_page_breadcrumbs_follow_its_ancestors_without_itself(client, home_page):
    guide = home_page.add_child(instance=StandardPage(title="About the network", slug="about"))
    guide.add_child(instance=StandardPage(title="Members of the network", slug="members"))
    html = html_of(client, "/about/members/")
    trail = re.search(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', trail) == [
        ("/", "Home"),
        ("/about/", "About the network"),
    ]


def test_directory_breadcrumbs_come_from_the_sections_of_the_address(rf):
    from django.template import Context, Template

    template = Template("{% load portal_tags %}{% breadcrumbs %}")
    html = template.render(Context({"request": rf.get("/network/people/7/")}))
    assert re.findall(r'<a href="([^"]+)">', html) == ["/", "/network/", "/network/people/"]
    assert template.render(Context({"request": rf.get("/")})).strip() == ""


def test_main_navigation_marks_the_section_the_visitor_is_in(client, home_page):
    html = html_of(client, "/network/AL/")
    assert '<a href="/network/" aria-current="true">' in html
    assert '<a href="/library/" aria-current' not in html


def test_anonymous_pages_offer_the_language_page_and_carry_no_csrf_token(client, home_page):
    """Anonymous pages are cached for everyone: a CSRF token in them would break that."""
    html = html_of(client, "/")
    assert 'href="/i18n/language/?language=fr&amp;next=/"' in html
    assert 'lang="fr"' in html and "Français" in html
    assert "csrfmiddlewaretoken" not in html


def test_signed_in_member_switches_language_in_one_step(member_client, home_page):
    html = html_of(member_client, "/network/")
    form = re.search(r'<form class="language-switch" action="/i18n/setlang/".*?</form>', html, re.S)
    assert form and 'name="language" value="fr"' in form.group(0)
    assert 'name="next" value="/network/"' in form.group(0)


def test_choosing_french_is_remembered_for_a_year_and_pages_follow(client, home_page):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/network/"})
    assert response.status_code == 302 and response["Location"] == "/network/"
    cookie = response.cookies["django_language"]
    assert cookie.value == "fr" and int(cookie["max-age"]) == 365 * 24 * 60 * 60
    assert '<html lang="fr"' in html_of(client, "/network/")
    assert '<html lang="fr"' in html_of(client, "/")


def test_language_page_offers_every_language_and_keeps_where_the_visitor_was(client, home_page):
    html = html_of(client, "/i18n/language/?language=fr&next=/library/")
    assert 'action="/i18n/setlang/"' in html and "csrfmiddlewaretoken" in html
    assert 'value="/library/"' in html
    assert re.search(r'id="language-fr" value="fr" checked', html)
    assert re.search(r'id="language-en" value="en">', html)


def test_unknown_language_or_foreign_next_address_changes_nothing_harmful(client, home_page):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code == 302 and "django_language" not in response.cookies
    response = client.post(
        "/i18n/setlang/", {"language": "fr", "next": "https://elsewhere.example/"}
    )
    assert response["Location"] == "/"
    assert response.cookies["django_language"].value == "fr"


def test_cached_anonymous_pages_are_kept_apart_by_language(home_page):
    NetworkSettings.for_site(Site.objects.get(is_default_site=True))
    cache.clear()
    with override_settings(PAGE_CACHE_SECONDS=300):
        assert '<html lang="en"' in Client().get("/").content.decode()
        french = Client(HTTP_ACCEPT_LANGUAGE="fr")
        assert '<html lang="fr"' in french.get("/").content.decode()
        chosen = Client()
        chosen.cookies["django_language"] = "fr"
        assert '<html lang="fr"' in chosen.get("/").content.decode()
        assert chosen.get("/")["X-Page-Cache"] == "hit"
    cache.clear()


def test_member_home_page_is_a_dashboard_with_their_shortcuts(member_client, member, home_page):
    member.first_name = "Mira"
    member.save()
    html = html_of(member_client, "/")
    dashboard = re.search(r'<section class="dashboard".*?</section>', html, re.S).group(0)
    assert "Welcome, Mira" in dashboard
    for link in ("/meetings/actions/", "/network/me/", "/notifications/"):
        assert f'href="{link}"' in dashboard


def test_anonymous_home_page_has_no_dashboard(client, home_page):
    assert 'class="dashboard"' not in html_of(client, "/")


def test_file_type_labels_come_from_the_file_name():
    class Document:
        class file:  # shaped like a FieldFile
            name = "documents/referral-sop.final.PDF"

    assert file_type(Document()) == "PDF"
    assert file_type(None) == ""


def test_french_interface_is_translated(client, home_page):
    with override("fr"):
        client.cookies["django_language"] = "fr"
        html = html_of(client, "/")
    assert "Aller au contenu principal" in html  # the skip link
    assert "Rechercher" in html
