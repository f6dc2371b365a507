"""The stream entry layout: FastStream's binary format, read tolerantly."""

from __future__ import annotations

import pytest

from newswire_shared import streams

# Written by FastStream 0.7.8's BinaryMessageFormatV1 for body {"a": 1} and the headers below.
FASTSTREAM_ENTRY = (
    b"\x89BIN\r\n\x1a\n\x00\x01\x00\x00\x00\x12\x00\x00\x00F\x00\x03\x00\x0ecorrelation_id"
    b"\x00\x02t1\x00\narticle_id\x00\x02a1\x00\x08trace_id\x00\x02t1"
    b'{"a": 1}'
)


async def test_entries_are_written_as_faststream_wrote_them() -> None:
    fields = await streams.encode_entry(b'{"a": 1}', streams.trace_headers("a1", "t1"))
    assert fields == {"__data__": FASTSTREAM_ENTRY}


def test_faststream_entries_read_back() -> None:
    body, headers = streams.decode_entry({b"__data__": FASTSTREAM_ENTRY})
    assert body == b'{"a": 1}'
    assert headers == {"correlation_id": "t1", "article_id": "a1", "trace_id": "t1"}


async def test_round_trip_with_unicode_and_large_body() -> None:
    body = ("Zelenskyy — Київ " * 100_000).encode()
    headers = {"article_id": "ä" * 60, "trace_id": "t—1"}
    fields = await streams.encode_entry(body, headers)
    assert streams.decode_entry(fields) == (body, {"correlation_id": "t—1", **headers})


async def test_a_correlation_id_given_is_kept() -> None:
    fields = await streams.encode_entry(b"{}", {"correlation_id": "c", "trace_id": "t"})
    assert streams.decode_entry(fields)[1] == {"correlation_id": "c", "trace_id": "t"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"data": "{}", "headers": {"trace_id": "t"}}', (b"{}", {"trace_id": "t"})),
        (b'{"data": "{}", "headers": null}', (b"{}", {})),
        (b'{"data": "{}", "headers": [1]}', (b'{"data": "{}", "headers": [1]}', {})),
        (b'{"data": 5}', (b'{"data": 5}', {})),
        (b"{not json", (b"{not json", {})),
        (b'{"x": 1}', (b'{"x": 1}', {})),
        (b"\x89BIN\r\n\x1a\n\x00", (b"\x89BIN\r\n\x1a\n\x00", {})),  # cut short
        (FASTSTREAM_ENTRY[:30], (FASTSTREAM_ENTRY[:30], {})),  # cut inside the headers
        (b"\xff\xfe", (b"\xff\xfe", {})),
    ],
)
def test_other_layouts_pass_as_a_raw_body(data: bytes, expected: tuple[bytes, dict]) -> None:
    assert streams.unpack_entry(data) == expected


def test_entry_without_data_field_is_empty() -> None:
    assert streams.decode_entry({b"other": b"x"}) == (b"", {})
