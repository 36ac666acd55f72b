"""The directory's models: countries and organisations, people and their mandates, and the
referral pathway's profiles and institutions."""

from .directory import Country, Organisation
from .people import Mandate, MandateQuerySet, Person, PersonEmail, PersonPhone
from .referral import Institution, Procedure, ReferralProfile, TargetGroup

__all__ = [
    "Country",
    "Institution",
    "Mandate",
    "MandateQuerySet",
    "Organisation",
    "Person",
    "PersonEmail",
    "PersonPhone",
    "Procedure",
    "ReferralProfile",
    "TargetGroup",
]
