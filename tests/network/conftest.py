import pytest


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Photos go to a private root of the test's own, away from MEDIA_ROOT."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    return tmp_path / "private-media"
