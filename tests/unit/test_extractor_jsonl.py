"""``newswire extract --jsonl``: for outside scorers, every mention, quote and event with
character offsets into the input line's own text."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from newswire_cli.main import app

runner = CliRunner()

ITEMS = [
    {
        "id": "article",
        "published": "2024-05-28",
        "text": (
            "Ukrainian President Volodymyr Zelenskyy urged allies on Monday to send more air "
            "defence systems.\n\n“We need decisions,” he said, “and we need them now.”\n\n"
            "Meanwhile, in Kharkiv, a Russian guided bomb killed one civilian and injured at "
            "least 10 more, the governor said on Telegram."
        ),
    },
    {"id": "sentence", "text": "Germany pledged 500 million euros in military aid to Ukraine."},
    {"id": "no-date", "text": "Selenskyj met Zelenskiy's chief of staff."},
]


def test_every_part_has_offsets_into_its_own_text() -> None:
    lines = "\n".join(json.dumps(item) for item in ITEMS) + "\n"
    result = runner.invoke(app, ["extract", "--jsonl"], input=lines)
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [i["id"] for i in ITEMS]
    for item, got in zip(ITEMS, out, strict=True):
        text = item["text"]
        assert got["mentions"], item["id"]
        for m in got["mentions"]:
            assert text[m["start"] : m["end"]] == m["text"]
        for q in got["quotes"]:
            assert text[q["start"] : q["end"]] == q["text"]
        for e in got["events"]:
            ev = e["evidence"]
            assert text[ev["start"] : ev["end"]] == ev["sentence"]
    article = out[0]
    assert {e["type"] for e in article["events"]} >= {"REQUEST", "ASSAULT", "STATEMENT"}
    [split] = [q for q in article["quotes"] if q["kind"] == "direct"]
    assert split["speaker"]["name"] == "Volodymyr Zelenskyy"
    [assault] = [e for e in article["events"] if e["type"] == "ASSAULT"]
    assert assault["location"]["name"] == "Kharkiv"
    assert {(c["kind"], c["value"], c["at_least"]) for c in assault["counts"]} == {
        ("killed", 1, False),
        ("injured", 10, True),
    }
    assert assault["claim_source"] and "Telegram" in assault["claim_source"]
    [aid] = out[1]["events"]
    assert aid["money"] == [
        {"amount": 500_000_000.0, "currency": "EUR", "text": aid["money"][0]["text"]}
    ]
    # Two spellings of one person, one id.
    ids = {m["entity_id"] for m in out[2]["mentions"] if m["type"] == "PERSON"}
    assert len(ids) == 1
