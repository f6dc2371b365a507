"""settle_heap: what startup built is kept out of garbage collections."""

from __future__ import annotations


def test_settle_heap_freezes_what_exists_and_raises_the_first_threshold() -> None:
    import gc

    from newswire_shared.app import GC_GEN0_THRESHOLD, settle_heap

    threshold = gc.get_threshold()
    try:
        settle_heap()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == GC_GEN0_THRESHOLD
        assert gc.get_threshold()[1:] == threshold[1:]
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
