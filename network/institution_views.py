"""
A country's referral data outside the admin: what the country page shows of it, the
coordinators' self-service (network.stewardship decides who may edit which country), and the
institutions' exports (vCard, CSV). Every contact field goes through
`Institution.visible_contact(user)`.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from network.exports import institution_vcard, institutions_csv
from network.institution_forms import InstitutionForm, ReferralProfileForm
from network.models import Country, Institution, ReferralProfile
from network.stewardship import may_edit_referral_data
from portal.access import deny, is_member, may_open

SELF_EDIT = "network.referral_self_edit"


def referral_context(country, user):
    """What a country page shows of the country's referral data to `user`: the profile (all
    public), the institutions as `user` may see them, contact point first, and whether `user`
    may edit them. Three queries (profile, institutions, their languages), a fourth for the
    national SOP's page, and one for a member's mandates."""
    profile = (
        ReferralProfile.objects.select_related("lead_agency", "national_sop")
        .filter(country=country)
        .first()
    )
    institutions = Institution.objects.for_countries([country]).order_by(
        "-is_contact_point", "name"
    )
    # The one link rule: the SOP is linked only for those who may open it (the specific page
    # carries the audience: one query more when a profile names an SOP).
    sop = profile.national_sop.specific if profile and profile.national_sop_id else None
    return {
        "referral_profile": profile,
        "national_sop_link": sop if may_open(user, sop) else None,
        "institution_entries": [institution.visible_contact(user) for institution in institutions],
        "may_edit_referral_data": may_edit_referral_data(user, country),
    }


# Self-service


def _country_for_steward(request, iso_code):
    country = get_object_or_404(Country, iso_code=iso_code.upper())
    if not may_edit_referral_data(request.user, country):
        raise PermissionDenied(
            _("Only the coordinators of %(country)s may edit its referral data.")
            % {"country": country}
        )
    return country


def _refuse_unexpected(request, form):
    """A field the form does not offer (another country, the confirmation date, an id...) is
    refused outright rather than silently dropped, so a tampered request is visible."""
    unexpected = sorted((set(request.POST) | set(request.FILES)) - form.ALLOWED_KEYS)
    if unexpected:
        form.add_error(
            None,
            _("These fields cannot be changed here: %(fields)s. Nothing was saved.")
            % {"fields": ", ".join(unexpected)},
        )
    return bool(unexpected)


@login_required
def referral_data_edit(request, iso_code):
    """The coordinator's page for their country: the referral profile's form and the list of
    institutions with links to edit them."""
    country = _country_for_steward(request, iso_code)
    profile = ReferralProfile.objects.filter(country=country).first() or ReferralProfile(
        country=country
    )
    if request.method == "POST":
        form = ReferralProfileForm(request.POST, instance=profile, country=country)
        if not _refuse_unexpected(request, form) and form.is_valid():
            with transaction.atomic():
                profile = form.save()
                profile.save_revision(user=request.user, log_action=SELF_EDIT, clean=False)
            messages.success(request, _("The referral profile has been saved."))
            return redirect("network:referral_data_edit", iso_code=country.iso_code)
        status = 400
    else:
        form = ReferralProfileForm(instance=profile, country=country)
        status = 200
    institutions = Institution.objects.filter(country=country).order_by("-is_contact_point", "name")
    return render(
        request,
        "network/referral_data_edit.html",
        {"country": country, "form": form, "profile": profile, "institutions": institutions},
        status=status,
    )


def _institution_form_page(request, country, institution):
    if request.method == "POST":
        form = InstitutionForm(request.POST, instance=institution, country=country)
        if not _refuse_unexpected(request, form) and form.is_valid():
            created = institution.pk is None
            with transaction.atomic():
                institution = form.save()
                institution.save_revision(
                    user=request.user,
                    log_action="wagtail.create" if created else SELF_EDIT,
                    clean=False,
                )
            messages.success(request, _("“%(name)s” has been saved.") % {"name": institution})
            return redirect("network:referral_data_edit", iso_code=country.iso_code)
        status = 400
    else:
        form = InstitutionForm(instance=institution, country=country)
        status = 200
    return render(
        request,
        "network/institution_edit.html",
        {"country": country, "form": form, "institution": institution},
        status=status,
    )


@login_required
def institution_add(request, iso_code):
    country = _country_for_steward(request, iso_code)
    return _institution_form_page(request, country, Institution(country=country))


def _institution_for_steward(request, institution_id):
    institution = get_object_or_404(
        Institution.objects.select_related("country"), pk=institution_id
    )
    _country_for_steward(request, institution.country.iso_code)
    return institution


@login_required
def institution_edit(request, institution_id):
    institution = _institution_for_steward(request, institution_id)
    return _institution_form_page(request, institution.country, institution)


@login_required
def institution_delete(request, institution_id):
    """A confirmation page; the POST removes the institution (its history stays in the log)."""
    institution = _institution_for_steward(request, institution_id)
    country = institution.country
    if request.method == "POST":
        from wagtail.log_actions import log

        with transaction.atomic():
            log(instance=institution, action="wagtail.delete", user=request.user)
            institution.delete()
        messages.success(request, _("“%(name)s” has been removed.") % {"name": institution})
        return redirect("network:referral_data_edit", iso_code=country.iso_code)
    return render(
        request,
        "network/institution_delete.html",
        {"country": country, "institution": institution},
    )


# Exports


@require_GET
def institution_vcard_view(request, institution_id):
    institution = get_object_or_404(
        Institution.objects.select_related("country", "organisation").prefetch_related("languages"),
        pk=institution_id,
    )
    text = institution_vcard(
        institution.visible_contact(request.user),
        request.build_absolute_uri(institution.get_absolute_url()),
    )
    response = HttpResponse(text, content_type="text/vcard; charset=utf-8")
    filename = f"{slugify(institution.name) or 'institution'}.vcf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # What a vCard holds depends on who asked: never let a shared cache keep it.
    patch_cache_control(response, private=True, no_store=True)
    return response


#: A country filter's value: ASCII letters only (a str pattern's [A-Za-z] is ASCII).
ISO_CODE = re.compile(r"[A-Za-z]{2}")


def _bad_request(text):
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


@require_GET
def institutions_export_csv(request):
    """Every institution as CSV, for members and the secretariat only (a bulk copy is a
    members' tool, as for the directory). `?country=XX` (repeatable) narrows it."""
    if not is_member(request.user):
        return deny(request)
    unexpected = sorted(set(request.GET) - {"country"})
    if unexpected:
        # A misspelt filter would otherwise export every country's institutions.
        return _bad_request(
            _("Unknown parameter(s) %(names)s: the only filter is country.")
            % {"names": ", ".join(unexpected)}
        )
    codes = [code.strip() for code in request.GET.getlist("country") if code.strip()]
    if not all(ISO_CODE.fullmatch(code) for code in codes):
        # Checked before any query: PostgreSQL refuses a NUL byte outright, and "ß".upper() is
        # "SS". The value is not repeated back.
        return _bad_request(_("country: expected a two-letter ISO 3166-1 code, e.g. country=AL."))
    codes = {code.upper() for code in codes}
    unknown = sorted(
        codes - set(Country.objects.filter(iso_code__in=codes).values_list("iso_code", flat=True))
    )
    if unknown:
        return _bad_request(
            _("country: unknown country code(s) %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    institutions = (
        Institution.objects.for_countries(codes)
        if codes
        else Institution.objects.select_related("country", "organisation").prefetch_related(
            "languages"
        )
    )
    response = HttpResponse(
        institutions_csv(institutions.order_by("country__iso_code", "name"), request.user),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="institutions.csv"'
    patch_cache_control(response, private=True, no_store=True)
    return response
