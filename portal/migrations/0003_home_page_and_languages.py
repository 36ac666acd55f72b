from django.db import migrations

LANGUAGES = [
    ("sq", "Albanian", "shqip"),
    ("bs", "Bosnian", "bosanski"),
    ("bg", "Bulgarian", "български"),
    ("hr", "Croatian", "hrvatski"),
    ("cs", "Czech", "čeština"),
    ("nl", "Dutch", "Nederlands"),
    ("en", "English", "English"),
    ("fr", "French", "français"),
    ("de", "German", "Deutsch"),
    ("el", "Greek", "ελληνικά"),
    ("hu", "Hungarian", "magyar"),
    ("it", "Italian", "italiano"),
    ("mk", "Macedonian", "македонски"),
    ("cnr", "Montenegrin", "crnogorski"),
    ("pl", "Polish", "polski"),
    ("pt", "Portuguese", "português"),
    ("ro", "Romanian", "română"),
    ("ru", "Russian", "русский"),
    ("sr", "Serbian", "српски"),
    ("sk", "Slovak", "slovenčina"),
    ("sl", "Slovenian", "slovenščina"),
    ("es", "Spanish", "español"),
    ("tr", "Turkish", "Türkçe"),
    ("uk", "Ukrainian", "українська"),
    ("ar", "Arabic", "العربية"),
]


def add_languages(apps, schema_editor):
    Language = apps.get_model("portal", "Language")
    for code, name, native in LANGUAGES:
        Language.objects.update_or_create(code=code, defaults={"name": name, "native_name": native})


def create_home_page(apps, schema_editor):
    """Replace Wagtail's welcome page with the portal's home page, so a fresh site has one."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("portal", "HomePage")
    Locale = apps.get_model("wagtailcore", "Locale")

    if HomePage.objects.exists():
        return
    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    root = Page.objects.filter(depth=1).first()
    if root is None:
        return
    locale = Locale.objects.first()
    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="portal")
    home = HomePage.objects.create(
        title="Home",
        draft_title="Home",
        slug="home",
        content_type=content_type,
        path=f"{root.path}0001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        live=True,
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Portal"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_pages_taxonomy_settings_images"),
    ]

    operations = [
        migrations.RunPython(add_languages, migrations.RunPython.noop),
        migrations.RunPython(create_home_page, migrations.RunPython.noop),
    ]
