"""Admin for labels, characters, annotations and the edit log.

Labels are the admins' main knob (colour, hotkey, shown by default), so they are editable in the
list. The edit log is read-only: it is the audit trail and the undo history.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count

from annotations.models import Character, Edit, Entity, Label, LearnedPattern
from nlp.loading import available_pipelines, load_problem
from stories.models import PipelineSetting


class LabelAdminForm(forms.ModelForm):
    """The colour as the browser's colour picker; the model's validators check name and colour."""

    class Meta:
        model = Label
        fields = "__all__"
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    form = LabelAdminForm
    list_display = ["name", "description", "color", "hotkey", "shown", "order", "entity_count"]
    list_editable = ["color", "hotkey", "shown", "order"]
    list_filter = ["shown"]
    search_fields = ["name", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entity_total=Count("entities"))

    @admin.display(description="entities", ordering="entity_total")
    def entity_count(self, obj: Label) -> int:
        return obj.entity_total


class MentionInline(admin.TabularInline):
    model = Entity
    fk_name = "character"
    fields = ["start", "end", "text", "label", "origin", "review_state"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Character)
class CharacterAdmin(admin.ModelAdmin):
    list_display = ["name", "story", "gender", "origin", "mention_count", "updated_at"]
    list_filter = ["gender", "origin"]
    search_fields = ["name", "aliases", "story__title"]
    raw_id_fields = ["story"]
    list_select_related = ["story"]
    inlines = [MentionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("story__text").annotate(mention_total=Count("mentions"))

    @admin.display(description="mentions", ordering="mention_total")
    def mention_count(self, obj: Character) -> int:
        return obj.mention_total


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = [
        "text",
        "label",
        "story",
        "start",
        "end",
        "character",
        "origin",
        "review_state",
        "model_label",
    ]
    list_filter = ["label", "origin", "review_state"]
    search_fields = ["text", "story__title"]
    raw_id_fields = ["story", "character", "updated_by"]
    # Every column's row in one query: without the label, a page of 100 entities made 100 more.
    list_select_related = ["story", "character", "label"]
    readonly_fields = ["model_start", "model_end", "model_label", "created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("story__text")


@admin.register(Edit)
class EditAdmin(admin.ModelAdmin):
    list_display = ["created_at", "story", "user", "action", "summary", "story_version", "undone_by"]
    list_filter = ["action", "created_at"]
    search_fields = ["summary", "story__title", "user__username"]
    raw_id_fields = ["story", "user", "undone_by"]
    list_select_related = ["story", "user"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("story__text")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LearnedPattern)
class LearnedPatternAdmin(admin.ModelAdmin):
    """Patterns the rule layer applies at the next ingest/extract: learned from editors, or added here."""

    list_display = ["text", "label", "enabled", "source", "evidence_summary", "updated_at"]
    list_editable = ["enabled"]
    list_filter = ["enabled", "source", "label"]
    search_fields = ["text"]
    readonly_fields = ["evidence_summary", "created_at", "updated_at"]
    fields = ["text", "label", "enabled", "source", "evidence_summary", "evidence", "created_at"]
    actions = ["enable", "disable"]

    @admin.display(description="where it came from")
    def evidence_summary(self, obj: LearnedPattern) -> str:
        evidence = obj.evidence or {}
        if not evidence:
            return obj.get_source_display()
        stories = evidence.get("stories", [])
        shown = ", ".join(f"#{pk}" for pk in stories[:10]) + (" …" if len(stories) > 10 else "")
        agreement = evidence.get("agreement")
        agreement_text = f", {agreement:.0%} agreement" if isinstance(agreement, int | float) else ""
        return f"{evidence.get('count', '?')} edits in {len(stories)} stories ({shown}){agreement_text}"

    @admin.action(description="Enable selected patterns")
    def enable(self, request, queryset) -> None:
        self.message_user(request, f"Enabled {queryset.update(enabled=True)} patterns.")

    @admin.action(description="Disable selected patterns")
    def disable(self, request, queryset) -> None:
        self.message_user(request, f"Disabled {queryset.update(enabled=False)} patterns.")


class PipelineSettingForm(forms.ModelForm):
    """The active pipeline, chosen from what is installed or trained; one that cannot load is refused."""

    spacy_model = forms.ChoiceField(required=False, label="spaCy pipeline")

    class Meta:
        model = PipelineSetting
        fields = ["spacy_model"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = available_pipelines(settings.MODELS_DIR)
        current = self.instance.spacy_model
        if current and current not in choices:
            choices.append(current)  # keep showing a saved choice that has since disappeared
        blank = f"(the SPACY_MODEL setting: {settings.SPACY_MODEL})"
        self.fields["spacy_model"].choices = [("", blank)] + [(name, name) for name in choices]

    def clean_spacy_model(self) -> str:
        name = self.cleaned_data["spacy_model"]
        if name and (problem := load_problem(name)):
            raise forms.ValidationError(f"{name} cannot be loaded: {problem}. Choose another pipeline.")
        return name


@admin.register(PipelineSetting)
class PipelineSettingAdmin(admin.ModelAdmin):
    form = PipelineSettingForm
    list_display = ["__str__", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request) -> bool:
        return not PipelineSetting.objects.exists()  # one row: the active choice

    def save_model(self, request, obj, form, change) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
