"""Move Done and Approved stories that still hold pending suggestions back to In progress.

Why: a Done or Approved story now guarantees that every suggestion in it was decided, and its export
carries only decided entities. Stories marked done or approved before that rule held may still hold
suggestions nobody looked at. Accepting or rejecting them here would invent decisions nobody made, so
their pending spans stay pending and the story goes back to In progress, where an editor settles them.
Each move is logged as an edit, so the story's history says what happened and why.
"""

from __future__ import annotations

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    Story = apps.get_model("stories", "Story")
    Entity = apps.get_model("annotations", "Entity")
    Edit = apps.get_model("annotations", "Edit")
    unsettled = Story.objects.filter(status__in=["done", "approved"], entities__review_state="pending")
    for story in unsettled.distinct().only("id", "status", "version", "title"):
        count = Entity.objects.filter(story=story, review_state="pending").count()
        Story.objects.filter(pk=story.pk).update(status="in_progress", version=F("version") + 1)
        Edit.objects.create(
            story=story,
            user=None,
            action="status",
            summary=f"Moved back to In progress: {count} "
            + ("suggestion was never reviewed" if count == 1 else "suggestions were never reviewed"),
            before=[{"model": "story", "id": story.pk, "fields": {"status": story.status}}],
            after=[{"model": "story", "id": story.pk, "fields": {"status": "in_progress"}}],
            story_version=story.version + 1,
        )


class Migration(migrations.Migration):
    dependencies = [("annotations", "0004_entity")]
    # No way back: which stories were Done and which Approved is in each edit's `before`, not undone here.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
