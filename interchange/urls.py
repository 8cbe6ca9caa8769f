from __future__ import annotations

from django.urls import path

from interchange import views

app_name = "interchange"

# Reviewers: export annotated sets (streams the download). Admins: import files and follow a batch.
urlpatterns = [
    path("export/", views.export, name="export"),
    path("import/", views.import_page, name="import"),
    path("import/batches/<int:pk>/", views.batch_detail, name="batch-detail"),
]
