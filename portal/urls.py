from django.urls import include, path, re_path
from django.views.generic import TemplateView

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from portal.accounts import views as account_views
from portal.images import image_file
from portal.views import healthz, page_passwords_disabled, page_privacy_disabled, ping, to_allauth

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("ping", ping, name="ping"),
    # The admin's own sign-in and password reset are replaced by allauth's (one door, with rate
    # limits and MFA); these paths come before Wagtail's so they win.
    path("admin/login/", to_allauth("account_login"), name="admin_login_redirect"),
    # The whole of the admin's password reset (its confirm step would set a password too).
    re_path(r"^admin/password_reset/", to_allauth("account_reset_password")),
    # Wagtail's front-end sign-in (for its page privacy, which the Audience field replaces) would
    # sign people in with a password alone: it leads to allauth's, and its password form is gone.
    path("_util/login/", to_allauth("account_login", default_next="/")),
    path(
        "_util/authenticate_with_password/<int:restriction_id>/<int:page_id>/",
        page_passwords_disabled,
    ),
    path("admin/pages/<int:page_id>/privacy/", require_admin_access(page_privacy_disabled)),
    # Collection privacy too (with its document password form): the pages showing a document
    # decide who may download it (library.downloads), nothing else.
    path(
        "admin/collections/<int:collection_id>/privacy/",
        require_admin_access(page_privacy_disabled),
    ),
    path("documents/authenticate_with_password/<int:restriction_id>/", page_passwords_disabled),
    path("admin/", include(wagtailadmin_urls)),
    path(
        "accounts/invitation/<str:token>/",
        account_views.accept_invitation,
        name="invitation_accept",
    ),
    path("accounts/preferences/", account_views.preferences, name="account_preferences"),
    path("accounts/", include("allauth.urls")),
    # Django's set_language (POST, remembered in a cookie) and a page offering it to visitors
    # whose cached pages carry no CSRF token.
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "i18n/language/",
        TemplateView.as_view(template_name="portal/language.html"),
        name="choose_language",
    ),
    path("documents/", include(wagtaildocs_urls)),
    # Image renditions, served only to those who may see a live page showing the image.
    path("images/<int:image_id>/<int:rendition_id>/<str:filename>", image_file, name="image_file"),
    path("library/", include("library.urls")),
    path("meetings/", include("meetings.urls")),
    path("network/", include("network.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("search.urls")),
    path("sitemap.xml", sitemap, name="sitemap"),
]

urlpatterns += [path("", include(wagtail_urls))]
