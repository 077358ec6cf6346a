"""Batch scoring: ``python -m churn_service.batch --input customers.parquet --output scores.parquet
--rejects rejects.csv``.

Each row is validated with the API's :class:`~churn_service.schema.Customer` model, cell by cell, valid rows
are scored in chunks by the same inference path as ``/predict``, and both outputs are written atomically
(temporary file + ``os.replace``). Nothing is lost: rows in = rows scored + rows rejected, each reject with
its reason. A bad cell (``2.5`` in an integer column, ``abc`` in a number column, an unknown category)
rejects its own row, never the file. A CSV file is read as UTF-8 text; a row with more or fewer fields than
the header refuses the whole file (its columns would be shifted silently).

Exit status of the command line, for a scheduler:

- ``0``: every valid row was scored by the verified model (rejected rows are in the rejects file);
- ``1``: the job failed for another reason (for example the output could not be written);
- ``2``: the input file was refused as a whole (missing, empty, not UTF-8, corrupt, ragged, wrong
  columns) or the command line was wrong; nothing was written;
- ``3``: the rows were scored, but by the fallback rule (no verified model): the outputs exist and
  say ``fallback=True``, and the summary line says ``status=degraded``;
- ``4``: nothing was scored because no verified model is loaded and ``fallback_policy`` is ``refuse``.

Every failure is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import os
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated

from pydantic import ConfigDict, TypeAdapter, ValidationError

from churn_service.config import Settings, load_settings
from churn_service.predict import ModelState, load_model_state, score_frame
from churn_service.schema import CATEGORICAL_FEATURES, FEATURE_NAMES, NUMERIC_FEATURES, Customer

INPUT_COLUMNS: tuple[str, ...] = ("customer_id", *FEATURE_NAMES)
SCORE_COLUMNS = ("row", "customer_id", "churn_probability", "decision", "model_version", "fallback")
REJECT_COLUMNS = ("row", "customer_id", "reason")
INTEGER_FIELDS = tuple(n for n in NUMERIC_FEATURES if Customer.model_fields[n].annotation is int)
logger = logging.getLogger("churn_service.batch")


EXIT_OK, EXIT_FAILED, EXIT_INPUT_REFUSED, EXIT_FALLBACK, EXIT_REFUSED = 0, 1, 2, 3, 4


class BatchInputError(ValueError):
    """The input file as a whole cannot be scored (unreadable, empty, ragged, wrong format or columns)."""


class BatchRefusedError(RuntimeError):
    """No verified model is loaded and the fallback policy is ``refuse``: nothing is scored."""


@dataclass(frozen=True)
class BatchSummary:
    """What a batch run did: every input row is either scored or rejected, and by what."""

    rows_in: int
    rows_scored: int
    rows_rejected: int
    model_version: str
    fallback: bool
    threshold: float
    fallback_reason: str | None = None

    @property
    def status(self) -> str:
        """``ok`` when the verified model scored the rows, ``degraded`` when the fallback rule did."""
        return "degraded" if self.fallback else "ok"


def read_csv_text(path: Path):
    """Read a CSV file as UTF-8 text into a DataFrame of strings (empty cells missing); refuse it when it is
    not UTF-8, not parseable, or when any row has more or fewer fields than the header."""
    # HINT: path.read_text(encoding="utf-8") (a UnicodeDecodeError is a refusal, not a crash), then the csv
    # HINT: module: compare len(row) with len(header) for every row and name the line of the first mismatch.
    raise NotImplementedError('read_csv_text: path.read_text(encoding="utf-8") (a UnicodeDecodeError is a refusal, not a crash), then the csv module: compare len(row) with len(header) for every row and name the line of the first mismatch.')


def _parse_numbers(column):
    """A CSV column of strings as numbers, cell by cell: a cell that is no number keeps its text (it is then
    rejected with its row, naming the field), a missing cell stays missing."""
    import pandas as pd

    numbers = pd.to_numeric(column, errors="coerce")
    unparsed = (
        numbers.isna()
        & column.notna()
        & ~column.astype("string").str.strip().str.lower().isin(["nan", "-nan", "+nan"])
    )
    if not unparsed.any():
        return numbers
    return numbers.astype(object).where(~unparsed, column)


def read_input(path: Path):
    """Read a ``.csv`` or ``.parquet`` file of customers; refuse what cannot be scored as a whole (a missing,
    empty, corrupt, ragged or non-UTF-8 file, another format, unknown or missing columns, no rows)."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise BatchInputError(f"input file {path} does not exist")
    if path.stat().st_size == 0:
        raise BatchInputError(f"{path.name} is empty (0 bytes): nothing to score")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = read_csv_text(path)
        for name in NUMERIC_FEATURES:
            if name in frame.columns:
                frame[name] = _parse_numbers(frame[name])
    elif suffix in {".parquet", ".pq"}:
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise BatchInputError(
                f"{path.name} is not a readable Parquet file ({type(exc).__name__}: {first_line[:200]})"
            ) from None
    else:
        raise BatchInputError(f"{path.name}: unsupported input format {suffix!r}; use .csv or .parquet")
    names = [str(c) for c in frame.columns]
    duplicated = sorted({c for c in names if names.count(c) > 1})
    unknown = sorted(set(names) - set(INPUT_COLUMNS))
    missing = [c for c in FEATURE_NAMES if c not in names]
    if unknown or missing or duplicated:
        raise BatchInputError(
            f"{path.name}: columns do not match the input contract; unknown: {unknown}, missing: {missing}"
            + (f", repeated: {duplicated}" if duplicated else "")
        )
    if len(frame) == 0:
        raise BatchInputError(f"{path.name} has a header but no rows: nothing to score")
    return frame.reset_index(drop=True)


