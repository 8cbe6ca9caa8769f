from __future__ import annotations

from django.urls import path

from interchange import views

app_name = "interchange"

# Reviewers: export annotated sets (a job with a download link, or streamed).
# Admins: import files and follow a batch.
urlpatterns = [
    path("export/", views.export, name="export"),
    path("export/jobs/", views.export_jobs, name="export-jobs"),
    path("export/jobs/<int:pk>/", views.export_job, name="export-job"),
    path("export/jobs/<int:pk>/download/", views.export_job_download, name="export-job-download"),
    path("import/", views.import_page, name="import"),
    path("import/batches/<int:pk>/", views.batch_detail, name="batch-detail"),
]
