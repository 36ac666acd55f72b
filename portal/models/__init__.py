from .create_claims import CreateFormClaim
from .images import PortalImage, PortalRendition
from .invitations import Invitation
from .outbox import PendingTask
from .pages import HomePage, StandardPage
from .site_settings import NetworkSettings
from .taxonomy import Language, Topic
from .users import User

__all__ = [
    "CreateFormClaim",
    "HomePage",
    "Invitation",
    "Language",
    "NetworkSettings",
    "PendingTask",
    "PortalImage",
    "PortalRendition",
    "StandardPage",
    "Topic",
    "User",
]
