"""core.paths.reverse_path and {% path %}: the URLs reverse() and {% url %} give, reversed once per name."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse, set_script_prefix

from core import paths
from core.paths import reverse_path


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("stories:story-list", ()),
        ("annotations:story-detail", (7,)),
        ("annotations:entity-label", (7, 12345)),
        ("annotations:label-review", (1, 2)),
        ("annotations:character-detail", (0, 0)),
    ],
)
def test_reverse_path_gives_what_reverse_gives(name, args):
    for _ in range(2):  # the first call fills the memo, the second reads it
        assert reverse_path(name, *args) == reverse(name, args=args)


def test_arguments_that_are_not_ints_go_to_reverse_itself():
    paths._templates.clear()
    assert reverse_path("annotations:story-detail", "7") == "/stories/7/"
    assert paths._templates == {}


def test_the_script_prefix_is_part_of_the_memo():
    assert reverse_path("annotations:story-detail", 3) == "/stories/3/"
    set_script_prefix("/fabula/")
    try:
        assert reverse_path("annotations:story-detail", 3) == "/fabula/stories/3/"
    finally:
        set_script_prefix("/")
    assert reverse_path("annotations:story-detail", 3) == "/stories/3/"


def test_the_tag_renders_and_assigns_like_url():
    template = Template(
        "{% load paths %}{% path 'annotations:entity-detail' story 0 %} "
        "{% path 'annotations:story-undo' story as undo %}[{{ undo }}] "
        "{% url 'annotations:story-undo' story %}"
    )
    rendered = template.render(Context({"story": 5}))
    assert rendered == "/stories/5/entities/0/ [/stories/5/undo/] /stories/5/undo/"
    with pytest.raises(TemplateSyntaxError, match="positional arguments only"):
        Template("{% load paths %}{% path 'annotations:story-detail' pk=5 %}")
