"""The library's models: documents with extracted text, and the resource pages that use them."""

from .documents import LibraryDocument
from .pages import LibraryIndexPage, RelatedResource, ResourceAttachment, ResourcePage, ResourceType

__all__ = [
    "LibraryDocument",
    "LibraryIndexPage",
    "RelatedResource",
    "ResourceAttachment",
    "ResourcePage",
    "ResourceType",
]
