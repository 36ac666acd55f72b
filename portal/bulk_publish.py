"""
Creating many new pages at once as live Wagtail pages, in a few statements per batch instead of
Wagtail's dozens per page (imports, the demo at scale).

Each page ends as `parent.add_child(instance=page)` followed by `page.save_revision().publish()`
would leave it: a row in the page tree (path, depth, url_path, locale, the parent's numchild), its
specific row, its child objects and many-to-many links (set in memory, as for `add_child`,
including those of child objects such as an agenda item's documents), one revision holding its
content and being its live and latest revision, "created" and "published" entries in its
history, its outbound references in Wagtail's reference index and its entry in Wagtail's admin
search. `page_published` (and Wagtail's generic `published`) is sent once per page, as publishing
does, so the apps' handlers (search indexing, guidance alerts, the page cache's sections) react
as they do to a publish.

Every page is validated as Wagtail validates a live page (`full_clean`) before anything is
written; call inside a transaction: a database error leaves nothing of the batch.
"""

import threading
import uuid

from modelsearch.backends import get_search_backends

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from modelcluster.models import get_all_child_m2m_relations, get_all_child_relations
from wagtail.log_actions import get_active_log_context
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.signals import page_published, published

_state = threading.local()

TREE_FIELDS = ["path", "depth", "numchild", "url_path", "locale", "content_type"]


class BulkPageError(ValidationError):
    """A page of the batch is invalid; `.page` is the page, `.index` its position."""

    def __init__(self, error, page, index):
        super().__init__(error.error_dict if hasattr(error, "error_dict") else error.messages)
        self.page = page
        self.index = index


def validate(parent, page):
    """Validate one unsaved page as a live child of `parent` (as Wagtail does on publish)."""
    _prepare(parent, page)
    # The tree position, locale and content type are set here, not given; slugs are checked
    # for the whole batch in one query by create_published.
    page._check_slug_is_unique = _checked_by_batch
    try:
        page.full_clean(exclude=TREE_FIELDS, validate_unique=False, validate_constraints=False)
    finally:
        del page._check_slug_is_unique


def _checked_by_batch():
    pass


def _prepare(parent, page):
    if page.pk is not None:
        raise ValueError("bulk publishing creates new pages only")
    if page.go_live_at and page.go_live_at > timezone.now():
        raise ValueError("bulk publishing does not schedule pages")
    page._cached_parent_obj = parent
    _settle_relations(page)
    page.depth = parent.depth + 1
    page.locale_id = page.locale_id or parent.locale_id
    page.draft_title = page.title
    page.live = True
    page.has_unpublished_changes = False
    page.expired = False


def create_published(parent, pages, user=None, validated=False):
    """Create `pages` (unsaved instances of one specific page model) as live children of
    `parent`, each with a published revision. Raises BulkPageError for an invalid page before
    writing anything."""
    pages = list(pages)
    if not pages:
        return []
    model = type(pages[0])
    if any(type(page) is not model for page in pages):
        raise ValueError("one page model per batch")
    if [p for p in model._meta.get_parent_list() if p is not Page]:
        raise ValueError("bulk publishing supports models that inherit from Page directly")
    slugs = set()
    for number, page in enumerate(pages):
        try:
            if not validated:
                validate(parent, page)
            else:
                _prepare(parent, page)
            if page.slug in slugs:
                raise ValidationError({"slug": f"The slug “{page.slug}” is given twice."})
        except ValidationError as error:
            raise BulkPageError(error, page, number) from error
        slugs.add(page.slug)

    now = timezone.now()
    with transaction.atomic():
        parent = _locked(parent)
        taken = set(
            Page.objects.child_of(parent).filter(slug__in=slugs).values_list("slug", flat=True)
        )
        for number, page in enumerate(pages):
            if page.slug in taken:
                error = ValidationError({"slug": f"The slug “{page.slug}” is already in use."})
                raise BulkPageError(error, page, number)
        _place(parent, pages, now)
        Page.objects.bulk_create(pages, batch_size=500)
        for page in pages:
            page.page_ptr_id = page.id
        _insert_specific(model, pages)
        _commit_relations(pages)
        revisions = _revisions(pages, user, now)
        for page, revision in zip(pages, revisions, strict=True):
            page.latest_revision = page.live_revision = revision
        Page.objects.bulk_update(pages, ["latest_revision", "live_revision"], batch_size=500)
        Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
        parent.numchild += len(pages)
        _log(pages, revisions, user, now)
        _reference_index(pages)
        _admin_search(model, pages)
        _state.gathered = {}
        try:
            for page, revision in zip(pages, revisions, strict=True):
                page_published.send(sender=model, instance=page, revision=revision)
                published.send(sender=model, instance=page, revision=revision)
        finally:
            gathered, _state.gathered = _state.gathered, None
        for callback, items in gathered.values():
            transaction.on_commit(lambda callback=callback, items=items: callback(items))
    return pages


def after_batch(key, callback, item):
    """For `page_published` handlers whose per-page work can be done once for many pages:
    during a bulk publish, gather `item` under `key` and return True; once the batch commits,
    `callback(items)` runs once with every gathered item. Outside a bulk publish, return False
    (the handler then does its per-page work)."""
    gathered = getattr(_state, "gathered", None)
    if gathered is None:
        return False
    gathered.setdefault(key, (callback, []))[1].append(item)
    return True


def _locked(parent):
    queryset = Page.objects.filter(pk=parent.pk)
    if connection.features.has_select_for_update:
        queryset = queryset.select_for_update()
    fresh = queryset.get()
    parent.path, parent.depth, parent.numchild = fresh.path, fresh.depth, fresh.numchild
    parent.url_path = fresh.url_path
    return parent


