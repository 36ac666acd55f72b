"""
The library's part of the demo network: the topic taxonomy, the "Secretariat review" moderation
workflow on the library, and fictional resources of every type (some members-only, some
superseded, some translated into French) with generated PDF and DOCX attachments whose text is
extracted (once per distinct file, see AttachmentTemplates). New resources are published in
batches through portal.bulk_publish. Idempotent: topics by slug, resources by `external_id`.
"""

import datetime
import hashlib
import io
import json
import os
import tempfile
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from django.utils.text import slugify

from wagtail.models import Collection, GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

from library import extraction
from library.demo_indicators import seed_indicators
from library.models import (
    Indicator,
    IndicatorSetItem,
    LibraryDocument,
    LibraryIndexPage,
    RelatedResource,
    ResourceAttachment,
    ResourcePage,
    ResourceType,
    Stage,
)
from library.models.pages import RESERVED_SLUGS
from network.models import Country, Organisation, Person, ReferralProfile
from portal import bulk_publish
from portal.access import SECRETARIAT_GROUP, Audience
from portal.models import Language, Topic

TOPICS = [
    ("identification", "Identification", "Screening, indicators and formal identification."),
    ("referral", "Referral", "National and transnational referral mechanisms."),
    ("protection-and-assistance", "Protection and assistance", "Shelter, care, recovery."),
    ("children", "Children", "Child victims and children at risk, guardianship."),
    ("asylum-and-migration", "Asylum and migration", "Trafficking in mixed migration flows."),
    ("prosecution", "Prosecution", "Investigation, prosecution and victims in proceedings."),
    ("prevention", "Prevention", "Awareness, demand reduction, risk groups."),
    ("labour-exploitation", "Labour exploitation", "Forced labour and labour inspection."),
    ("sexual-exploitation", "Sexual exploitation", "Trafficking for sexual exploitation."),
    ("data-collection", "Data collection", "Statistics, case data systems, monitoring."),
    ("transnational-cooperation", "Transnational cooperation", "Cross-border cases, returns."),
    ("online-exploitation", "Online exploitation", "Recruitment and exploitation online."),
    ("victim-rights", "Victim rights", "Compensation, reflection period, residence."),
    ("training", "Training", "Curricula and material for professionals."),
]

# The topics' French names (the French interface shows them).
TOPIC_NAMES_FR = {
    "identification": "Identification",
    "referral": "Orientation",
    "protection-and-assistance": "Protection et assistance",
    "children": "Enfants",
    "asylum-and-migration": "Asile et migration",
    "prosecution": "Poursuites",
    "prevention": "Prévention",
    "labour-exploitation": "Exploitation par le travail",
    "sexual-exploitation": "Exploitation sexuelle",
    "data-collection": "Collecte de données",
    "transnational-cooperation": "Coopération transnationale",
    "online-exploitation": "Exploitation en ligne",
    "victim-rights": "Droits des victimes",
    "training": "Formation",
}

SUBJECTS = [
    ("referral of presumed victims", ["referral", "identification"]),
    ("identification of child victims", ["children", "identification"]),
    ("labour exploitation in agriculture", ["labour-exploitation", "identification"]),
    ("transnational referral and safe return", ["transnational-cooperation", "referral"]),
    (
        "assistance to victims in asylum procedures",
        ["asylum-and-migration", "protection-and-assistance"],
    ),
    ("online recruitment of young people", ["online-exploitation", "prevention", "children"]),
    ("victim-centred prosecution", ["prosecution", "victim-rights"]),
    ("data collection on trafficking cases", ["data-collection"]),
    ("shelter standards and recovery", ["protection-and-assistance"]),
    ("sexual exploitation in the hospitality sector", ["sexual-exploitation", "identification"]),
]

TITLES = {
    ResourceType.GUIDELINE: "Guidelines on {subject}",
    ResourceType.SOP: "Standard operating procedures for {subject}",
    ResourceType.INDICATOR_SET: "Indicators for {subject}",
    ResourceType.TOOL: "Risk assessment tool: {subject}",
    ResourceType.TRAINING: "Training module on {subject}",
    ResourceType.STUDY: "Regional study on {subject}",
    ResourceType.LEGISLATION: "Legislation overview: {subject}",
    ResourceType.GOOD_PRACTICE: "Good practice in {subject}",
}

