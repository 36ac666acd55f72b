"""
The public face of the directory under /network/. Names, roles, countries and organisations are
public; every contact field goes through `Person.visible_contact(user)`. Listings run a fixed number
of queries (prefetching), whatever the number of people.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from network.exports import directory_csv, vcard_for, vcards_for
from network.forms import DirectoryFilterForm, ReferralForm, SelfServiceForm
from network.institution_views import referral_context
from network.models import Country, Mandate, Organisation, Person
from network.pathway import build_pathway
from network.presenters import can_see_photo, is_owner
from network.referral_sheet import referral_sheet_pdf
from portal.access import Audience, deny, is_member, is_secretariat

PEOPLE_PER_PAGE = 25


def people_with_contacts(with_tags=False):
    """People with everything an entry shows (and, `with_tags`, their languages and expertise),
    in a fixed number of queries."""
    people = Person.objects.select_related("country", "organisation").prefetch_related(
        Prefetch("mandates", queryset=Mandate.objects.select_related("country")),
        "emails",
        "phones",
    )
    return people.prefetch_related("languages", "expertise") if with_tags else people


def _visible_people(user, with_tags=False):
    """Inactive people are history: only the secretariat sees them."""
    people = people_with_contacts(with_tags)
    return people if is_secretariat(user) else people.filter(is_active=True)


def _entries(people, user):
    return [person.visible_contact(user) for person in people]


@require_GET
def directory(request):
    countries = Country.objects.all()
    return render(
        request,
        "network/directory.html",
        {"countries": countries, "filter_form": None},
    )


@require_GET
def country_detail(request, iso_code):
    country = get_object_or_404(Country, iso_code=iso_code.upper())
    holders = (
        _visible_people(request.user)
        .filter(pk__in=Mandate.objects.current().filter(country=country).values("person_id"))
        .order_by("family_name", "given_name")
    )
    organisations = Organisation.objects.filter(country=country)
    return render(
        request,
        "network/country.html",
        {
            "country": country,
            "entries": _entries(holders, request.user),
            "organisations": organisations,
            **referral_context(country, request.user),
        },
    )


@require_GET
def country_vcard(request, iso_code):
    country = get_object_or_404(Country, iso_code=iso_code.upper())
    holders = _visible_people(request.user).filter(
        pk__in=Mandate.objects.current().filter(country=country).values("person_id")
    )
    text = vcards_for(holders, request.user, request.build_absolute_uri)
    return _vcard_response(text, f"{country.iso_code.lower()}-contacts.vcf")


@require_GET
def people_list(request):
    form = DirectoryFilterForm(request.GET or None)
    people = _visible_people(request.user)
    status = 200
    if form.is_bound and not form.is_valid():
        # Name the bad parameter rather than guess or fail.
        status = 400
        people = people.none()
    elif form.is_bound:
        people = form.filter(people)
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "network/people.html",
        {
            "form": form,
            "page_obj": page,
            "entries": _entries(page.object_list, request.user),
            "query_string": query.urlencode(),
        },
        status=status,
    )


def _person_or_404(request, person_id):
    return get_object_or_404(_visible_people(request.user), pk=person_id)


@require_GET
def person_detail(request, person_id):
    person = _person_or_404(request, person_id)
    entry = person.visible_contact(request.user)
    return render(
        request,
        "network/person.html",
        {
            "entry": entry,
            "person": person,
            "past_mandates": [m for m in person.mandates.all() if not m.is_current],
            "languages": person.languages.all(),
            "expertise": person.expertise.all(),
        },
    )


@require_GET
def person_vcard(request, person_id):
    person = _person_or_404(request, person_id)
    text = vcard_for(
        person.visible_contact(request.user), request.build_absolute_uri(person.get_absolute_url())
    )
    return _vcard_response(text, f"{slugify(person.full_name) or 'contact'}.vcf")


def _vcard_response(text, filename):
    response = HttpResponse(text, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # What a vCard holds depends on who asked: never let a shared cache keep it.
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def person_photo(request, person_id):
    """The photo file, only for those its audience allows (else 404: do not confirm it exists)."""
    people = (
        Person.objects.all()
        if is_secretariat(request.user)
        else Person.objects.filter(is_active=True)
    )
    person = get_object_or_404(people, pk=person_id)
    if not can_see_photo(person, request.user):
        raise Http404
    try:
        handle = person.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle)
    if person.photo_audience == Audience.PUBLIC:
        patch_cache_control(response, public=True, max_age=3600)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def referral(request):
    """The referral assistant: the pathway between two countries for a case described by
    categories only (network.pathway). Nothing of the query is stored or logged: no session
    write, no log entry; an answer for a case profile is never cached and sends no Referer."""
    if not request.GET:
        return render(request, "network/referral.html", {"form": ReferralForm()})
    form = ReferralForm(request.GET)
    # Signing in or choosing a language comes back to the page without anything typed that the
    # form refused (a name, a date): only the form's own understood values.
    request.return_path = request.path
    if not form.is_valid():
        response = render(request, "network/referral.html", {"form": form}, status=400)
        return _case_response(response)
    origin, destination, profile, output = form.pathway_request()
    pathway = build_pathway(origin, destination, profile, request.user)
    if output == "pdf":
        response = HttpResponse(
            referral_sheet_pdf(pathway, request.build_absolute_uri), content_type="application/pdf"
        )
        name = f"referral-{origin.iso_code}-{destination.iso_code}-{pathway.generated_on}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name.lower()}"'
        return _case_response(response)
    template = "network/referral_sheet.html" if output == "print" else "network/referral.html"
    query = profile.as_params()
    page_query = urlencode({"from": origin.iso_code, "to": destination.iso_code, **query})
    request.return_path = f"{request.path}?{page_query}"
    response = render(
        request,
        template,
        {
            "form": form,
            "pathway": pathway,
            "sheet_query": urlencode(
                {"from": origin.iso_code, "to": destination.iso_code, **query, "format": "print"}
            ),
            "pdf_query": urlencode(
                {"from": origin.iso_code, "to": destination.iso_code, **query, "format": "pdf"}
            ),
            "page_query": page_query,
        },
    )
    return _case_response(response) if profile.has_categories or output else response


def _case_response(response):
    """An answer that may carry a case profile in its URL: kept by no cache (the anonymous page
    cache and shared caches skip private/no-store) and never sent on as a Referer."""
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def export_csv(request):
    """The directory as CSV, for members and the secretariat only: a bulk copy of the network's
    people is a members' tool even where each entry is public."""
    if not is_member(request.user):
        return deny(request)
    people = _visible_people(request.user, with_tags=True).select_related("user")
    response = HttpResponse(
        directory_csv(people, request.user), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="directory.csv"'
    patch_cache_control(response, private=True, no_store=True)
    return response


# Self-service


@login_required
def my_entry(request):
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        return render(request, "network/no_entry.html", status=404)
    return redirect("network:person_edit", person_id=person.pk)


def _own_person(request, person_id):
    """The person, if the signed-in user is its owner; another person's id is refused."""
    person = get_object_or_404(people_with_contacts(), pk=person_id)
    if not is_owner(person, request.user) or not is_member(request.user):
        raise PermissionDenied(_("You can only edit your own directory entry."))
    return person


@login_required
def person_edit(request, person_id):
    person = _own_person(request, person_id)
    if request.method != "POST":
        return render(
            request,
            "network/person_edit.html",
            {"form": SelfServiceForm(instance=person), "person": person},
        )
    unexpected = sorted((set(request.POST) | set(request.FILES)) - SelfServiceForm.ALLOWED_KEYS)
    form = SelfServiceForm(request.POST, request.FILES, instance=person)
    if unexpected:
        # A field this form does not offer (mandates, account flags, another person's id...) is
        # refused outright rather than silently dropped, so a tampered request is visible.
        form.add_error(
            None,
            _("These fields cannot be changed here: %(fields)s. Nothing was saved.")
            % {"fields": ", ".join(unexpected)},
        )
        return render(
            request, "network/person_edit.html", {"form": form, "person": person}, status=400
        )
    if not form.is_valid():
        return render(
            request, "network/person_edit.html", {"form": form, "person": person}, status=400
        )
    old_photo = Person.objects.filter(pk=person.pk).values_list("photo", flat=True).get()
    with transaction.atomic():
        person = form.save()
        person.save_revision(user=request.user, log_action="network.self_edit", clean=False)
        if old_photo and old_photo != person.photo.name:
            # A removed or replaced photo must not linger in the private store.
            storage = person.photo.storage
            transaction.on_commit(lambda: storage.delete(old_photo))
    messages.success(request, _("Your directory entry has been saved."))
    return redirect("network:person", person_id=person.pk)


@login_required
@require_POST
def person_confirm(request, person_id):
    person = _own_person(request, person_id)
    person.confirm_current(by=request.user)
    messages.success(request, _("Thank you: your entry is confirmed as current."))
    return redirect("network:person", person_id=person.pk)