def _column_validators() -> dict[str, TypeAdapter]:
    """One validator per input column, built from :class:`Customer`'s own field definitions and config.

    Validating a table column by column with the fields' exact types and constraints accepts and rejects
    the same values as validating it row by row (unknown and missing columns are refused per file), and
    is an order of magnitude faster than building one model object per row.
    """
    config = Customer.model_config
    adapters = {}
    for name, field in Customer.model_fields.items():
        item = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        adapters[name] = TypeAdapter(
            list[item],  # type: ignore[valid-type]
            config=ConfigDict(strict=config.get("strict"), allow_inf_nan=config.get("allow_inf_nan")),
        )
    return adapters


def _column_values(column) -> list:
    """A column as Python values, one per cell; missing values become None.

    Nothing is converted for the column as a whole: each cell is judged on its own by the field's validator
    (an integer field takes 3.0 as 3 and refuses 2.5 in that cell only).
    """
    import numpy as np

    values = column.to_numpy()
    if values.dtype.kind in "iub":
        return values.tolist()
    if values.dtype.kind != "f":
        return column.astype(object).where(column.notna(), None).tolist()
    out = values.tolist()
    for position in np.flatnonzero(np.isnan(values)):
        out[position] = None
    return out


def validate_rows(chunk) -> tuple[list[int], dict[int, str]]:
    """Validate each row of ``chunk`` with the fields of :class:`Customer`: (valid rows, {row: reason})."""
    # HINT: Customer.model_validate(row) per row works; faster: validate each column with the field's own type
    # HINT: and constraints (TypeAdapter(list[...])) and map every error's loc[0] back to its row position.
    # HINT: Never convert a column as a whole: one bad cell must reject its own row, not every row.
    raise NotImplementedError("validate_rows: Customer.model_validate(row) per row works; faster: validate each column with the field's own type and constraints (TypeAdapter(list[...])) and map every error's loc[0] back to its row position. Never convert a column as a whole: one bad cell must reject its own row, not every row.")


_VALIDATORS: dict[str, TypeAdapter] | None = None


def write_atomic(frame, path: Path) -> None:
    """Write ``frame`` to ``path`` (.parquet or .csv) via a temporary file + ``os.replace``."""
    # HINT: tempfile.mkstemp(dir=path.parent), write there, os.replace(tmp, path); remove tmp on failure.
    raise NotImplementedError("write_atomic: tempfile.mkstemp(dir=path.parent), write there, os.replace(tmp, path); remove tmp on failure.")


def score_batch(frame, state: ModelState, threshold: float | None = None, chunk_size: int = 100_000):
    """Validate and score ``frame`` in chunks; return (scores, rejects) DataFrames that cover every row.

    ``threshold`` overrides the decision threshold; None decides with the artifact's threshold (or, for
    rows the fallback rule scored, with the rule's own).
    """
    # HINT: per chunk: validate_rows -> score_frame on the valid rows -> keep each row's input position.
    # HINT: Decide each chunk with the threshold of whoever scored it: a chunk the fallback rule scored (the
    # HINT: scores say so) is decided at the rule's own threshold from the state, not at the model's.
    raise NotImplementedError("score_batch: per chunk: validate_rows -> score_frame on the valid rows -> keep each row's input position. Decide each chunk with the threshold of whoever scored it: a chunk the fallback rule scored (the scores say so) is decided at the rule's own threshold from the state, not at the model's.")


def run_batch(
    input_path: Path,
    output_path: Path,
    rejects_path: Path,
    settings: Settings | None = None,
    chunk_size: int = 100_000,
) -> BatchSummary:
    """Score ``input_path`` into ``output_path`` (scores) and ``rejects_path`` (rejects with reasons)."""
    # HINT: read_input -> load_model_state -> score_batch -> check the accounting -> write_atomic twice.
    # HINT: decide with the artifact's threshold (state.threshold) unless settings.threshold overrides it;
    # HINT: the summary says whether the fallback scored the rows (fallback=True) and why.
    raise NotImplementedError("run_batch: read_input -> load_model_state -> score_batch -> check the accounting -> write_atomic twice. decide with the artifact's threshold (state.threshold) unless settings.threshold overrides it; the summary says whether the fallback scored the rows (fallback=True) and why.")


def main(argv: list[str] | None = None) -> int:
    """Command line: run the batch job and print its accounting."""
    parser = argparse.ArgumentParser(
        prog="python -m churn_service.batch", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--input", type=Path, required=True, help="customers.csv or customers.parquet")
    parser.add_argument("--output", type=Path, required=True, help="scores (.parquet or .csv)")
    parser.add_argument("--rejects", type=Path, required=True, help="rejected rows with reasons (.csv)")
    parser.add_argument("--chunk-size", type=int, default=100_000)
    args = parser.parse_args(argv)
    try:
        summary = run_batch(args.input, args.output, args.rejects, chunk_size=args.chunk_size)
    except BatchInputError as exc:
        print(f"batch refused: {exc}", file=sys.stderr)
        return EXIT_INPUT_REFUSED
    except BatchRefusedError as exc:
        print(f"batch refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except Exception as exc:  # one line for the operator, never a traceback
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"batch failed: {type(exc).__name__}: {first_line}", file=sys.stderr)
        return EXIT_FAILED
    line = {**asdict(summary), "threshold": round(summary.threshold, 6), "status": summary.status}
    print(" ".join(f"{k}={v}" for k, v in line.items()))
    return EXIT_FALLBACK if summary.fallback else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
