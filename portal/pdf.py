"""
The portal's PDF downloads (the referral sheet, the indicator checklist, the follow-up report)
share one set of fonts, paragraph styles and A4 page: built here with reportlab, which is
imported only when a PDF is made.
"""

import io
from pathlib import Path

from django.utils.translation import gettext as _

# DejaVu covers the region's scripts (Latin, Cyrillic, Greek); reportlab's own Vera is the
# fallback where the system has no DejaVu (Latin only).
FONT_FILES = [
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
]
_fonts = None


def font_names():
    """(regular, bold) font names, registered with reportlab once per process."""
    global _fonts
    if _fonts is not None:
        return _fonts
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    bundled = Path(reportlab.__file__).parent / "fonts"
    candidates = [*FONT_FILES, (bundled / "Vera.ttf", bundled / "VeraBd.ttf")]
    for regular, bold in candidates:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("SheetSans", str(regular)))
            pdfmetrics.registerFont(TTFont("SheetSans-Bold", str(bold)))
            # So that <b> in a paragraph finds the bold face.
            pdfmetrics.registerFontFamily(
                "SheetSans",
                normal="SheetSans",
                bold="SheetSans-Bold",
                italic="SheetSans",
                boldItalic="SheetSans-Bold",
            )
            _fonts = ("SheetSans", "SheetSans-Bold")
            return _fonts
    _fonts = ("Helvetica", "Helvetica-Bold")
    return _fonts


def paragraph_styles():
    """The paragraph styles by name: title, h2, h3, body, small and warning (a boxed line)."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    regular, bold = font_names()
    base = ParagraphStyle("sheet", fontName=regular, fontSize=8, leading=10)
    return {
        "title": ParagraphStyle("title", base, fontName=bold, fontSize=14, leading=17),
        "h2": ParagraphStyle("h2", base, fontName=bold, fontSize=10, leading=13, spaceBefore=6),
        "h3": ParagraphStyle("h3", base, fontName=bold, fontSize=8.5, leading=11),
        "body": base,
        "small": ParagraphStyle("small", base, fontSize=7, leading=8.5, textColor=colors.black),
        "warning": ParagraphStyle(
            "warning",
            base,
            fontName=bold,
            borderColor=colors.black,
            borderWidth=0.8,
            borderPadding=4,
            spaceBefore=4,
            spaceAfter=6,
        ),
    }


def escaped(value):
    """`value` escaped for a reportlab Paragraph (which reads a little markup)."""
    from xml.sax.saxutils import escape

    return escape(str(value))


def frame_width():
    """The width the A4 page of `a4_document` leaves between its margins."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    return A4[0] - 24 * mm


def frame_height():
    """The height the A4 page of `a4_document` leaves for the story: the page less its margins
    and the frame's own padding."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    return A4[1] - 26 * mm - 12


def a4_document(story, *, title, subject, footer):
    """(PDF bytes, number of pages) of `story` on portrait A4, the portal as its author, with
    `footer(page number)` in small type at the foot of every page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    regular, _bold = font_names()
    pages = []

    def on_page(canvas, document):
        pages.append(document.page)
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.drawString(12 * mm, 8 * mm, footer(document.page))
        canvas.restoreState()

    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=title,
        author=_("Network portal"),
        subject=subject,
    ).build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue(), len(pages)
