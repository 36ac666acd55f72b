"""Builders for image tests: real images, as the admin's upload form saves them."""

import io
import itertools

import pytest

from django.core.cache import cache
from django.core.files.images import ImageFile

from wagtail.images import get_image_model

_numbers = itertools.count(1)


def make_image(title=None, colour="teal", size=(40, 30)):
    """A saved PNG image of the portal's image model."""
    from PIL import Image as PillowImage

    number = next(_numbers)
    buffer = io.BytesIO()
    PillowImage.new("RGB", size, colour).save(buffer, "PNG")
    return get_image_model().objects.create(
        title=title or f"Image {number}",
        file=ImageFile(buffer, name=f"picture-{number}.png"),
        alt_text="A coloured rectangle",
    )


def image_block(image):
    """An ImageBlock's value in a StreamField's raw data."""
    return ("image", {"image": image, "alt_text": "", "decorative": True})


def rich_text_embed(image):
    """A rich text image, as Draftail stores it."""
    return f'<embed embedtype="image" id="{image.pk}" format="fullwidth" alt="A rectangle"/>'


@pytest.fixture
def fresh_renditions():
    """Wagtail keeps renditions in the cache by image id, and a rolled-back test's ids are given
    again: forget them, or a test is handed the rendition of an image from an earlier one."""
    cache.clear()
    yield
    cache.clear()
