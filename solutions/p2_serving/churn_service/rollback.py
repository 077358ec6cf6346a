"""``python -m churn_service.rollback [--artifact-dir DIR]``: point CURRENT at the previous version."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from churn_service.artifacts import ArtifactError, rollback
from churn_service.config import load_settings


def main(argv: list[str] | None = None) -> int:
    """Roll back one version; exit 1 with the reason when there is nothing to roll back to."""
    parser = argparse.ArgumentParser(prog="python -m churn_service.rollback", description=__doc__)
    parser.add_argument("--artifact-dir", type=Path, default=None, help="default: CHURN_SERVICE_ARTIFACT_DIR")
    args = parser.parse_args(argv)
    artifact_dir = args.artifact_dir or load_settings().artifact_dir
    try:
        old, new = rollback(artifact_dir)
    except ArtifactError as exc:
        print(f"rollback refused: {exc}", file=sys.stderr)
        return 1
    print(f"CURRENT: {old} -> {new} (restart or reload the service to serve it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
