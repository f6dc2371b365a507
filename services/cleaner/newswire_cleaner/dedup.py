"""Duplicate detection: the same story stored twice, under different URLs.

Fingerprints of the cleaned text:

- ``content_hash``: sha256 of the text with whitespace collapsed (exact copies);
- ``simhash``: a 64-bit SimHash of word 3-shingles, carried in the message as a compact
  fingerprint of the text;
- a MinHash signature of the same shingles (``SIG_SIZE`` values, one-permutation hashing:
  one pass over the shingles, not one per value), which estimates the Jaccard similarity
  of two texts. A syndicated wire story with its headline line changed, a dateline added
  or its last paragraph cut keeps most of its shingles (Jaccard above 0.8), while
  SimHash moves by 6-8 bits for one paragraph of sixteen cut, too close to the 27+ bits
  between unrelated stories to bucket safely.

``DedupIndex`` keeps them in Redis so every cleaner process sees the same history. Near
copies are found with locality-sensitive hashing: the signature is cut into ``BANDS``
bands of ``ROWS`` values, each band is a bucket key, and only articles sharing a bucket
are compared (estimated Jaccard at least ``MIN_JACCARD``). A lookup reads a few buckets,
never the whole history.

"First stored" is decided by a sequence number given at registration. An article is
registered (numbered and entered in its buckets, in one atomic script) before it looks
for others, so of two copies cleaned at the same moment the later-numbered one always
finds the earlier, and both agree on which came first.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from redis.asyncio import Redis

SHINGLE_WORDS = 3
SIG_SIZE = 64
BANDS, ROWS = 16, 4  # a pair with Jaccard 0.8 shares a bucket with probability > 0.999
MIN_JACCARD = 0.7
# Below this many words shingle statistics are dominated by chance: short texts only get
# the exact check.
MIN_NEAR_WORDS = 40
# Syndicated copies appear within days; a month of history bounds Redis memory.
TTL_S = 30 * 24 * 3600
_MASK32 = (1 << 32) - 1
_EMPTY = _MASK32  # an empty bin's value: larger than any real minimum
_WORD = re.compile(r"\w+")

KEY_PREFIX = "newswire:dedup"
_WORD = re.compile(r"\w+")


def content_hash(text: str) -> str:
    """sha256 of the text with whitespace collapsed: re-wrapping does not change it."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def shingle_hashes(text: str) -> list[int]:
    """64-bit hashes of the text's word 3-shingles (case and punctuation ignored)."""
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE_WORDS:
        shingles = [" ".join(words)] if words else []
    else:
        shingles = [" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - 2)]
    return [
        int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") for s in shingles
    ]


def simhash(hashes: list[int]) -> int:
    """64-bit SimHash: each bit is the majority vote of that bit over the shingles."""
    if not hashes:
        return 0
    # All hashes as one binary string; bit j of every hash is the slice [j::64]: the
    # counting runs in C, and no tuple per column is built.
    bits = "".join(map("{:064b}".format, hashes))
    half = len(hashes) / 2
    return int("".join(["1" if bits[j::64].count("1") > half else "0" for j in range(64)]), 2)


def minhash(hashes: list[int]) -> list[int]:
    """One-permutation MinHash: the low bits pick a bin, the bin keeps its smallest value.

    Empty bins (short texts) borrow the next non-empty bin's value, so that two equal
    texts still agree everywhere ("densification").
    """
    sig = [_EMPTY] * SIG_SIZE
    for h in hashes:
        b, v = h % SIG_SIZE, (h >> 8) & _MASK32
        if v < sig[b]:
            sig[b] = v
    filled = [v for v in sig if v != _EMPTY]
    if filled and len(filled) < SIG_SIZE:
        for i in range(SIG_SIZE):
            j = i
            while sig[j % SIG_SIZE] == _EMPTY:
                j += 1
            if sig[i] == _EMPTY:
                sig[i] = sig[j % SIG_SIZE]
    return sig


def jaccard(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of two texts from their MinHash signatures."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / SIG_SIZE


def band_keys(sig: list[int]) -> list[str]:
    out = []
    for band in range(BANDS):
        values = sig[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(repr(values).encode(), digest_size=8).hexdigest()
        out.append(f"{band}:{digest}")
    return out


def encode_sig(sig: list[int]) -> str:
    return "".join(f"{v:08x}" for v in sig)


def decode_sig(raw: str) -> list[int] | None:
    if len(raw) != 8 * SIG_SIZE:
        return None
    try:
        return [int(raw[i : i + 8], 16) for i in range(0, len(raw), 8)]
    except ValueError:
        return None


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def simhash_hex(value: int) -> str:
    return f"{value:016x}"


@dataclass(frozen=True)
class Fingerprint:
    article_id: str
    content_hash: str
    simhash: int
    signature: list[int] | None  # None for texts too short for near-duplicate checks


def fingerprint(article_id: str, text: str) -> Fingerprint:
    hashes = shingle_hashes(text)
    near = len(hashes) + SHINGLE_WORDS - 1 >= MIN_NEAR_WORDS
    return Fingerprint(
        article_id=article_id,
        content_hash=content_hash(text),
        simhash=simhash(hashes),
        signature=minhash(hashes) if near else None,
    )


# Registers an article: its number (its own if it has one, else the next) and its entries
# in the exact-hash key and the band buckets, in one atomic step. KEYS[1]: its number,
# KEYS[2]: the counter, KEYS[3]: its signature, KEYS[4..]: the exact-hash key and the
# buckets. ARGV[1]: TTL in seconds, ARGV[2]: the article id, ARGV[3]: the encoded
# signature ('' for none). Returns the number.
_REGISTER = """
local n = redis.call('GET', KEYS[1])
if not n then
  n = redis.call('INCR', KEYS[2])
  redis.call('SET', KEYS[1], n, 'EX', ARGV[1])
end
for i = 4, #KEYS do
  redis.call('ZADD', KEYS[i], 'NX', n, ARGV[2])
  redis.call('EXPIRE', KEYS[i], ARGV[1])
end
if ARGV[3] ~= '' then redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[1]) end
return n
"""


class DedupIndex:
    """Fingerprints of stored articles in Redis; finds the first copy of a story."""

    def __init__(self, redis: Redis, prefix: str = KEY_PREFIX) -> None:
        self.redis = redis
        self.prefix = prefix
        self._register_script = redis.register_script(_REGISTER)

    async def first_copy(self, fp: Fingerprint) -> str | None:
        """Register ``fp``; return the id of an earlier article with the same story.

        Idempotent: a redelivered article keeps its sequence number, so it never becomes
        a duplicate of itself or of a copy registered after it.
        """
        exact = f"{self.prefix}:hash:{fp.content_hash}"
        bands = band_keys(fp.signature) if fp.signature else []
        buckets = [f"{self.prefix}:band:{k}" for k in bands]
        seq = await self._register(fp, [exact, *buckets])
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in [exact, *buckets]:
                # Only articles registered before this one can be its original.
                pipe.zrangebyscore(key, "-inf", f"({seq}", withscores=True)
            found = await pipe.execute()
        exact_hits = [(score, _str(m)) for m, score in found[0] if _str(m) != fp.article_id]
        if exact_hits:
            return min(exact_hits)[1]
        candidates = {_str(m): score for hits in found[1:] for m, score in hits}
        candidates.pop(fp.article_id, None)
        return await self._first_similar(fp, candidates)

    async def _first_similar(self, fp: Fingerprint, candidates: dict[str, float]) -> str | None:
        if not candidates or fp.signature is None:
            return None
        ids = sorted(candidates, key=candidates.__getitem__)  # oldest first
        raws = await self.redis.mget([self._sig_key(i) for i in ids])
        for other_id, raw in zip(ids, raws, strict=True):
            other = decode_sig(_str(raw)) if raw is not None else None
            if other is not None and jaccard(fp.signature, other) >= MIN_JACCARD:
                return other_id
        return None

    async def _register(self, fp: Fingerprint, keys: list[str]) -> int:
        """Number the article and enter it in ``keys``, atomically: an article that got a
        lower number is already in every bucket when a later one looks (two copies cleaned
        at once, by two replicas, cannot both miss each other). Idempotent on redelivery."""
        sig = encode_sig(fp.signature) if fp.signature else ""
        own = [f"{self.prefix}:seq:{fp.article_id}", f"{self.prefix}:counter",
               self._sig_key(fp.article_id)]  # fmt: skip
        return int(await self._register_script(keys=[*own, *keys],
                                               args=[TTL_S, fp.article_id, sig]))  # fmt: skip

    def _sig_key(self, article_id: str) -> str:
        return f"{self.prefix}:sig:{article_id}"


def _str(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
