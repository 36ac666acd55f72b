import pytest

from portal.demo import NETWORK_NAME

pytestmark = pytest.mark.django_db


def test_fresh_site_serves_a_home_page_with_navigation(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for link in ('href="/library/"', 'href="/meetings/"', 'href="/network/"', 'href="/search/"'):
        assert link in html
    assert 'href="/accounts/login/' in html
    assert 'class="skip-link"' in html and 'id="main"' in html


def test_signed_in_member_sees_account_link_and_a_post_only_sign_out(member_client):
    html = member_client.get("/").content.decode()
    assert "My account" in html
    assert 'action="/accounts/logout/"' in html and 'method="post"' in html
    assert 'href="/admin/"' not in html


def test_secretariat_navigation_offers_the_admin(secretariat_client):
    assert 'href="/admin/"' in secretariat_client.get("/").content.decode()


def test_home_page_shows_the_network_name_from_site_settings(client, home_page):
    from wagtail.models import Site

    from portal.models import NetworkSettings

    settings = NetworkSettings.for_site(Site.objects.get(is_default_site=True))
    settings.network_name = NETWORK_NAME
    settings.save()
    assert NETWORK_NAME in client.get("/").content.decode()


def test_standard_page_renders_its_body(client, home_page):
    from portal.models import StandardPage

    page = StandardPage(
        title="About the network",
        slug="about",
        introduction="Who we are.",
        body=[("heading", {"text": "Our mandate", "level": "h2"})],
    )
    home_page.add_child(instance=page)
    response = client.get("/about/")
    assert response.status_code == 200
    assert "<h2>Our mandate</h2>" in response.content.decode()


def test_unknown_url_gets_the_portals_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_static_assets_are_served_by_the_portal_itself(client):
    html = client.get("/").content.decode()
    assert "/static/portal/css/portal.css" in html
    assert "https://" not in html.split("<body")[0]  # no CDN in the head


def test_home_page_title_names_the_network_once(client):
    title = client.get("/").content.decode().split("<title>")[1].split("</title>")[0]
    assert title.startswith("Home · ")
