from __future__ import annotations

from django.urls import path

from interchange import views

app_name = "interchange"

# Reviewers: export annotated sets (streams the download).
urlpatterns = [path("export/", views.export, name="export")]
