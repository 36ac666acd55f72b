"""A serving process freezes its long-lived heap after requests, on a doubling schedule, and a
re-freeze still collects what was frozen and has since become garbage (portal/heap.py)."""

import gc
import weakref

import pytest

from portal import heap


def test_refreezes_after_the_first_request_then_at_doubling_intervals_up_to_the_cap():
    schedule = heap.Schedule(min_interval=4, max_interval=16)
    due = [n for n in range(1, 100) if schedule.request_finished()]
    assert due == [1, 5, 13, 29, 45, 61, 77, 93]
    default = heap.Schedule()
    assert [n for n in range(1, 3000) if default.request_finished()] == [
        1,
        33,
        97,
        225,
        481,
        993,
        2017,
    ]


class Node:
    """An object that can sit in a reference cycle and be watched through a weak reference."""

    def __init__(self):
        self.me = self


def test_a_refreeze_collects_what_was_frozen_and_has_become_garbage():
    node = Node()
    watch = weakref.ref(node)
    heap.refreeze()  # `node` is alive: frozen
    del node  # now a cycle nobody refers to, in the frozen part of the heap
    gc.collect()
    assert watch() is not None, "a plain collection leaves the frozen heap alone"
    heap.refreeze()
    assert watch() is None


@pytest.mark.django_db
def test_finished_requests_freeze_the_heap_when_due(client, monkeypatch):
    monkeypatch.setattr(heap, "schedule", heap.Schedule(min_interval=2))
    gc.unfreeze()
    client.get("/healthz")
    assert gc.get_freeze_count() > 0, "the first request is due"
    refreezes = []
    real = heap.refreeze
    monkeypatch.setattr(
        heap, "refreeze", lambda: refreezes.append(heap.schedule.finished) or real()
    )
    for _ in range(6):
        client.get("/healthz")
    assert refreezes == [3, 7]
