"""
Cells of the portal's CSV exports (the directory, a meeting's registrations), made safe to open in
a spreadsheet: text that a spreadsheet would run as a formula (CSV injection, see OWASP's "CSV
Injection") is shown as text instead. Every export writes its text cells through `safe_cell`.
"""

import re

# What makes a spreadsheet read a cell as a formula: these first characters, also after leading
# whitespace (some spreadsheets trim it before deciding).
FORMULA_START = ("=", "+", "-", "@")
# A tab or carriage return first is refused as such (OWASP's list), whatever follows it.
CONTROL_START = ("\t", "\r")
# A signed run of digits and spaces, such as a phone number, can hold no function or reference:
# it stays readable.
_SIGNED_NUMBER = re.compile(r"[+-][\d ]+")


def safe_cell(value):
    """`value` as the text of one CSV cell, quoted with a leading apostrophe when a spreadsheet
    could take it for a formula. None is the empty cell."""
    text = "" if value is None else str(value)
    start = text.lstrip()
    if text.startswith(CONTROL_START) or (
        start.startswith(FORMULA_START) and not _SIGNED_NUMBER.fullmatch(start)
    ):
        return "'" + text
    return text
