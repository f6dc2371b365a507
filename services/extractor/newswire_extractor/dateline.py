"""The dateline of a wire story ("KYIV, March 3 (Reuters) -", "EL FASHER, Sudan (AP) —"):
where the reporter filed from, and so where the lead's events happened when the lead
names no place of its own."""

from __future__ import annotations

import re

from newswire_shared.messages import Event, Location, Mention

from .gazetteer import lookup_place

MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
DATELINE = re.compile(
    r"(?:\A|\n)[ \t]*(?P<place>[A-Z][A-Z'’.-]+(?:\s+[A-Z][A-Z'’.-]+){0,2})"
    r"(?:,\s*[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+){0,2})?"  # ", Ukraine", ", Sudan"
    rf"(?:,?\s*{MONTH})?"
    r"(?:\s*\((?:[A-Za-z][A-Za-z ]{0,30})\))?"  # "(Reuters)"
    r"\s*[-—–]+\s"
)
# A liveblog entry's time: "16:45 GMT –", "Updated 10:12 ET —", "08:30 BST:".
TIMESTAMP = re.compile(
    r"\A\s*(?:(?:Updated|UPDATED)\s+)?\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?\s*)?"
    r"(?:[A-Z]{2,4}\s*)?(?:[-—–:|]\s*)"
)


def lead_prefix(text: str) -> int:
    """Length of a dateline or liveblog time opening ``text``: no part of what it says."""
    for pattern in (TIMESTAMP, DATELINE):
        m = pattern.match(text)
        if m is not None:
            return m.end()
    return 0


# Things that happen at a place; what was said is located where it was said, if at all.
PLACED = {"ASSAULT", "PROTEST", "COERCE", "TERRITORY", "MOBILIZE", "RETREAT"}


# A headline or two may come before it.
HEAD = 400


def dateline_location(text: str, mentions: list[Mention]) -> tuple[Location, int] | None:
    """The dateline's place and where its paragraph ends."""
    m = DATELINE.search(text, 0, HEAD + 200)
    if m is None or m.start("place") > HEAD:
        return None
    start, end = m.span("place")
    mention = next((x for x in mentions if x.start == start and x.end == end), None)
    place = lookup_place(m["place"])
    if mention is None or place is None or mention.type not in ("GPE", "LOC"):
        return None
    lead_end = text.find("\n", m.end())
    where = Location(
        name=place.name,
        entity_id=mention.entity_id,
        country=place.country,
        latitude=place.latitude,
        longitude=place.longitude,
        precision=place.precision,
    )
    return where, len(text) if lead_end < 0 else lead_end


def locate_lead(text: str, mentions: list[Mention], events: list[Event]) -> None:
    """Events of the dateline's paragraph with no place of their own happened there."""
    found = dateline_location(text, mentions)
    if found is None:
        return
    where, lead_end = found
    for event in events:
        if event.location is None and event.type in PLACED and event.evidence.start < lead_end:
            event.location = where
