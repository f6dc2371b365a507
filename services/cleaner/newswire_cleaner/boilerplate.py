"""A site-independent paragraph filter for what trafilatura leaves behind.

Two kinds of evidence decide that a paragraph is debris:

- its whole shape matches a pattern in ``patterns/boilerplate_en.txt`` (data, grouped by
  reason, so rules can be audited and extended without touching code);
- structure: a line repeating the title, short non-sentence lines at the very start or
  end of the text, a caption line just before a photo credit, a bare name next to other
  header debris (a byline), and the appeal paragraphs that follow a "Dear reader" line.

Every dropped line is reported as a ``Removal`` with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from lxml.html import HtmlElement

from newswire_shared.messages import Removal

from .needles import floats, fold, required_needles

PATTERN_FILE = "boilerplate_en.txt"

# Edge-only rules (bylines, author bios) apply within this many lines of either end: in
# the middle of an article "Smith is a reporter for ..." is usually reporting.
HEAD_LINES = 6
TAIL_LINES = 5

# No pattern can match a longer line (their quantifiers are bounded), so skip the regex
# work on long paragraphs: it keeps huge pages fast.
MAX_PATTERN_LINE = 1500

# This many whole-link lines in a row inside the text are a link list, not reporting.
LINK_RUN = 3

# A "short" line is too short to be a sentence of reporting on its own.
SHORT_WORDS = 10
SHORT_CHARS = 90

_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$")
_DEAR_READER = re.compile(r"dear (valued )?(readers?|subscribers?|friends?)\b", re.I)
_APPEAL_WORDS = re.compile(
    r"\b(support(ing)? (us|our|the|independent|quality|free|local)|donat\w*|members?(hip)?|"
    r"subscri\w*|contribut\w*|journalism|patreon|paypal|sponsor\w*|readers?|pay(ing|wall)?|"
    r"free|fund(ing|raising)?)\b",
    re.I,
)
_STRONG_APPEAL_WORDS = re.compile(
    r"\b(subscri\w*|donat\w*|paywall|membership|sign up|log in|patreon|paypal)\b", re.I
)
_APPEAL_REASONS = frozenset({"donation", "paywall"})
# A bare person name: 2-4 capitalised words, optionally "and"-joined ("Jane Doe and Al Roe").
_NAME = re.compile(
    r"(by\s+)?[A-Z][\w'’.-]+( (and |& )?[A-Z][\w'’.-]*){1,5}",
)
_LIST_ITEM = re.compile(r"([-*•–·]|\d{1,3}[.)])\s")
_NON_WORD = re.compile(r"[^\w\s]")

# Reasons whose neighbours, if bare names, are bylines: header debris.
_HEADER_REASONS = frozenset({"byline", "photo_credit", "caption", "title", "ui", "share"})


@dataclass(frozen=True)
class Guarded:
    """A pattern tried only on lines that hold a needle of each set (see ``needles``)."""

    needles: tuple[tuple[str, ...], ...]
    pattern: re.Pattern[str]

    def fullmatch(self, line: str, folded: str) -> bool:
        for needles in self.needles:  # loops, not any(): this runs for every line
            for needle in needles:
                if needle in folded:
                    break
            else:
                return False
        return self.pattern.fullmatch(line) is not None


@dataclass(frozen=True)
class Rule:
    """A reason and its patterns: ``pattern`` joins those tried on every line."""

    reason: str
    pattern: re.Pattern[str] | None
    edge_only: bool
    guarded: tuple[Guarded, ...] = ()

    def matches(self, line: str, folded: str) -> bool:
        """Whether ``line`` (normalised; ``folded`` is its ``fold``) is wholly a match."""
        if self.pattern is not None and self.pattern.fullmatch(line):
            return True
        for guarded in self.guarded:  # noqa: SIM110 (a generator costs more, per line)
            if guarded.fullmatch(line, folded):
                return True
        return False


@dataclass
class FilterResult:
    kept: list[str] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)


def parse_rules(source: str) -> tuple[Rule, ...]:
    """Parse the pattern file format: ``[reason]`` or ``[reason edge]`` headers, then regexes.

    All patterns of one section are joined into one alternation, so a line costs one
    regex call per reason rather than one per pattern.
    """
    sections: dict[tuple[str, bool], list[str]] = {}
    current: tuple[str, bool] | None = None
    for number, raw in enumerate(source.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            words = line[1:-1].split()
            if not words or any(w != "edge" for w in words[1:]):
                raise ValueError(f"line {number}: bad section header {line!r}")
            current = (words[0], "edge" in words[1:])
            sections.setdefault(current, [])
            continue
        if current is None:
            raise ValueError(f"line {number}: pattern before any [reason] header")
        re.compile(line)  # fail here, with the line number, rather than in the join
        sections[current].append(line)
    return tuple(_rule(reason, edge, pats) for (reason, edge), pats in sections.items() if pats)


def _rule(reason: str, edge: bool, patterns: list[str]) -> Rule:
    """Patterns that open with a literal are joined into one alternation: a line costs
    one regex call for them, which fails at the first char on most lines. The others
    are guarded by their needles where they have some."""
    plain: list[str] = []
    guarded = []
    for pattern in patterns:
        found = required_needles(pattern, re.I) if floats(pattern, re.I) else []
        if not found:
            plain.append(pattern)
            continue
        needles = tuple(tuple(sorted(s, key=lambda n: (-len(n), n))) for s in found)
        guarded.append(Guarded(needles, re.compile(pattern, re.I)))
    joined = re.compile("|".join(f"(?:{p})" for p in plain), re.I) if plain else None
    return Rule(reason, joined, edge, tuple(guarded))


@lru_cache(maxsize=1)
def default_rules() -> tuple[Rule, ...]:
    source = resources.files(__package__).joinpath("patterns", PATTERN_FILE)
    return parse_rules(source.read_text(encoding="utf-8"))


def normalise(line: str) -> str:
    # str.split's whitespace is \s's (str.isspace), and the join strips both ends.
    return " ".join(line.split())


def _key(line: str) -> str:
    """Comparison key for title duplicates: case, punctuation and spacing ignored."""
    return " ".join(_NON_WORD.sub(" ", line.casefold()).split())


def is_short(line: str) -> bool:
    return len(line) <= SHORT_CHARS and len(line.split()) <= SHORT_WORDS


def is_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line))


def looks_like_name(line: str) -> bool:
    return len(line) <= 60 and not any(c.isdigit() for c in line) and bool(_NAME.fullmatch(line))


def classify(line: str, *, at_edge: bool = True, rules: Sequence[Rule] | None = None) -> str | None:
    """The reason ``line`` is boilerplate by pattern alone, or None."""
    return _classify(normalise(line), at_edge, rules)


def _classify(line: str, at_edge: bool, rules: Sequence[Rule] | None) -> str | None:
    """``classify`` of a normalised line."""
    if not line or len(line) > MAX_PATTERN_LINE:
        return None
    folded = fold(line)
    for rule in rules if rules is not None else default_rules():
        if rule.edge_only and not at_edge:
            continue
        if rule.matches(line, folded):
            return rule.reason
    return None


def filter_paragraphs(
    paragraphs: Sequence[str],
    title: str | None = None,
    rules: Sequence[Rule] | None = None,
    link_texts: Collection[str] = (),
) -> FilterResult:
    """Drop boilerplate paragraphs; keep the order of the rest.

    ``link_texts``: the texts of the page's links (``page_link_texts``). A paragraph that
    is entirely one link is a pointer to another page (a related story, a menu entry),
    not reporting, when it sits at an end of the text or in a list of such lines.
    """
    lines = [line for line in (normalise(p) for p in paragraphs) if line]
    n = len(lines)
    reasons: list[str | None] = [None] * n
    title_key = _key(title) if title else ""

    for i, line in enumerate(lines):
        if title_key and _key(line) == title_key:
            reasons[i] = "title"
            continue
        at_edge = i < HEAD_LINES or i >= n - TAIL_LINES
        reasons[i] = _classify(line, at_edge, rules)

    _drop_appeal_blocks(lines, reasons)
    if link_texts:
        _drop_link_runs(lines, reasons, link_texts)
    # Structural rules feed each other (a caption removed exposes a byline, a byline
    # removed exposes a short edge line), so run them until nothing changes.
    while (
        _drop_captions_and_bylines(lines, reasons)
        | _drop_short_edges(lines, reasons)
        | _drop_link_edges(lines, reasons, link_texts)
    ):
        pass

    result = FilterResult()
    for line, reason in zip(lines, reasons, strict=True):
        if reason is None:
            result.kept.append(line)
        else:
            result.removed.append(Removal(text=line, reason=reason))
    return result


def _drop_appeal_blocks(lines: list[str], reasons: list[str | None]) -> None:
    """Appeals come in blocks: the paragraphs that follow one and keep asking go too.

    After a "Dear reader" salutation any appeal vocabulary continues the block; after a
    paywall or donation line only the strong words do ("subscribers", "donate"), since
    "free" or "independent" in the next paragraph is as likely to be reporting.
    """
    for i, line in enumerate(lines):
        if _DEAR_READER.match(line) and is_short(line):
            reasons[i] = "donation"
            words = _APPEAL_WORDS
        elif reasons[i] in _APPEAL_REASONS:
            words = _STRONG_APPEAL_WORDS
        else:
            continue
        for j in range(i + 1, len(lines)):
            if reasons[j] is not None:
                continue
            if len(lines[j]) > MAX_PATTERN_LINE or not words.search(lines[j]):
                break
            reasons[j] = reasons[i]


def _drop_captions_and_bylines(lines: list[str], reasons: list[str | None]) -> bool:
    changed = False
    for i, line in enumerate(lines):
        if reasons[i] is not None or not is_short(line) or is_sentence(line):
            continue
        after = reasons[i + 1] if i + 1 < len(lines) else None
        before = reasons[i - 1] if i > 0 else None
        if after == "photo_credit":
            # A short description directly above its credit line is that photo's caption.
            reasons[i] = "caption"
        elif looks_like_name(line) and (before in _HEADER_REASONS or after in _HEADER_REASONS):
            reasons[i] = "byline"
        else:
            continue
        changed = True
    return changed


def page_link_texts(tree: HtmlElement) -> set[str]:
    """Normalised texts of the page's links of three words or more (shorter ones are
    labels, which the edge rules already handle)."""
    texts = set()
    for anchor in tree.iter("a"):
        # .text for a bare link: text_content() builds a string through the subtree.
        words = ((anchor.text if len(anchor) == 0 else anchor.text_content()) or "").split()
        if len(words) >= 3:
            texts.add(" ".join(words))
    return texts


def _drop_link_edges(
    lines: list[str], reasons: list[str | None], link_texts: Collection[str]
) -> bool:
    """Strip lines that are whole links off the end of the text ("more stories" lists).

    Only the tail: at the head a linked line is as likely to be the headline or a
    standfirst linking to the article itself.
    """
    changed = False
    for i in reversed([i for i, r in enumerate(reasons) if r is None]):
        if lines[i] not in link_texts:
            break
        reasons[i] = "related"
        changed = True
    return changed


def _drop_link_runs(
    lines: list[str], reasons: list[str | None], link_texts: Collection[str]
) -> None:
    """Three or more consecutive whole-link lines are a link list inside the text."""
    run: list[int] = []
    for i in [*range(len(lines)), -1]:
        if i >= 0 and reasons[i] is None and lines[i] in link_texts:
            run.append(i)
            continue
        if len(run) >= LINK_RUN:
            for j in run:
                reasons[j] = "related"
        run = []


def is_label(line: str) -> bool:
    """A menu entry or widget label ("Related Topics", "twitter", "Bonus video:").

    Not a label: a sentence, a salutation, dateline or clause that goes on (ends with a
    comma or a dash: "WASHINGTON —"), a
    list item of several words, or a line with digits (addresses, phone numbers, scores:
    facts that end a review or a notice; counters are caught by patterns instead).
    """
    if not is_short(line) or is_sentence(line) or line.endswith((",", "—", "–", "-")):
        return False
    if any(c.isdigit() for c in line):
        return False
    return not (_LIST_ITEM.match(line) and len(line.split()) >= 4)


def _drop_short_edges(lines: list[str], reasons: list[str | None]) -> bool:
    """Strip labels (menus, "Related", share buttons) off both ends of the text."""
    changed = False
    kept = [i for i, r in enumerate(reasons) if r is None]
    for order in (kept, kept[::-1]):
        for i in order:
            if not is_label(lines[i]):
                break
            reasons[i] = "ui"
            changed = True
    return changed
