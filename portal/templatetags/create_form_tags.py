"""The token a new page's create form carries, so that its requests create one page
(see portal/autosave.py)."""

from django import template
from django.utils.html import format_html

from portal.autosave import TOKEN_FIELD, form_token

register = template.Library()


@register.simple_tag(takes_context=True)
def create_form_token(context):
    return format_html(
        '<input type="hidden" name="{}" value="{}">', TOKEN_FIELD, form_token(context["request"])
    )
