"""The label stylesheet: every label's colours as CSS, at a URL versioned by those colours.

Why a stylesheet and not nonces: the policy (config.settings SECURE_CSP) allows styles from this site
only. A nonce covers a `<style>` element but never a `style=` attribute, and htmx swaps in fragments
(a paragraph, the legend) that would each need one; one cacheable stylesheet serves every page and
fragment, and its `?v=` changes whenever an admin changes a label, so no browser keeps stale colours.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from annotations.models import Label
from annotations.rendering import label_css, label_css_version
from core.access import editor_required

YEAR = 365 * 24 * 60 * 60


def label_stylesheet_url(labels: list[Label] | None = None) -> str:
    """The stylesheet's URL for the current labels (`labels`: all of them, when the caller has them)."""
    labels = Label.objects.all() if labels is None else labels
    return reverse("annotations:label-stylesheet") + "?v=" + label_css_version(labels)


@require_GET
@editor_required
def label_stylesheet(request: HttpRequest) -> HttpResponse:
    labels = list(Label.objects.all())
    response = HttpResponse(label_css(labels), content_type="text/css; charset=utf-8")
    if request.GET.get("v") == label_css_version(labels):
        response["Cache-Control"] = f"private, max-age={YEAR}, immutable"
    else:  # an old or missing version: the current colours, but nothing to keep
        response["Cache-Control"] = "private, no-cache"
    return response
