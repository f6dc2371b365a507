"""Site furniture found by repetition, against a real redis-server."""

from __future__ import annotations

from redis.asyncio import Redis

from newswire_cleaner.dedup import DedupIndex
from newswire_cleaner.repeats import SiteLines
from newswire_cleaner.service import make_process
from newswire_shared.messages import RawArticle

TEASER = "Get the Evening Digest: our editors pick the day's five best reads"
TOPICS = [
    "harbour dredging", "school meals", "tram fares", "flood defences", "library hours",
]  # fmt: skip


def _raw(n: int, host: str) -> RawArticle:
    topic = TOPICS[n % len(TOPICS)]
    paragraphs = [
        f"The city council debated {topic} for three hours on Monday before a vote number {n}.",
        f"Supporters said the plan for {topic} was overdue, while critics questioned its cost.",
        f"Residents who spoke at the meeting were split on {topic}, a count showed.",
        "The company did not respond to a request for comment.",
        f"Officials said the {topic} budget would be published before the next session.",
        f"A final decision on {topic} is expected when the council meets again in {n + 2} weeks.",
        TEASER,
    ]
    html = "<html><body><article>{}</article></body></html>".format(
        "".join(f"<p>{p}</p>" for p in paragraphs)
    )
    url = f"https://{host}/news/{n}"
    return RawArticle(
        article_id=f"{host}-{n}", trace_id=f"t{n}", url=url, canonical_url=url, html=html
    )


async def test_a_line_on_every_page_of_a_site_goes_from_the_third_on(redis: Redis) -> None:
    process = make_process(DedupIndex(redis), SiteLines(redis))
    results = [await process(_raw(n, "www.gazette.example")) for n in range(5)]
    assert [TEASER in a.text for a in results] == [True, True, False, False, False]
    dropped = [(r.text, r.reason) for r in results[2].removed if r.reason == "site_repeat"]
    assert dropped == [(TEASER, "site_repeat")]
    # A standard sentence in the middle of the text is reporting: it stays everywhere.
    assert all("did not respond to a request for comment" in a.text for a in results)
    # The content hash describes the text that is sent.
    assert results[0].content_hash != results[3].content_hash


async def test_other_sites_and_redeliveries_do_not_count(redis: Redis) -> None:
    process = make_process(DedupIndex(redis), SiteLines(redis))
    await process(_raw(0, "one.example"))
    await process(_raw(1, "two.example"))
    # The same article delivered three times is one article, not three.
    for _ in range(3):
        again = await process(_raw(2, "three.example"))
    assert TEASER in again.text
    assert TEASER in (await process(_raw(3, "four.example"))).text
