"""
Text extraction from the library's documents, for search. Every failure is an `ExtractionError`
whose message an editor can act on; limits on size, pages, uncompressed size and time keep one
hostile or broken file from taking a worker down. The format is decided by the file's content,
not its name: a web page renamed `.pdf` is refused, not parsed as whatever it claims to be.

Limits (settings, with defaults): LIBRARY_EXTRACTION_MAX_BYTES, LIBRARY_EXTRACTION_MAX_PAGES,
LIBRARY_EXTRACTION_MAX_UNCOMPRESSED_BYTES, LIBRARY_EXTRACTION_MAX_SECONDS,
LIBRARY_EXTRACTION_MAX_CHARS.
"""

import html
import io
import re
import time
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULTS = {
    "LIBRARY_EXTRACTION_MAX_BYTES": 25 * 1024 * 1024,
    "LIBRARY_EXTRACTION_MAX_PAGES": 500,
    "LIBRARY_EXTRACTION_MAX_UNCOMPRESSED_BYTES": 100 * 1024 * 1024,
    "LIBRARY_EXTRACTION_MAX_SECONDS": 120,
    "LIBRARY_EXTRACTION_MAX_CHARS": 2_000_000,
}
# A compression ratio no office document reaches but a zip bomb does.
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_ENTRIES = 5_000

TEXT_EXTENSIONS = {"txt", "csv"}
HTML_EXTENSIONS = {"html", "htm"}
SUPPORTED_EXTENSIONS = {"pdf", "docx", "odt"} | TEXT_EXTENSIONS | HTML_EXTENSIONS


class ExtractionError(Exception):
    """The file's text could not be extracted; the message says why, for the editor."""


class UnsupportedFormat(Exception):
    """The file is of a kind whose text we do not extract (spreadsheets, slides...)."""


@dataclass
class Extracted:
    text: str
    page_count: int | None = None
    note: str = ""  # e.g. that only the first pages were read


def limit(name):
    return getattr(settings, name, DEFAULTS[name])


class Deadline:
    def __init__(self, seconds):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self):
        if time.monotonic() > self.ends:
            raise ExtractionError(
                _("Extraction took longer than %(seconds)d seconds and was stopped.")
                % {"seconds": self.seconds}
            )


def extract(data, extension):
    """Extract the text of `data` (bytes), a file whose name ends in `extension`."""
    extension = (extension or "").lower().lstrip(".")
    max_bytes = limit("LIBRARY_EXTRACTION_MAX_BYTES")
    if len(data) > max_bytes:
        raise ExtractionError(
            _("The file is %(size)s; text is extracted from files up to %(max)s.")
            % {"size": filesizeformat(len(data)), "max": filesizeformat(max_bytes)}
        )
    if extension not in SUPPORTED_EXTENSIONS:
        raise UnsupportedFormat(
            _("Text is not extracted from .%(ext)s files.") % {"ext": extension or "?"}
        )
    if not data.strip():
        raise ExtractionError(_("The file is empty."))
    deadline = Deadline(limit("LIBRARY_EXTRACTION_MAX_SECONDS"))
    kind = sniff(data)
    if extension == "pdf":
        _expect(kind, "pdf", extension, data)
        result = _pdf(data, deadline)
    elif extension == "docx":
        _expect(kind, "zip", extension, data)
        result = _docx(data, deadline)
    elif extension == "odt":
        _expect(kind, "zip", extension, data)
        result = _odt(data)
    elif extension in HTML_EXTENSIONS:
        _expect(kind, "text", extension, data)
        result = Extracted(html_to_text(_decode(data)))
    else:
        _expect(kind, "text", extension, data)
        result = Extracted(_decode(data))
    result.text = _tidy(result.text)
    max_chars = limit("LIBRARY_EXTRACTION_MAX_CHARS")
    if len(result.text) > max_chars:
        result.text = result.text[:max_chars]
        result.note = " ".join(
            filter(
                None,
                [result.note, _("Only the first %(n)d characters were kept.") % {"n": max_chars}],
            )
        )
    return result


