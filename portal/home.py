"""
Sections of the home page contributed by the apps, so that portal imports none of them. An app
registers a callable in its AppConfig.ready(); the callable takes the request and returns a
`HomeSection` or None. Each callable must respect the access policy and run a fixed number of
queries.

Two registries: the public sections everyone sees ("what is new"), and the signed-in user's
personal dashboard (their action points, meetings, subscriptions, directory entry). Dashboard
providers are called only for a signed-in user and answer for that user alone; a page that
shows them is never stored in a shared cache (see HomePage.serve).
"""

from dataclasses import dataclass, field

_providers = []
_dashboard_providers = []


@dataclass
class HomeSection:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


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
    return _collect(_providers, request)


def dashboard_sections(request):
    """The signed-in user's personal sections; nothing for anonymous visitors."""
    if not request.user.is_authenticated:
        return []
    return _collect(_dashboard_providers, request)
