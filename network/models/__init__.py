"""The directory's models: countries and organisations, people and their mandates."""

from .directory import Country, Organisation
from .people import Mandate, MandateQuerySet, Person, PersonEmail, PersonPhone

__all__ = [
    "Country",
    "Mandate",
    "MandateQuerySet",
    "Organisation",
    "Person",
    "PersonEmail",
    "PersonPhone",
]
