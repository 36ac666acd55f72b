"""
Sections of the home page contributed by the apps, so that portal imports none of them. An app
registers a callable in its AppConfig.ready(); the callable takes the request and returns a
`HomeSection` or None. Each callable must respect the access policy and run a fixed number of
queries.

Two registries: the public sections everyone sees ("what is new"), and the signed-in user's
personal dashboard (their action points, meetings, subscriptions, directory entry). Dashboard
providers are called only for a signed-in user and answer for that user alone; a page that
shows them is never stored in a shared cache (see HomePage.serve).

A public section answers for the visitor's tier, never for one person: it is rendered once per
tier, language, time zone and day, and shared under the generations of the sections its app
reads (see `portal.page_cache`), so a publish shows at once and a write elsewhere costs nothing.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from portal.page_cache import reads, shared_key

SHARED_SECONDS = 600

_providers = []
_dashboard_providers = []


@dataclass
class HomeSection:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100
    html: str = ""  # the section already rendered (a shared public section)


def register_home_section(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def register_dashboard_section(provider):
    """A section of the signed-in user's own dashboard; its template shows a clear empty state
    when there is nothing to list (the provider returns None only when the section does not
    apply to the user at all)."""
    if provider not in _dashboard_providers:
        _dashboard_providers.append(provider)
    return provider


def _collect(providers, request):
    sections = [section for provider in providers if (section := provider(request))]
    return sorted(sections, key=lambda section: section.order)


def home_sections(request):
    sections = []
    for provider in _providers:
        key = shared_key(
            "home-section",
            request.user,
            provider.__module__,
            provider.__qualname__,
            timezone.get_current_timezone_name(),
            str(timezone.localdate()),
            sections=reads(provider.__module__),
        )
        rendered = cache.get(key)
        if rendered is None:
            section = provider(request)
            rendered = (
                (
                    str(section.title),
                    section.order,
                    render_to_string(section.template, {"section": section}, request),
                )
                if section
                else ()
            )
            cache.set(key, rendered, SHARED_SECONDS)
        if rendered:
            title, order, html = rendered
            sections.append(HomeSection(title=title, template="", order=order, html=html))
    return sorted(sections, key=lambda section: section.order)


def dashboard_sections(request):
    """The signed-in user's personal sections; nothing for anonymous visitors."""
    if not request.user.is_authenticated:
        return []
    return _collect(_dashboard_providers, request)
