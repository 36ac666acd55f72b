"""
The import of library resources from JSON Lines (`import_resources`, docs/contracts.md): each
line is checked in full before anything is written, so a bad line leaves nothing behind and does
not stop the others. Lookups of topics, countries, languages and existing resources are made once
per import, not per line.

New resources are validated one by one, then written in batches through portal.bulk_publish (a
few statements per batch instead of Wagtail's dozens per page; they end as the same live pages
with a revision). A batch is one transaction: if the database refuses it, its lines are written
again one at a time, so only the line at fault fails. Updates of existing resources go through
Wagtail's own revision-and-publish path, one transaction per line.
"""

import datetime
import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from modelsearch import index as search_index
from modelsearch.signal_handlers import post_save_signal_handler

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models.signals import post_save
from django.utils.html import escape
from django.utils.text import Truncator, slugify

from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from library.models import (
    LibraryDocument,
    LibraryIndexPage,
    ResourceAttachment,
    ResourcePage,
    ResourceType,
)
from network.models import Country
from portal import bulk_publish
from portal.access import Audience
from portal.models import Language, Topic

FIELDS = {
    "external_id",
    "title",
    "summary",
    "body",
    "resource_type",
    "topics",
    "countries",
    "languages",
    "published",
    "audience",
    "attachments",
}
AUDIENCES = {Audience.PUBLIC.value, Audience.MEMBERS.value}
SUMMARY_LENGTH = 300
BATCH_SIZE = 200


@contextmanager
def wagtail_indexes_once_per_resource():
    """Creating and publishing a page saves it three times, and each save would update
    Wagtail's admin search index and reference index; during an import they are updated once
    per resource instead (see ResourceImporter._write)."""
    post_save.disconnect(post_save_signal_handler, sender=ResourcePage)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        post_save.connect(post_save_signal_handler, sender=ResourcePage)


class LineError(Exception):
    """What is wrong with one line, in words the person who wrote the file understands."""


@dataclass
class ImportLine:
    external_id: str
    values: dict = field(default_factory=dict)  # page fields given on the line
    topics: list | None = None
    countries: list | None = None
    languages: list | None = None
    attachments: list | None = None  # [(name, bytes)]

    def set_relations(self, page):
        """Give `page` the topics, countries and languages of the line; None leaves them be."""
        for name in ("topics", "countries", "languages"):
            if getattr(self, name) is not None:
                setattr(page, name, getattr(self, name))


