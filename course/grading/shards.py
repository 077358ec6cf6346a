"""Split a class into shards that separate machines grade: the rule, and parsing ``--shard K/N``.

The rule: sort the class's submission names (by Unicode code point), then the submission at position
``i`` (0-based) belongs to shard ``i % N``. It depends only on the names of the whole class, so every
machine that sees the same class draws the same slices, whatever the order of folders on its disk, and
without knowing what the other shards do. ``K`` counts from 0, as ``course mutants --shard`` does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from course.errors import CourseError

T = TypeVar("T")
SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


class ShardError(CourseError):
    """A ``--shard`` value that does not name a shard."""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (0-based) of ``count``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


WHOLE = Shard(0, 1)


def parse_shard(text: str) -> Shard:
    """``"1/3"`` -> ``Shard(1, 3)``; anything else raises :class:`ShardError` saying what is wrong."""
    match = SHARD.match(text)
    if not match:
        raise ShardError(f"--shard {text!r}: write K/N with whole numbers, e.g. 0/3 (K counts from 0).")
    index, count = int(match[1]), int(match[2])
    if count < 1:
        raise ShardError(f"--shard {text!r}: N (the number of shards) must be at least 1.")
    if index >= count:
        raise ShardError(
            f"--shard {text!r}: K must be between 0 and {count - 1} (shards count from 0), got {index}."
        )
    return Shard(index, count)


def shard_of(names: Sequence[str], shard: Shard) -> set[str]:
    """The names that belong to ``shard``: every N-th of the sorted names, from the K-th."""
    return {name for position, name in enumerate(sorted(names)) if position % shard.count == shard.index}


def select_shard(items: Sequence[T], names: Sequence[str], shard: Shard) -> list[T]:
    """The ``items`` (named by ``names``, one each) that belong to ``shard``, in their given order."""
    chosen = shard_of(names, shard)
    return [item for item, name in zip(items, names, strict=True) if name in chosen]
