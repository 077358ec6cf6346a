"""What a request body must be before the input contract sees it: small, UTF-8, JSON, each key once.

FastAPI's own parsing (``json.loads``) keeps the last of two equal keys, so ``{"plan": "basic", "plan":
"premium"}`` would be scored as premium without a word; and a body that is not UTF-8 would get a 400 that
names nothing. :func:`parse_json_body` refuses both with an error that names the field or the body.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException


class BodyError(HTTPException):
    """A request body refused before validation; ``field`` is the dotted path of the culprit, or ``body``."""

    def __init__(self, status_code: int, field: str, message: str) -> None:
        super().__init__(status_code, detail=message)
        self.field = field


class _Pairs(list):
    """The (key, value) pairs of one JSON object, in order, duplicates kept (json's object_pairs_hook)."""


def _unique_keys(node: Any, path: tuple[str, ...]) -> Any:
    """``node`` with every :class:`_Pairs` turned into a dict; the first repeated key raises BodyError."""
    if isinstance(node, _Pairs):
        out: dict[str, Any] = {}
        for key, value in node:
            if key in out:
                where = ".".join((*path, key))
                raise BodyError(422, where, f"duplicate key '{where}': each field may appear once")
            out[key] = _unique_keys(value, (*path, key))
        return out
    if isinstance(node, list):
        return [_unique_keys(value, (*path, str(i))) for i, value in enumerate(node)]
    return node


def parse_json_body(raw: bytes) -> Any:
    """Parse a request body as UTF-8 JSON whose objects name each key once; raise :class:`BodyError`.

    400 for a body that is not UTF-8 or is nested too deeply, 422 for invalid JSON (naming the body) and
    for a repeated key (naming its path, such as ``customers.3.plan``).
    """
    # HINT: raw.decode("utf-8"), then json.loads(text, object_pairs_hook=...): the hook sees every (key,
    # HINT: value) pair, duplicates included; turn each JSONDecodeError/UnicodeDecodeError into a BodyError.
    raise NotImplementedError('parse_json_body: raw.decode("utf-8"), then json.loads(text, object_pairs_hook=...): the hook sees every (key, value) pair, duplicates included; turn each JSONDecodeError/UnicodeDecodeError into a BodyError.')
