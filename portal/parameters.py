"""
Whole numbers from query strings. `str.isdigit()` accepts "²" (which `int()` refuses: a 500) and
"１" (which `int()` reads as 1), so a page number or a year is ASCII digits only, and short enough
that `int()` is instant whatever the visitor sends.
"""

import re

WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def whole_number(text):
    """The number `text` spells in ASCII digits, or None when it spells none."""
    if text is None or not WHOLE_NUMBER.fullmatch(text):
        return None
    return int(text)
