"""Factories for the library's tests. Resources are created the way editors create them: as a
child of the library page, saved as a revision and published (or left as a draft)."""

import io
import itertools

from django.core.files.base import ContentFile

from library.models import LibraryDocument, LibraryIndexPage, ResourcePage
from network.models import Country, Organisation, Person
from portal.models import Language, Topic

_numbers = itertools.count(1)


def library_index():
    return LibraryIndexPage.objects.get()


def topic(slug, name=None):
    return Topic.objects.get_or_create(slug=slug, defaults={"name": name or slug.title()})[0]


def country(iso_code, name=None):
    return Country.objects.get_or_create(
        iso_code=iso_code, defaults={"name": name or f"Country {iso_code}"}
    )[0]


def organisation(name="National Referral Office", **kwargs):
    return Organisation.objects.get_or_create(name=name, defaults=kwargs)[0]


def person(given_name="Ana", family_name="Example"):
    return Person.objects.create(given_name=given_name, family_name=family_name)


def language(code):
    return Language.objects.get(code=code)


def document(name="guide.txt", content=b"Referral of presumed victims.", title=None):
    """A document as the admin's upload form saves it (extraction is enqueued on commit)."""
    doc = LibraryDocument(title=title or name)
    doc.file.save(name, ContentFile(content), save=False)
    doc.file_size = len(content)
    doc.save()
    return doc


def resource(
    title=None,
    *,
    publish=True,
    topics=(),
    countries=(),
    languages=(),
    publishers=(),
    attachments=(),
    related=(),
    parent=None,
    **fields,
):
    """A resource page; `topics`, `countries`, `languages` take slugs, ISO codes and codes."""
    number = next(_numbers)
    fields.setdefault("summary", f"Summary of resource {number}.")
    # As in the admin: a page saved as a draft is not live until published.
    page = ResourcePage(title=title or f"Resource {number}", live=False, **fields)
    (parent or library_index()).add_child(instance=page)
    page.topics = [topic(slug) for slug in topics]
    page.countries = [country(code) for code in countries]
    page.languages = [language(code) for code in languages]
    page.publishers = list(publishers)
    page.attachments = [_attachment(doc) for doc in attachments]
    page.related_links = [_related(other) for other in related]
    revision = page.save_revision()
    if publish:
        revision.publish()
    return ResourcePage.objects.get(pk=page.pk)


def _attachment(doc):
    from library.models import ResourceAttachment

    return ResourceAttachment(document=doc)


def _related(other):
    from library.models import RelatedResource

    return RelatedResource(resource=other)


def pdf_bytes(pages=("Referral of presumed victims across borders.",), encrypt=None):
    """A real PDF made with reportlab, one text line per page (optionally encrypted)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    kwargs = {}
    if encrypt:
        from reportlab.lib import pdfencrypt

        kwargs["encrypt"] = pdfencrypt.StandardEncryption(encrypt, canPrint=0)
    pdf = canvas.Canvas(buffer, pagesize=A4, **kwargs)
    for text in pages:
        pdf.drawString(72, 760, text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def docx_bytes(paragraphs=("Screening indicators for labour exploitation.",)):
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def indicator(text=None, **fields):
    """An indicator record; `language` takes a code."""
    from library.models import Indicator

    if isinstance(fields.get("language"), str):
        fields["language"] = language(fields["language"])
    return Indicator.objects.create(text=text or f"Indicator {next(_numbers)}.", **fields)


def indicator_set(title=None, rows=(), *, version_of=None, country_code=None, **fields):
    """An indicator set resource whose rows are (heading, indicator) or (heading, indicator,
    reworded indicator); `version_of` makes it the country version of a regional set."""
    from library.models import IndicatorSetItem, ResourceType

    items = []
    for row in rows:
        heading, held, *reworded = row
        items.append(
            IndicatorSetItem(heading=heading, indicator=held, rewords=(reworded or [None])[0])
        )
    if version_of is not None:
        fields["derived_from"] = version_of
        fields["version_country"] = country(country_code or "AL")
    return resource(
        title,
        resource_type=ResourceType.INDICATOR_SET,
        indicator_items=items,
        **fields,
    )
