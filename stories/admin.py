"""Admin for stories, import batches and the active spaCy pipeline.

Story lists never show the text (novels are megabytes); the change page shows it read-only, since
entity offsets point into it and it must never be edited after import.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from stories.models import ImportBatch, Story


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "started_at",
        "finished_at",
        "created_by",
        "imported_count",
        "duplicate_count",
        "failed_count",
        "pipeline_name",
        "pipeline_version",
    ]
    list_filter = ["pipeline_name", "started_at"]
    search_fields = ["name", "source_paths"]
    date_hierarchy = "started_at"
    raw_id_fields = ["created_by"]
    readonly_fields = [
        "started_at",
        "finished_at",
        "source_paths",
        "imported_count",
        "duplicate_count",
        "failed_count",
        "errors",
        "pipeline_name",
        "pipeline_version",
    ]


@admin.register(Story)
class StoryAdmin(SimpleHistoryAdmin):
    list_display = [
        "id",
        "title",
        "status",
        "assigned_to",
        "word_count",
        "batch",
        "source_name",
        "updated_at",
    ]
    list_display_links = ["id", "title"]
    list_filter = ["status", "batch", "created_at"]
    search_fields = ["title", "source_name", "sha256"]
    list_select_related = ["assigned_to", "batch"]
    raw_id_fields = ["assigned_to", "batch"]
    readonly_fields = [
        "text",
        "text_length",
        "sha256",
        "word_count",
        "source_name",
        "meta",
        "version",
        "created_at",
    ]
    fields = [
        "title",
        "status",
        "assigned_to",
        "review_comment",
        "batch",
        "source_name",
        "word_count",
        "text_length",
        "sha256",
        "meta",
        "version",
        "created_at",
        "text",
    ]
    list_per_page = 50

    def get_queryset(self, request):
        # The list never needs the (possibly huge) text column.
        return super().get_queryset(request).defer("text")

    def has_add_permission(self, request) -> bool:
        return False  # stories come in through `manage.py ingest`, which hashes, decodes and extracts
