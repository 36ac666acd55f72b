from django.db import migrations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's path alphabet
STEP = 4


def _next_child_path(Page, parent):
    last = (
        Page.objects.filter(depth=parent.depth + 1, path__startswith=parent.path)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    number = 0
    if last:
        for char in last[-STEP:]:
            number = number * len(ALPHABET) + ALPHABET.index(char)
        number += 1
    segment = ""
    for _ in range(STEP):
        number, digit = divmod(number, len(ALPHABET))
        segment = ALPHABET[digit] + segment
    return parent.path + segment


def create_meeting_index(apps, schema_editor):
    """Give a fresh site its /meetings/ page, so the listing exists without manual set-up."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    HomePage = apps.get_model("portal", "HomePage")
    MeetingIndexPage = apps.get_model("meetings", "MeetingIndexPage")

    home = HomePage.objects.first()
    if home is None or MeetingIndexPage.objects.exists():
        return
    if Page.objects.filter(
        depth=home.depth + 1, path__startswith=home.path, slug="meetings"
    ).exists():
        return
    content_type, _ = ContentType.objects.get_or_create(
        app_label="meetings", model="meetingindexpage"
    )
    MeetingIndexPage.objects.create(
        title="Meetings",
        draft_title="Meetings",
        slug="meetings",
        content_type=content_type,
        path=_next_child_path(Page, home),
        depth=home.depth + 1,
        numchild=0,
        url_path=f"{home.url_path}meetings/",
        locale_id=home.locale_id,
        live=True,
        introduction=(
            "The network's regional meetings, working groups and expert workshops: agendas "
            "before, records after."
        ),
    )
    Page.objects.filter(pk=home.pk).update(
        numchild=Page.objects.filter(depth=home.depth + 1, path__startswith=home.path).count()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
        ("portal", "0003_home_page_and_languages"),
    ]

    operations = [migrations.RunPython(create_meeting_index, migrations.RunPython.noop)]
