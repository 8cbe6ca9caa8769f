"""brat standoff folders: every `<name>.txt` with a `<name>.ann` beside it is one annotated story.

Contract: a folder that holds `.ann` files anywhere below it is read as brat (registered as a folder
reader). `T` lines become spans (a fragmented span `0 4;5 12` covers first start to last end); Fabula's
own `Character` attributes and `AnnotatorNotes` become characters. Relations, events and other
attributes are not imported. The text is read as UTF-8 exactly, since offsets point into it. Any bad
line rejects its whole story with `file.ann:LINE: what is wrong`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from interchange.readers.checks import span_cut_problem, string_problem
from stories.sources.records import SourceError, StoryRecord, name_error
from stories.sources.titles import derive_title

T_LINE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")
CHARACTER_ATTRIBUTE = re.compile(r"^A\d+\tCharacter (T\d+) (\S+)$")
NOTE_LINE = re.compile(r"^#\d+\tAnnotatorNotes (T\d+)\t(.*)$")


class AnnError(ValueError):
    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line = line


def is_brat_folder(folder: Path) -> bool:
    return next(folder.rglob("*.ann"), None) is not None


def read_brat_folder(folder: Path, max_bytes: int) -> Iterator[StoryRecord | SourceError]:
    for txt in sorted(p for p in folder.rglob("*.txt") if not _hidden(p, folder)):
        if bad_name := name_error(txt):
            yield bad_name
            continue
        ann = txt.with_suffix(".ann")
        if not ann.exists():
            yield SourceError(
                str(txt), f"no {ann.name} beside it; add an empty .ann to import it unannotated"
            )
            continue
        yield read_pair(txt, ann, max_bytes)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def read_pair(txt: Path, ann: Path, max_bytes: int) -> StoryRecord | SourceError:
    size = txt.stat().st_size
    if size > max_bytes:
        return SourceError(str(txt), f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")
    try:
        text = txt.read_bytes().decode("utf-8")
        standoff = ann.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        return SourceError(str(txt), f"not UTF-8 ({error.reason}); brat files must be UTF-8")
    if not text.strip():
        return SourceError(str(txt), "the text is empty or only whitespace")
    for path, content in ((txt, text), (ann, standoff)):
        # Strict UTF-8 decoding leaves no surrogates, so a problem here is a NUL.
        if problem := string_problem(content):
            line = content.count("\n", 0, content.index("\x00")) + 1
            return SourceError(str(path), f"holds {problem}", line)
    try:
        spans, characters = parse_standoff(standoff, text)
    except AnnError as error:
        return SourceError(str(ann), str(error), error.line)
    title, how = derive_title(text, txt.stem)
    return StoryRecord(
        text=text,
        title=title,
        source=str(txt),
        meta={"title_from": how, "brat": ann.name},
        spans=spans,
        characters=characters,
    )


def parse_standoff(standoff: str, text: str) -> tuple[list[dict], list[dict]]:
    spans: dict[str, dict] = {}
    character_of: dict[str, tuple[str, int]] = {}
    names: dict[str, str] = {}
    for number, line in enumerate(standoff.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        if line.startswith("T"):
            spans[line.split("\t", 1)[0]] = _span(line, number, text)
        elif match := CHARACTER_ATTRIBUTE.match(line):
            character_of[match.group(1)] = (match.group(2), number)
        elif match := NOTE_LINE.match(line):
            names[match.group(1)] = match.group(2).strip()
    characters: dict[str, dict] = {}
    for target, (key, number) in character_of.items():
        if target not in spans:
            raise AnnError(number, f"the Character attribute points at {target}, which has no T line")
        spans[target]["character"] = key
        characters.setdefault(key, {"id": key, "name": names.get(target) or spans[target]["text"]})
    ordered = sorted(characters.values(), key=lambda c: _natural(c["id"]))
    return list(spans.values()), ordered


def _natural(key: str) -> tuple:
    digits = re.sub(r"\D", "", key)
    return (int(digits) if digits else 0, key)


def _span(line: str, number: int, text: str) -> dict:
    match = T_LINE.match(line)
    if not match:
        raise AnnError(number, "malformed T line; expected 'T1<TAB>LABEL START END<TAB>covered text'")
    _, label, offsets, quoted = match.groups()
    pieces = [tuple(int(value) for value in part.split(" ")) for part in offsets.split(";")]
    for start, end in pieces:
        if not 0 <= start < end <= len(text):
            raise AnnError(
                number,
                f"span [{start}, {end}) is outside the text (0..{len(text)}) or empty; offsets count "
                "characters of the .txt file",
            )
        problem = span_cut_problem(text, start, end)
        if problem:
            raise AnnError(number, problem)
    covered = " ".join(text[start:end] for start, end in pieces)
    if covered != quoted and " ".join(covered.split()) != " ".join(quoted.split()):
        raise AnnError(
            number,
            f"offsets cover {covered!r} but the line says {quoted!r}; is it the .txt the .ann belongs to?",
        )
    start, end = pieces[0][0], pieces[-1][1]
    return {"start": start, "end": end, "label": label, "text": text[start:end], "where": f"line {number}"}
