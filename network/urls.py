from django.urls import path, re_path

from network import institution_views, views
from notifications.views import freshness_answer

app_name = "network"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("people/", views.people_list, name="people"),
    path("people/<int:person_id>/", views.person_detail, name="person"),
    path("people/<int:person_id>.vcf", views.person_vcard, name="person_vcard"),
    path("people/<int:person_id>/photo/", views.person_photo, name="person_photo"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/confirm/", views.person_confirm, name="person_confirm"),
    path("me/", views.my_entry, name="my_entry"),
    # A freshness campaign's signed confirm-or-correct link (notifications.freshness).
    path("confirm/<str:token>/", freshness_answer, name="freshness_answer"),
    path("referral/", views.referral, name="referral"),
    path("directory.csv", views.export_csv, name="export_csv"),
    # A country's referral data: institutions' exports and the coordinators' self-service.
    path("institutions.csv", institution_views.institutions_export_csv, name="institutions_csv"),
    path(
        "institutions/<int:institution_id>.vcf",
        institution_views.institution_vcard_view,
        name="institution_vcard",
    ),
    path(
        "institutions/<int:institution_id>/edit/",
        institution_views.institution_edit,
        name="institution_edit",
    ),
    path(
        "institutions/<int:institution_id>/delete/",
        institution_views.institution_delete,
        name="institution_delete",
    ),
    re_path(
        r"^(?P<iso_code>[A-Za-z]{2})/referral-data/$",
        institution_views.referral_data_edit,
        name="referral_data_edit",
    ),
    re_path(
        r"^(?P<iso_code>[A-Za-z]{2})/institutions/add/$",
        institution_views.institution_add,
        name="institution_add",
    ),
    re_path(r"^(?P<iso_code>[A-Za-z]{2})\.vcf$", views.country_vcard, name="country_vcard"),
    re_path(r"^(?P<iso_code>[A-Za-z]{2})/$", views.country_detail, name="country"),
]
