"""Extraction's plain data: the working `Span`, and the output rows `EntityRow`, `CharacterRow`, `Extraction`.

Contract: dataclasses only, no behaviour; a leaf module that imports nothing from the rest of nlp.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A candidate entity while extraction works on it: story offsets and a label that may still change.

    Not yet an entity: its label can be a working one ("PERSON?", a numeric misfire still to be settled),
    and `fixed` says a rule pattern set it. Steps pass Spans to each other; `extract` turns the survivors
    into `EntityRow`s.
    """

    start: int
    end: int
    label: str
    fixed: bool = False  # set by a rule pattern (or an editor): consistency never relabels it


@dataclass(frozen=True)
class EntityRow:
    """One entity of the draft: exact offsets into the story text, its label and its character if any."""

    start: int
    end: int
    label: str
    character: int | None = None  # index into Extraction.characters


@dataclass
class CharacterRow:
    name: str
    aliases: list[str] = field(default_factory=list)
    gender: str = "unknown"  # female, male, nonbinary, unknown


@dataclass
class Extraction:
    """The draft for one story: its entities (`spans`, in text order) and the characters they mention."""

    spans: list[EntityRow]
    characters: list[CharacterRow]
