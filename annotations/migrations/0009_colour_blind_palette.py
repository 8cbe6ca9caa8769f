"""A default palette that people with colour-blindness can tell apart, and no near-twins.

The first palette had GPE and LOC, PERSON and NORP, nearly alike, and seven numeric labels in one grey.
These colours were chosen by distance (CIEDE2000): the eight labels with keys stay apart as seen with
deuteranopia and protanopia too, all eighteen stay apart in normal vision, and each keeps at least
7:1 contrast with the dark text drawn on it (tests/annotations/test_palette.py checks all three).
A label an admin recoloured keeps its colour: only colours still at the old default change.
"""

from __future__ import annotations

from django.db import migrations

# name: (old default, new default)
PALETTE = {
    "PERSON": ("#ffd6a5", "#ffd6a5"),
    "ORG": ("#bde0fe", "#dda4f7"),
    "GPE": ("#caffbf", "#ceefd3"),
    "LOC": ("#d0f4de", "#deba50"),
    "FAC": ("#e4c1f9", "#cab5d4"),
    "NORP": ("#fde4cf", "#dab4a4"),
    "WORK_OF_ART": ("#ffc8dd", "#e7bec9"),
    "EVENT": ("#fbf8cc", "#f1dbfc"),
    "PRODUCT": ("#e9edc9", "#49cffc"),
    "LAW": ("#f1f1f1", "#40d9c1"),
    "LANGUAGE": ("#f1f1f1", "#cce47f"),
    "DATE": ("#eeeeee", "#c2daf9"),
    "TIME": ("#eeeeee", "#c2c09b"),
    "PERCENT": ("#eeeeee", "#99c8c8"),
    "MONEY": ("#eeeeee", "#7cd591"),
    "QUANTITY": ("#eeeeee", "#fba962"),
    "ORDINAL": ("#eeeeee", "#99f8f7"),
    "CARDINAL": ("#eeeeee", "#f99bd1"),
}


def recolour(apps, schema_editor, *, forward: bool = True):
    Label = apps.get_model("annotations", "Label")
    for name, (old, new) in PALETTE.items():
        before, after = (old, new) if forward else (new, old)
        Label.objects.filter(name=name, color__iexact=before).update(color=after)


def backwards(apps, schema_editor):
    recolour(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("annotations", "0008_presence")]
    operations = [migrations.RunPython(recolour, backwards)]
