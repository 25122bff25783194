"""Which files a list of command-line paths means (files as given, folders walked)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path


def expand_paths(paths: Sequence[str]) -> Iterator[str]:
    """Files in the order given; a folder gives its files recursively, sorted, hidden ones skipped.

    A path that does not exist is passed through, so the caller reports it like any file that
    cannot be read instead of dropping it silently.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path).parts
                if child.is_file() and not any(part.startswith(".") for part in relative):
                    yield str(child)
        else:
            yield raw
