import posixpath

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail.images.models import AbstractImage, AbstractRendition, Image


class PortalImage(AbstractImage):
    """Wagtail image with required alternative text, so every picture on the portal is described."""

    alt_text = models.CharField(
        _("alternative text"),
        max_length=255,
        blank=True,
        help_text=_("Describes the image for people who cannot see it; empty only if decorative."),
    )

    admin_form_fields = (*Image.admin_form_fields, "alt_text")


class PortalRendition(AbstractRendition):
    """A size or crop of an image. Its URL is the portal's image view, never the file's place
    under MEDIA_ROOT: who may fetch an image depends on where it is shown (see portal.images)."""

    image = models.ForeignKey(PortalImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)

    @property
    def url(self):
        # Wagtail stands an unsaved rendition in for an image whose file is missing: its URL
        # answers 404, a broken image rather than a broken page.
        return reverse(
            "image_file",
            args=[self.image_id, self.pk or 0, posixpath.basename(self.file.name) or "missing"],
        )