def _place(parent, pages, now):
    """Tree positions after the parent's last child, as treebeard's add_child gives them."""
    last = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    steplen = Page.steplen
    step = Page._str2int(last[-steplen:]) if last else 0
    capacity = len(Page.alphabet) ** steplen
    if step + len(pages) >= capacity:
        raise ValueError(f"“{parent}” cannot hold {len(pages)} more pages")
    content_type = ContentType.objects.get_for_model(type(pages[0]))
    for offset, page in enumerate(pages, start=1):
        page.path = parent.path + Page._int2str(step + offset).rjust(steplen, "0")
        page.depth = parent.depth + 1
        page.numchild = 0
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.content_type = content_type
        page.translation_key = page.translation_key or uuid.uuid4()
        page.first_published_at = page.first_published_at or now
        page.last_published_at = now
        page.latest_revision_created_at = now


def _insert_specific(model, pages):
    fields = list(model._meta.local_concrete_fields)
    size = max(1, connection.ops.bulk_batch_size(fields, pages))
    for start in range(0, len(pages), size):
        model._base_manager._insert(pages[start : start + size], fields=fields)
    for page in pages:
        page._state.adding = False
        page._state.db = connection.alias


def _commit_relations(instances):
    """Insert the in-memory child objects and many-to-many links of `instances` (one model),
    then those of the children, level by level."""
    if not instances:
        return
    model = type(instances[0])
    for field in get_all_child_m2m_relations(model):
        through = field.remote_field.through
        source = field.m2m_field_name() + "_id"
        target = field.m2m_reverse_field_name() + "_id"
        rows = []
        for instance in instances:
            for related in _in_memory(instance, field.name):
                rows.append(through(**{source: instance.pk, target: related.pk}))
        through.objects.bulk_create(rows, batch_size=1000)
    for relation in get_all_child_relations(model):
        children = []
        for instance in instances:
            items = _in_memory(instance, relation.get_accessor_name())
            order_field = getattr(relation.related_model, "sort_order_field", None)
            for position, child in enumerate(items):
                if _is_cluster(child):
                    _settle_relations(child)
                setattr(child, relation.field.attname, instance.pk)
                if order_field and getattr(child, order_field) is None:
                    setattr(child, order_field, position)
                children.append(child)
        if children:
            relation.related_model.objects.bulk_create(children, batch_size=500)
            _commit_relations(children)


def _settle_relations(instance):
    """A new object's child relations and many-to-many links that were not given are empty:
    say so in memory, so that serialising and indexing it does not ask the database."""
    held = instance.__dict__.setdefault("_cluster_related_objects", {})
    for relation in get_all_child_relations(type(instance)):
        held.setdefault(relation.get_accessor_name(), [])
    for field in get_all_child_m2m_relations(type(instance)):
        held.setdefault(field.name, [])


def _is_cluster(instance):
    from modelcluster.models import ClusterableModel

    return isinstance(instance, ClusterableModel)


def _in_memory(instance, name):
    return list(getattr(instance, "_cluster_related_objects", {}).get(name, ()))


def _revisions(pages, user, now):
    base = ContentType.objects.get_for_model(Page)
    revisions = [
        Revision(
            content_type=page.content_type,
            base_content_type=base,
            object_id=str(page.pk),
            user=user,
            created_at=now,
            content=page.serializable_data(),
            object_str=str(page)[:255],
        )
        for page in pages
    ]
    return Revision.objects.bulk_create(revisions, batch_size=500)


def _log(pages, revisions, user, now):
    context = get_active_log_context()
    user = user or context.user
    content_type = ContentType.objects.get_for_model(type(pages[0]), for_concrete_model=False)
    entries = []
    for page, revision in zip(pages, revisions, strict=True):
        common = {
            "content_type": content_type,
            "label": page.get_admin_display_title(),
            "timestamp": now,
            "data": {},
            "page_id": page.pk,
            "uuid": context.uuid,
            "content_changed": True,
        }
        entries.append(PageLogEntry(action="wagtail.create", user=user or page.owner, **common))
        entries.append(
            PageLogEntry(action="wagtail.publish", user=user, revision=revision, **common)
        )
    PageLogEntry.objects.bulk_create(entries, batch_size=1000)


def index_for_admin(objects):
    """Wagtail's reference index and admin search entries of new objects of one model, in bulk
    (what its post_save handlers do one object at a time)."""
    objects = list(objects)
    if objects:
        _reference_index(objects)
        _admin_search(type(objects[0]), objects)


def _reference_index(objects):
    model = type(objects[0])
    if not ReferenceIndex.model_is_indexable(model):
        return
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    parents = model._meta.get_parent_list()
    base = ContentType.objects.get_for_model(
        parents[-1] if parents else model, for_concrete_model=False
    )
    rows = []
    for obj in objects:
        references = set(ReferenceIndex._extract_references_from_object(obj))
        rows.extend(
            ReferenceIndex(
                content_type=content_type,
                base_content_type=base,
                object_id=obj.pk,
                to_content_type_id=to_content_type_id,
                to_object_id=to_object_id,
                model_path=model_path,
                content_path=content_path,
                content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
            )
            for to_content_type_id, to_object_id, model_path, content_path in references
        )
    options = {"ignore_conflicts": True} if connection.features.supports_ignore_conflicts else {}
    ReferenceIndex.objects.bulk_create(rows, batch_size=1000, **options)


def _admin_search(model, objects):
    from modelsearch.index import class_is_indexed

    if not class_is_indexed(model):
        return
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(model, objects)
