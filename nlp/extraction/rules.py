"""The rule layer: `add_rules(nlp, patterns)` adds an EntityRuler ("fabula_rules") after "ner" that
overwrites the model where a pattern matches ("Swan Lake" ORG -> WORK_OF_ART); `file_patterns(dir)` reads
the `*.jsonl` pattern files. Patterns are data; nothing here reads the database.
"""

from __future__ import annotations

import json
from pathlib import Path

from spacy.language import Language

RULER_NAME = "fabula_rules"
RULE_ID = "fabula-rule"


def file_patterns(directory: Path) -> list[dict]:
    """All patterns in directory/*.jsonl, in spaCy's EntityRuler format (one {"label", "pattern"} per
    line); a malformed line is a clear error naming file and line."""
    patterns: list[dict] = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(
                    f"{path}:{number}: not valid JSON ({error.msg}); fix or delete the line"
                ) from None
            if not isinstance(row, dict) or not row.get("label") or not row.get("pattern"):
                raise ValueError(
                    f'{path}:{number}: needs "label" and "pattern", e.g. {{"label": "WORK_OF_ART", '
                    f'"pattern": "Swan Lake"}}'
                )
            patterns.append({"label": row["label"], "pattern": row["pattern"]})
    return patterns


def add_rules(nlp: Language, patterns: list[dict]) -> Language:
    """Add the ruler with `patterns` after \"ner\"; nothing when there are none or it is there already."""
    if not patterns or RULER_NAME in nlp.pipe_names:
        return nlp
    where = {"after": "ner"} if "ner" in nlp.pipe_names else {}
    ruler = nlp.add_pipe(
        "entity_ruler",
        name=RULER_NAME,
        config={"overwrite_ents": True, "phrase_matcher_attr": "ORTH"},
        **where,
    )
    # The id marks rule matches on doc.ents (ent.ent_id_), so extract() leaves their labels alone.
    ruler.add_patterns([{**p, "id": p.get("id") or RULE_ID} for p in patterns])
    return nlp
