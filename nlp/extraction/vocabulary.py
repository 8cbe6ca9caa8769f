"""Shared vocabulary of extraction: titles, entity labels, name particles, sentence ends, and small pure
helpers over them (`title_key`, `is_title`, `title_start`, `sentence_initial`). A leaf: it imports
nothing from the rest of nlp.
"""

from __future__ import annotations

import re

# Titles that introduce a name. Gender is what the title itself says (Mr/Mrs), never a guess from the name.
MALE_TITLES = {
    "mr", "sir", "lord", "monsieur", "signor", "signore", "herr", "don", "señor", "senor", "father",
    "brother", "uncle", "king", "prince", "duke", "count", "baron", "emperor", "master", "mynheer", "earl",
    "marquis",
}  # fmt: skip
FEMALE_MARRIED_TITLES = {
    "mrs",
    "madame",
    "madam",
    "mme",
    "lady",
    "frau",
    "signora",
    "señora",
    "senora",
    "dame",
}
FEMALE_UNMARRIED_TITLES = {"miss", "mademoiselle", "mlle", "fräulein", "signorina", "señorita", "senorita"}
FEMALE_OTHER_TITLES = {
    "ms", "sister", "mother", "aunt", "auntie", "queen", "princess", "duchess", "countess", "baroness",
    "empress", "mistress", "granny", "grandma", "doña",
}  # fmt: skip
NEUTRAL_TITLES = {
    "dr", "doctor", "professor", "prof", "captain", "capt", "colonel", "col", "general", "gen", "major",
    "lieutenant", "lt", "sergeant", "sgt", "rev", "reverend", "judge", "cousin", "squire", "pastor", "bishop",
    "cardinal", "governor", "president", "senator", "admiral", "inspector", "detective", "officer",
}  # fmt: skip
TITLES = MALE_TITLES | FEMALE_MARRIED_TITLES | FEMALE_UNMARRIED_TITLES | FEMALE_OTHER_TITLES | NEUTRAL_TITLES
FEMALE_TITLES = FEMALE_MARRIED_TITLES | FEMALE_UNMARRIED_TITLES | FEMALE_OTHER_TITLES

NAME_LABELS = {
    "PERSON",
    "GPE",
    "LOC",
    "FAC",
    "ORG",
    "NORP",
    "WORK_OF_ART",
    "EVENT",
    "PRODUCT",
    "LAW",
    "LANGUAGE",
}
NUMERIC_LABELS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"}
# Capitalised words that really can be dates/times; anything else capitalised with a numeric label is a name.
DATE_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "christmas", "easter", "michaelmas", "whitsun", "lent", "today", "tonight", "tomorrow", "yesterday",
    "spring", "summer", "autumn", "winter", "morning", "evening", "night", "noon", "midnight", "day",
    "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours", "minute", "minutes",
    "once", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "hundred",
    "thousand", "first", "second", "third", "last", "next", "half", "dozen", "ages", "age", "century",
    "later", "ago", "eve", "sabbath", "new", "the", "a", "an", "this", "that", "every", "few", "several",
}  # fmt: skip
SAINT = {"St.", "St", "Ste.", "Saint"}

# Three kinds of small word live inside names, and each step needs its own set:
# lower-case words that may stand inside a name, never at its end ("Ludwig van Beethoven", "Jack of Clubs"),
LOWER_NAME_PARTICLES = {
    "de",
    "van",
    "von",
    "der",
    "da",
    "di",
    "le",
    "la",
    "du",
    "of",
    "the",
    "and",
    "del",
    "y",
}
# particles that may open a name in lower case ("van Helsing", "de Winter"),
LEADING_PARTICLES = {"de", "van", "von", "der", "da", "di", "le", "la", "du", "del"}
# and the words of a multi-word name that are no person's name on their own ("St." of "St. Aubert").
PARTICLES = {"de", "van", "von", "der", "da", "di", "le", "la", "du", "of", "the", "and", "st", "st."}

# A capital after one of these, or at the start of the text, may be there only because a sentence opens.
SENTENCE_ENDS = set(".!?\"“”‘’'—:;\n")

TITLE_BEFORE = re.compile(r"(?:^|(?<=\s))([A-Z][A-Za-zäñ]*)(\.?)\s+$")


def title_key(word: str) -> str:
    """'Mr.' -> 'mr'; used to look words up in the title sets."""
    return word.rstrip(".").lower()


def is_title(word: str) -> bool:
    """A capitalised honorific ("Mr.", "Madame", "Sir"); lower-case "uncle" is not one here."""
    return title_key(word) in TITLES and word[:1].isupper()


def title_start(text: str, start: int) -> int:
    """The start of the honorific(s) directly before `start` ("Mr. " in "Mr. Darcy"), or `start` itself."""
    while True:
        match = TITLE_BEFORE.search(text, max(0, start - 20), start)
        if not match or not is_title(match.group(1)):
            return start
        start = match.start(1)


def sentence_initial(text: str, start: int) -> bool:
    """True if `start` opens the text or a sentence (only spaces or tabs back to a sentence end)."""
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in SENTENCE_ENDS
