"""The ``newswire`` command: offline stages, input handling, and failures as messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswire_cli.main import app
from newswire_cli.render import event_line
from newswire_shared.devredis import free_port

runner = CliRunner()

DEBRIS_TEXT = """\
Kharkiv hit by missile strike as officials count the dead

5960 views 41 reactions 24 comment(s)
Photo: Reuters

The mayor of Kharkiv said on Monday that at least four people were killed and twelve \
injured when a Russian missile struck the city centre.

Emergency crews worked through the night to clear the rubble, the regional governor said.

Leave a Reply
"""


def _cleaner() -> None:
    module = pytest.importorskip("newswire_cleaner.clean")
    if not all(hasattr(module, name) for name in ("clean_html", "clean_text")):
        pytest.skip("the cleaner's clean_html/clean_text are not there yet")


def _extractor() -> None:
    module = pytest.importorskip("newswire_extractor.extract")
    if not hasattr(module, "extract"):
        pytest.skip("the extractor's extract() is not there yet")


def test_clean_text_file_drops_debris(tmp_path: Path) -> None:
    _cleaner()
    source = tmp_path / "story.txt"
    source.write_text(DEBRIS_TEXT, encoding="utf-8")
    result = runner.invoke(app, ["clean", str(source)])
    assert result.exit_code == 0, result.output
    assert "at least four people were killed" in result.stdout
    assert "5960 views" not in result.stdout
    assert "Photo: Reuters" not in result.stdout


def test_clean_json_reports_removals(tmp_path: Path) -> None:
    _cleaner()
    source = tmp_path / "story.txt"
    source.write_text(DEBRIS_TEXT, encoding="utf-8")
    result = runner.invoke(app, ["clean", str(source), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "Emergency crews" in data["text"]
    assert any("5960 views" in removal["text"] for removal in data["removed"])


def test_clean_detects_html(tmp_path: Path) -> None:
    _cleaner()
    page = tmp_path / "page.html"
    page.write_text(
        "\n  <html><body><nav>Home | World</nav><article><p>"
        + DEBRIS_TEXT.split("\n\n")[2]
        + "</p></article></body></html>",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["clean", str(page)])
    assert result.exit_code == 0, result.output
    assert "at least four people were killed" in result.stdout
    assert "<p>" not in result.stdout


def test_clean_jsonl_echoes_ids_and_reports_bad_lines() -> None:
    _cleaner()
    lines = [
        json.dumps({"id": "a", "text": DEBRIS_TEXT}),
        "not json",
        json.dumps({"id": 7}),
        json.dumps({"text": DEBRIS_TEXT}),
    ]
    result = runner.invoke(app, ["clean", "--jsonl"], input="\n".join(lines) + "\n")
    assert result.exit_code == 1  # some lines failed; the others were still cleaned
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["id"] == "a" and "killed" in out[0]["text"]
    assert "not JSON" in out[1]["error"]
    assert out[2] == {"id": 7, "error": out[2]["error"]} and "html" in out[2]["error"]
    assert "id" not in out[3] and "killed" in out[3]["text"]


def test_clean_empty_text_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    _cleaner()
    source = tmp_path / "empty.txt"
    source.write_text("   \n", encoding="utf-8")
    result = runner.invoke(app, ["clean", str(source)])
    assert result.exit_code == 1
    assert result.output.startswith("error: ")
    assert "Traceback" not in result.output


def test_extract_jsonl_echoes_ids() -> None:
    _extractor()
    lines = [
        json.dumps({"id": 1, "text": DEBRIS_TEXT.split("\n\n")[2], "published": "2024-05-27"}),
        json.dumps({"id": 2, "text": "x", "published": "27/05/2024"}),
    ]
    result = runner.invoke(app, ["extract", "--jsonl"], input="\n".join(lines) + "\n")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [item["id"] for item in out] == [1, 2]
    assert "extractor_version" in out[0]
    assert "not a date" in out[1]["error"]


def test_missing_file_is_a_clear_error() -> None:
    result = runner.invoke(app, ["clean", "/nonexistent/story.txt"])
    assert result.exit_code == 1
    assert "cannot read" in result.output


def test_unreachable_fetcher_exits_1_without_traceback() -> None:
    env = {"NEWSWIRE_FETCHER_URL": f"http://127.0.0.1:{free_port()}"}
    for args in (["submit", "https://example.com/a"], ["status", "0123456789abcdef"]):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 1
        assert "cannot reach the fetcher" in result.output
        assert "Traceback" not in result.output


def test_unreachable_sink_and_redis() -> None:
    port = free_port()
    env = {"NEWSWIRE_SINK_URL": f"http://127.0.0.1:{port}",
           "NEWSWIRE_REDIS_URL": f"redis://:secret@127.0.0.1:{port}/0"}  # fmt: skip
    result = runner.invoke(app, ["events", "--type", "assault"], env=env)
    assert result.exit_code == 1 and "cannot reach the sink" in result.output
    result = runner.invoke(app, ["dlq", "list"], env=env)
    assert result.exit_code == 1 and "cannot reach Redis" in result.output
    assert "secret" not in result.output


def test_usage_errors() -> None:
    assert "give at least one URL" in runner.invoke(app, ["submit"]).output
    assert "one ENTRY_ID or --all" in runner.invoke(app, ["dlq", "replay"]).output
    assert runner.invoke(app, ["events", "--since", "yesterday"]).exit_code == 2


def test_event_line() -> None:
    event = {
        "type": "ASSAULT",
        "actors": [{"entity_id": "ru", "name": "Russia", "type": "GPE"}],
        "recipients": [{"entity_id": "ua", "name": "Ukraine", "type": "GPE"}],
        "location": {"name": "Kharkiv", "country": "UA"},
        "time": {"text": "on Monday", "date": "2024-05-27"},
        "counts": [{"kind": "killed", "value": 4, "at_least": True}],
        "modality": {"negated": False},
        "evidence": {"sentence": "At least four people were killed.", "start": 0, "end": 33},
    }
    line = event_line(event, "abc")
    assert line.startswith("ASSAULT")
    for part in ("Russia -> Ukraine", "@ Kharkiv (UA)", "on 2024-05-27", "killed>=4",
                 '"At least four people were killed."', "[abc]"):  # fmt: skip
        assert part in line
