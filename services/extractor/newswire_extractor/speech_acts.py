"""What a reported saying does, read from what it reports: "said the West is risking a
direct confrontation" warns of consequences (THREATEN), "said Ukraine had every right to
defend itself" takes a side (SUPPORT), "said the systems must be delivered" demands
(REQUEST), "maintained that the invasion is a violation of
international law" accuses (ACCUSE). Plain patterns over the reported clause's words
outside quote marks; a saying that matches none stays a STATEMENT."""

from __future__ import annotations

import re

_CONSEQUENCE = r"(?:confrontation|war|conflict|escalation|consequences|retaliation|catastrophe)"
THREATEN = re.compile(
    rf"\brisk(?:s|ed|ing)?\b[^.;]{{0,40}}\b{_CONSEQUENCE}\b"
    rf"|\b(?:would|will|could)\s+(?:\w+\s+)?(?:lead|amount|result)\s+(?:\w+\s+)?in(?:to)?\b"
    rf"[^.;]{{0,30}}\b{_CONSEQUENCE}\b"
    rf"|\b(?:would|will|could)\s+(?:\w+\s+)?(?:lead|amount)\s+to\b[^.;]{{0,30}}\b{_CONSEQUENCE}\b"
    rf"|\b(?:would|will|could)\s+(?:\w+\s+)?(?:trigger|provoke|spark|mean)\b[^.;]{{0,30}}\b"
    rf"{_CONSEQUENCE}\b"
    r"|\b(?:will|would)\s+(?:face|pay|suffer)\b[^.;]{0,20}\b(?:consequences|price|response)\b"
    # "would respond to Iran", "will retaliate"; not "would respond to the proposal"
    r"|\b(?:will|would)\s+(?:\w+\s+)?(?:retaliate|avenge|punish|hit\s+back|strike\s+back)\b"
    r"|\b(?:will|would)\s+(?:\w+\s+)?respond\b(?!\s+to\s+(?:the|a|an|its|their|his|her|this)\s+"
    r"(?:proposal|offer|letter|request|questions?|plan|call|invitation|report))",
    re.IGNORECASE,
)
SUPPORT = re.compile(
    r"\b(?:has|have|had)\s+(?:every|the|a|full)\s+right\s+to\b"
    r"|\birreversible\b"
    r"|\bstands?\s+(?:firmly\s+|fully\s+)?(?:with|by|behind)\b"
    r"|\b(?:full|unwavering|unconditional|steadfast)\s+support\b",
    re.IGNORECASE,
)
ACCUSE = re.compile(
    r"\b(?:violation|breach)\s+of\s+(?:international|the|its|human)\b"
    r"|\b(?:violates|violated|breached)\s+(?:international|the|its)\b"
    r"|\bwar\s+crimes?\b|\bgenocide\b|\bcrimes?\s+against\s+humanity\b|\bethnic\s+cleansing\b"
    r"|\bact\s+of\s+(?:aggression|terror(?:ism)?)\b",
    re.IGNORECASE,
)

# "said the systems must be delivered", "said nations need to lift the limits": a demand
# ("should it allow ..." is a condition, not a demand).
REQUEST = re.compile(
    r"\b(?:must|should|ought\s+to|needs?\s+to|has\s+to|have\s+to)\b(?!\s+(?:it|they|he|she)\b)",
    re.IGNORECASE,
)


def speech_act(reported: str) -> str | None:
    """The event type a saying of ``reported`` is, beyond a statement (None: none)."""
    acts = (("THREATEN", THREATEN), ("ACCUSE", ACCUSE), ("SUPPORT", SUPPORT), ("REQUEST", REQUEST))
    for etype, pattern in acts:
        if pattern.search(reported):
            return etype
    return None
