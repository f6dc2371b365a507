"""Name normalisation: one key for the many spellings of a transliterated name.

Ukrainian and Russian names reach English news through several transliteration systems
(English, German, Polish, wire-service house styles), so "Zelenskyy", "Zelenskiy",
"Zelenskyj", "Zelenski" and German "Selenskyj" must compare equal. The rules below fold
those systems onto one key instead of listing every spelling of every name.
"""

from __future__ import annotations

import re
import unicodedata

# Honorifics and titles dropped from person mentions ("Mr. Zelenskyy", "President Biden").
TITLE_WORDS = frozenset(
    [
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "dr",
        "dr.",
        "sir",
        "madam",
        "president",
        "vice",
        "prime",
        "minister",
        "secretary",
        "general",
        "chancellor",
        "governor",
        "mayor",
        "senator",
        "rep.",
        "gen.",
        "gen",
        "col.",
        "col",
        "lt.",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "chief",
        "commander",
        "premier",
        "king",
        "queen",
        "prince",
        "pope",
        "ambassador",
        "envoy",
        "foreign",
        "defense",
        "defence",
        "interior",
        "the",
    ]
)

_SLAVIC_ADJ_END = re.compile(r"(sk|ck|tsk|zk)(yy|iy|ij|yj|ii|yi|i|y|ji)$")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("ł", "l").replace("Ł", "L").lower()


def word_key(word: str) -> str:
    """Fold one name word: diacritics, German/Polish letters, Slavic -skyy/-skiy/-ski endings."""
    raw = _fold(word).strip(".'’")
    w = raw
    german = "j" in w[1:] or "w" in w or "sch" in w
    w = w.replace("tsch", "ch").replace("sch", "sh").replace("sz", "sh").replace("cz", "ch")
    if german and len(w) > 1 and w[0] == "s" and w[1] in "aeiou":
        w = "z" + w[1:]  # German "S" before a vowel transliterates Cyrillic З (z)
    if w.startswith("w") and german:
        w = "v" + w[1:]  # German W = V (Wolodymyr)
    w = _SLAVIC_ADJ_END.sub(lambda m: m.group(1).replace("ck", "sk") + "y", w)
    w = w.replace("yy", "y").replace("iy", "y")
    if w.endswith("ij") or w.endswith("yj"):
        w = w[:-2] + "y"
    return w


def name_key(name: str) -> str:
    """Key of a whole name; title words are dropped, possessive 's removed."""
    name = re.sub(r"['’]s$", "", name.strip())
    words = [w for w in re.split(r"[\s\-]+", name) if w]
    kept = [w for w in words if w.lower() not in TITLE_WORDS] or words
    return " ".join(word_key(w) for w in kept)


def surname_key(name: str) -> str:
    key = name_key(name)
    return key.rsplit(" ", 1)[-1] if key else key


# Name particles that stay with a surname: "al-Atta" is Yasser al-Atta's surname "Atta".
PARTICLES = {"al", "el", "ul", "bin", "ibn", "van", "von", "de", "da", "di", "du", "le", "la"}


def without_particles(key: str) -> str:
    words = key.split()
    while len(words) > 1 and words[0] in PARTICLES:
        words = words[1:]
    return " ".join(words)
