"""
Validators shared by the apps' models, so that every way in (the admin, the self-service forms,
the bulk imports) refuses the same input with the same message.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Cc: control characters (CR, LF, tab, NUL, vertical tab, form feed, NEL...);
# Zl, Zp: the Unicode line and paragraph separators.
_LINE_BREAKING = ("Cc", "Zl", "Zp")


def validate_single_line(value):
    """A name, a phone number or opening hours is one line: a line break pasted into one reaches
    pages, sheets and exports as a second line that looks like a field of its own (a forged
    "TEL:" line under an institution's name). Form fields strip the ends, so a break that
    reaches this is inside the text."""
    if any(unicodedata.category(character) in _LINE_BREAKING for character in str(value)):
        raise ValidationError(
            _("Keep this on one line: line breaks and other control characters are not allowed."),
            code="multiline",
        )
