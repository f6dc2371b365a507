"""Numbers in news text: money amounts with currency, and counts with qualifiers.

Regular expressions over the sentence text, not the NER labels: the small model often
tags "1 billion euros" as a bare CARDINAL and "at least four" as nothing at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newswire_shared.messages import Count

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"trillion|billion|million|thousand|bn|mn|tn|m|k"
SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_SYMBOLS = {
    "$": "USD",
    "US$": "USD",
    "U.S.$": "USD",
    "€": "EUR",
    "£": "GBP",
    "₴": "UAH",
    "₽": "RUB",
    "C$": "CAD",
    "A$": "AUD",
}
_WORDS = {
    "euro": "EUR",
    "dollar": "USD",
    "pound": "GBP",
    "hryvnia": "UAH",
    "ruble": "RUB",
    "rouble": "RUB",
    "yen": "JPY",
    "yuan": "CNY",
    "franc": "CHF",
}
_CODES = ("USD", "EUR", "GBP", "UAH", "RUB", "JPY", "CNY", "CHF", "CAD", "AUD")

_MONEY_SYMBOL = re.compile(
    rf"(?P<cur>US\$|U\.S\.\$|C\$|A\$|\$|€|£|₴|₽)\s?(?P<num>{_NUM})(?:\s?(?P<scale>{_SCALE})\b)?"
)
_MONEY_CODE = re.compile(
    rf"\b(?P<cur>{'|'.join(_CODES)})\s?(?P<num>{_NUM})(?:\s?(?P<scale>{_SCALE})\b)?"
)
_MONEY_WORD = re.compile(
    rf"(?P<num>{_NUM})(?:\s?(?P<scale>{_SCALE}))?\s+(?:(?:US|U\.S\.)\s+)?"
    rf"(?P<cur>(?i:euros?|dollars?|pounds?|hryvnias?|rubles?|roubles?|yen|yuan|francs?))\b"
)


@dataclass(frozen=True)
class MoneyMatch:
    start: int
    end: int
    amount: float
    currency: str
    text: str


def _amount(num: str, scale: str | None) -> float:
    value = float(num.replace(",", ""))
    return value * SCALES.get((scale or "").lower(), 1.0)


def _currency(raw: str) -> str:
    if raw in _SYMBOLS:
        return _SYMBOLS[raw]
    if raw in _CODES:
        return raw
    word = raw.lower().rstrip("s") if raw.lower() not in ("yen",) else "yen"
    return _WORDS.get(word, raw.upper())


def find_money(text: str) -> list[MoneyMatch]:
    found: list[MoneyMatch] = []
    for pattern in (_MONEY_SYMBOL, _MONEY_CODE, _MONEY_WORD):
        for m in pattern.finditer(text):
            if any(m.start() < f.end and f.start < m.end() for f in found):
                continue
            scale = m.group("scale")
            # "m"/"k" only count as scales when glued to the number ("$5m"), not "5 m".
            if scale and scale.lower() in ("m", "k") and " " in m.group(0).split(m["num"])[-1]:
                continue
            found.append(
                MoneyMatch(
                    m.start(), m.end(), _amount(m["num"], scale), _currency(m["cur"]), m.group(0)
                )
            )
    return sorted(found, key=lambda f: f.start)


def parse_money(text: str) -> MoneyMatch | None:
    found = find_money(text)
    return found[0] if found else None


# --- counts -------------------------------------------------------------------------

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a dozen": 12,
}
# Vague quantities get ACLED's conservative reading: "dozens" is at least 12.
VAGUE = {"dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1000}
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_WORD_NUM = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_CNUM = (
    rf"(?:\d[\d,]*|(?:{_UNITS}|a) hundred|(?:{_TENS})[- ](?:{_UNITS})|"
    rf"(?:{'|'.join(VAGUE)})(?:\s+of)?|{_WORD_NUM})"
)
_QUAL = (
    r"at least|no fewer than|no less than|more than|over|as many as|up to|at most|"
    r"no more than|fewer than|less than|nearly|almost|about|around|roughly|"
    r"approximately|some|an estimated|close to"
)
AT_LEAST = {"at least", "no fewer than", "no less than", "more than", "over"}
AT_MOST = {"up to", "at most", "no more than", "fewer than", "less than", "as many as"}
CASUALTY = {
    "killed": "killed",
    "dead": "killed",
    "died": "killed",
    "kill": "killed",
    "kills": "killed",
    "killing": "killed",
    "wounded": "injured",
    "injured": "injured",
    "hurt": "injured",
    "injuring": "injured",
    "wounding": "injured",
    "injures": "injured",
    "wounds": "injured",
    "injure": "injured",
    "wound": "injured",
    "shot dead": "killed",
    "shooting dead": "killed",
    "gunned down": "killed",
    "massacred": "killed",
}
# Things whose number an event report gives; the kind is the plural noun.
COUNTED = {
    "drone": "drones",
    "missile": "missiles",
    "rocket": "rockets",
    "bomb": "bombs",
    "shell": "shells",
    "aircraft": "aircraft",
    "plane": "aircraft",
    "jet": "aircraft",
    "helicopter": "helicopters",
    "tank": "tanks",
    "village": "villages",
    "town": "towns",
    "settlement": "settlements",
    "soldier": "soldiers",
    "troop": "troops",
    "civilian": "civilians",
    "people": "people",
    "person": "people",
    "child": "children",
    "children": "children",
    "prisoner": "prisoners",
    "building": "buildings",
}

_FILLER = r"(?:(?!and\b|or\b|but\b|while\b|as\b|in\b|of\b)[A-Za-z.’'-]+\s+){0,3}"
_NUM_THEN_CASUALTY = re.compile(
    rf"\b(?:(?P<qual>{_QUAL})\s+)?(?P<num>{_CNUM})\b\s+(?:(?:more|other|others)\s+)?"
    rf"{_FILLER}"
    # "Eighteen people, including nine children, were killed"
    r"(?:[A-Za-z’'-]+,\s*(?:including|among them|among whom|most of them|many of them)\b"
    r"[^,;.]{0,60},\s*)?"
    rf"(?:(?:were|was|have been|had been|are|is|been|being|got)\s+)?"
    rf"(?P<cas>killed|dead|died|wounded|injured|hurt)\b",
    re.IGNORECASE,
)
_CASUALTY_THEN_NUM = re.compile(
    rf"\b(?P<cas>killing|killed|kills|kill|injuring|injured|injures|injure|wounding|"
    rf"wounded|wounds|wound|shot dead|shooting dead|gunned down|massacred)\s+"
    rf"(?:(?P<qual>{_QUAL})\s+)?(?P<num>{_CNUM})\b",
    re.IGNORECASE,
)
# "The death toll from the strike has risen to 31"
_TOLL = re.compile(
    rf"\bdeath toll\b[^.;]{{0,80}}?\b(?:rose|risen|rises|climbed|reached|stands at|stood at|"
    rf"jumped|increased|is|was|hit)\s+(?:to\s+)?(?:(?P<qual>{_QUAL})\s+)?(?P<num>{_CNUM})\b",
    re.IGNORECASE,
)
_NUM_THEN_THING = re.compile(
    rf"\b(?:(?P<qual>{_QUAL})\s+)?(?P<num>{_CNUM})\b\s+(?:(?:more|other)\s+)?"
    # Up to two modifiers between: "six U.S.-made ATACMS missiles", "40 Shahed drones".
    rf"(?:[A-Za-z0-9][A-Za-z0-9.’'/-]*\s+){{0,2}}?(?P<thing>{'|'.join(COUNTED)})s?\b",
    re.IGNORECASE,
)

# "158 drones and missiles": one number over a coordination of kinds is their sum, not a
# count of the first kind.
_AND_THING = re.compile(
    rf"\s+(?:and|or|&)\s+(?:(?P<adj>[A-Za-z-]+)\s+)?(?P<thing>{'|'.join(COUNTED)})s?\b",
    re.IGNORECASE,
)


def _combined_kind(text: str, m: re.Match[str]) -> str | None:
    more = _AND_THING.match(text, m.end())
    if more is None or (more["adj"] or "").lower() in NUMBER_WORDS | VAGUE.keys():
        return None
    kinds = (COUNTED[m["thing"].lower()], COUNTED[more["thing"].lower()])
    return " and ".join(kinds) if kinds[0] != kinds[1] else None


def number_value(text: str) -> int | None:
    text = text.lower().replace(",", "")
    if text.isdigit():
        return int(text)
    text = re.sub(r"\s+of$", "", text)
    if text in VAGUE:
        return VAGUE[text]
    parts = re.split(r"[- ]", text)
    if len(parts) == 2 and parts[1] == "hundred":
        return 100 * (1 if parts[0] == "a" else NUMBER_WORDS.get(parts[0], 0)) or None
    if len(parts) == 2 and parts[0] in NUMBER_WORDS and parts[1] in NUMBER_WORDS:
        return NUMBER_WORDS[parts[0]] + NUMBER_WORDS[parts[1]]  # "twenty-three"
    return NUMBER_WORDS.get(text)


# A year after a preposition of time, ending where the search window ends.
_YEAR_AFTER = re.compile(r"\b(?:in|since|by|until|till|during|from|of)\s+(?:19|20)\d\d$", re.I)


def _count(m: re.Match[str], kind: str) -> Count | None:
    value = number_value(m["num"])
    if value is None:
        return None
    qual = (m["qual"] or "").lower()
    vague = re.sub(r"\s+of$", "", m["num"].lower()) in VAGUE
    return Count(
        kind=kind,
        value=value,
        at_least=qual in AT_LEAST or vague,
        at_most=qual in AT_MOST,
        approximate=(bool(qual) and qual not in AT_LEAST | AT_MOST) or vague,
        text=m.group(0),
    )


def find_counts(text: str, skip: list[tuple[int, int]] | None = None) -> list[Count]:
    """Counts in ``text``; ``skip`` holds spans already used (money, dates)."""
    used: list[tuple[int, int]] = list(skip or [])
    counts: list[tuple[int, Count]] = []

    def free(m: re.Match[str]) -> bool:
        s, e = m.span("num")
        if _YEAR_AFTER.search(text, max(s - 8, 0), e):  # only the words right before
            return False  # "in 2023 drones hit the city": a year, not a count
        return not any(s < ue and us < e for us, ue in used)

    for pattern, kind_of in (
        (_TOLL, lambda m: "killed"),
        (_CASUALTY_THEN_NUM, lambda m: CASUALTY[m["cas"].lower()]),
        (_NUM_THEN_CASUALTY, lambda m: CASUALTY[m["cas"].lower()]),
        (_NUM_THEN_THING, lambda m: COUNTED[m["thing"].lower()]),
    ):
        for m in pattern.finditer(text):
            if not free(m):
                continue
            kind = kind_of(m)
            if pattern is _NUM_THEN_THING:
                kind = _combined_kind(text, m) or kind
            count = _count(m, kind)
            if count is not None:
                used.append(m.span("num"))
                counts.append((m.start(), count))
    return [c for _, c in sorted(counts, key=lambda x: x[0])]
