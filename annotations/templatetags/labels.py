"""`{% label_stylesheet %}`: the `<link>` to the label colours (annotations.views.labels), for any page
that shows marks or label swatches."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from annotations.views.labels import label_stylesheet_url

register = template.Library()


@register.simple_tag(takes_context=True)
def label_stylesheet(context) -> str:
    # The reader has every label in its context already: versioning the URL from them saves a query.
    labels = context.get("all_labels")
    return format_html('<link rel="stylesheet" href="{}">', label_stylesheet_url(labels))