def sniff(data):
    """What the bytes really are: pdf, zip, text, or a description of another binary type."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    import filetype

    guess = filetype.guess(head)
    if guess is not None:
        return guess.extension
    if b"\x00" in data[:8192]:
        return "binary"
    return "text"


def _looks_like_html(data):
    return bool(re.search(rb"<\s*(!doctype\s+html|html|head|body)\b", data[:4096], re.IGNORECASE))


def _expect(kind, expected, extension, data):
    if kind == expected:
        return
    if kind == "text" and _looks_like_html(data):
        kind = "html"
    described = {
        "html": _("a web page (HTML)"),
        "text": _("plain text"),
        "zip": _("a zip archive"),
        "pdf": _("a PDF"),
        "binary": _("binary data"),
    }.get(kind, kind)
    raise ExtractionError(
        _("The file is named .%(ext)s but its content is %(kind)s, not a .%(ext)s file.")
        % {"ext": extension, "kind": described}
    )


def _decode(data):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _tidy(text):
    text = text.replace("\x00", "")
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def _pdf(data, deadline):
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty password only to restrict printing.
            try:
                if not reader.decrypt(""):
                    raise ExtractionError(_("The PDF is encrypted with a password."))
            except (FileNotDecryptedError, NotImplementedError) as error:
                raise ExtractionError(_("The PDF is encrypted with a password.")) from error
        total = len(reader.pages)
        max_pages = limit("LIBRARY_EXTRACTION_MAX_PAGES")
        texts = []
        for page in reader.pages[:max_pages]:
            deadline.check()
            texts.append(page.extract_text() or "")
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise ExtractionError(
            _("The PDF is damaged and could not be read (%(detail)s).")
            % {"detail": str(error)[:200] or type(error).__name__}
        ) from error
    note = ""
    if total > max_pages:
        note = _("Only the first %(max)d of %(total)d pages were extracted.") % {
            "max": max_pages,
            "total": total,
        }
    return Extracted("\n\n".join(texts), page_count=total, note=note)


def _safe_zip(data):
    """Open a zip archive after checking, from its directory, that it does not expand into
    more than the limit: a zip bomb is refused before a byte of it is inflated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ExtractionError(_("The file is damaged: it is not a readable archive.")) from error
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ExtractionError(
            _("The archive holds %(n)d files, more than a document would.") % {"n": len(entries)}
        )
    total = sum(entry.file_size for entry in entries)
    max_total = limit("LIBRARY_EXTRACTION_MAX_UNCOMPRESSED_BYTES")
    if total > max_total:
        raise ExtractionError(
            _(
                "The file would expand to %(size)s, more than the %(max)s allowed "
                "(it may be a zip bomb)."
            )
            % {"size": filesizeformat(total), "max": filesizeformat(max_total)}
        )
    for entry in entries:
        if entry.compress_size and entry.file_size / entry.compress_size > MAX_COMPRESSION_RATIO:
            raise ExtractionError(
                _("The file is compressed suspiciously well (it may be a zip bomb).")
            )
    return archive


def _docx(data, deadline):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    archive = _safe_zip(data)
    if "word/document.xml" not in archive.namelist():
        raise ExtractionError(_("The file is named .docx but is not a Word document."))
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise ExtractionError(
            _("The Word document is damaged and could not be read (%(detail)s).")
            % {"detail": str(error)[:200] or type(error).__name__}
        ) from error
    parts = []
    for paragraph in document.paragraphs:
        parts.append(paragraph.text)
    for table in document.tables:
        deadline.check()
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return Extracted("\n".join(parts))


_ODT_BREAKS = re.compile(r"</text:(p|h)>|<text:line-break/>|<text:tab/>")
_TAGS = re.compile(r"<[^>]+>")


def _odt(data):
    archive = _safe_zip(data)
    try:
        content = archive.read("content.xml").decode("utf-8")
    except KeyError as error:
        raise ExtractionError(_("The file is named .odt but has no document content.")) from error
    except (zipfile.BadZipFile, UnicodeDecodeError) as error:
        raise ExtractionError(_("The OpenDocument file is damaged.")) from error
    # No XML parser: the text is what lies between tags, and no entity is ever expanded
    # beyond the five predefined ones.
    text = _ODT_BREAKS.sub("\n", content)
    return Extracted(html.unescape(_TAGS.sub("", text)))


class _TextParser(HTMLParser):
    SKIP = {"script", "style", "noscript", "template", "head"}
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup):
    """The visible text of an HTML document (no scripts, styles or head)."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)
