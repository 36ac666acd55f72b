"""
The shared vocabularies in the interface language. Topics and countries have an English `name`
and a name per other interface language (`name_fr`, empty when not given); resource types and
other choice lists are translated by gettext. What members see is the name in the language the
portal is shown in, falling back to the English one, in every place that names them: pages,
facets and filters, exports, emails, search facets.

One field per language rather than a JSON of names: it is edited in the admin as a plain field,
ordered and read in SQL (`label_expression`), and checked by the database like the English one.
A new interface language adds a field and a migration.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation

# The interface languages (settings.LANGUAGES) other than English that topics and countries
# carry a `name_<code>` field for.
TRANSLATED = ("fr",)
CACHE_SECONDS = 3600


def interface_language():
    """The code of the language the portal is being shown in (settings.LANGUAGES), else the
    default."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        return settings.LANGUAGE_CODE


def _translated_field(language=None):
    language = language or interface_language()
    return f"name_{language}" if language in TRANSLATED else None


def label_of(obj, language=None):
    """`obj`'s name in the interface language (or `language`), else its English name."""
    field = _translated_field(language)
    return (getattr(obj, field, "") if field else "") or obj.name


def label_expression(path="name", language=None):
    """SQL for the label of a name field (`path`, e.g. "topic__name"): the translation in the
    interface language when one is given, else the English name."""
    field = _translated_field(language)
    if field is None:
        return F(path)
    return Coalesce(NullIf(F(f"{path[: -len('name')]}{field}"), Value("")), F(path))


def cached_labels(model, key_field, sections=("network",)):
    """{key: label} of every row of `model` in the interface language, read once per
    generation of `sections` (a write to topics or countries starts new ones, see
    portal.page_cache) and language: a few hundred short strings."""
    from portal.page_cache import generation

    language = interface_language()
    key = f"vocabulary-labels:{model._meta.label_lower}:{language}:{generation(*sections)}"
    labels = cache.get(key)
    if labels is None:
        labels = dict(
            model.objects.order_by().values_list(key_field, label_expression(language=language))
        )
        cache.set(key, labels, CACHE_SECONDS)
    return labels
