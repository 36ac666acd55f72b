"""Create the one library page under the home page, so /library/ exists on every installation."""

from django.db import migrations
from django.utils import timezone

STEP_LENGTH = 4  # treebeard's materialised path step used by Wagtail
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _step(number):
    digits = ""
    while number:
        number, remainder = divmod(number, len(ALPHABET))
        digits = ALPHABET[remainder] + digits
    return digits.rjust(STEP_LENGTH, "0")


def create_library(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    HomePage = apps.get_model("portal", "HomePage")
    LibraryIndexPage = apps.get_model("library", "LibraryIndexPage")

    home = HomePage.objects.first()
    if home is None or LibraryIndexPage.objects.exists():
        return
    children = Page.objects.filter(path__startswith=home.path, depth=home.depth + 1)
    if children.filter(slug="library").exists():
        # Someone already has /library/ for another page; leave the choice to the editors.
        return
    last = children.order_by("-path").values_list("path", flat=True).first()
    number = int(last[-STEP_LENGTH:], len(ALPHABET)) + 1 if last else 1
    content_type, _ = ContentType.objects.get_or_create(
        app_label="library", model="libraryindexpage"
    )
    now = timezone.now()
    LibraryIndexPage.objects.create(
        title="Library",
        draft_title="Library",
        slug="library",
        content_type=content_type,
        path=home.path + _step(number),
        depth=home.depth + 1,
        numchild=0,
        url_path=f"{home.url_path}library/",
        locale_id=home.locale_id,
        live=True,
        first_published_at=now,
        last_published_at=now,
        introduction=(
            "Guidelines, standard operating procedures, indicators, tools, training material, "
            "studies, legislation and good practices from the network and its members."
        ),
    )
    Page.objects.filter(pk=home.pk).update(numchild=children.count())


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0002_resources"),
        ("portal", "0003_home_page_and_languages"),
    ]

    operations = [migrations.RunPython(create_library, migrations.RunPython.noop)]
