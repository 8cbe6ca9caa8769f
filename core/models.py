"""Notifications: one row per thing that happened to a person (a story assigned, returned, approved).

core imports Django only, so a notification holds plain text and a URL rather than a link to a story.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        RETURNED = "returned", "Returned"
        APPROVED = "approved", "Approved"
        EXPORT_READY = "export_ready", "Export ready"
        EXPORT_FAILED = "export_failed", "Export failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    message = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The badge counts a person's unread rows on every page.
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}: {self.message[:60]}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class ApiToken(models.Model):
    """A personal key for scripts: `Authorization: Bearer <key>`. Only the key's SHA-256 is stored, so a
    leaked database gives no usable keys; the person sees the key once, when it is made (core.tokens)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “training job”.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The key's first characters, shown so a person can tell their tokens apart; not enough to use one.
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) of {self.user}"
