"""The token a new page's create form carries, so that its requests create one page
(see portal/autosave.py)."""

from django import template
from django.utils.html import format_html

from portal.autosave import TOKEN_FIELD, form_token

register = template.Library()


RENDERED = "_portal_create_form_token"


@register.simple_tag(takes_context=True)
def create_form_token(context):
    # Wagtail's create template renders its footer block twice; the form carries one token.
    request = context["request"]
    if getattr(request, RENDERED, False):
        return ""
    setattr(request, RENDERED, True)
    return format_html(
        '<input type="hidden" name="{}" value="{}">', TOKEN_FIELD, form_token(request)
    )