class ResourceImporter:
    def __init__(self, attachments_dir=None, dry_run=False):
        self.attachments_dir = Path(attachments_dir).resolve() if attachments_dir else None
        self.dry_run = dry_run
        self.index = LibraryIndexPage.objects.first()
        if self.index is None:
            raise LineError("There is no library page to import resources into.")
        self.topics = {topic.slug: topic for topic in Topic.objects.all()}
        self.countries = {country.iso_code.upper(): country for country in Country.objects.all()}
        self.languages = {language.code: language for language in Language.objects.all()}
        self.existing = dict(
            ResourcePage.objects.exclude(external_id=None).values_list("external_id", "pk")
        )
        self.slugs = set(ResourcePage.objects.child_of(self.index).values_list("slug", flat=True))
        self.seen = {}
        self.queued = {}  # external_id -> (line_number, ImportLine, page) waiting for a batch
        self.batch_size = BATCH_SIZE
        self.max_upload = getattr(settings, "WAGTAILDOCS_MAX_UPLOAD_SIZE", None)

    # Checking ------------------------------------------------------------------------------

    def parse(self, text):
        """An ImportLine from one line of the file, or LineError naming what is wrong."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise LineError(f"not valid JSON ({error.msg} at column {error.colno})") from error
        if not isinstance(data, dict):
            raise LineError("expected a JSON object")
        unknown = sorted(set(data) - FIELDS)
        if unknown:
            raise LineError(f"unknown field(s): {', '.join(unknown)}")
        external_id = self._text(data, "external_id", 100, required=True)
        line = ImportLine(external_id)
        values = line.values
        values["title"] = self._text(data, "title", 255, required=True)
        if "summary" in data:
            values["summary"] = self._text(data, "summary", 5000)
        if "body" in data:
            values["body"] = body_blocks(self._text(data, "body", 2_000_000))
            if not values.get("summary"):
                values["summary"] = Truncator(data["body"]).chars(SUMMARY_LENGTH)
        if "resource_type" in data:
            value = self._text(data, "resource_type", 20)
            if value not in ResourceType.values:
                raise LineError(
                    f"unknown resource_type “{value}” (one of {', '.join(ResourceType.values)})"
                )
            values["resource_type"] = value
        if "audience" in data:
            value = self._text(data, "audience", 20)
            if value not in AUDIENCES:
                raise LineError(f"unknown audience “{value}” (public or members)")
            values["audience"] = value
        if "published" in data:
            values["published"] = self._date(data["published"])
        line.topics = self._lookup(data, "topics", self.topics, "topic")
        line.countries = self._lookup(data, "countries", self.countries, "country", upper=True)
        line.languages = self._lookup(data, "languages", self.languages, "language", lower=True)
        if "attachments" in data:
            line.attachments = [self._attachment(path) for path in self._list(data, "attachments")]
        return line

    def _text(self, data, name, max_length, required=False):
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise LineError(f"missing {name}")
            return ""
        if not isinstance(value, str):
            raise LineError(f"{name} must be text")
        value = value.replace("\x00", "").strip()
        if len(value) > max_length:
            raise LineError(f"{name} is longer than {max_length} characters")
        return value

    def _list(self, data, name):
        value = data.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise LineError(f"{name} must be a list of text values")
        return value

    def _lookup(self, data, name, known, label, upper=False, lower=False):
        if name not in data:
            return None
        values = self._list(data, name)
        values = [value.upper() if upper else value.lower() if lower else value for value in values]
        missing = [value for value in values if value not in known]
        if missing:
            raise LineError(f"unknown {label} {', '.join(f'“{value}”' for value in missing)}")
        return [known[value] for value in dict.fromkeys(values)]

    def _date(self, value):
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise LineError("published must be a date as text, e.g. 2019-10-18")
        try:
            return datetime.date.fromisoformat(value)
        except ValueError as error:
            raise LineError(f"bad date “{value}” for published (expected YYYY-MM-DD)") from error

    def _attachment(self, relative):
        from portal.uploads import check_document

        if self.attachments_dir is None:
            raise LineError(f"attachment “{relative}” given but no --attachments-dir")
        path = (self.attachments_dir / relative).resolve()
        if not path.is_relative_to(self.attachments_dir):
            raise LineError(f"attachment “{relative}” is outside the attachments directory")
        if not path.is_file():
            raise LineError(f"attachment file “{relative}” not found")
        size = path.stat().st_size
        if self.max_upload and size > self.max_upload:
            raise LineError(f"attachment “{relative}” is larger than the upload limit")
        content = path.read_bytes()
        try:
            check_document(path.name, content[:8192])
        except ValidationError as error:
            raise LineError(f"attachment “{relative}”: {' '.join(error.messages)}") from error
        return path.name, content

    # Writing -------------------------------------------------------------------------------

    def submit(self, line, line_number):
        """Take one checked line. Returns the lines finished by this call, each as
        (line_number, outcome, error): an update is written at once; a new resource waits for
        its batch (written when full, or by flush())."""
        results = []
        if line.external_id in self.queued:
            results = self.flush()
        page_id = self.existing.get(line.external_id)
        if self.dry_run or page_id or line.external_id in self.seen:
            try:
                results.append((line_number, self.apply(line, line_number), None))
            except LineError as error:
                results.append((line_number, None, error))
            return results
        try:
            page = self._new_page(line)
            bulk_publish.validate(self.index, page)
        except ValidationError as error:
            results.append((line_number, None, LineError(_describe(error))))
            return results
        self.queued[line.external_id] = (line_number, line, page)
        if len(self.queued) >= self.batch_size:
            results.extend(self.flush())
        return results

    def flush(self):
        """Write the waiting new resources; returns their (line_number, outcome, error)."""
        items, self.queued = list(self.queued.values()), {}
        if not items:
            return []
        try:
            self._create(items)
        except LineError as error:
            if len(items) == 1:
                return [(items[0][0], None, error)]
            # Find the line at fault: write each on its own, from fresh instances.
            results = []
            for number, line, page in items:
                try:
                    fresh = self._new_page(line, slug=page.slug)
                    bulk_publish.validate(self.index, fresh)
                    self._create([(number, line, fresh)])
                except ValidationError as single:
                    results.append((number, None, LineError(_describe(single))))
                except LineError as single:
                    results.append((number, None, single))
                else:
                    results.append((number, "created", None))
            return results
        return [(number, "created", None) for number, _line, _page in items]

    def _new_page(self, line, slug=None):
        page = ResourcePage(external_id=line.external_id, **line.values)
        page.slug = slug or self._free_slug(page.title, line.external_id)
        self.slugs.add(page.slug)
        line.set_relations(page)
        return page

    def _create(self, items):
        """One batch of new resources, in one transaction (nothing of it on error)."""
        written_files = []
        try:
            with transaction.atomic():
                for _number, line, page in items:
                    if line.attachments:
                        page.attachments = self._attachments(page, line, written_files)
                bulk_publish.create_published(
                    self.index, [page for _n, _l, page in items], validated=True
                )
        except (ValidationError, DatabaseError) as error:
            for name in written_files:
                LibraryDocument._meta.get_field("file").storage.delete(name)
            raise LineError(_describe(error)) from error
        for number, line, page in items:
            self.existing[line.external_id] = page.pk
            self.seen[line.external_id] = number

    def apply(self, line, line_number):
        """Create or update the resource of `line` and publish it; returns "created" or
        "updated". One transaction: on any error nothing of this line remains."""
        if line.external_id in self.seen:
            earlier = self.seen[line.external_id]
            raise LineError(f"external_id “{line.external_id}” already given on line {earlier}")
        page_id = self.existing.get(line.external_id)
        if self.dry_run:
            self.seen[line.external_id] = line_number
            return "updated" if page_id else "created"
        written_files = []
        try:
            with transaction.atomic():
                outcome = self._write(line, page_id, written_files)
        except (ValidationError, DatabaseError) as error:
            for name in written_files:
                LibraryDocument._meta.get_field("file").storage.delete(name)
            raise LineError(_describe(error)) from error
        self.seen[line.external_id] = line_number
        return outcome

    def _write(self, line, page_id, written_files):
        if page_id:
            page = ResourcePage.objects.get(pk=page_id)
            for name, value in line.values.items():
                setattr(page, name, value)
            outcome = "updated"
        else:
            page = ResourcePage(external_id=line.external_id, live=False, **line.values)
            page.slug = self._free_slug(page.title, line.external_id)
            self.index.add_child(instance=page)
            outcome = "created"
        line.set_relations(page)
        if line.attachments is not None:
            page.attachments = self._attachments(page, line, written_files)
        page.save_revision().publish()
        ReferenceIndex.create_or_update_for_object(page)
        search_index.insert_or_update_object(page)
        if outcome == "created":
            self.existing[line.external_id] = page.pk
            self.slugs.add(page.slug)
        return outcome

    def _free_slug(self, title, external_id):
        base = slugify(title)[:80] or "resource"
        slug = base
        if slug in self.slugs or slug in {"feed"}:
            slug = f"{base}-{slugify(external_id)}"[:255]
        suffix = 2
        while slug in self.slugs:
            slug = f"{base}-{suffix}"
            suffix += 1
        return slug

    def _attachments(self, page, line, written_files):
        """The line's files as attachments, reusing a document already attached with the same
        content (so a re-import neither duplicates files nor extracts them again)."""
        existing = {}
        if page.pk:
            for attachment in ResourceAttachment.objects.filter(page=page).select_related(
                "document"
            ):
                existing[attachment.document.file_hash] = attachment.document
        attachments = []
        for name, content in line.attachments:
            digest = hashlib.sha1(content, usedforsecurity=False).hexdigest()
            document = existing.get(digest)
            if document is None:
                document = LibraryDocument(title=Path(name).stem.replace("_", " "))
                document.file.save(name, ContentFile(content), save=False)
                written_files.append(document.file.name)
                document.file_size = len(content)
                document.file_hash = digest
                document.save()
            attachments.append(ResourceAttachment(document=document))
        return attachments


def _describe(error):
    if isinstance(error, ValidationError):
        if hasattr(error, "message_dict"):
            return "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
            )
        return " ".join(error.messages)
    return f"could not be saved ({error})"


def body_blocks(text):
    """Plain text as the body's paragraphs: one paragraph per blank-line separated block."""
    paragraphs = [part.strip() for part in text.replace("\r\n", "\n").split("\n\n")]
    return [
        {"type": "paragraph", "value": "<p>" + escape(part).replace("\n", "<br/>") + "</p>"}
        for part in paragraphs
        if part
    ]
