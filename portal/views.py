from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.health import run_checks


@never_cache
@require_GET
def healthz(request):
    """200 when the portal can serve; 503 naming the failing components when it cannot."""
    healthy, components = run_checks()
    failing = [name for name, result in components.items() if result["status"] != "ok"]
    body = {"status": "ok" if healthy else "error", "failing": failing, "components": components}
    return JsonResponse(body, status=200 if healthy else 503)


def to_allauth(url_name):
    """Redirect a Wagtail admin account URL to allauth's, keeping a safe `next`."""

    def view(request, *args, **kwargs):
        target = reverse(url_name)
        next_url = request.GET.get("next", "/admin/")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = "/admin/"
        if url_name == "account_login":
            from django.utils.http import urlencode

            target = f"{target}?{urlencode({'next': next_url})}"
        return HttpResponseRedirect(target)

    return view


def page_privacy_disabled(request, page_id):
    """
    Wagtail's per-page privacy settings are replaced by each page's Audience field, so that one
    policy (portal.access) decides what every page, listing, feed and search shows. The admin's
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
