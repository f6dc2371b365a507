"""Literal needles in front of the boilerplate patterns.

Most lines match no pattern, and a regex with a leading ``.{0,400}`` backtracks over the
whole line before it gives up. ``required_needles`` reads a pattern's parse tree and
returns strings one of which every match must contain; when none of them is in the line
(``fold``-ed), the regex cannot match and is not run. Where a pattern guarantees no
literal (``\\d{1,2}:\\d{2}``) it gets no guard.

Case-insensitive matching pairs an ASCII letter with four non-ASCII ones (``ı`` and
``İ`` with ``i``, ``ſ`` with ``s``, the Kelvin sign with ``k``); ``fold`` maps those
onto the ASCII letter, so a needle is in the folded line whenever the regex could match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

Needles = frozenset[str]

# str.casefold already folds ſ and the Kelvin sign; dotted and dotless i it does not.
_ODD_I = str.maketrans({"İ": "i", "ı": "i"})


def fold(text: str) -> str:
    if "İ" in text or "ı" in text:  # rare: skip translate's per-char lookups otherwise
        text = text.translate(_ODD_I)
    return text.casefold()


def _plain(char: str) -> str | None:
    """The folded form of a pattern's literal char, if matching it is that simple: an
    ASCII char, or one without case (©, ’)."""
    if char.isascii():
        return char.lower()
    if char.lower() == char == char.upper() and char.casefold() == char:
        return char
    return None


def _best(candidates: list[Needles]) -> Needles:
    """The most selective set: longest shortest needle, then fewest needles."""
    return max(candidates, key=lambda s: (min(len(n) for n in s), -len(s)))


def _sequence(items: Iterable[tuple[Any, Any]]) -> list[Needles]:
    """Needle sets a match of ``items`` holds one needle of, each (a conjunction)."""
    required: list[Needles] = []
    run: list[str] = []
    for op, av in items:
        char = _plain(chr(av)) if op is c.LITERAL else None
        if char is not None:
            run.append(char)
            continue
        if run:
            required.append(frozenset({"".join(run)}))
            run = []
        required.extend(_item(op, av))
    if run:
        required.append(frozenset({"".join(run)}))
    return required


def _item(op: Any, av: Any) -> list[Needles]:
    if op is c.SUBPATTERN:
        return _sequence(av[3])
    if op is c.ATOMIC_GROUP:
        return _sequence(av)
    if op is c.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            found = _sequence(branch)
            if not found:
                return []
            union |= _best(found)
        return [frozenset(union)]
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _high, body = av
        return _sequence(body) if low >= 1 else []
    if op is c.IN:
        chars = [_plain(chr(v)) if o is c.LITERAL else None for o, v in av]
        if chars and all(ch is not None for ch in chars):
            return [frozenset(ch for ch in chars if ch is not None)]
    return []


def required_needles(pattern: str, flags: int = re.IGNORECASE, most: int = 2) -> list[Needles]:
    """Needle sets such that every string ``pattern`` matches holds (folded) a needle of
    each; the ``most`` most selective ones. Empty when the pattern guarantees none."""
    found = set(_sequence(_parser.parse(pattern, flags)))
    return sorted(found, key=lambda s: (-min(len(n) for n in s), len(s), sorted(s)))[:most]


def _opens_with_literal(items: list[tuple[Any, Any]]) -> bool:
    if not items:
        return False
    op, av = items[0]
    if op is c.LITERAL:
        return True
    if op is c.SUBPATTERN:
        return _opens_with_literal(list(av[3]))
    if op is c.BRANCH:
        return all(_opens_with_literal(list(branch)) for branch in av[1])
    if op is c.IN:
        return all(o is c.LITERAL for o, _ in av)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        return bool(av[0] >= 1 and _opens_with_literal(list(av[2])))
    return False


def opens_with_literal(pattern: str, flags: int = re.IGNORECASE) -> bool:
    r"""Whether every match starts with a literal char: such a pattern fails at once on
    most lines, where one opening with ``.{0,400}`` or ``[A-Z]\w+`` tries and backtracks."""
    return _opens_with_literal(list(_parser.parse(pattern, flags)))


def floats(pattern: str, flags: int = re.IGNORECASE) -> bool:
    """Whether the pattern opens with an optional run of anything (``.{0,400}``): such a
    pattern fails slowly, trying every start, where an anchored one fails at once."""
    items = list(_parser.parse(pattern, flags))
    if not items or items[0][0] not in (c.MAX_REPEAT, c.MIN_REPEAT):
        return False
    low, _high, body = items[0][1]
    return bool(low == 0 and len(body) == 1 and body[0][0] in (c.ANY, c.IN))
