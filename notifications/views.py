"""
Member pages (managing subscriptions and saved searches) and the signed links in emails
(unsubscribe, confirm directory entry, a freshness campaign's confirm-or-correct page), which work
without signing in and do nothing else.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from network.models import Mandate, Person
from network.presenters import entry_for_tier
from portal.access import Audience, deny, is_member

from . import freshness
from .forms import FILTER_KEYS, CorrectionForm, SavedSearchForm, SubscriptionForm, parse_filters
from .models import FeedToken, Frequency, SavedSearch, Subscription
from .tokens import (
    FRESHNESS_MAX_AGE,
    ExpiredLink,
    InvalidLink,
    read_confirm_entry_token,
    read_freshness_token,
    read_unsubscribe_token,
)


def members_only(view):
    """Members and the secretariat only; anyone else is refused (portal.access.deny)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_member(request.user):
            return deny(request)
        return view(request, *args, **kwargs)

    return wrapper


def _preferences_page(request, form, status=200):
    saved_searches = SavedSearch.objects.filter(user=request.user)
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "saved_searches": saved_searches},
        status=status,
    )


@members_only
@require_http_methods(["GET", "POST"])
def preferences(request):
    subscription = Subscription.objects.filter(user=request.user).first() or Subscription(
        user=request.user
    )
    if request.method == "POST":
        form = SubscriptionForm(request.POST, instance=subscription)
        if form.is_valid():
            with transaction.atomic():
                form.save()
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
        return _preferences_page(request, form, status=400)
    return _preferences_page(request, SubscriptionForm(instance=subscription))


def _filters_as_hidden(data):
    """(key, value) pairs of the search's filters, for hidden inputs."""
    return [(key, value) for key in FILTER_KEYS for value in data.getlist(key)]


