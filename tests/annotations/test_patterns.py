"""Learning patterns from editors' corrections: the service, the command, the admin and the rule layer."""

from __future__ import annotations

from io import StringIO

import pytest
import spacy
from django.core.management import CommandError, call_command

from annotations.models import Entity, LearnedPattern
from annotations.services.patterns import patterns_learn
from annotations.services.pipeline import learned_patterns
from nlp.extraction import extract
from nlp.extraction.rules import add_rules
from nlp.windows import StoryDocs
from tests.factories import make_entity, make_story

TEXT = "Tonight Swan Lake opened. Swan Lake is long."


def relabelled(story, occurrence=0, label="WORK_OF_ART"):
    """A model ORG prediction that an editor relabelled."""
    return make_entity(story, "Swan Lake", label, occurrence, model_label="ORG")


@pytest.fixture
def three_relabels(db):
    first, second = make_story(TEXT), make_story(TEXT)
    relabelled(first, 0)
    relabelled(first, 1)
    relabelled(second, 0)
    return first, second


def test_consistent_relabels_become_a_pattern_with_evidence(three_relabels):
    first, second = three_relabels
    proposals = patterns_learn()
    assert [(p.text, p.label, p.action) for p in proposals] == [("Swan Lake", "WORK_OF_ART", "created")]
    pattern = LearnedPattern.objects.get()
    assert (pattern.text, pattern.label_id, pattern.enabled, pattern.source) == (
        "Swan Lake",
        "WORK_OF_ART",
        True,
        "learned",
    )
    assert pattern.evidence == {"stories": sorted([first.pk, second.pk]), "count": 3, "agreement": 1.0}


def test_too_few_edits_or_stories_learn_nothing(db):
    story = make_story(TEXT)
    relabelled(story, 0)
    relabelled(story, 1)
    assert patterns_learn() == []
    assert patterns_learn(min_count=2, min_stories=2) == []
    assert not LearnedPattern.objects.exists()


def test_disagreement_blocks_learning(three_relabels):
    other = make_story(TEXT)
    make_entity(other, "Swan Lake", "ORG", 0, origin=Entity.Origin.EDITOR)
    assert patterns_learn(min_agreement=0.9) == []  # 3 of 4 say WORK_OF_ART: 75%
    assert [p.agreement for p in patterns_learn(min_agreement=0.7)] == [0.75]


def test_rejected_spans_count_against_and_accepted_model_spans_are_not_corrections(db):
    stories = [make_story(TEXT) for _ in range(3)]
    for story in stories:
        make_entity(story, "Swan Lake", "ORG", review_state=Entity.ReviewState.ACCEPTED)
    assert patterns_learn() == []  # the model was right: nothing to learn
    for story in stories:
        relabelled(story, 1)
    make_entity(stories[0], "Swan Lake", "WORK_OF_ART", 0, origin="editor", review_state="rejected")
    # 3 corrections vs 3 accepted ORG + 1 rejected WORK_OF_ART
    assert patterns_learn(min_agreement=0.5) == []


def test_disabled_patterns_stay_disabled_and_manual_ones_are_untouched(three_relabels):
    LearnedPattern.objects.create(text="Swan Lake", label_id="WORK_OF_ART", enabled=False, evidence={})
    [proposal] = patterns_learn()
    pattern = LearnedPattern.objects.get()
    assert proposal.action == "updated" and not pattern.enabled and pattern.evidence["count"] == 3
    pattern.source = LearnedPattern.Source.MANUAL
    pattern.evidence = {}
    pattern.save()
    assert patterns_learn()[0].action == "unchanged"
    assert LearnedPattern.objects.get().evidence == {}


def test_command_reports_and_dry_run_writes_nothing(three_relabels):
    out = StringIO()
    call_command("learn_patterns", "--dry-run", stdout=out)
    assert "would learn: 'Swan Lake' → WORK_OF_ART (3 edits in 2 stories, agreement 100%)" in out.getvalue()
    assert not LearnedPattern.objects.exists()
    call_command("learn_patterns", stdout=out)
    assert "created: 'Swan Lake'" in out.getvalue()
    assert LearnedPattern.objects.count() == 1


def test_command_rejects_bad_thresholds(db):
    with pytest.raises(CommandError, match="--min-agreement must be a number between 0.5 and 1.0"):
        call_command("learn_patterns", "--min-agreement", "lots")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("learn_patterns", "--min-count", "0")


def test_enabled_learned_patterns_pre_annotate_through_the_rule_layer(db, settings, tmp_path):
    LearnedPattern.objects.create(text="Le Corsaire", label_id="WORK_OF_ART")
    LearnedPattern.objects.create(text="Giselle", label_id="WORK_OF_ART", enabled=False)
    assert learned_patterns() == (("WORK_OF_ART", "Le Corsaire"),)
    patterns = [{"label": label, "pattern": text} for label, text in learned_patterns()]
    nlp = add_rules(spacy.blank("en"), patterns)
    text = "She danced Le Corsaire. Giselle watched."
    result = extract(StoryDocs(context=None, text=text, windows=[(0, nlp(text))]))
    found = [(text[s.start : s.end], s.label) for s in result.spans]
    assert found[0] == ("Le Corsaire", "WORK_OF_ART")
    assert ("Giselle", "WORK_OF_ART") not in found  # the disabled pattern does not apply


def test_admin_lists_patterns_with_their_evidence(three_relabels, admin_user, client):
    patterns_learn()
    client.force_login(admin_user)
    page = client.get("/admin/annotations/learnedpattern/").content.decode()
    assert "Swan Lake" in page and "3 edits in 2 stories" in page and "100% agreement" in page
    pattern = LearnedPattern.objects.get()
    response = client.post(
        "/admin/annotations/learnedpattern/",
        {"action": "disable", "_selected_action": [pattern.pk]},
    )
    assert response.status_code == 302
    assert not LearnedPattern.objects.get().enabled
