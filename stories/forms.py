"""Forms for the story pages: assigning stories to an editor, or to several for double annotation."""

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


class DoubleAssignForm(forms.Form):
    """The ticked stories and the editors who each get their own layer of every one of them."""

    story = AssignForm.base_fields["story"]
    editors = forms.ModelMultipleChoiceField(
        queryset=selectors.assignable_users(),
        error_messages={"required": "Tick at least two editors to double-annotate the selected stories."},
    )
    error_summary = AssignForm.error_summary
