"""Message builders, one module per domain; importing a module registers its builders."""

from . import digest, directory, meetings, searches  # noqa: F401


def library_types():
    """Resource type choices for subscriptions (the library's, once it defines them)."""
    return []
