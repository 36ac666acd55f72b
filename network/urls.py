from django.urls import path, re_path

from network import views

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
    path("referral/", views.referral, name="referral"),
    path("directory.csv", views.export_csv, name="export_csv"),
    re_path(r"^(?P<iso_code>[A-Za-z]{2})\.vcf$", views.country_vcard, name="country_vcard"),
    re_path(r"^(?P<iso_code>[A-Za-z]{2})/$", views.country_detail, name="country"),
]
