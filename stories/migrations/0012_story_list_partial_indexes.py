"""The story list's and the review queue's indexes cover stories only (`layer_of IS NULL`), as their queries do.

Every list query goes through Story.objects, which leaves annotators' layers out. With an index over every
row PostgreSQL cannot prove the index walk skips no story and yet holds no layer, so at 100,000 stories it
chose to sort instead; a partial index with the same condition as the query is one it walks, 25 entries
for a page. Standard partial indexes: the same on SQLite.
"""

import django.db.models.functions.text
from django.db import migrations, models

STORIES = models.Q(("layer_of__isnull", True))


class Migration(migrations.Migration):
    dependencies = [("stories", "0011_story_search_table")]

    operations = [
        migrations.RemoveIndex(model_name="story", name="story_title_key"),
        migrations.RemoveIndex(model_name="story", name="story_status_title_key"),
        migrations.RemoveIndex(model_name="story", name="story_status_updated"),
        migrations.AddIndex(
            model_name="story",
            index=models.Index(
                django.db.models.functions.text.Lower("title"), models.F("id"),
                condition=STORIES, name="story_title_key",
            ),
        ),
        migrations.AddIndex(
            model_name="story",
            index=models.Index(
                models.F("status"), django.db.models.functions.text.Lower("title"), models.F("id"),
                condition=STORIES, name="story_status_title_key",
            ),
        ),
        migrations.AddIndex(
            model_name="story",
            index=models.Index(
                models.F("status"), models.F("updated_at"), models.F("id"),
                condition=STORIES, name="story_status_updated",
            ),
        ),
    ]  # fmt: skip
