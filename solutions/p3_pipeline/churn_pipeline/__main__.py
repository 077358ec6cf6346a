"""``python -m churn_pipeline run [--as-of DATE | --backfill START END]``, or ``stage NAME`` (one stage)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run; returns the exit status."""
    from churn_pipeline.config import ConfigError, parse_date
    from churn_pipeline.run import Pipeline
    from churn_pipeline.stages import STAGES, run_stage

    parser = argparse.ArgumentParser(prog="python -m churn_pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the pipeline for one date or a range of dates")
    when = run.add_mutually_exclusive_group()
    when.add_argument("--as-of", help="the run date (default: run.as_of in params.yaml)")
    when.add_argument("--backfill", nargs=2, metavar=("START", "END"), help="every day from START to END")
    run.add_argument("--project", default=".", help="the project folder (default: the current one)")
    stage = sub.add_parser("stage", help="run one stage for run.as_of, always recomputing (as dvc.yaml does)")
    stage.add_argument("name", choices=STAGES)
    stage.add_argument("--project", default=".", help="the project folder (default: the current one)")
    args = parser.parse_args(argv)
    try:
        if args.command == "stage":
            print(run_stage(args.name, Path(args.project)))
            return 0
        pipeline = Pipeline.from_folder(Path(args.project))
        if args.backfill:
            start, end = (parse_date(v, "--backfill") for v in args.backfill)
            reports = pipeline.backfill(start, end)
        else:
            reports = [pipeline.run(parse_date(args.as_of, "--as-of") if args.as_of else None)]
    except (ConfigError, ValueError, FileNotFoundError) as error:
        print(f"churn_pipeline: {error}", file=sys.stderr)
        return 2
    for report in reports:
        print(
            f"{report.run_date}: computed {len(report.computed)} step(s), skipped {len(report.skipped)}; "
            f"labels held back {report.labels.get('held_back')}; model {report.model_version}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
