"""Forms for the reviewer pages: the queue and dashboard filters, and the return-with-comment form.

Approve and return carry the story version the review page showed (VersionForm)."""

from __future__ import annotations

from django import forms

from annotations.forms.editor import VersionForm
from annotations.selectors.dashboard import ALL
from annotations.services.review import COMMENT_MAX_CHARS, COMMENT_REQUIRED
from stories.models import ImportBatch, Story


class ReviewQueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (Story.Status.DONE, "Awaiting review"),
            (Story.Status.ADJUDICATION, "To adjudicate"),
            (Story.Status.RETURNED, "Returned"),
            (Story.Status.APPROVED, "Approved"),
        ],
        required=False,
    )
    batch = forms.ModelChoiceField(
        queryset=ImportBatch.objects.order_by("name"), required=False, empty_label="All batches"
    )


class ReturnForm(VersionForm):
    """The comment, and the story version the review page showed (the return is refused if it moved on)."""

    comment = forms.CharField(
        max_length=COMMENT_MAX_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "What should the editor fix?"}),
        error_messages={"required": COMMENT_REQUIRED},
    )


class DashboardFilterForm(forms.Form):
    batch = forms.ModelChoiceField(
        queryset=ImportBatch.objects.order_by("name", "-started_at"),
        required=False,
        empty_label="All batches",
    )
    status = forms.ChoiceField(
        label="Evaluate stories that are",
        choices=[(ALL, "any status"), *Story.Status.choices],
        required=False,
    )


class DecisionForm(VersionForm):
    """One adjudication decision: which disagreement (kind and key) and whose version (blank: keep)."""

    kind = forms.ChoiceField(
        choices=[("span", "Span"), ("character", "Character")],
        error_messages={"invalid_choice": "kind is span or character."},
    )
    key = forms.CharField(max_length=300)
    choice = forms.CharField(max_length=150, required=False)


class AgreementFilterForm(forms.Form):
    batch = forms.ModelChoiceField(
        queryset=ImportBatch.objects.order_by("name", "-started_at"),
        required=False,
        empty_label="All batches",
    )
