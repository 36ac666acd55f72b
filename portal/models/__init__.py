from .images import PortalImage, PortalRendition
from .pages import HomePage, StandardPage
from .site_settings import NetworkSettings
from .taxonomy import Language, Topic
from .users import User

__all__ = [
    "HomePage",
    "Language",
    "NetworkSettings",
    "PortalImage",
    "PortalRendition",
    "StandardPage",
    "Topic",
    "User",
]
