"""Admin for stories and import batches (the active spaCy pipeline is in annotations.admin, beside the
spaCy knowledge it needs).

Story lists never show the text (novels are megabytes); the change page shows it read-only, since
entity offsets point into it and it must never be edited after import.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from stories.models import ImportBatch, Story


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "started_at",
        "finished_at",
        "state",
        "imported_by",
        "imported_count",
        "duplicate_count",
        "failed_count",
        "pipeline_name",
        "pipeline_version",
    ]
    list_filter = ["state", "pipeline_name", "started_at"]
    search_fields = ["name", "source_paths"]
    date_hierarchy = "started_at"
    raw_id_fields = ["created_by"]
    readonly_fields = [
        "started_at",
        "finished_at",
        "state",
        "source_paths",
        "imported_count",
        "duplicate_count",
        "failed_count",
        "error_table",
        "pipeline_name",
        "pipeline_version",
    ]
    exclude = ["errors", "upload_dir"]

    @admin.display(description="imported by", ordering="created_by__username")
    def imported_by(self, batch: ImportBatch) -> str:
        return batch.created_by.get_username() if batch.created_by else "command line"

    @admin.display(description="errors")
    def error_table(self, batch: ImportBatch) -> str:
        """One row per failed file or record: where, which line, and why, as the ingest command said."""
        if not batch.errors:
            return "None"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((e.get("path", ""), e.get("line") or "", e.get("reason", "")) for e in batch.errors),
        )
        return format_html(
            '<table class="import-errors"><thead><tr><th>File</th><th>Line</th><th>Reason</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            rows,
        )


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
