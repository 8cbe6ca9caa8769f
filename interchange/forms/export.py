"""The export options, validated once for both the `export` command and the reviewers' export page.

`ExportForm(data).is_valid()` checks every option against the database (known statuses, batches, labels)
and `filters()` / `options()` turn the cleaned data into `ExportFilters` and `ExportOptions`.
"""

from __future__ import annotations

from django import forms

from annotations.models import Label
from core.forms import parse_id
from interchange.selectors.export import LAYERS, ExportFilters
from interchange.writers import FORMAT_NAMES, ExportOptions, pending_warning
from stories.models import ImportBatch, Story

DEFAULT_SHARD_SIZE = 1000


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[(name, name) for name in FORMAT_NAMES], initial="jsonl")
    flavor = forms.ChoiceField(
        choices=[("fabula", "Fabula"), ("doccano", "doccano")],
        label="JSONL flavour",
        initial="fabula",
        required=False,
        help_text="JSONL only: doccano writes label: [[start, end, label]].",
    )
    status = forms.ChoiceField(choices=[("all", "All statuses"), *Story.Status.choices], initial="approved")
    batch = forms.CharField(required=False, help_text="Import batch name.")
    labels = forms.CharField(required=False, help_text="Comma-separated, e.g. PERSON,GPE. Empty: all.")
    since = forms.DateField(
        required=False,
        label="Changed since",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Last changed on or after (YYYY-MM-DD).",
    )
    until = forms.DateField(
        required=False,
        label="Changed until",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Last changed on or before (YYYY-MM-DD).",
    )
    ids = forms.CharField(required=False, label="Story ids", help_text="Comma-separated story ids.")
    layer = forms.ChoiceField(
        choices=[("final", "Final annotations"), ("model", "Model's original predictions")], initial="final"
    )
    pending = forms.ChoiceField(
        choices=[("exclude", "Leave out pending suggestions"), ("include", "Include pending suggestions")],
        initial="exclude",
        required=False,
        label="Pending suggestions",
        help_text="Decided entities only by default. jsonl and csv mark each span's state.",
    )
    annotator = forms.CharField(
        required=False,
        label="Annotator's layer",
        help_text="A username: export that annotator's layer of each double-annotated story instead.",
    )
    votes = forms.BooleanField(
        required=False,
        label="Annotators' votes",
        help_text="JSONL, final layer: each span of a double-annotated story lists each annotator's label.",
    )
    per_entity = forms.BooleanField(required=False, help_text="CSV only: one row per entity.")
    shard_size = forms.IntegerField(
        required=False,
        label="spaCy shard size",
        min_value=0,
        help_text="spaCy only: docs per DocBin inside a zip (0: one .spacy file).",
    )

    def clean_flavor(self) -> str:
        return self.cleaned_data.get("flavor") or "fabula"

    def clean_pending(self) -> str:
        return self.cleaned_data.get("pending") or "exclude"

    def clean_layer(self) -> str:
        layer = self.cleaned_data["layer"]
        assert layer in LAYERS
        return layer

    def clean_batch(self) -> str:
        name = self.cleaned_data["batch"].strip()
        if name and not ImportBatch.objects.filter(name=name).exists():
            known = ", ".join(sorted(set(ImportBatch.objects.values_list("name", flat=True)))[:10]) or "none"
            raise forms.ValidationError(f"No import batch is named {name!r}. Known batches: {known}.")
        return name

    def clean_labels(self) -> tuple[str, ...]:
        labels = _split(self.cleaned_data["labels"])
        known = set(Label.objects.values_list("name", flat=True))
        unknown = [label for label in labels if label not in known]
        if unknown:
            raise forms.ValidationError(
                f"Unknown label(s) {', '.join(unknown)}. Known labels: {', '.join(sorted(known))}."
            )
        return tuple(labels)

    def clean_annotator(self) -> str:
        name = (self.cleaned_data.get("annotator") or "").strip()
        if name and not Story.with_layers.filter(annotator__username=name).exists():
            known = sorted(
                set(
                    Story.with_layers.filter(annotator__isnull=False).values_list(
                        "annotator__username", flat=True
                    )
                )
            )
            raise forms.ValidationError(
                f"{name!r} has no layer of any story. Annotators with layers: "
                f"{', '.join(known[:20]) or 'none'}."
            )
        return name

    def clean_ids(self) -> tuple[int, ...]:
        return tuple(parse_id(part, what="story id") for part in _split(self.cleaned_data["ids"]))

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(f"The start date {since} is after the end date {until}.")
        if data.get("votes") and (data.get("annotator") or data.get("layer") == "model"):
            raise forms.ValidationError(
                "Votes go with the stories' final layer: leave out the annotator and the model layer."
            )
        if data.get("votes") and data.get("format") != "jsonl":
            raise forms.ValidationError("Votes are written in JSONL only; choose --format jsonl.")
        return data

    def filters(self) -> ExportFilters:
        data = self.cleaned_data
        return ExportFilters(
            status=data["status"],
            batch=data["batch"] or None,
            labels=data["labels"],
            since=data["since"],
            until=data["until"],
            ids=data["ids"],
            layer=data["layer"],
            pending=data["pending"],
            annotator=data.get("annotator") or None,
            votes=bool(data.get("votes")),
        )

    def options(self, *, zipped: bool = False) -> ExportOptions:
        """`zipped`: spaCy output goes in a zip, so shard it (DEFAULT_SHARD_SIZE docs per DocBin)."""
        data = self.cleaned_data
        shard_size = data.get("shard_size") or 0
        if zipped and not shard_size:
            shard_size = DEFAULT_SHARD_SIZE
        return ExportOptions(flavor=data["flavor"], per_entity=data["per_entity"], shard_size=shard_size)

    def pending_warning(self) -> str | None:
        data = self.cleaned_data
        return pending_warning(data["format"], flavor=data["flavor"], pending=data["pending"])

    def error_lines(self) -> list[str]:
        return [
            f"{'--' + field.replace('_', '-') + ': ' if field != '__all__' else ''}{message}"
            for field, messages in self.errors.items()
            for message in messages
        ]
