"""nlp.chapters: chapter and part headings at exact offsets, tables of contents and Gutenberg's
boilerplate kept apart from the story, and no chapters where a story has none."""

from __future__ import annotations

from nlp.chapters import find_chapters, not_prose, prose_bounds

PARAGRAPH = "The river ran past the mill, and the miller's daughter watched the boats go down to the sea."


def novel(*headings: str, paragraphs: int = 3) -> str:
    body = "\n\n".join([PARAGRAPH] * paragraphs)
    return "\n\n".join(f"{heading}\n\n{body}" for heading in headings)


def test_chapter_headings_are_found_with_offsets_that_cover_the_story():
    text = novel("CHAPTER I.", "CHAPTER II. The Flood", "Chapter 3: Home")
    chapters = find_chapters(text)
    assert [c.title for c in chapters] == ["CHAPTER I.", "CHAPTER II. The Flood", "Chapter 3: Home"]
    assert [text[c.start : c.start + 7] for c in chapters] == ["CHAPTER", "CHAPTER", "Chapter"]
    assert chapters[0].start == 0 and chapters[-1].end == len(text)
    assert all(a.end == b.start for a, b in zip(chapters, chapters[1:], strict=False))


def test_parts_and_bare_roman_numerals_count_but_a_sentence_does_not():
    assert [c.title for c in find_chapters(novel("PART ONE", "PART TWO"))] == ["PART ONE", "PART TWO"]
    assert [c.title for c in find_chapters(novel("I.", "II.", "III."))] == ["I.", "II.", "III."]
    # "I" opening a sentence on its own line is prose; two numerals alone are too few to trust.
    assert find_chapters(novel("I went home.", "I slept.")) == []
    assert find_chapters(novel("I.", "II.")) == []


def test_a_short_story_without_headings_has_no_chapters():
    assert find_chapters(f"{PARAGRAPH}\n\n{PARAGRAPH}") == []
    assert find_chapters(novel("CHAPTER I.")) == []  # one heading is no structure


def test_a_table_of_contents_is_not_a_chapter_but_is_not_prose_either():
    contents = "CONTENTS\n\nCHAPTER I. The Mill\n\nCHAPTER II. The Flood\n\n"
    text = contents + novel("CHAPTER I. The Mill", "CHAPTER II. The Flood")
    chapters = find_chapters(text)
    assert [c.start for c in chapters] == [len(contents), text.index("CHAPTER II. The Flood", len(contents))]
    ranges = not_prose(text)
    # The whole table of contents, up to and with the first chapter's heading line.
    assert ranges[0] == (0, len(contents) + len("CHAPTER I. The Mill"))
    assert (chapters[1].start, chapters[1].start + len("CHAPTER II. The Flood")) in ranges


def test_gutenberg_header_and_licence_are_outside_the_story():
    header = (
        "The Project Gutenberg eBook of The Mill\n\n*** START OF THE PROJECT GUTENBERG EBOOK THE MILL ***\n"
    )
    footer = "\n*** END OF THE PROJECT GUTENBERG EBOOK THE MILL ***\n\nSection 1. General Terms of Use."
    story = novel("CHAPTER I.", "CHAPTER II.")
    text = header + story + footer
    low, high = prose_bounds(text)
    assert text[low:high] == "\n" + story + "\n"
    assert not_prose(text)[0] == (0, low) and not_prose(text)[-1] == (high, len(text))
    assert find_chapters(text)[-1].end == high  # the last chapter ends before the licence
