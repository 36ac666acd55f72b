"""
The indicator pages' benchmark, part of `manage.py bench --only portal` (benchmarks/site.py runs it
on the same seeded database): server time p50/p95 and query count of the indicator browser with
every filter set (stage, group, exploitation, strength, set, country version, language), and of
the same selection's checklist and its PDF, anonymous and as the demo member. Measured like the
public pages: Django's test client in this process, DEBUG off, warm caches.

When the seeded database holds no country version of an indicator set, a regional set of
SAMPLE_SIZE indicators and SAMPLE_VERSIONS country versions of it are added first (the database
is a throwaway one), so that every filter has something to select.
"""

from django.apps import apps

from benchmarks.measure import bench_urls

PAGE_TARGET_MS = 100
PDF_TARGET_MS = 300
SAMPLE_SIZE = 120
SAMPLE_VERSIONS = 3


def _sample_sets():
    """A regional set and its country versions, published under the library (throwaway data)."""
    from library.models import Indicator, IndicatorSetItem, LibraryIndexPage, ResourcePage
    from network.models import Country
    from portal.models import Language

    english = Language.objects.filter(code="en").first()
    stages = ["screening", "identification", "risk_assessment"]
    strengths = ["strong", "medium", "weak"]
    groups = [[], ["adults"], ["children"], ["asylum"]]
    exploitation = [[], ["labour"], ["sexual"], ["labour", "domestic"], ["begging"]]
    indicators = Indicator.objects.bulk_create(
        Indicator(
            text=f"Sample indicator {number}: a sign frontline staff may notice.",
            stage=stages[number % 3],
            strength=strengths[(number // 3) % 3],
            target_groups=groups[number % 4],
            exploitation=exploitation[number % 5],
            language=english,
        )
        for number in range(SAMPLE_SIZE)
    )
    library = LibraryIndexPage.objects.first()

    def publish(title, rows, **fields):
        page = ResourcePage(title=title, resource_type="indicator_set", **fields)
        library.add_child(instance=page)
        page.indicator_items = [
            IndicatorSetItem(heading=f"Heading {number // 10}", indicator=indicator)
            for number, indicator in enumerate(rows)
        ]
        page.save_revision().publish()
        return page

    regional = publish("Sample regional indicator set", indicators)
    for country in Country.objects.order_by("iso_code")[:SAMPLE_VERSIONS]:
        publish(
            f"Sample indicator set, {country.name}",
            indicators[: SAMPLE_SIZE - 10],
            derived_from=regional,
            version_country=country,
        )


def indicator_urls():
    """The browser, checklist and PDF of one selection with every filter set, on the country
    version with most rows (a fixed one when tied)."""
    from django.db.models import Count

    from library.models import Indicator, ResourcePage

    def busiest():
        return (
            ResourcePage.objects.live()
            .filter(audience="public", derived_from__isnull=False)
            .annotate(rows=Count("indicator_items"))
            .filter(rows__gt=0)
            .select_related("version_country")
            .order_by("-rows", "pk")
            .first()
        )

    version = busiest()
    if version is None:
        _sample_sets()
        version = busiest()
    if version is None:
        return []
    language = (
        Indicator.objects.filter(set_items__page=version, language__isnull=False)
        .values_list("language__code", flat=True)
        .first()
    ) or "en"
    selection = (
        "stage=screening&stage=identification&group=adults&group=children&exploitation=labour"
        f"&strength=strong&strength=medium&set={version.pk}"
        f"&country={version.version_country.iso_code}&language={language}"
    )
    return [
        ("browser", f"/library/indicators/?{selection}", PAGE_TARGET_MS),
        ("checklist", f"/library/indicators/checklist/?{selection}", PAGE_TARGET_MS),
        ("checklist_pdf", f"/library/indicators/checklist/?{selection}&format=pdf", PDF_TARGET_MS),
    ]


def bench_indicators(command, quick):
    """One `indicators.<name>.<role>` line per URL of indicator_urls() and role."""
    urls = indicator_urls()  # first: it may add the sample sets counted here
    indicators = apps.get_model("library", "Indicator").objects.count()
    bench_urls(
        command,
        "indicators",
        urls,
        quick,
        roles=("anonymous", "member"),
        missing=("browser", "no indicator set"),
        indicators=indicators,
    )
