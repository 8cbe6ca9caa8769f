"""`story|edit_refusal:user`: why the user may not edit the story now (stories.policy), or None.

Templates hide edit controls with it, so the reader shows exactly what the server would allow.
"""

from __future__ import annotations

from django import template

from stories import policy

register = template.Library()


@register.filter
def edit_refusal(story, user) -> str | None:
    return policy.edit_refusal(user, story)
