"""Duplicate detection against a real redis-server: syndicated copies point at the first."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from redis.asyncio import Redis

from newswire_cleaner.dedup import DedupIndex, fingerprint
from newswire_cleaner.repeats import SiteLines
from newswire_cleaner.service import make_process
from newswire_shared.messages import RawArticle

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "seeds" / "golden"
STORIES = [p.read_text(encoding="utf-8") for p in sorted(GOLDEN.glob("*.txt"))]


def _syndicated(text: str) -> str:
    """What a second outlet does to a wire story: a dateline, a credit, the last cut."""
    paragraphs = text.split("\n\n")
    return "\n\n".join(
        [f"LONDON (Wire Service) - {paragraphs[0]}", *paragraphs[1:-1], "(Editing by A. Roe)"]
    )


async def test_exact_copy_under_another_id_points_at_the_first(redis: Redis) -> None:
    index = DedupIndex(redis)
    assert await index.first_copy(fingerprint("first", STORIES[0])) is None
    rewrapped = STORIES[0].replace("\n\n", "\n")
    assert await index.first_copy(fingerprint("copy", rewrapped)) == "first"


async def test_syndicated_near_copy_points_at_the_first(redis: Redis) -> None:
    index = DedupIndex(redis)
    for i, story in enumerate(STORIES):
        assert await index.first_copy(fingerprint(f"orig{i}", story)) is None
    for i, story in enumerate(STORIES):
        assert await index.first_copy(fingerprint(f"syn{i}", _syndicated(story))) == f"orig{i}"


async def test_different_stories_and_short_texts_are_not_duplicates(redis: Redis) -> None:
    index = DedupIndex(redis)
    for i, story in enumerate(STORIES):
        assert await index.first_copy(fingerprint(f"s{i}", story)) is None
    # The first half of a story is a different article's worth of text: not a copy.
    half = "\n\n".join(STORIES[0].split("\n\n")[:6])
    assert await index.first_copy(fingerprint("half", half)) is None
    # Short texts only get the exact check: two briefs sharing a phrase are distinct.
    assert await index.first_copy(fingerprint("b1", "Markets closed higher on Monday.")) is None
    assert await index.first_copy(fingerprint("b2", "Markets closed lower on Monday.")) is None


async def test_redelivery_is_idempotent(redis: Redis) -> None:
    index = DedupIndex(redis)
    first, copy = fingerprint("first", STORIES[1]), fingerprint("copy", STORIES[1])
    assert await index.first_copy(first) is None
    assert await index.first_copy(copy) == "first"
    # The original redelivered (a retry) is still the original, the copy still a copy.
    assert await index.first_copy(first) is None
    assert await index.first_copy(copy) == "first"


async def test_concurrent_copies_agree_on_one_original(redis: Redis) -> None:
    index = DedupIndex(redis)
    results = await asyncio.gather(
        *(index.first_copy(fingerprint(f"c{i}", STORIES[2])) for i in range(6))
    )
    originals = [f"c{i}" for i, found in enumerate(results) if found is None]
    assert len(originals) == 1
    assert all(found in (None, originals[0]) for found in results)


async def test_lookup_reads_only_matching_buckets(redis: Redis) -> None:
    """Many unrelated articles in the index: a new copy's lookup compares few of them."""
    index = DedupIndex(redis)
    words = STORIES[3].split()
    for i in range(150):
        # Each filler text is a different shuffle of one story's words: the same
        # vocabulary, different shingles.
        random.Random(i).shuffle(words)
        await index.first_copy(fingerprint(f"f{i}", " ".join(words)))
    await index.first_copy(fingerprint("orig", STORIES[4]))
    fp = fingerprint("copy", _syndicated(STORIES[4]))
    assert fp.signature is not None
    assert await index.first_copy(fp) == "orig"
    keys = [k async for k in redis.scan_iter(match="newswire:dedup:band:*")]
    sizes = [await redis.zcard(k) for k in keys]
    assert max(sizes) <= 3  # buckets are specific: no bucket holds the history


async def test_cleaner_stage_marks_a_syndicated_copy(redis: Redis) -> None:
    """The service's process function: clean, fingerprint, look up, fill duplicate_of."""
    process = make_process(DedupIndex(redis), SiteLines(redis))
    html = "<html><body><article>{}</article></body></html>"

    def raw(article_id: str, url: str, text: str) -> RawArticle:
        body = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
        return RawArticle(
            article_id=article_id, trace_id=f"t-{article_id}", url=url, canonical_url=url,
            html=html.format(body),
        )  # fmt: skip

    first = await process(raw("a1", "https://one.example/wire/1", STORIES[0]))
    copy = await process(raw("a2", "https://two.example/news/x", _syndicated(STORIES[0])))
    other = await process(raw("a3", "https://two.example/news/y", STORIES[1]))
    assert first.duplicate_of is None
    assert copy.duplicate_of == "a1"
    assert other.duplicate_of is None
    assert first.simhash and len(first.simhash) == 16
