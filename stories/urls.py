from __future__ import annotations

from django.urls import path

from stories import views

app_name = "stories"

urlpatterns = [
    path("", views.story_list, name="story-list"),
    path("queue/", views.my_queue, name="my-queue"),
    path("stories/assign/", views.story_assign, name="story-assign"),
    path("stories/next/", views.story_next, name="story-next"),
]
