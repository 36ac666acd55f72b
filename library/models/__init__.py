"""The library's models: documents with extracted text, the resource pages that use them, and
the indicators that indicator sets order (see library.models.indicators)."""

from .documents import LibraryDocument
from .indicators import (
    Dimension,
    Indicator,
    IndicatorSet,
    IndicatorSetItem,
    SetDifferences,
    Stage,
    Strength,
    compare,
    comparison,
)
from .pages import LibraryIndexPage, RelatedResource, ResourceAttachment, ResourcePage, ResourceType

__all__ = [
    "Dimension",
    "Indicator",
    "IndicatorSet",
    "IndicatorSetItem",
    "SetDifferences",
    "Stage",
    "Strength",
    "compare",
    "comparison",
    "LibraryDocument",
    "LibraryIndexPage",
    "RelatedResource",
    "ResourceAttachment",
    "ResourcePage",
    "ResourceType",
]
