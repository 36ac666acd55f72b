from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.access import is_secretariat
from portal.health import public_view, run_checks


@never_cache
@require_GET
def healthz(request):
    """200 when the portal can serve: "ok", or "degraded" naming the failing components (the
    cache, the broker or the search cluster: pages uncached, tasks waiting, searches from the
    database); 503 "error" when it cannot (the database). Answered from the components' last
    probes (portal.health), within 100 ms whatever is down. Each component's detail (timings,
    backends, the error's text) only for the secretariat; the server's log has every failure's
    text."""
    healthy, components = run_checks()
    failing = [name for name, result in components.items() if result["status"] != "ok"]
    if not _shows_health_details(request, components):
        components = public_view(components)
    status = "error" if not healthy else "degraded" if failing else "ok"
    body = {"status": status, "failing": failing, "components": components}
    return JsonResponse(body, status=200 if healthy else 503)


def _shows_health_details(request, components):
    # Telling who asks reads the session and the user from the database: only when it answers,
    # so that a check never fails for asking.
    if components["database"]["status"] != "ok":
        return False
    return is_secretariat(request.user)


def to_allauth(url_name, default_next="/admin/"):
    """Redirect a Wagtail or Django account URL to allauth's, keeping a safe `next`.

    Someone already signed in who is sent to sign in again lacks access, not a session: they get
    a 403 (or, for a secretariat session short of its second factor, that step), never allauth's
    sign-in page, which would send them straight back (a redirect loop)."""

    def view(request, *args, **kwargs):
        if url_name == "account_login" and request.user.is_authenticated:
            raise PermissionDenied
        target = reverse(url_name)
        next_url = request.GET.get("next", default_next)
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = default_next
        if url_name == "account_login":
            target = f"{target}?{urlencode({'next': next_url})}"
        return HttpResponseRedirect(target)

    return view


def page_passwords_disabled(request, **kwargs):
    """Wagtail's page passwords are off with its page privacy (see below): nothing to sign in to."""
    raise Http404


def page_privacy_disabled(request, **kwargs):
    """
    Wagtail's per-page (and per-collection) privacy settings are replaced by each page's Audience
    field, so that one policy (portal.access) decides what every page, listing, feed, search and
    download shows. The admin's
    privacy dialog explains that instead of creating a restriction the policy would not know.
    """
    from wagtail.admin.modal_workflow import render_modal_workflow

    return render_modal_workflow(
        request, "portal/admin/privacy_disabled.html", None, {}, json_data={"step": "info"}
    )


@require_GET
def ping(request):
    """A constant answer: for load balancers, and the baseline of the throughput benchmark."""
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")
