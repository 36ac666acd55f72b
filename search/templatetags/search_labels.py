"""Names of what a search hit carries, in the interface language."""

from django import template
from django.conf.locale import LANG_INFO
from django.utils import translation
from django.utils.translation import gettext_lazy as _

register = template.Library()

# Languages of the region Django does not name.
EXTRA_NAMES = {"cnr": _("Montenegrin")}


@register.filter
def language_name(code):
    """A language's name in the interface language ("Albanais" for sq on the French pages);
    an unknown code shows as itself."""
    code = str(code or "")
    if code in EXTRA_NAMES:
        return str(EXTRA_NAMES[code])
    if "name" in LANG_INFO.get(code, {}):
        return translation.get_language_info(code)["name_translated"]
    return code
