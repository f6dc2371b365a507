"""The stream entry layout: byte for byte what FastStream 0.7 wrote, so old entries read."""

from __future__ import annotations

import pytest

from newswire_shared import streams

# Written by FastStream 0.7.8's BinaryMessageFormatV1 for body {"a": 1} and the headers below.
FASTSTREAM_ENTRY = (
    b"\x89BIN\r\n\x1a\n\x00\x01\x00\x00\x00\x12\x00\x00\x00F\x00\x03\x00\x0ecorrelation_id"
    b"\x00\x02t1\x00\narticle_id\x00\x02a1\x00\x08trace_id\x00\x02t1"
    b'{"a": 1}'
)


def test_entries_are_written_as_faststream_wrote_them() -> None:
    fields = streams.entry_fields(b'{"a": 1}', streams.trace_headers("a1", "t1"))
    assert fields == {"__data__": FASTSTREAM_ENTRY}


def test_faststream_entries_read_back() -> None:
    body, headers = streams.decode_entry({b"__data__": FASTSTREAM_ENTRY})
    assert body == b'{"a": 1}'
    assert headers == {"correlation_id": "t1", "article_id": "a1", "trace_id": "t1"}


def test_round_trip_with_unicode_and_large_body() -> None:
    body = ("Zelenskyy — Київ " * 100_000).encode()
    headers = {"article_id": "ä" * 60, "trace_id": "t"}
    assert streams.unpack_entry(streams.pack_entry(body, headers)) == (body, headers)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"data": "{}", "headers": {"trace_id": "t"}}', (b"{}", {"trace_id": "t"})),
        (b"{not json", (b"{not json", {})),
        (b'{"x": 1}', (b'{"x": 1}', {})),
        (b"\x89BIN\r\n\x1a\n\x00", (b"\x89BIN\r\n\x1a\n\x00", {})),  # cut short
    ],
)
def test_other_layouts_pass_as_a_raw_body(data: bytes, expected: tuple[bytes, dict]) -> None:
    assert streams.unpack_entry(data) == expected


def test_entry_without_data_field_is_empty() -> None:
    assert streams.decode_entry({b"other": b"x"}) == (b"", {})
