"""Warnings: capped per kind, ordered, independent of the order raised, shiftable by an offset."""

from __future__ import annotations

import random

from collectors.edi.diagnostics import MAX_PER_KIND, Diagnostics


def test_file_level_first_then_by_segment() -> None:
    d = Diagnostics()
    d.warn("amount", "b at segment 9", 9)
    d.warn("encoding", "file-level one")
    d.warn("date", "a at segment 3", 3)
    d.warn_once("composite:x", "composite", "first at segment 7", 7)
    d.warn_once("composite:x", "composite", "first at segment 2", 2)
    assert d.rendered() == [
        "file-level one",
        "first at segment 2",
        "a at segment 3",
        "b at segment 9",
    ]


def test_capped_per_kind_whatever_the_order() -> None:
    items = [(n, f"amount at segment {n}") for n in range(1, 201)]
    expected = None
    for seed in range(3):
        random.Random(seed).shuffle(items)
        d = Diagnostics()
        for n, text in items:
            d.warn("amount", text, n)
        d.warn("balance", "one balance at segment 500", 500)
        rendered = d.rendered()
        assert len(rendered) == MAX_PER_KIND + 2
        assert rendered[-1] == f"... and {200 - MAX_PER_KIND} more amount warnings"
        assert rendered[0] == "amount at segment 1"
        assert expected in (None, rendered)
        expected = rendered
    assert d.count("amount") == 200 and d.count() == 201


def test_merge_and_rebase() -> None:
    whole = Diagnostics()
    first, second = Diagnostics(), Diagnostics()
    for n in range(1, 80):
        whole.warn("amount", f"CLP03 'segment {n}' at segment {n + 100}", n + 100)
        # Raised on a chunk numbered from 1: the raw value quoting "segment N" must survive.
        second.warn("amount", f"CLP03 'segment {n}' at segment {n}", n)
    whole.warn_once("k", "composite", "first at segment 150", 150)
    second.warn_once("k", "composite", "first at segment 50", 50)
    first.warn("envelope", "interchange is a test one")
    whole_with_file = Diagnostics()
    whole_with_file.warn("envelope", "interchange is a test one")
    whole_with_file.merge(whole)
    merged = Diagnostics()
    merged.merge(first)
    merged.merge(second.rebased(100))
    assert merged.rendered() == whole_with_file.rendered()
    assert merged.count("amount") == 79
