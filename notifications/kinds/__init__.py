"""Message builders, one module per domain; importing a module registers its builders."""

from . import digest, directory, freshness, library, meetings, searches  # noqa: F401
