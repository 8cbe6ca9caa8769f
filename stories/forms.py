"""Forms for the story pages: assigning one or many stories to an editor."""

from __future__ import annotations

from django import forms

from stories import selectors
from stories.models import Story


class AssignForm(forms.Form):
    story = forms.ModelMultipleChoiceField(
        queryset=Story.objects.defer("text"),
        error_messages={"required": "Pick at least one story to assign (tick its box)."},
    )
    editor = forms.ModelChoiceField(
        queryset=selectors.assignable_users(),
        required=False,
        empty_label="Nobody (unassign)",
        label="Assign to",
    )

    def error_summary(self) -> str:
        """One line naming each bad field, for a 400 answer."""
        return "; ".join(f"{name}: {' '.join(errors)}" for name, errors in self.errors.items())
