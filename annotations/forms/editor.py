"""Forms for the editor workspace. Every edit form carries the story version the page was showing."""

from __future__ import annotations

from django import forms

from annotations.models import Character, Label
from core.forms import IdField


class VersionForm(forms.Form):
    version = forms.IntegerField(
        min_value=1, error_messages={"required": "The page sent no story version; reload it."}
    )


def _label_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Label.objects.all(), to_field_name="name",
        error_messages={"invalid_choice": "Unknown label; pick one from the toolbar."},
    )  # fmt: skip


class SettleForm(VersionForm):
    """Marking done or approving: how to settle the suggestions still pending, if any."""

    settle = forms.ChoiceField(
        choices=[
            ("", "Refuse if any are pending"),
            ("accept", "Accept the rest"),
            ("reject", "Reject the rest"),
        ],
        required=False,
    )


class SpanCreateForm(VersionForm):
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)
    label = _label_field()

    def clean(self):
        data = super().clean()
        if data.get("start") is not None and data.get("end") is not None and data["start"] >= data["end"]:
            raise forms.ValidationError("The selection is empty; select some text first.")
        return data


class LabelForm(VersionForm):
    label = _label_field()


class ResizeForm(VersionForm):
    side = forms.ChoiceField(choices=[("start", "start"), ("end", "end")])
    direction = forms.ChoiceField(choices=[("widen", "widen"), ("narrow", "narrow")])


class LinkForm(VersionForm):
    character = forms.IntegerField(required=False)
    new_name = forms.CharField(required=False, max_length=300)


class OffsetListField(forms.Field):
    """Every value of a repeated field (ticked checkboxes) as story offsets: whole numbers from 0."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = [] if value in self.empty_values else list(value)
        bad = [v for v in values if not str(v).isascii() or not str(v).isdigit()]
        if bad:
            raise forms.ValidationError(
                f"A mention is chosen by its offset, a whole number such as 120; got {bad[0]!r}."
            )
        return sorted({int(v) for v in values})


class ConfirmForm(VersionForm):
    """A bulk action: `confirm` says the editor has seen how many rows it touches (see BULK_CONFIRM_OVER)."""

    confirm = forms.BooleanField(required=False)


class LabelReviewForm(ConfirmForm):
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("reject", "reject")])


class ApplyAllForm(ConfirmForm):
    """Apply to all: with `choose`, only the mentions whose offsets are ticked in `match`."""

    choose = forms.BooleanField(required=False)
    match = OffsetListField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("choose") and not data.get("match"):
            raise forms.ValidationError("No mention is ticked; tick the ones to tag, or close the preview.")
        return data


class UndoForm(VersionForm):
    edit = IdField(required=False, what="change id")


class NameForm(VersionForm):
    name = forms.CharField(max_length=300)


class GenderForm(VersionForm):
    gender = forms.ChoiceField(choices=Character.Gender.choices)


class MergeForm(VersionForm):
    source = forms.IntegerField(error_messages={"required": "Choose the character to merge away."})
    target = forms.IntegerField(error_messages={"required": "Choose the character to merge into."})


class SplitForm(VersionForm):
    alias = forms.CharField(max_length=300)
