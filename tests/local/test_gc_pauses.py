"""The frozen heap (cutover/local/gc_pauses.py): a full collection inside it does not walk what
was alive when it was entered, nested uses thaw only at the outermost exit, and a thawed heap's
garbage is collected again (nothing a test created leaks into the next one)."""

from __future__ import annotations

import gc
import weakref

from cutover.local.gc_pauses import frozen_heap


class Node:
    """A cycle: only the cycle collector frees it."""

    def __init__(self) -> None:
        self.me = self


def _tracked(target: object) -> bool:
    return any(candidate is target for candidate in gc.get_objects())


def test_what_was_alive_is_out_of_collections_until_the_outermost_exit() -> None:
    long_lived = Node()  # e.g. botocore's service models
    assert gc.get_freeze_count() == 0
    with frozen_heap():
        assert gc.get_freeze_count() > 0
        assert not _tracked(long_lived)  # a full collection does not walk it
        created_inside = Node()
        assert _tracked(created_inside)  # what the run creates is still collected
        with frozen_heap():
            pass
        assert gc.get_freeze_count() > 0  # the inner exit does not thaw the outer heap
    assert gc.get_freeze_count() == 0
    assert _tracked(long_lived)


def test_garbage_frozen_with_the_heap_is_collected_after_the_thaw() -> None:
    cycle = Node()
    gone = weakref.ref(cycle)
    with frozen_heap():
        del cycle
        gc.collect()
        assert gone() is not None  # frozen: the collector leaves it alone
    gc.collect()
    assert gone() is None
