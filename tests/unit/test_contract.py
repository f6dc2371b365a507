"""The AsyncAPI contract is generated from messages.py and committed as generated."""

from __future__ import annotations

import json
from pathlib import Path

from newswire_shared import contract, streams
from newswire_shared.messages import (
    CleanArticle,
    DeadLetter,
    ExtractedArticle,
    FetchRequest,
    RawArticle,
)
from tests.conftest import ROOT

COMMITTED = ROOT / "deploy" / "asyncapi.json"
PAYLOADS = {
    streams.FETCH: FetchRequest,
    streams.RAW: RawArticle,
    streams.CLEAN: CleanArticle,
    streams.EXTRACTED: ExtractedArticle,
    streams.DLQ: DeadLetter,
}


def test_committed_document_is_the_generated_one() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == contract.document(), (
        "deploy/asyncapi.json is stale: run `make asyncapi` and commit it"
    )


def test_every_stream_is_documented_with_its_model_as_payload() -> None:
    doc = json.loads(contract.document())
    assert set(PAYLOADS) == {*streams.PIPELINE_STREAMS, streams.DLQ}
    assert set(doc["channels"]) == set(PAYLOADS)
    schemas = doc["components"]["schemas"]
    for stream, model in PAYLOADS.items():
        channel = doc["channels"][stream]
        assert channel["address"] == stream
        assert channel["description"]
        assert doc["operations"][stream]["action"] == "send"
        (ref,) = [m["$ref"] for m in channel["messages"].values()]
        message = doc["components"]["messages"][ref.rsplit("/", 1)[-1]]
        assert message["payload"] == {"$ref": f"#/components/schemas/{model.__name__}"}
        expected = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in expected.pop("$defs", {}).items():
            assert schemas[name] == sub
        assert schemas[model.__name__] == expected


def test_the_document_says_how_entries_are_encoded() -> None:
    doc = json.loads(contract.document())
    assert "BinaryMessageFormatV1" in doc["info"]["description"]
    assert doc["asyncapi"].startswith("3.")


def test_main_writes_the_document(tmp_path: Path) -> None:
    target = tmp_path / "asyncapi.json"
    contract.main([str(target)])
    assert target.read_text(encoding="utf-8") == contract.document()
