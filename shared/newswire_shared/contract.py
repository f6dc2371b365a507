"""The streams' AsyncAPI contract, declared on a FastStream broker that never runs.

Each stream of the pipeline is one publisher whose schema is the pydantic model in
``messages``, so the document generated here (``make asyncapi`` writes
deploy/asyncapi.json) cannot drift from the models the services validate against.
FastStream apps that read or write these streams use the same entry format.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from faststream.redis import RedisBroker
from faststream.specification import AsyncAPI
from pydantic import BaseModel

from . import streams
from .messages import CleanArticle, DeadLetter, ExtractedArticle, FetchRequest, RawArticle

TITLE = "newswire"
VERSION = "1"  # follows messages.SCHEMA_VERSION
ENTRY_FORMAT = (
    "Each entry has one field, `__data__`, in FastStream's binary message format "
    "(BinaryMessageFormatV1): headers `article_id`, `trace_id` and `correlation_id` "
    "(= trace_id), then the JSON body."
)

# stream -> (payload model, who writes it and who reads it)
STREAMS: dict[str, tuple[type[BaseModel], str]] = {
    streams.FETCH: (
        FetchRequest,
        "Fetch jobs: the fetcher API queues a submitted URL; the fetcher's workers read it.",
    ),
    streams.RAW: (
        RawArticle,
        "Fetched or pushed articles (HTML or text); the cleaner reads them.",
    ),
    streams.CLEAN: (
        CleanArticle,
        "Main text, metadata and removals of an article; the extractor reads them.",
    ),
    streams.EXTRACTED: (
        ExtractedArticle,
        "Entities, quotes and events of an article; the sink stores them.",
    ),
    streams.DLQ: (
        DeadLetter,
        "Entries a stage could not process, with the error and the original body; "
        "`newswire dlq` lists and replays them.",
    ),
}


def broker() -> RedisBroker:
    """A broker with one documented publisher per stream; it is never started."""
    declared = RedisBroker(description="newswire's Redis Streams. " + ENTRY_FORMAT)
    for stream, (model, description) in STREAMS.items():
        declared.publisher(
            stream=stream,
            title=stream,
            description=description,
            schema=model,
        )
    return declared


def document() -> str:
    """The AsyncAPI document, as committed in deploy/asyncapi.json."""
    spec = AsyncAPI(
        broker(),
        title=TITLE,
        version=VERSION,
        description="Messages between newswire's services. " + ENTRY_FORMAT,
    ).to_specification()
    return json.dumps(spec.to_jsonable(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else Path("deploy/asyncapi.json")
    target.write_text(document(), encoding="utf-8")


if __name__ == "__main__":
    main()
