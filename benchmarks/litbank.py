"""Read LitBank (Bamman et al., CC BY 4.0) from ../shared/litbank: entity spans and coreference chains.

Contract: `load_documents()` returns one `LitBankDoc` per work, sorted by file name, with the text exactly
as shipped (tokenised with spaces), the entity-layer spans, and the coreference-layer mentions (type
PROP/NOM/PRON, category, chain id). `split()` gives the 80 development / 20 test documents: the test set
is the 20 file names that sort last, and nothing is ever tuned on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

LITBANK_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "litbank"
TEST_SIZE = 20
MENTION_TYPE = re.compile(r"^(PROP|NOM|PRON)_([A-Z]+)$")
LABELS = ("PER", "GPE", "LOC", "FAC", "ORG", "VEH")


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    label: str  # PER, GPE, LOC, FAC, ORG, VEH


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    kind: str  # PROP, NOM, PRON
    category: str  # PER, GPE, ...
    chain: str  # the coreference entity id, e.g. "Mr_Bennet-6"


@dataclass
class LitBankDoc:
    name: str
    text: str
    entities: list[Entity] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)

    def proper_entities(self, labels: tuple[str, ...] = LABELS) -> set[tuple[int, int, str]]:
        """Entity-layer spans that the coreference layer types as proper names (PROP_*)."""
        proper = {(m.start, m.end) for m in self.mentions if m.kind == "PROP"}
        return {
            (e.start, e.end, e.label)
            for e in self.entities
            if e.label in labels and (e.start, e.end) in proper
        }


def _brat_lines(path: Path):
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("T"):
            continue
        _, info, surface = line.split("\t", 2)
        kind, start, end = info.split(" ")[:3]  # discontinuous spans do not occur in LitBank
        yield kind, int(start), int(end), surface


def read_document(name: str, root: Path = LITBANK_DIR) -> LitBankDoc:
    entity_ann = root / "entities" / "brat" / f"{name}.ann"
    text = (root / "entities" / "brat" / f"{name}.txt").read_text(encoding="utf-8")
    doc = LitBankDoc(name=name, text=text)
    for label, start, end, surface in _brat_lines(entity_ann):
        if text[start:end] != surface:
            raise ValueError(f"{entity_ann}: offsets {start}-{end} do not match {surface!r}")
        doc.entities.append(Entity(start, end, label))
    # The coreference .ann types each mention twice at the same offsets: once "PROP_PER" etc., once with
    # its chain id ("Mr_Bennet-6"). Pair them by offsets.
    types: dict[tuple[int, int], tuple[str, str]] = {}
    chains: dict[tuple[int, int], list[str]] = {}
    for kind, start, end, _ in _brat_lines(root / "coref" / "brat" / f"{name}.ann"):
        match = MENTION_TYPE.match(kind)
        if match:
            types[(start, end)] = (match.group(1), match.group(2))
        else:
            chains.setdefault((start, end), []).append(kind)
    for (start, end), (kind, category) in sorted(types.items()):
        for chain in chains.get((start, end), []):
            doc.mentions.append(Mention(start, end, kind, category, chain))
    return doc


def document_names(root: Path = LITBANK_DIR) -> list[str]:
    return sorted(p.stem for p in (root / "entities" / "brat").glob("*.ann"))


def split(root: Path = LITBANK_DIR) -> tuple[list[str], list[str]]:
    """(development names, test names): the test set is the TEST_SIZE names that sort last."""
    names = document_names(root)
    if not names:
        raise FileNotFoundError(f"no LitBank .ann files under {root / 'entities' / 'brat'}")
    return names[:-TEST_SIZE], names[-TEST_SIZE:]
