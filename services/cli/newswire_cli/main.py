"""``newswire``: submit pages, follow them, query events, run a stage offline, handle the DLQ."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from newswire_shared.settings import Settings
from newswire_shared.worker import PermanentError

from . import api, offline, redis_tools
from .errors import CliError
from .render import event_line

app = typer.Typer(
    name="newswire",
    help="News pages in, clean text and structured events out.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
dlq_app = typer.Typer(help="Inspect and replay dead letters (newswire.dlq).", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")

P = ParamSpec("P")
R = TypeVar("R")

JsonFlag = Annotated[bool, typer.Option("--json", help="print JSON instead of text")]
Day = Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD")]


def _settings() -> Settings:
    # Read fresh on each command, so the environment of this very call counts.
    return Settings()


def friendly(command: Callable[P, R]) -> Callable[P, R]:
    """Expected failures print one line and exit 1, without a traceback."""

    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (CliError, PermanentError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None

    return run


def _emit(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False))


def _read_source(path: Path) -> str:
    """A file's text; ``-`` reads standard input."""
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None


# --- the fetcher API ---------------------------------------------------------------------


def _urls_from(urls: list[str], file: Path | None) -> list[str]:
    collected = list(urls)
    if file is not None:
        for line in _read_source(file).splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                collected.append(line)
    if not collected:
        raise CliError("give at least one URL, or --file with one URL per line")
    return collected


