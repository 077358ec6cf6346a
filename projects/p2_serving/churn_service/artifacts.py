"""Versioned model artifacts: ``<artifact_dir>/<version>/{model.skops, metadata.json}``, ``CURRENT``.

Next to them, ``fallback.json`` holds the fallback rule's threshold of the version ``CURRENT`` names: each
version's ``metadata.json`` keeps its own copy (``fallback_rule``), and :func:`set_current` (so
:func:`rollback` too) rewrites the file from the version it points at.

A model file is loaded only after its SHA-256 matches the one recorded in ``metadata.json`` at training
time, and only when every type it contains is on :data:`TRUSTED_TYPES` (skops refuses anything else).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
POINTER_FILE = "CURRENT"
FALLBACK_FILE = "fallback.json"
RULE_KEY = "fallback_rule"  # the version's own copy of its fallback.json record, in metadata.json
VERSION_PATTERN = re.compile(r"^v(\d{4,})$")

# The only non-default types a model file may contain: what our training pipeline builds. Reviewed by hand;
# a file asking for anything else is refused rather than trusted blindly.
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "functools.partial",  # ColumnTransformer's validation hook; it may wrap only the function below
        "sklearn.utils.validation.check_array",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    }
)


class ArtifactError(RuntimeError):
    """A model artifact cannot be served; ``reason`` is a short machine-readable cause."""

    reason = "artifact_error"


class ArtifactMissingError(ArtifactError):
    """No CURRENT pointer, no version folder, or no model/metadata file."""

    reason = "artifact_missing"


class MetadataUnreadableError(ArtifactError):
    """``metadata.json`` (or ``CURRENT``) is there but cannot be read: not UTF-8, not JSON, not an object."""

    reason = "metadata_unreadable"


class ChecksumMismatchError(ArtifactError):
    """The model file's SHA-256 differs from the one recorded at training time: it is never loaded."""

    reason = "checksum_mismatch"


class UntrustedTypesError(ArtifactError):
    """The model file contains types that are not on the reviewed allow-list."""

    reason = "untrusted_types"


class ThresholdMissingError(ArtifactError):
    """``metadata.json`` does not say how to decide: no threshold, policy or the data it was fitted on."""

    reason = "threshold_missing"