@members_only
@require_http_methods(["GET", "POST"])
def saved_search_create(request):
    if request.method == "POST":
        form = SavedSearchForm(request.POST, user=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your search is saved."))
            return redirect("notifications:preferences")
        return render(
            request,
            "notifications/saved_search_form.html",
            {"form": form, "hidden": _filters_as_hidden(request.POST)},
            status=400,
        )
    # Arriving from the search page: prefill from its query string, and say at once if the
    # query string cannot be saved as it is.
    query = request.GET.get("q", "").strip()[:200]
    form = SavedSearchForm(
        user=request.user,
        initial={"name": query[:120] or _("My search"), "query": query},
    )
    problems = []
    try:
        parse_filters(request.GET)
    except ValidationError as error:
        problems = error.messages
    return render(
        request,
        "notifications/saved_search_form.html",
        {"form": form, "hidden": _filters_as_hidden(request.GET), "problems": problems},
        status=400 if problems else 200,
    )


@members_only
@require_http_methods(["GET", "POST"])
def saved_search_edit(request, pk):
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    if request.method == "POST":
        form = SavedSearchForm(request.POST, instance=saved, user=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your search is saved."))
            return redirect("notifications:preferences")
        status = 400
        hidden = _filters_as_hidden(request.POST)
    else:
        form = SavedSearchForm(instance=saved, user=request.user)
        status = 200
        hidden = _filters_as_hidden(QueryDict(saved.query_string()))
    return render(
        request,
        "notifications/saved_search_form.html",
        {"form": form, "hidden": hidden, "saved": saved},
        status=status,
    )


@members_only
@require_POST
def saved_search_delete(request, pk):
    get_object_or_404(SavedSearch, pk=pk, user=request.user).delete()
    messages.success(request, _("The saved search is deleted."))
    return redirect("notifications:preferences")


def _link_problem(request, error):
    message = (
        _("This link has expired. Use the link in the most recent message, or sign in.")
        if isinstance(error, ExpiredLink)
        else _("This link is not valid. It may have been copied incompletely.")
    )
    return render(request, "notifications/link_problem.html", {"message": message}, status=400)


UNSUBSCRIBE_FIELDS = {
    "subscription": ("frequency", Frequency.OFF),
    "meetings": ("meetings", False),
    "action_points": ("action_points", False),
    "directory": ("directory_reminders", False),
}


def _unsubscribe(user_id, scope):
    """Switch off what `scope` names, for that one user. Returns False for an unknown scope."""
    if scope.startswith("saved_search:"):
        SavedSearch.objects.filter(pk=int(scope.split(":", 1)[1]), user_id=user_id).update(
            frequency=Frequency.OFF
        )
        return True
    if scope not in UNSUBSCRIBE_FIELDS:
        return False
    field, value = UNSUBSCRIBE_FIELDS[scope]
    subscription, _created = Subscription.objects.get_or_create(user_id=user_id)
    setattr(subscription, field, value)
    subscription.save(update_fields=[field, "updated_at"])
    return True


# Mail clients post the one-click unsubscribe (RFC 8058) without a CSRF token; the signed token is
# the authorisation, and switching a message off is the only thing it can do.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        user_id, scope = read_unsubscribe_token(token)
    except InvalidLink as error:
        return _link_problem(request, error)
    known_scope = scope in UNSUBSCRIBE_FIELDS or (
        scope.startswith("saved_search:") and scope.split(":", 1)[1].isdigit()
    )
    if not known_scope or not get_user_model().objects.filter(pk=user_id).exists():
        return _link_problem(request, InvalidLink())
    if request.method == "POST":
        with transaction.atomic():
            _unsubscribe(user_id, scope)
        return render(request, "notifications/unsubscribe.html", {"done": True})
    # A GET only asks: link scanners open links, and must not unsubscribe anyone.
    return render(request, "notifications/unsubscribe.html", {"done": False, "scope": scope})


@require_http_methods(["GET", "POST"])
def confirm_entry(request, token):
    """Confirms that the person's directory entry is current. It signs nobody in."""
    try:
        person_id = read_confirm_entry_token(token)
    except InvalidLink as error:
        return _link_problem(request, error)
    person = Person.objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        return _link_problem(request, InvalidLink())
    if request.method == "POST":
        # The link's confirmation, never credited to whoever is signed in (a forwarded email).
        freshness.confirm_through_link(person)
        return render(request, "notifications/confirm_entry.html", {"done": True})
    # A GET only asks (link scanners open links); the button posts the confirmation.
    return render(request, "notifications/confirm_entry.html", {"done": False})


# ---------------------------------------------------------------- a freshness campaign's link


def private_link_page(view):
    """A page reached by a signed link in someone's email: never cached anywhere, never indexed,
    and its address (which holds the token) never sent to another site as a Referer. Not
    "no-referrer": browsers then send its forms with "Origin: null", which the CSRF check
    rightly refuses."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"
        return response

    return never_cache(wrapper)


def _freshness_problem(request, error):
    if isinstance(error, ExpiredLink):
        message = _(
            "This link has expired: links to check your directory entry are valid for %(days)s "
            "days. Use the link in the most recent message, or write to the secretariat."
        ) % {"days": FRESHNESS_MAX_AGE // (24 * 60 * 60)}
        status = 410
    elif error is None:
        message = _(
            "This link can no longer be used: the entry it was sent about is no longer in the "
            "directory, or the request was withdrawn."
        )
        status = 410
    else:
        message = _("This link is not valid. It may have been copied incompletely.")
        status = 400
    return render(
        request,
        "notifications/link_problem.html",
        {"message": message, "noindex": True},
        status=status,
    )


def _own_entry(person_id):
    """The person's entry with what the page shows of it, in four queries."""
    person = (
        Person.objects.select_related("organisation", "country", "user")
        .prefetch_related(
            "emails",
            "phones",
            Prefetch("mandates", queryset=Mandate.objects.select_related("country")),
        )
        .get(pk=person_id)
    )
    # The link's holder is treated as the entry's owner: the email went to the entry's address.
    return entry_for_tier(person, Audience.PUBLIC, is_owner=True)


@private_link_page
@require_http_methods(["GET", "POST"])
def freshness_answer(request, token):
    """
    The confirm-or-correct page of one person in one freshness campaign. The signed link is the
    only authorisation and it signs nobody in: the page shows that person's own entry and
    nobody else's, and does two things, both added to the campaign's answers: "still correct"
    confirms the entry; "something changed" leaves a note for the secretariat to apply (a link
    must not be able to rewrite a directory entry: see notifications.freshness). Once the link
    took its answers, it says so (409 to an answer) and records nothing more.
    """
    try:
        campaign_id, person_id = read_freshness_token(token)
    except InvalidLink as error:
        return _freshness_problem(request, error)
    recipient = freshness.recipient_for(campaign_id, person_id)
    if recipient is None:
        return _freshness_problem(request, None)
    form = CorrectionForm()
    done = None
    status = 200
    problems = []
    used_up = not freshness.answers_left(recipient)
    if request.method == "POST" and used_up:
        status = 409
    elif request.method == "POST":
        # Whoever is signed in is not who answers: the answer is the link's (see freshness).
        action = request.POST.get("action")
        try:
            if action == "confirm":
                freshness.confirm(recipient)
                done = "confirmed"
            elif action == "correct":
                form = CorrectionForm(request.POST)
                if form.is_valid():
                    freshness.correct(recipient, form.cleaned_data["note"])
                    done = "corrected"
                else:
                    status = 400
            else:
                problems = [_("Choose “Still correct” or “Something changed”.")]
                status = 400
        except freshness.LinkUsedUp:
            used_up, status, form = True, 409, CorrectionForm()
    return render(
        request,
        "notifications/freshness_answer.html",
        {
            "entry": _own_entry(recipient.person_id),
            "recipient": recipient,
            "form": form,
            "done": done,
            "has_account": recipient.person.user_id is not None,
            "problems": problems,
            "used_up": used_up and not done,
            "max_answers": freshness.MAX_ANSWERS,
        },
        status=status,
    )


@members_only
@never_cache
def feed_subscription(request):
    """Show, create, replace or stop the member's personal "new to you" feed address."""
    holder = FeedToken.objects.filter(user=request.user).first()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create" and holder is None:
            FeedToken.objects.create(user=request.user)
            messages.success(request, _("Your personal feed address is ready."))
        elif action == "regenerate" and holder is not None:
            holder.regenerate()
            messages.success(
                request, _("A new address replaces the old one, which no longer works.")
            )
        elif action == "revoke" and holder is not None:
            holder.delete()
            messages.success(request, _("Your personal feed address no longer works."))
        else:
            response = render(
                request,
                "notifications/feed_subscription.html",
                {
                    "feed_url": _feed_url(request, holder),
                    "error": _("Unknown request for your feed address: nothing was changed."),
                },
                status=400,
            )
            return response
        return redirect("notifications:feed_subscription")
    return render(
        request, "notifications/feed_subscription.html", {"feed_url": _feed_url(request, holder)}
    )


def _feed_url(request, holder):
    if holder is None:
        return None
    return request.build_absolute_uri(reverse("notifications:personal_feed", args=[holder.token]))
