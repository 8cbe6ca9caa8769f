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


class LabelReviewForm(VersionForm):
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("reject", "reject")])


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
