"""Operator commands: ``python -m churn_lifecycle status`` and ``python -m churn_lifecycle rollback``.

They use ``MLFLOW_TRACKING_URI`` when set, else ``sqlite:///mlflow.db`` in the current folder.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Print the registry's state, or roll the champion back; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m churn_lifecycle", description=__doc__)
    parser.add_argument("command", choices=("status", "rollback"))
    parser.add_argument("--model", default=None, help="registered model name (default: churn-retention)")
    args = parser.parse_args(argv)

    import logging
    import os

    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "ERROR")
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    from churn_lifecycle import registry, tracking

    tracking.configure_tracking()
    name = args.model or tracking.MODEL_NAME
    try:
        if args.command == "rollback":
            restored = registry.rollback(name)
            print(f"{name}: champion is now version {restored}")
            return 0
        client = registry._client()
        for alias in (registry.CHAMPION, registry.CHALLENGER):
            version = registry.alias_version(alias, name)
            if version is None:
                print(f"{alias}: (not set)")
                continue
            tags = client.get_model_version(name, version).tags
            print(f"{alias}: version {version} | {tags.get(registry.TAG_DECISION, 'no gate decision')}")
        return 0
    except Exception as exc:  # an operator command reports, it does not print a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
