from django.db import migrations, models

# Short French names (as in the ISO 3166 French list) of the region's countries and their
# neighbours, filled in where a country has none yet; the secretariat edits them in the admin.
FRENCH_NAMES = {
    "AL": "Albanie",
    "AT": "Autriche",
    "BA": "Bosnie-Herzégovine",
    "BG": "Bulgarie",
    "CY": "Chypre",
    "CZ": "Tchéquie",
    "DE": "Allemagne",
    "FR": "France",
    "GR": "Grèce",
    "HR": "Croatie",
    "HU": "Hongrie",
    "IT": "Italie",
    "MD": "Moldavie",
    "ME": "Monténégro",
    "MK": "Macédoine du Nord",
    "PL": "Pologne",
    "RO": "Roumanie",
    "RS": "Serbie",
    "SI": "Slovénie",
    "SK": "Slovaquie",
    "TR": "Turquie",
    "UA": "Ukraine",
    "XK": "Kosovo",
}


def fill_french_names(apps, schema_editor):
    Country = apps.get_model("network", "Country")
    for iso_code, name in FRENCH_NAMES.items():
        Country.objects.filter(iso_code=iso_code, name_fr="").update(name_fr=name)


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0004_single_line_names_and_hours"),
    ]

    operations = [
        migrations.AddField(
            model_name="country",
            name="name_fr",
            field=models.CharField(
                blank=True,
                help_text="Short French name; when empty, the English name shows.",
                max_length=120,
                verbose_name="name in French",
            ),
        ),
        migrations.RunPython(fill_french_names, migrations.RunPython.noop),
    ]
