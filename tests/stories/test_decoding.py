"""Decoding source bytes: encodings, BOMs, binary and undecodable input, mojibake-only repair, newlines."""

from __future__ import annotations

import codecs
import random

import pytest

from stories.sources.decoding import DecodeError, decode_bytes, normalise_newlines, repair_mojibake
from tests.conftest import SAMPLES_DIR

WESTERN = "Café naïve — “quoted” résumé, déjà vu… Zoë said ‘hi’.\n"


def test_utf8_bom_is_dropped_and_recorded():
    decoded = decode_bytes(codecs.BOM_UTF8 + b"Anna danced.\n")
    assert decoded.text == "Anna danced.\n"
    assert decoded.meta == {"encoding": "utf-8", "bom": True}


@pytest.mark.parametrize(
    "codec, bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)]
)
def test_utf16_with_bom(codec, bom):
    decoded = decode_bytes(bom + WESTERN.encode(codec))
    assert decoded.text == WESTERN
    assert decoded.meta["encoding"] == "utf-16"


def test_cp1252_is_detected_and_curly_punctuation_kept():
    decoded = decode_bytes(WESTERN.encode("cp1252"))
    assert decoded.text == WESTERN
    assert decoded.meta["encoding"] == "cp1252"


def test_latin1_is_read_as_its_cp1252_superset():
    text = "Le garçon était très élégant à la fête, où Hélène dansait.\n"
    assert decode_bytes(text.encode("latin-1")).text == text


def test_cyrillic_single_byte_goes_to_charset_normalizer():
    text = "Балерина танцевала в Москве, и зал замирал от её движений каждый вечер.\n"
    decoded = decode_bytes(text.encode("cp1251"))
    assert decoded.text == text
    assert decoded.meta["encoding"] != "cp1252"


def test_nul_bytes_mean_binary():
    with pytest.raises(DecodeError, match="binary file"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_utf16_without_bom_is_reported_with_the_fix():
    with pytest.raises(DecodeError, match="byte-order mark"):
        decode_bytes("Anna".encode("utf-16-le"))


def test_undecodable_bytes():
    rng = random.Random(7)
    noise = bytes(rng.randrange(0x80, 0x100) for _ in range(3000))  # no ASCII at all
    with pytest.raises(DecodeError, match=r"undecodable bytes|binary file"):
        decode_bytes(noise)


def test_broken_utf16_after_bom():
    with pytest.raises(DecodeError, match="re-save the file as UTF-8"):
        decode_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone surrogate half


@pytest.mark.parametrize("data, reason", [(b"", "empty"), (b" \n\t\r\n  ", "only whitespace")])
def test_empty_and_whitespace_only(data, reason):
    with pytest.raises(DecodeError, match=reason):
        decode_bytes(data)


def test_the_mojibake_sample_is_repaired_and_recorded():
    decoded = decode_bytes((SAMPLES_DIR / "002_3644c97cb6daeaa2.txt").read_bytes())
    assert "â€“" not in decoded.text
    assert "worth it – the sacrifices" in decoded.text
    (repair,) = decoded.meta["repairs"]
    assert repair["fix"] == "mojibake"
    assert repair["lines"] == [15]
    assert repair["examples"][0]["before"].count("â€“") == 1


@pytest.mark.parametrize(
    "text",
    [
        "“Don’t,” she said — quietly… and left.",
        "ﬁne ligatures and ＦＵＬＬ width stay",
        "Zoë’s café, naïve 'straight' \"quotes\" too",
        "Cafe\u0301 stays decomposed",  # no NFC: offsets must count what the author's file had
    ],
)
def test_only_mojibake_is_repaired(text):
    assert repair_mojibake(text) == (text, [])
    assert decode_bytes(text.encode()).text == text


@pytest.mark.parametrize(
    "raw, style", [("a\r\nb\r\n", "crlf"), ("a\rb\r", "cr"), ("a\r\nb\nc\r", "mixed"), ("a\nb\n", "lf")]
)
def test_newlines_become_lf(raw, style):
    text, found = normalise_newlines(raw)
    assert found == style
    assert text == raw.replace("\r\n", "\n").replace("\r", "\n")
    meta = decode_bytes(raw.encode()).meta
    assert meta.get("newlines", "lf") == style


def test_control_characters_without_nul_mean_binary():
    with pytest.raises(DecodeError, match="binary file \\(800 control characters\\)"):
        decode_bytes(bytes(range(1, 9)) * 100 + b"some text")
    assert decode_bytes(b"Tabs\tand\x0cform feeds\x0bstay.").text == "Tabs\tand\x0cform feeds\x0bstay."
