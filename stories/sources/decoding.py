"""Bytes to story text: detect the encoding, repair mojibake only, normalise newlines.

Contract: `decode_bytes(data)` returns a `Decoded(text, meta)` or raises `DecodeError` whose message
says what is wrong and how to fix it. Apart from mojibake repair and `\\r\\n`/`\\r` -> `\\n`, the text is
kept verbatim: curly quotes, dashes, ellipses, accents and ligatures stay exactly as written, because
entity offsets point into this text and editors expect to read what the author wrote.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ftfy import TextFixerConfig

# ftfy and charset-normalizer are imported on first use, not with this module: importing them cost
# about 70 ms of every ingest's start-up (python -X importtime), and clean text never needs them
# (ASCII lines cannot hold mojibake; valid UTF-8 needs no guessed encoding).


@functools.cache
def mojibake_only() -> TextFixerConfig:
    """ftfy's defaults also uncurl quotes, fold ligatures and full-width forms, unescape HTML and
    NFC-normalise. Those change legitimate text, so only the encoding repairs stay on."""
    from ftfy import TextFixerConfig

    return TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_encoding=True,
        restore_byte_a0=True,
        replace_lossy_sequences=True,
        decode_inconsistent_utf8=True,
        fix_c1_controls=True,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=False,
        remove_control_chars=False,
        normalization=None,
        explain=True,
    )


# Longest BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# charset-normalizer's answers for bytes that are no text at all: not UTF-8 failed already, ASCII is
# impossible for bytes that failed UTF-8, and nobody imports EBCDIC stories.
IMPLAUSIBLE = {"utf_8", "ascii", "cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140"}

# Characters that never occur in prose; a decoded text full of them was not text.
# Control characters (Unicode category Cc) other than tab, newline, vertical tab, form feed and CR.
CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


class DecodeError(ValueError):
    """The bytes are not a story we can read; the message is shown to the admin as is."""


@dataclass
class Decoded:
    text: str
    meta: dict = field(default_factory=dict)


def decode_bytes(data: bytes) -> Decoded:
    """Decode a whole file's bytes into story text plus decoding facts for Story.meta."""
    if not data:
        raise DecodeError("the file is empty")
    meta: dict = {}
    text, encoding, bom = _decode(data)
    meta["encoding"] = encoding
    if bom:
        meta["bom"] = True
    text = _reject_binary(text)
    text, repairs = repair_mojibake(text)
    if repairs:
        meta["repairs"] = repairs
    text, newlines = normalise_newlines(text)
    if newlines != "lf":
        meta["newlines"] = newlines
    if not text.strip():
        raise DecodeError("the file has only whitespace; there is no story text in it")
    return Decoded(text=text, meta=meta)


def _decode(data: bytes) -> tuple[str, str, bool]:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return (
                    data[len(bom) :].decode(encoding),
                    encoding.removesuffix("-le").removesuffix("-be"),
                    True,
                )
            except UnicodeDecodeError as error:
                raise DecodeError(
                    f"starts with a {encoding} byte-order mark but byte {error.start + len(bom)} is not "
                    f"valid {encoding}; re-save the file as UTF-8"
                ) from None
    if b"\x00" in data:
        raise DecodeError(
            "binary file (it contains NUL bytes), not plain text; if it is UTF-16 text, save it with a "
            "byte-order mark or as UTF-8"
        )
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError as error:
        utf8_error = error
    guessed = _western_single_byte(data)
    if guessed:
        return guessed, "cp1252", False
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.encoding in IMPLAUSIBLE or _unassigned_share(str(best)) > 0.01:
        raise DecodeError(
            f"undecodable bytes: not valid UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset "
            f"{utf8_error.start}) and no other text encoding fits; re-save the file as UTF-8"
        )
    return str(best), best.encoding.replace("_", "-"), False


def _western_single_byte(data: bytes) -> str | None:
    """Windows-1252 (which covers Latin-1's printable range) when it reads like Western prose.

    charset-normalizer often mistakes short cp1252/Latin-1 prose for cp1250 or cp775 (é becomes é's
    neighbours), and non-UTF-8 files from Western editors are overwhelmingly cp1252. A Cyrillic or
    Greek single-byte file read as cp1252 turns most letters into accented Latin ones, which this
    rejects, so those still go to charset-normalizer.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:  # bytes cp1252 leaves undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d)
        return None
    letters = accented = 0
    for char in text:
        if char.isalpha():
            letters += 1
            accented += ord(char) > 0x7F
    if letters and accented / letters <= 0.25:
        return text
    return None


def _unassigned_share(text: str) -> float:
    """Share of replacement, private-use and unassigned characters: high means a wrong encoding."""
    sample = text[:65536]
    odd = sum(1 for char in sample if char == "\ufffd" or unicodedata.category(char) in ("Co", "Cn"))
    return odd / len(sample) if sample else 0.0


def _reject_binary(text: str) -> str:
    controls = len(CONTROLS.findall(text, 0, 65536))
    if controls > max(8, len(text[:65536]) // 100):
        raise DecodeError(f"binary file ({controls} control characters), not plain text")
    return text


def repair_mojibake(text: str) -> tuple[str, list[dict]]:
    """Fix mis-decoded UTF-8 ("â€“" -> "–") line by line; returns the text and what was repaired.

    Line by line, like ftfy.fix_text, so one bad line never changes how another is read; pure-ASCII
    lines cannot hold mojibake and skip ftfy, which keeps this cheap on long texts.
    """
    if text.isascii():
        return text, []
    from ftfy import fix_and_explain

    repairs: dict[tuple, dict] = {}
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        fixed, steps = fix_and_explain(line, config=mojibake_only())
        if fixed != line:
            key = tuple(tuple(step) for step in steps or ())
            repair = repairs.setdefault(
                key, {"fix": "mojibake", "steps": [list(step) for step in key], "lines": [], "examples": []}
            )
            repair["lines"].append(number)
            if len(repair["examples"]) < 3:
                repair["examples"].append(_first_difference(line, fixed))
            lines[number - 1] = fixed
    return "".join(lines), list(repairs.values())


def _first_difference(before: str, after: str) -> dict:
    """A short before/after excerpt around the first change, for the admin to see what was done."""
    index = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b), 0)
    start = max(0, index - 20)
    return {"before": before[start : index + 20].strip(), "after": after[start : index + 20].strip()}


def normalise_newlines(text: str) -> tuple[str, str]:
    """`\\r\\n` and lone `\\r` become `\\n`; returns the text and the style found (lf, crlf, cr, mixed)."""
    if "\r" not in text:
        return text, "lf"
    crlf = text.count("\r\n")
    lone_cr = text.count("\r") - crlf
    lone_lf = text.count("\n") - crlf
    styles = [name for name, count in (("crlf", crlf), ("cr", lone_cr), ("lf", lone_lf)) if count]
    return text.replace("\r\n", "\n").replace("\r", "\n"), styles[0] if len(styles) == 1 else "mixed"
