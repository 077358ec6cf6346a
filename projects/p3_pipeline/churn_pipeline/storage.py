"""Writing outputs safely: atomic (temporary path, then rename) and deterministic (same input, same bytes)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

ROW_GROUP_SIZE = 65_536
"""Fixed row-group size: with sorted rows, the same frame always gives the same file."""


def temporary_sibling(path: Path) -> Path:
    """A hidden temporary path in the same folder as ``path`` (so that the final rename is atomic)."""
    return path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")


def write_parquet_atomic(frame: Any, path: Path, sort_by: list[str] | None = None) -> Path:
    """Write ``frame`` to ``path`` as Parquet, byte-identically for the same content, all or nothing.

    Rows are sorted by ``sort_by`` (stable), the index is dropped, schema metadata (pandas version,
    index description) is removed, compression and row-group size are fixed. The file is written to a
    temporary sibling and renamed into place, so a reader never sees a half-written file and a failure
    leaves the previous version (or nothing) in place.
    """
    # HINT: sort, pa.Table.from_pandas(preserve_index=False), drop schema metadata, write to a temporary
    # HINT: sibling with fixed compression/row groups, then os.replace(tmp, path); clean up on failure.
    raise NotImplementedError("write_parquet_atomic: sort, pa.Table.from_pandas(preserve_index=False), drop schema metadata, write to a temporary sibling with fixed compression/row groups, then os.replace(tmp, path); clean up on failure.")


def write_json_atomic(payload: Any, path: Path) -> Path:
    """Write ``payload`` as sorted, indented JSON to ``path`` atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n"
    tmp = temporary_sibling(path)
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def replace_directory(tmp_dir: Path, final_dir: Path) -> Path:
    """Move a fully written ``tmp_dir`` into place as ``final_dir``, replacing any previous version."""
    final_dir = Path(final_dir)
    old = None
    if final_dir.exists():
        old = temporary_sibling(final_dir)
        os.replace(final_dir, old)
    os.replace(tmp_dir, final_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return final_dir


def file_fingerprint(path: Path) -> str:
    """SHA-256 of a file's bytes (hex): the identity of a snapshot."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tree_fingerprint(root: Path) -> str:
    """SHA-256 over every file below ``root`` (relative path and bytes), in sorted order."""
    digest = hashlib.sha256()
    root = Path(root)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(file_fingerprint(path).encode())
    return digest.hexdigest()