class RollbackError(ArtifactError):
    """There is no older version to roll back to."""

    reason = "no_previous_version"


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of the file at ``path``, read in 1 MiB chunks."""
    # HINT: hashlib.sha256(); update it with chunks of path.open("rb"); return hexdigest().
    raise NotImplementedError('sha256_file: hashlib.sha256(); update it with chunks of path.open("rb"); return hexdigest().')


def list_versions(artifact_dir: Path) -> list[str]:
    """Return the complete version folders under ``artifact_dir``, oldest first (``v0001``, ``v0002``)."""
    artifact_dir = Path(artifact_dir)
    if not artifact_dir.is_dir():
        return []
    found = [
        p.name
        for p in artifact_dir.iterdir()
        if p.is_dir() and VERSION_PATTERN.match(p.name) and (p / METADATA_FILE).is_file()
    ]
    return sorted(found, key=lambda name: int(VERSION_PATTERN.match(name).group(1)))  # type: ignore[union-attr]


def next_version(artifact_dir: Path) -> str:
    """Return the version name after the newest one under ``artifact_dir`` (``v0001`` when empty)."""
    versions = list_versions(artifact_dir)
    last = int(VERSION_PATTERN.match(versions[-1]).group(1)) if versions else 0  # type: ignore[union-attr]
    return f"v{last + 1:04d}"


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and ``os.replace``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_artifact(model: Any, metadata: dict[str, Any], artifact_dir: Path, version: str) -> Path:
    """Write ``model`` (skops) and ``metadata`` (+ the model file's SHA-256) as ``artifact_dir/version``.

    The folder is assembled under a temporary name and renamed at the end, so a crash never leaves a
    half-written version that :func:`list_versions` would offer.
    """
    # HINT: skops.io.dump into a temp folder, add "model_sha256" to the metadata, then rename the folder.
    raise NotImplementedError('save_artifact: skops.io.dump into a temp folder, add "model_sha256" to the metadata, then rename the folder.')


def read_metadata(version_dir: Path) -> dict[str, Any]:
    """Return the parsed ``metadata.json`` of one version folder (a JSON object), or raise
    :class:`ArtifactMissingError` (no file) or :class:`MetadataUnreadableError` (not UTF-8, not JSON, too
    deep or too large a number to parse, or not an object)."""
    path = Path(version_dir) / METADATA_FILE
    if not path.is_file():
        raise ArtifactMissingError(f"{path} does not exist: train a model first (make train)")
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: not JSON, not UTF-8, a huge int
        raise MetadataUnreadableError(
            f"{path} is unreadable ({type(exc).__name__}: {str(exc)[:120]})"
        ) from exc
    if not isinstance(metadata, dict):
        raise MetadataUnreadableError(f"{path} holds a JSON {type(metadata).__name__}, not an object")
    return metadata


def load_verified_model(version_dir: Path) -> tuple[Any, dict[str, Any]]:
    """Load ``version_dir``'s model only if its SHA-256 matches ``metadata.json``; return (model, metadata).

    Raises :class:`ArtifactMissingError`, :class:`ChecksumMismatchError` (the file is never opened by skops)
    or :class:`UntrustedTypesError`.
    """
    # HINT: compare sha256_file(model) with metadata["model_sha256"] BEFORE anything opens the file, then
    # HINT: skops.io.load(path, trusted=sorted(TRUSTED_TYPES)): the reviewed list, never trusted=True.
    raise NotImplementedError('load_verified_model: compare sha256_file(model) with metadata["model_sha256"] BEFORE anything opens the file, then skops.io.load(path, trusted=sorted(TRUSTED_TYPES)): the reviewed list, never trusted=True.')


def decision_threshold(metadata: dict[str, Any]) -> float:
    """Return the decision threshold recorded in ``metadata`` by training, or raise
    :class:`ThresholdMissingError`.

    A servable artifact says how to decide: ``metadata["threshold"]`` holds ``value`` (a number in [0, 1]),
    ``policy`` (the policy that chose it) and ``fitted_on`` (the data it was chosen on). Without them the
    model's probabilities have no agreed meaning, so the model is not served (there is no default 0.5).
    """
    # HINT: a threshold record with a value (a real number in [0, 1], not a bool), a policy and the data it
    # HINT: was fitted on; otherwise raise ThresholdMissingError naming what is missing and what to do.
    raise NotImplementedError("decision_threshold: a threshold record with a value (a real number in [0, 1], not a bool), a policy and the data it was fitted on; otherwise raise ThresholdMissingError naming what is missing and what to do.")


def read_current(artifact_dir: Path) -> str | None:
    """Return the version named by ``artifact_dir/CURRENT``, or None when there is no pointer."""
    path = Path(artifact_dir) / POINTER_FILE
    if not path.is_file():
        return None
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except (OSError, ValueError) as exc:  # not UTF-8
        raise MetadataUnreadableError(f"{path} is unreadable ({type(exc).__name__}: {exc})") from exc


def set_current(artifact_dir: Path, version: str) -> None:
    """Point ``CURRENT`` at ``version`` (which must exist), atomically, and make :data:`FALLBACK_FILE` the
    rule record of that version (its ``metadata.json``'s :data:`RULE_KEY`), atomically too.

    The old file is removed before ``CURRENT`` moves and the new one written after, so no moment (and no
    crash between the steps) pairs the new ``CURRENT`` with the previous version's file. A version without a
    record (trained before it was kept) leaves no ``fallback.json``: the rule then decides with the
    documented constant rather than with another run's threshold.
    """
    # HINT: refuse unknown versions; write CURRENT through a temporary file and os.replace. The rule's file
    # HINT: must describe the version CURRENT names, never the run that wrote it last, at every moment: mind
    # HINT: the order of the steps; write it (atomically too) from that version's metadata, or leave none
    # HINT: when the version holds no record.
    raise NotImplementedError("set_current: refuse unknown versions; write CURRENT through a temporary file and os.replace. The rule's file must describe the version CURRENT names, never the run that wrote it last, at every moment: mind the order of the steps; write it (atomically too) from that version's metadata, or leave none when the version holds no record.")


def rollback(artifact_dir: Path) -> tuple[str, str]:
    """Move ``CURRENT`` to the version just before it; return (from_version, to_version).

    The newer version stays on disk, so rolling forward is ``set_current(artifact_dir, from_version)``.
    """
    # HINT: find CURRENT in list_versions(); the previous one is the newest version older than it.
    raise NotImplementedError("rollback: find CURRENT in list_versions(); the previous one is the newest version older than it.")


def current_version_dir(artifact_dir: Path) -> Path:
    """Return the folder named by ``CURRENT``, or raise :class:`ArtifactMissingError`."""
    artifact_dir = Path(artifact_dir)
    version = read_current(artifact_dir)
    if version is None:
        raise ArtifactMissingError(f"{artifact_dir / POINTER_FILE} does not exist: train a model first")
    version_dir = artifact_dir / version
    if not version_dir.is_dir():
        raise ArtifactMissingError(f"CURRENT names {version}, but {version_dir} does not exist")
    return version_dir
