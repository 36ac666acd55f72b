"""
Sections of the home page contributed by the apps. An app registers a callable in its
AppConfig.ready(); the callable takes the request and returns a `HomeSection` or None.
Each callable must respect the access policy and run a fixed number of queries.
"""

from dataclasses import dataclass, field

_providers = []


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


def home_sections(request):
    sections = [section for provider in _providers if (section := provider(request))]
    return sorted(sections, key=lambda section: section.order)
