"""One readable line per event (``events`` and ``tail`` share it)."""

from __future__ import annotations

from typing import Any

EVIDENCE_CHARS = 120


def event_line(event: dict[str, Any], article_id: str | None = None) -> str:
    parts = [f"{event.get('type', '?'):<10}"]
    actors = _names(event.get("actors"))
    recipients = _names(event.get("recipients"))
    if actors or recipients:
        parts.append(f"{actors or '?'} -> {recipients or '?'}")
    location = event.get("location") or {}
    if location.get("name"):
        country = f" ({location['country']})" if location.get("country") else ""
        parts.append(f"@ {location['name']}{country}")
    when = event.get("date") or (event.get("time") or {}).get("date")
    if when:
        parts.append(f"on {when}")
    counts = [_count(c) for c in event.get("counts") or []]
    if counts:
        parts.append(" ".join(counts))
    modality = event.get("modality") or {}
    flags = [name for name in ("negated", "hypothetical", "future") if modality.get(name)]
    if flags:
        parts.append(f"[{','.join(flags)}]")
    evidence = " ".join(((event.get("evidence") or {}).get("sentence") or "").split())
    if evidence:
        if len(evidence) > EVIDENCE_CHARS:
            evidence = evidence[: EVIDENCE_CHARS - 1] + "…"
        parts.append(f'"{evidence}"')
    article = article_id or event.get("article_id")
    if article:
        parts.append(f"[{article}]")
    return "  ".join(parts)


def _names(refs: Any) -> str:
    return ", ".join(str(ref.get("name", "?")) for ref in refs or [])


def _count(count: dict[str, Any]) -> str:
    qualifier = (
        ">=" if count.get("at_least")
        else "<=" if count.get("at_most")
        else "~" if count.get("approximate")
        else "="
    )  # fmt: skip
    return f"{count.get('kind', '?')}{qualifier}{count.get('value', '?')}"
