"""The two groups the access policy knows, with the Wagtail permissions each needs."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from portal.access import MEMBERS_GROUP, SECRETARIAT_GROUP

# Page permissions the secretariat holds on the whole tree: edit, publish (moderate), lock.
SECRETARIAT_PAGE_PERMISSIONS = [
    "add_page",
    "change_page",
    "publish_page",
    "bulk_delete_page",
    "lock_page",
    "unlock_page",
]
SECRETARIAT_COLLECTION_PERMISSIONS = [
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtaildocs", "delete_document"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtailimages", "delete_image"),
]
# Model permissions for snippets and settings: every model of the portal's own apps, plus admin
# access and Wagtail's settings and redirects.
SECRETARIAT_APPS = ["portal", "network", "library", "meetings", "notifications", "search"]
SECRETARIAT_EXTRA_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("wagtailredirects", "add_redirect"),
    ("wagtailredirects", "change_redirect"),
    ("wagtailredirects", "delete_redirect"),
]
# Never to the secretariat group: account administration stays with superusers.
EXCLUDED_CODENAMES = {"add_user", "change_user", "delete_user"}


@transaction.atomic
def ensure_groups():
    """Create or update the Members and Secretariat groups. Idempotent; runs after migrate."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    Group.objects.get_or_create(name=MEMBERS_GROUP)
    secretariat, _ = Group.objects.get_or_create(name=SECRETARIAT_GROUP)

    model_permissions = Permission.objects.filter(
        content_type__app_label__in=SECRETARIAT_APPS
    ).exclude(codename__in=EXCLUDED_CODENAMES)
    extra = [
        Permission.objects.filter(content_type__app_label=app, codename=codename).first()
        for app, codename in SECRETARIAT_EXTRA_PERMISSIONS
    ]
    secretariat.permissions.add(*model_permissions, *[p for p in extra if p])

    root_page = Page.get_first_root_node()
    if root_page is not None:
        for codename in SECRETARIAT_PAGE_PERMISSIONS:
            permission = Permission.objects.filter(
                content_type__app_label="wagtailcore", codename=codename
            ).first()
            if permission:
                GroupPagePermission.objects.get_or_create(
                    group=secretariat, page=root_page, permission=permission
                )
    root_collection = Collection.get_first_root_node()
    if root_collection is not None:
        for app, codename in SECRETARIAT_COLLECTION_PERMISSIONS:
            permission = Permission.objects.filter(
                content_type__app_label=app, codename=codename
            ).first()
            if permission:
                GroupCollectionPermission.objects.get_or_create(
                    group=secretariat, collection=root_collection, permission=permission
                )
    return secretariat
