"""Upstream schema versions: detect the version of an export and map version 2 back to version 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SUPPORTED_VERSIONS = (1, 2)
V2_CHANGES = (
    "customers.channel was renamed to customers.acquisition_channel",
    "invoices.amount changed unit: integer cents (1499) instead of currency units (14.99)",
    "tickets.category has a new value 'payment_failure' (billing tickets right after a failed payment)",
)
"""What version 2 changed, as the rejection message and the adapter's documentation say it."""


class SchemaVersionError(ValueError):
    """The export's schema version is unknown or not accepted by this run's configuration."""


def read_schema_version(raw_dir: Path) -> int:
    """The ``schema_version`` declared in ``<raw_dir>/_schema.json``."""
    path = Path(raw_dir) / "_schema.json"
    if not path.is_file():
        raise SchemaVersionError(
            f"{path} is missing: an export without a declared schema version is refused."
        )
    try:
        version = json.loads(path.read_text(encoding="utf-8"))["schema_version"]
    except (json.JSONDecodeError, KeyError, TypeError):
        raise SchemaVersionError(f"{path}: no readable 'schema_version' key.") from None
    if version not in SUPPORTED_VERSIONS:
        raise SchemaVersionError(
            f"{path}: schema_version {version!r} is unknown "
            f"(this pipeline knows {list(SUPPORTED_VERSIONS)}); "
            "write an adapter and a contract for it before running."
        )
    return int(version)


def check_accepted(version: int, accepted: list[int] | tuple[int, ...]) -> None:
    """Refuse a version the configuration does not accept, saying what changed in it."""
    # HINT: for version 2 the message must say what changed (see V2_CHANGES) and how to accept it.
    raise NotImplementedError("check_accepted: for version 2 the message must say what changed (see V2_CHANGES) and how to accept it.")


def adapt_v2_to_v1(tables: dict[str, Any]) -> dict[str, Any]:
    """Map version-2 tables to the version-1 contract: undo the rename, the unit change and the new category.

    Returns new frames (the inputs are not modified). ``payment_failure`` tickets become ``billing``,
    which is what version 1 called them.
    """
    # HINT: rename acquisition_channel -> channel, amount / 100 as float, payment_failure -> billing.
    raise NotImplementedError("adapt_v2_to_v1: rename acquisition_channel -> channel, amount / 100 as float, payment_failure -> billing.")


ADAPTERS = {2: adapt_v2_to_v1}
"""Adapter from each non-current version to version 1."""