INDICATORS = {
    "Control and movement": [
        "Identity or travel documents are held by the employer or recruiter.",
        "The person cannot leave the workplace or accommodation freely.",
    ],
    "Working and living conditions": [
        "Wages are withheld, or debts are used to keep the person working.",
        "The person lives where they work, in degrading conditions.",
    ],
    "Recruitment": [
        "The job offered differed from the job found on arrival.",
        "Recruitment fees were charged to the worker.",
    ],
}


def seed(context):
    """Build the demo library. Idempotent."""
    topics = _topics()
    library = _library(context)
    _workflow(library)
    countries = list(Country.objects.order_by("iso_code"))
    organisations = list(Organisation.objects.order_by("pk")[:30])
    people = list(Person.objects.order_by("pk")[:30])
    languages = {
        language.code: language for language in Language.objects.filter(code__in=["en", "fr"])
    }
    existing = set(
        ResourcePage.objects.filter(external_id__startswith="demo-").values_list(
            "external_id", flat=True
        )
    )
    # Agreements bind particular pairs of countries: network/referral demo data makes them by
    # hand (library.demo.seed_referral), not at random.
    types = [kind for kind in ResourceType if kind != ResourceType.AGREEMENT]
    count = 40 * context.scale
    created = 0
    pages = {}
    batch = []
    templates = AttachmentTemplates()
    generic = GenericIndicators(languages.get("en"))
    slugs = set(ResourcePage.objects.child_of(library).values_list("slug", flat=True))
    for number in range(count):
        external_id = f"demo-{number:04d}"
        if external_id in existing:
            continue
        resource_type = types[number % len(types)]
        subject, topic_slugs = SUBJECTS[(number // len(types)) % len(SUBJECTS)]
        rng = context.rng
        page = ResourcePage(
            title=_title(resource_type, subject, number),
            summary=(
                f"A {resource_type.label.lower()} for national coordinators and frontline "
                f"staff on {subject}, agreed by the network's members."
            ),
            resource_type=resource_type,
            audience=Audience.MEMBERS if number % 4 == 3 else Audience.PUBLIC,
            published=datetime.date(2012 + number % 13, 1 + number % 12, 1 + number % 27),
            version_label=f"{1 + number % 3}.0",
            external_id=external_id,
            body=_body(resource_type, subject),
            live=False,
        )
        page.slug = _free_slug(page.title, external_id, slugs)
        if resource_type == ResourceType.GOOD_PRACTICE:
            _good_practice(page, subject, rng, countries, organisations, people)
        page.topics = [topics[slug] for slug in topic_slugs]
        if countries:
            page.countries = rng.sample(countries, k=min(len(countries), rng.randint(1, 3)))
        if organisations:
            page.publishers = [rng.choice(organisations)]
        page.languages = [languages["en"]] if "en" in languages else []
        page.attachments = templates.attachments(number, resource_type, subject)
        if resource_type == ResourceType.INDICATOR_SET:
            page.indicator_items = generic.items()
        batch.append((number, page))
        if len(batch) >= BATCH:
            created += _publish(library, batch, pages, templates)
            batch = []
    created += _publish(library, batch, pages, templates)
    _versions_and_translations(library, pages, languages, topics)
    seed_indicators(library, context.stdout)
    _submit_one_for_review(library, context)
    context.stdout.write(f"  {created} library resources created.")
    seed_referral(library, topics, languages)
    seed_multilingual(context)


# Guidance written in the region's languages (and the search quality collection's documents,
# benchmarks/data/network_collection.json): imported through import_resources.
MULTILINGUAL = Path(__file__).resolve().parent / "demo_data" / "multilingual.jsonl"


def seed_multilingual(context):
    """The resources of MULTILINGUAL the library does not hold yet, imported as any JSON Lines
    file is. Idempotent by external id."""
    lines = MULTILINGUAL.read_text(encoding="utf-8").splitlines()
    existing = set(
        ResourcePage.objects.filter(external_id__startswith="demo-ml-").values_list(
            "external_id", flat=True
        )
    )
    known = {
        "topics": set(Topic.objects.values_list("slug", flat=True)),
        "countries": set(Country.objects.values_list("iso_code", flat=True)),
        "languages": set(Language.objects.values_list("code", flat=True)),
    }
    missing = []
    for line in map(json.loads, lines):
        if line["external_id"] in existing:
            continue
        # Only the taxonomy this database has (a partial demo may lack countries).
        for name, values in known.items():
            line[name] = [value for value in line[name] if value in values]
        missing.append(json.dumps(line, ensure_ascii=False))
    if not missing:
        return
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as out:
        out.write("\n".join(missing) + "\n")
    try:
        call_command("import_resources", out.name, verbosity=0, stdout=io.StringIO())
    finally:
        os.unlink(out.name)
    context.stdout.write(f"  {len(missing)} resources in the region's languages imported.")


BATCH = 500


def _publish(library, batch, pages, templates):
    """One batch of new resources as live pages (portal.bulk_publish), their documents first."""
    if not batch:
        return 0
    templates.save_documents([page for _number, page in batch])
    bulk_publish.create_published(library, [page for _number, page in batch])
    for number, page in batch:
        pages[number] = page
    return len(batch)


def _free_slug(title, external_id, slugs):
    slug = slugify(title)[:80] or "resource"
    if slug in slugs or slug in RESERVED_SLUGS:
        slug = f"{slug}-{slugify(external_id)}"
    slugs.add(slug)
    return slug


class AttachmentTemplates:
    """The demo's PDF and DOCX files: one file content per (type, subject, format), generated
    and its text extracted once (through the real extractor), then stored as a document of
    each resource that uses it with that text, so the demo at scale neither renders nor
    extracts thousands of identical files."""

    def __init__(self):
        self.templates = {}
        self.pending = []

    def attachments(self, number, resource_type, subject):
        formats = []
        if number % 3 == 0:
            formats.append("pdf")
        if number % 5 == 0:
            formats.append("docx")
        attachments = []
        for extension in formats:
            content, result = self._template(resource_type, subject, extension)
            document = LibraryDocument(title=_title(resource_type, subject, number))
            self.pending.append((document, f"demo-{number:04d}.{extension}", content, result))
            attachments.append(ResourceAttachment(document=document))
        return attachments

    def _template(self, resource_type, subject, extension):
        key = (resource_type, subject, extension)
        if key not in self.templates:
            title = _title(resource_type, subject, 0)
            text = (
                f"{title}. This fictional demonstration document describes the network's "
                f"approach to {subject}: screening, identification, referral to assistance and "
                "follow-up."
            )
            content = _pdf(title, text) if extension == "pdf" else _docx(title, text)
            self.templates[key] = (content, extraction.extract(content, extension))
        return self.templates[key]

    def save_documents(self, pages):
        """Store the files of the pending documents and insert them with their text."""
        documents = []
        now = timezone.now()
        collection = Collection.get_first_root_node()  # the default, given once
        for document, name, content, result in self.pending:
            document.collection = collection
            document.file.save(name, ContentFile(content), save=False)
            document.file_size = len(content)
            document.file_hash = hashlib.sha1(content, usedforsecurity=False).hexdigest()
            document.extracted_text = result.text
            document.page_count = result.page_count
            document.extraction_error = result.note
            document.extraction_status = LibraryDocument.Extraction.EXTRACTED
            document.extracted_at = now
            documents.append(document)
        self.pending = []
        LibraryDocument.objects.bulk_create(documents, batch_size=500)
        for document in documents:  # new: no tags (indexing need not ask)
            document._prefetched_objects_cache = {"tags": document.tags.none()}
        bulk_publish.index_for_admin(documents)
        for page in pages:
            for attachment in page.attachments.all():
                attachment.document_id = attachment.document.pk


def _title(resource_type, subject, number):
    title = TITLES[resource_type].format(subject=subject)
    round_number = number // (len(TITLES) * len(SUBJECTS))
    return f"{title} ({round_number + 1})" if round_number else title


def _topics():
    topics = {}
    for slug, name, description in TOPICS:
        topic, _ = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        if not topic.name_fr and TOPIC_NAMES_FR.get(slug):
            topic.name_fr = TOPIC_NAMES_FR[slug]
            topic.save(update_fields=["name_fr"])
        topics[slug] = topic
    return topics


def _library(context):
    library = LibraryIndexPage.objects.first()
    if library is None:
        library = LibraryIndexPage(title="Library", slug="library")
        context.home.add_child(instance=library)
        library.save_revision().publish()
    return library


def _workflow(library):
    """Draft → secretariat review → published, for every page under the library."""
    workflow, _ = Workflow.objects.get_or_create(name="Secretariat review")
    task = GroupApprovalTask.objects.filter(name="Secretariat review").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Secretariat review")
    task.groups.set([Group.objects.get(name=SECRETARIAT_GROUP)])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=library, defaults={"workflow": workflow})
    return workflow


CHECKLIST_TITLE = "Initial screening indicators"
CHECKLIST_INTRODUCTION = "For frontline staff. One indicator alone proves nothing."
CHECKLIST_SOURCE = "Network indicator set, 2019"


def _body(resource_type, subject):
    body = [
        {"type": "heading", "value": {"text": "Purpose", "level": "h2"}},
        {
            "type": "paragraph",
            "value": (
                f"<p>This document sets out how the network's members approach {subject}. "
                "It was drafted by a working group of national coordinators and reviewed by "
                "the secretariat.</p>"
            ),
        },
    ]
    if resource_type == ResourceType.INDICATOR_SET:
        # What the checklist block became (library migration 0007): its title and
        # introduction in the body, its indicators as the set's rows (`_indicator_items`).
        body += [
            {"type": "heading", "value": {"text": CHECKLIST_TITLE, "level": "h2"}},
            {"type": "paragraph", "value": f"<p>{CHECKLIST_INTRODUCTION}</p>"},
        ]
    return body


def legacy_checklist():
    """The checklist block the demo's indicator sets held before indicators were records (the
    data migration's test seeds it)."""
    return {
        "type": "indicator_checklist",
        "value": {
            "title": CHECKLIST_TITLE,
            "introduction": CHECKLIST_INTRODUCTION,
            "categories": [
                {
                    "name": name,
                    "indicators": [{"text": text, "source": CHECKLIST_SOURCE} for text in texts],
                }
                for name, texts in INDICATORS.items()
            ],
        },
    }


def legacy_body(resource_type, subject):
    """A resource's body as the demo seeded it before indicators were records."""
    body = _body(resource_type, subject)[:2]
    if resource_type == ResourceType.INDICATOR_SET:
        body.append(legacy_checklist())
    return body


class GenericIndicators:
    """The generated sets' rows: the same six signs (one record each, in English), as the
    migration of the former checklist blocks leaves them. Created on first use."""

    def __init__(self, language):
        self.language = language
        self._records = None

    def records(self):
        if self._records is None:
            self._records = []
            number = 0
            for texts in INDICATORS.values():
                for text in texts:
                    number += 1
                    record, _created = Indicator.objects.get_or_create(
                        external_id=f"demo-generic-{number:02d}",
                        defaults={
                            "text": text,
                            "source_section": CHECKLIST_SOURCE,
                            "language": self.language,
                            "stage": Stage.SCREENING,
                        },
                    )
                    self._records.append(record)
        return self._records

    def items(self):
        headings = [name for name, texts in INDICATORS.items() for _text in texts]
        return [
            IndicatorSetItem(heading=heading, indicator=record, sort_order=position)
            for position, (heading, record) in enumerate(zip(headings, self.records(), strict=True))
        ]


def _good_practice(page, subject, rng, countries, organisations, people):
    page.problem = f"Cases involving {subject} were rarely identified or were referred late."
    page.approach = "A joint team of police, labour inspectors and social workers, with NGOs."
    page.results = "Identified cases doubled in three years; referral time fell to two days."
    page.transferability = "Needs a national referral mechanism and a lead ministry."
    if countries:
        page.practice_country = rng.choice(countries)
    if organisations:
        page.practice_organisation = rng.choice(organisations)
    if people:
        page.contact_person = rng.choice(people)


def _pdf(title, text):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    story = [Paragraph(title, styles["Title"]), Paragraph(text, styles["BodyText"]), PageBreak()]
    story += [Paragraph("Annex: contacts of the national referral mechanism.", styles["BodyText"])]
    SimpleDocTemplate(buffer, pagesize=A4, title=title).build(story)
    return buffer.getvalue()


def _docx(title, text):
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _versions_and_translations(library, pages, languages, topics):
    """A newer edition of some guidelines (the older then shows as superseded), French
    translations of others, and related-resource links."""
    if ResourcePage.objects.filter(external_id__startswith="demo-v").exists():
        return
    for number, page in list(pages.items())[:16:8]:
        newer = ResourcePage(
            title=f"{page.title}, revised edition",
            summary=f"The revised edition of “{page.title}”, replacing the earlier one.",
            resource_type=page.resource_type,
            audience=page.audience,
            published=datetime.date(2025, 6, 1),
            version_label="2025",
            supersedes=page,
            external_id=f"demo-v{number:04d}",
            live=False,
        )
        library.add_child(instance=newer)
        newer.topics = list(page.topics.all())
        newer.related_links = [RelatedResource(resource=page)]
        newer.save_revision().publish()
    if "fr" not in languages:
        return
    for number, page in list(pages.items())[1:20:6]:
        french = ResourcePage(
            title=f"{page.title} (version française)",
            summary="Traduction française de la ressource, pour les membres francophones.",
            resource_type=page.resource_type,
            audience=page.audience,
            published=page.published,
            translation_of=page,
            external_id=f"demo-fr{number:04d}",
            live=False,
        )
        library.add_child(instance=french)
        french.topics = list(page.topics.all())
        french.languages = [languages["fr"]]
        french.save_revision().publish()


def _submit_one_for_review(library, context):
    """One draft waiting in the secretariat's review, to show the workflow."""
    user = getattr(context, "secretariat_user", None)
    if user is None or ResourcePage.objects.filter(external_id="demo-draft").exists():
        return
    draft = ResourcePage(
        title="Draft guidelines on referral of unaccompanied children",
        summary="Submitted for the secretariat's review.",
        resource_type=ResourceType.GUIDELINE,
        external_id="demo-draft",
        live=False,
    )
    library.add_child(instance=draft)
    draft.topics = list(Topic.objects.filter(slug__in=["children", "referral"]))
    draft.save_revision(user=user)
    workflow = draft.get_workflow()
    if workflow is not None:
        workflow.start(draft, user)


# The referral pathway's guidance: a regional guideline (tagged with no country, so it applies to
# every pair), each country's national SOP (linked from its referral profile), and the
# agreements between countries (the resource's countries are those it binds).
REGIONAL_GUIDELINE = (
    "demo-referral-regional",
    "Regional guidelines for the transnational referral of child victims",
    "How the network's members refer a child across a border: the child-protection authority "
    "leads, a guardian is appointed, and the best interests of the child are assessed before any "
    "decision on return.",
)
BILATERAL = (
    "demo-agreement-al-gr",
    "Bilateral protocol on the transnational referral of child victims (Albania–Greece)",
    ["AL", "GR"],
    "Fictional demo protocol: the two contact points inform each other within 24 hours, the "
    "child-protection authorities assess the risks together, and a return is accompanied.",
)
MULTILATERAL = (
    "demo-agreement-regional-return",
    "Multilateral protocol on safe return and social inclusion",
    ["AL", "BA", "BG", "HR", "MD", "ME", "MK", "RO", "RS"],
    "Fictional demo protocol: how the signatories arrange a voluntary, safe return with a risk "
    "assessment in both countries and follow-up after arrival.",
)


def seed_referral(library, topics, languages):
    """The referral guidance of the demo pathway. Idempotent (by external id); links each
    country's referral profile to its national SOP."""
    existing = {
        page.external_id: page
        for page in ResourcePage.objects.filter(external_id__startswith="demo-referral-")
        | ResourcePage.objects.filter(external_id__startswith="demo-agreement-")
    }
    english = [languages["en"]] if "en" in languages else []
    countries = {country.iso_code: country for country in Country.objects.all()}

    def resource(external_id, title, summary, resource_type, codes, slugs, audience):
        page = existing.get(external_id)
        if page is None:
            page = ResourcePage(
                title=title,
                summary=summary,
                resource_type=resource_type,
                audience=audience,
                published=datetime.date(2021, 3, 1),
                version_label="1.0",
                external_id=external_id,
                body=_body(resource_type, "transnational referral"),
                slug=slugify(title)[:80],
                live=False,
            )
            library.add_child(instance=page)
            page.topics = [topics[slug] for slug in slugs]
            page.countries = [countries[code] for code in codes if code in countries]
            page.languages = english
            page.save_revision().publish()
        return page

    resource(*REGIONAL_GUIDELINE, ResourceType.GUIDELINE, [], ["referral", "children"],
             Audience.PUBLIC)  # fmt: skip
    for external_id, title, codes, summary in (BILATERAL, MULTILATERAL):
        resource(external_id, title, summary, ResourceType.AGREEMENT, codes,
                 ["transnational-cooperation", "referral"], Audience.PUBLIC)  # fmt: skip
    for profile in ReferralProfile.objects.select_related("country").filter(
        country__membership__in=["member", "observer", "partner"]
    ):
        country = profile.country
        sop = resource(
            f"demo-referral-sop-{country.iso_code.lower()}",
            f"National standard operating procedures for referral ({country.name})",
            f"How presumed victims are identified and referred in {country.name}, procedure by "
            "procedure, with the institutions responsible.",
            ResourceType.SOP,
            [country.iso_code],
            ["referral", "children", "identification"],
            # One members-only, to show the link rule on the country page.
            Audience.MEMBERS if country.iso_code == "MD" else Audience.PUBLIC,
        )
        if profile.national_sop_id != sop.pk:
            profile.national_sop = sop
            profile.save(update_fields=["national_sop"])
