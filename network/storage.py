"""
Where directory photos live: outside MEDIA_ROOT, so no web server or `static()` route ever serves
them directly. They reach a browser only through `network.views.person_photo`, which asks the
access policy first.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


def private_media_root():
    """PRIVATE_MEDIA_ROOT when set, else <project>/private-media (never under MEDIA_ROOT)."""
    configured = getattr(settings, "PRIVATE_MEDIA_ROOT", None)
    return Path(configured) if configured else Path(settings.BASE_DIR) / "private-media"


@deconstructible
class PrivateMediaStorage(FileSystemStorage):
    """A file system storage with no public URL, whose root is read from the settings at each use
    (so tests and deployments can move it without a migration)."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(private_media_root())

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    def url(self, name):
        raise ValueError("Private media has no public URL; use the view that checks access.")
