"""The Import page's form: one or more .txt, .jsonl or .zip files and an optional batch name."""

from __future__ import annotations

from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,.jsonl,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ImportForm(forms.Form):
    files = MultipleFileField(
        label="Files", help_text=".txt (one story each), .jsonl (one story a line) or .zip of either."
    )
    name = forms.CharField(
        label="Batch name", max_length=200, required=False, help_text="Default: “upload” and the file names."
    )