@app.command()
@friendly
def submit(
    urls: Annotated[list[str] | None, typer.Argument(help="URLs to fetch")] = None,
    force: Annotated[bool, typer.Option(help="refetch pages that are already known")] = False,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="one URL per line ('-' for stdin)")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Submit URLs to the fetcher (batched); print each article id."""
    settings = _settings()
    todo = _urls_from(urls or [], file)
    size = settings.max_batch_urls
    for start in range(0, len(todo), size):
        chunk = todo[start : start + size]
        body: dict[str, Any] = {"url": chunk[0]} if len(chunk) == 1 else {"urls": chunk}
        answer = api.request("POST", settings.fetcher_url, "/articles", service="fetcher",
                             json={**body, "force": force})  # fmt: skip
        for article in answer.get("articles", []):
            if as_json:
                _emit(article)
            else:
                state = "duplicate" if article["duplicate"] else "submitted"
                typer.echo(f"{article['article_id']}  {state:<9}  {article['stage']:<9}  "
                           f"{article['canonical_url']}")  # fmt: skip


@app.command()
@friendly
def status(
    article_id: Annotated[str, typer.Argument(help="the article id")], as_json: JsonFlag = False
) -> None:
    """Where an article is: queued, fetched, cleaned, extracted, stored or failed."""
    record = api.request("GET", _settings().fetcher_url, f"/articles/{article_id}",
                         service="fetcher")  # fmt: skip
    if as_json:
        _emit(record)
        return
    for key, value in record.items():
        if value is not None:
            typer.echo(f"{key:<14} {value}")


# --- the sink API ------------------------------------------------------------------------


@app.command()
@friendly
def events(
    type_: Annotated[str | None, typer.Option("--type", help="event type, e.g. ASSAULT")] = None,
    entity: Annotated[str | None, typer.Option(help="entity id, name or alias")] = None,
    since: Day = None,
    until: Day = None,
    limit: Annotated[int, typer.Option(min=1, help="at most this many")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """Stored events, newest first (from the sink)."""
    params: dict[str, Any] = {"limit": limit}
    if type_:
        params["type"] = type_.upper()
    if entity:
        params["entity"] = entity
    if since:
        params["since"] = since.date().isoformat()
    if until:
        params["until"] = until.date().isoformat()
    answer = api.request("GET", _settings().sink_url, "/events", service="sink", params=params)
    found = answer.get("events", []) if isinstance(answer, dict) else answer
    for event in found:
        typer.echo(json.dumps(event, ensure_ascii=False) if as_json else event_line(event))
    if not found and not as_json:
        typer.echo("no events", err=True)


@app.command()
@friendly
def article(article_id: Annotated[str, typer.Argument(help="the article id")]) -> None:
    """A stored article: clean text, metadata, entities, quotes, events (JSON)."""
    answer = api.request("GET", _settings().sink_url, f"/articles/{article_id}", service="sink")
    typer.echo(json.dumps(answer, ensure_ascii=False, indent=2))


# --- Redis -------------------------------------------------------------------------------


@app.command()
@friendly
def tail(
    as_json: Annotated[bool, typer.Option("--json", help="print each message raw")] = False,
    type_: Annotated[str | None, typer.Option("--type", help="only this event type")] = None,
    count: Annotated[
        int | None, typer.Option(min=1, help="stop after this many articles (default: never)")
    ] = None,
) -> None:
    """Follow events as they are extracted (from now on; Ctrl-C stops)."""
    client = redis_tools.connect(_settings().redis_url)
    for seen, entry in enumerate(redis_tools.follow_extracted(client), start=1):
        if as_json:
            typer.echo(entry.body.decode("utf-8", errors="replace"))
        elif entry.article is None:
            typer.echo(f"{entry.entry_id}: not an ExtractedArticle, skipped", err=True)
        else:
            for event in entry.article.extraction.events:
                if type_ is None or event.type == type_.upper():
                    typer.echo(event_line(event.model_dump(mode="json"), entry.article.article_id))
        if count is not None and seen >= count:
            return


@dlq_app.command("list")
@friendly
def dlq_list(
    limit: Annotated[int, typer.Option(min=1, help="at most this many, oldest first")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """Dead letters: where each came from, why it failed, how often it was tried."""
    client = redis_tools.connect(_settings().redis_url)
    letters = redis_tools.list_letters(client, limit)
    for item in letters:
        dead = item.letter
        if as_json:
            _emit({"entry_id": item.entry_id, **(dead.model_dump(mode="json") if dead else {})})
        elif dead is None:
            typer.echo(f"{item.entry_id}  (not a DeadLetter)")
        else:
            typer.echo(
                f"{item.entry_id}  {dead.origin_stream} ({dead.service})  {dead.error_kind}  "
                f"deliveries={dead.delivery_count}  article={dead.article_id or '-'}\n"
                f"    {dead.error[:300]}"
            )
    if not letters and not as_json:
        typer.echo("the dead-letter stream is empty", err=True)


@dlq_app.command("replay")
@friendly
def dlq_replay(
    entry_id: Annotated[str | None, typer.Argument(help="the dead letter's entry id")] = None,
    replay_all: Annotated[bool, typer.Option("--all", help="replay every dead letter")] = False,
) -> None:
    """Put dead-lettered messages back on their streams (and remove them from the DLQ)."""
    if (entry_id is not None) == replay_all:  # neither, or both
        raise CliError("give one ENTRY_ID or --all")
    settings = _settings()
    client = redis_tools.connect(settings.redis_url)
    letters: Iterable[redis_tools.Letter] = (
        redis_tools.list_letters(client) if replay_all
        else [redis_tools.get_letter(client, entry_id or "")]
    )  # fmt: skip
    failures = 0
    for item in letters:
        try:
            new_id = redis_tools.replay(client, settings.redis_url, item)
        except CliError as exc:
            failures += 1
            typer.echo(f"skipped {exc}", err=True)
            continue
        origin = item.letter.origin_stream if item.letter else "?"
        typer.echo(f"replayed {item.entry_id} -> {origin} {new_id}")
    if failures:
        raise typer.Exit(1)


# --- one stage offline -------------------------------------------------------------------


def _emit_jsonl(results: Iterable[tuple[dict[str, Any], bool]]) -> None:
    failed = 0
    for payload, ok in results:
        failed += not ok
        _emit(payload)
    if failed:
        typer.echo(f"{failed} line(s) failed", err=True)
        raise typer.Exit(1)


Source = Annotated[
    Path | None, typer.Argument(help="the input file ('-' for stdin); omit with --jsonl")
]
Jsonl = Annotated[
    bool, typer.Option("--jsonl", help="JSON objects on stdin, one per line, to stdout")
]


@app.command()
@friendly
def clean(
    file: Source = None,
    jsonl: Jsonl = False,
    url: Annotated[str | None, typer.Option(help="the page's URL (helps metadata)")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Clean one page offline: HTML if it starts with '<', else plain text.

    --jsonl reads {"html": ..., "url": ...} or {"text": ...} per line.
    """
    if jsonl:
        _emit_jsonl(offline.run_jsonl(sys.stdin, offline.clean_item))
        return
    if file is None:
        raise CliError("give a FILE (or '-' for stdin), or --jsonl")
    result = offline.clean_one(_read_source(file), url)
    if as_json:
        _emit(offline.jsonable(result))
        return
    typer.echo(result.text)


@app.command()
@friendly
def extract(
    file: Source = None,
    jsonl: Jsonl = False,
    published: Annotated[
        str | None, typer.Option(help="the article's date, YYYY-MM-DD (resolves 'on Monday')")
    ] = None,
) -> None:
    """Extract entities, quotes and events from a clean text offline (JSON).

    --jsonl reads {"text": ..., "published": "YYYY-MM-DD"} per line.
    """
    if jsonl:
        _emit_jsonl(offline.extract_items(sys.stdin))
        return
    if file is None:
        raise CliError("give a FILE (or '-' for stdin), or --jsonl")
    result = offline.extract_one(_read_source(file), offline.parse_date(published))
    typer.echo(json.dumps(offline.jsonable(result), ensure_ascii=False, indent=2))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
