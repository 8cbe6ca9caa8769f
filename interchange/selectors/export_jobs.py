"""Reads for the Export page's job panel: a person's latest export job, and one job they may see."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.access import export_job_refusal
from interchange.models import ExportJob


def latest_export_job(user) -> ExportJob | None:
    """The newest job `user` started within FABULA_EXPORT_KEEP_HOURS, shown when they open the page."""
    since = timezone.now() - dt.timedelta(hours=settings.FABULA_EXPORT_KEEP_HOURS)
    return ExportJob.objects.filter(requested_by=user, created_at__gte=since).order_by("-created_at").first()


def visible_export_job(user, pk: int) -> ExportJob:
    """Job `pk` if `user` may follow and download it (core.access); 404 or PermissionDenied otherwise."""
    job = get_object_or_404(ExportJob, pk=pk)
    if reason := export_job_refusal(user, requested_by_id=job.requested_by_id):
        raise PermissionDenied(reason)
    return job
