"""Checks shared by the generators' world parameters (``_fraud_world``, ``_tickets_world``): each raises the
generator's own error class, which names the parameter and what it must be."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def parameters(
    world: object, known: tuple[str, ...], error: type[Exception], generator: str
) -> dict[str, Any]:
    """``world`` as a dict of known keys (``None``: empty); a non-mapping or an unknown key raises
    ``error``."""
    if world is None:
        return {}
    if not isinstance(world, Mapping):
        raise error(
            f"world must be the {generator} world parameters (a mapping such as "
            f"worlds.current().params({generator!r})), got {type(world).__name__}."
        )
    unknown = sorted(set(world) - set(known))
    if unknown:
        raise error(f"unknown {generator} world parameters {unknown}; known: {list(known)}.")
    return dict(world)


def number(value: object, key: str, low: float, high: float, error: type[Exception]) -> float:
    """``value`` as a float in ``[low, high]``; a bool, a string or a number outside raises ``error``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise error(f"world {key} must be a number between {low:g} and {high:g}, got {value!r}.")
    return float(value)
