"""`manage.py extract`: re-running the model replaces only untouched predictions; editors' work stays."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Character, Edit, Entity
from annotations.services import extraction as extraction_module
from interchange.services.ingest import ingest
from nlp.extraction import CharacterRow, EntityRow, Extraction
from stories.models import Story
from tests.conftest import SAMPLES_DIR
from tests.factories import make_character, make_entity, make_story, make_user

pytestmark = pytest.mark.django_db

ANNA = "001_b126eebb701a6029.txt"


def extract(*args) -> str:
    out = StringIO()
    call_command("extract", *args, stdout=out)
    return out.getvalue()


def predictions(story: Story) -> set[tuple[int, int, str]]:
    return set(story.entities.filter(origin="model").values_list("model_start", "model_end", "model_label"))


def test_extract_keeps_every_kind_of_editor_work_and_renews_the_rest(nlp):
    ingest([SAMPLES_DIR / ANNA], batch_name="samples")
    story = Story.objects.get()
    editor = make_user("editor")
    original = predictions(story)
    persons = list(story.entities.filter(label="PERSON").order_by("start"))
    accepted, resized, rejected, logged = persons[:4]
    Entity.objects.filter(pk=accepted.pk).update(review_state="accepted", updated_by=editor)
    Entity.objects.filter(pk=rejected.pk).update(review_state="rejected", updated_by=editor)
    # Resized to drop the last character: the model's prediction at the old bounds must not come back.
    Entity.objects.filter(pk=resized.pk).update(end=resized.end - 1, text=resized.text[:-1])
    Edit.objects.create(story=story, user=editor, action="link", after=[{"model": "entity", "id": logged.pk}])
    character = make_character(story, name="The Ballerina", origin="editor")
    created = make_entity(story, "ballerina", label="WORK_OF_ART", origin="editor", character=character)
    untouched = set(
        story.entities.exclude(
            pk__in=[accepted.pk, resized.pk, rejected.pk, logged.pk, created.pk]
        ).values_list("pk", flat=True)
    )
    assert untouched

    out = extract("--batch", "samples")

    assert "Re-extracted 1 stories" in out and f"{len(untouched)} untouched predictions replaced" in out
    for row, state in ((accepted, "accepted"), (rejected, "rejected"), (logged, "pending")):
        assert Entity.objects.get(pk=row.pk).review_state == state
    assert Entity.objects.get(pk=resized.pk).end == resized.end - 1
    assert Entity.objects.get(pk=created.pk).character == Character.objects.get(name="The Ballerina")
    assert not Entity.objects.filter(pk__in=untouched).exists()
    # Same model, same text: the model's set is whole again, with each prediction once.
    assert predictions(story) == original
    assert story.entities.filter(start=resized.start, end=resized.end, label="PERSON").count() == 0
    assert story.entities.filter(origin="model").count() == len(original)
    assert Story.objects.get().version == story.version + 1


def fake(story_docs, layers=None) -> Extraction:
    text = story_docs.text
    return Extraction(
        spans=[
            EntityRow(text.index("Anna"), text.index("Anna") + 4, "PERSON", character=0),
            EntityRow(text.index("Boris"), text.index("Boris") + 5, "PERSON", character=1),
        ],
        characters=[CharacterRow("Anna Petrova", ["Anna"], "female"), CharacterRow("Boris", [], "male")],
    )


def test_model_characters_are_replaced_unless_an_editor_touched_them(monkeypatch):
    monkeypatch.setattr(extraction_module, "extract", fake)
    story = make_story("Anna Petrova danced in Paris with Boris.")
    editor = make_user("editor")
    stale = make_character(story, name="Old guess", origin="model")
    make_entity(story, "Paris", label="PERSON", character=stale)  # untouched, so replaced
    kept = make_character(story, name="Anna", aliases=["Anna Petrova"], origin="model")
    make_entity(story, "Anna", character=kept, review_state="accepted", updated_by=editor)

    extract("--story", str(story.pk))

    assert set(Character.objects.values_list("name", flat=True)) == {"Anna", "Boris"}
    boris = Character.objects.get(name="Boris")
    assert (boris.origin, boris.gender, boris.mentions.get().text) == ("model", "male", "Boris")
    # The new "Anna Petrova" matched the kept character by alias instead of doubling it.
    assert Character.objects.get(name="Anna").mentions.count() == 1
    assert not story.entities.filter(text="Paris").exists()


def test_extract_selects_stories(monkeypatch):
    monkeypatch.setattr(extraction_module, "extract", fake)
    one, two = make_story("Anna met Boris."), make_story("Boris met Anna.")
    assert "Re-extracted 1 stories" in extract("--story", str(two.pk))
    assert (one.entities.count(), two.entities.count()) == (0, 2)
    assert "Re-extracted 2 stories" in extract("--all")
    assert one.entities.count() == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["--batch", "nope"], "No import batch named 'nope'"),
        (["--story", "999999"], "No story with id 999999"),
        ([], "one of the arguments --story --batch --all is required"),
    ],
)
def test_bad_selection_is_a_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("extract", *args)


@pytest.mark.django_db(transaction=True)
def test_extract_with_two_processes(nlp):
    ingest([SAMPLES_DIR], batch_name="samples", extract=False)
    out = extract("--all", "--processes", "2", "--batch-size", "2")
    assert "Re-extracted 5 stories" in out
    assert Story.objects.filter(entities__isnull=True).count() == 0


@pytest.mark.django_db
def test_done_and_approved_stories_are_not_re_extracted():
    from tests.factories import make_story

    done, approved, open_ = (make_story(f"Anna {n} met Boris.", status=s) for n, s in enumerate(
        [Story.Status.DONE, Story.Status.APPROVED, Story.Status.IN_PROGRESS]))  # fmt: skip
    out = StringIO()
    call_command("extract", "--all", stdout=out)
    assert "2 done or approved stories were left as they are" in out.getvalue()
    assert not done.entities.exists() and not approved.entities.exists()
    assert open_.entities.exists()


@pytest.mark.django_db
def test_an_unloadable_pipeline_is_one_line_not_a_traceback():
    from stories.models import PipelineSetting
    from tests.factories import make_story

    make_story()
    PipelineSetting.objects.create(spacy_model="gone_pipeline")
    with pytest.raises(CommandError, match="The spaCy pipeline 'gone_pipeline' cannot be loaded"):
        call_command("extract", "--all", stdout=StringIO())
