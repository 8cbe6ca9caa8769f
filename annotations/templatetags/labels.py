"""`{% label_stylesheet %}`: the `<link>` to the label colours (annotations.views.labels), for any page
that shows marks or label swatches."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from annotations.views.labels import label_stylesheet_url

register = template.Library()


@register.simple_tag
def label_stylesheet() -> str:
    return format_html('<link rel="stylesheet" href="{}">', label_stylesheet_url())
