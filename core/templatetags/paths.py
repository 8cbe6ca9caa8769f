"""`{% path 'app:name' id ... [as var] %}`: `{% url %}` through core.paths.reverse_path, for the pages
that carry many URLs (the reader). Positional arguments only; they are escaped as `{% url %}` does."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape

from core.paths import reverse_path

register = template.Library()


class PathNode(template.Node):
    def __init__(self, name, args, asvar):
        self.name, self.args, self.asvar = name, args, asvar

    def render(self, context) -> str:
        try:  # the namespace instance, chosen as {% url %} chooses it
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = reverse_path(
            self.name.resolve(context), *(arg.resolve(context) for arg in self.args), current_app=current_app
        )
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def path(parser, token) -> PathNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% path %} takes a URL name and its positional arguments.")
    asvar = None
    if len(bits) >= 4 and bits[-2] == "as":
        asvar, bits = bits[-1], bits[:-2]
    if any("=" in bit for bit in bits[2:]):
        raise template.TemplateSyntaxError("{% path %} takes positional arguments only; use {% url %}.")
    return PathNode(parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]], asvar)
