"""Root URLs: auth, admin, notifications and My account (core), the pages of stories, annotations and
interchange, and the API under /api/v1/ (config.api)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from config import api

handler500 = "core.views.server_error"

urlpatterns = [
    path("login/", login_not_required(auth_views.LoginView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls()),
    path("", include("core.urls")),
    path("", include("stories.urls")),
    path("", include("annotations.urls")),
    path("", include("interchange.urls")),
]
