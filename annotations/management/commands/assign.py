"""`manage.py assign --batch NAME --editors a,b [--double]`: hand a batch's stories to editors.

Without --double the batch's stories are dealt out in turn, one editor each (as the story list assigns).
With --double every new story of the batch gets a layer for each editor, from the model's draft; stories
already started or already double-annotated are skipped and counted. Bad names exit non-zero, nothing changed.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotations.services.layers import layers_assign
from stories.models import ImportBatch, Story
from stories.services import story_assign_many


class Command(BaseCommand):
    help = "Assign a batch's stories to editors; --double gives every editor their own layer of each story."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", required=True, help="The import batch's name.")
        parser.add_argument("--editors", required=True, help="Usernames, comma-separated: anna,ben")
        parser.add_argument(
            "--double", action="store_true", help="Each editor annotates every story in a layer of their own."
        )

    def handle(self, *args, **options) -> None:
        batch = self._batch(options["batch"])
        editors = self._editors(options["editors"])
        stories = list(Story.objects.filter(batch=batch).defer("text").order_by("id"))
        if not stories:
            raise CommandError(f"Batch “{batch.name}” has no stories; nothing to assign.")
        try:
            with transaction.atomic():
                if options["double"]:
                    self._double(stories, editors)
                else:
                    self._single(stories, editors)
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", [str(error)])
            raise CommandError("Nothing was assigned: " + " ".join(messages)) from error

    def _batch(self, name: str) -> ImportBatch:
        batches = ImportBatch.objects.filter(name=name).order_by("-started_at")
        if not batches:
            known = (
                ", ".join(ImportBatch.objects.order_by("name").values_list("name", flat=True)[:20]) or "none"
            )
            raise CommandError(f"No import batch is named {name!r}. Batches: {known}.")
        return batches[0]

    def _editors(self, value: str) -> list:
        names = [name.strip() for name in value.split(",") if name.strip()]
        if not names:
            raise CommandError("Name at least one editor: --editors anna or --editors anna,ben.")
        users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=names)}
        if missing := [name for name in names if name not in users]:
            raise CommandError(
                f"No account is named {', '.join(map(repr, missing))}. Create it in the admin, or check the "
                "spelling."
            )
        return [users[name] for name in names]

    def _single(self, stories: list[Story], editors: list) -> None:
        singles = [story for story in stories if not story.layer_count]
        for index, editor in enumerate(editors):
            share = singles[index :: len(editors)]
            count = story_assign_many(stories=share, editor=editor, by=None)
            self.stdout.write(f"{editor.get_username()}: {count} stories")
        if skipped := len(stories) - len(singles):
            self.stdout.write(
                f"Skipped {skipped} double-annotated stories (their layers keep their editors)."
            )

    def _double(self, stories: list[Story], editors: list) -> None:
        eligible = [story for story in stories if story.status == Story.Status.NEW and not story.layer_count]
        for story in eligible:
            layers_assign(story=story, editors=editors, by=None)
        names = ", ".join(e.get_username() for e in editors)
        self.stdout.write(f"{len(eligible)} stories double-annotated: a layer each for {names}")
        if skipped := len(stories) - len(eligible):
            self.stdout.write(
                f"Skipped {skipped} stories already started or already double-annotated: only a new story "
                "gets layers, because each starts from the model's draft."
            )
