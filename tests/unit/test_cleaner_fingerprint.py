"""Fingerprint functions of the duplicate index (the Redis side is an integration test)."""

from __future__ import annotations

import random
from pathlib import Path

from newswire_cleaner.dedup import (
    SIG_SIZE,
    decode_sig,
    encode_sig,
    fingerprint,
    jaccard,
    minhash,
    shingle_hashes,
    simhash,
)

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "seeds" / "golden"
STORIES = [p.read_text(encoding="utf-8") for p in sorted(GOLDEN.glob("*.txt"))]


def test_signature_ignores_case_punctuation_and_wrapping() -> None:
    a = fingerprint("a", STORIES[0])
    b = fingerprint("b", STORIES[0].upper().replace("\n\n", "\n").replace(",", ""))
    assert a.signature == b.signature and a.simhash == b.simhash


def test_jaccard_separates_copies_from_other_stories() -> None:
    sigs = [minhash(shingle_hashes(s)) for s in STORIES]
    for i, a in enumerate(sigs):
        for j, b in enumerate(sigs):
            assert (jaccard(a, b) == 1.0) if i == j else jaccard(a, b) < 0.2
    cut = "\n\n".join(STORIES[1].split("\n\n")[:-1])
    assert jaccard(sigs[1], minhash(shingle_hashes(cut))) >= 0.8


def test_simhash_moves_little_for_a_small_edit() -> None:
    base = simhash(shingle_hashes(STORIES[2]))
    edited = simhash(shingle_hashes(STORIES[2] + "\n\n(Editing by A. Roe)"))
    other = simhash(shingle_hashes(STORIES[3]))
    assert (base ^ edited).bit_count() <= 3 < (base ^ other).bit_count()


def test_short_texts_get_no_signature_and_empty_text_is_safe() -> None:
    assert fingerprint("s", "Markets closed higher on Monday.").signature is None
    assert simhash([]) == 0
    assert minhash([]) == [minhash([])[0]] * SIG_SIZE


def test_signature_round_trip_and_corrupt_values() -> None:
    sig = minhash(shingle_hashes(STORIES[4]))
    assert decode_sig(encode_sig(sig)) == sig
    assert decode_sig("xyz") is None
    assert decode_sig("g" * 8 * SIG_SIZE) is None


def test_simhash_is_the_majority_of_each_bit() -> None:
    rng = random.Random(7)
    for n in (1, 2, 3, 64, 501):
        hashes = [rng.getrandbits(64) for _ in range(n)]
        expected = 0
        for bit in range(64):
            if sum(h >> bit & 1 for h in hashes) > n / 2:
                expected |= 1 << bit
        assert simhash(hashes) == expected
    assert simhash([1 << 63, 1]) == 0  # a tie is not a majority
