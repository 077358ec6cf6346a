"""Graded: the batch job at the edges: bad cells, ragged or unreadable files, a fallback a scheduler sees."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


def _settings(project_module, artifacts: Path, **overrides):
    return project_module("churn_service.config").Settings(artifact_dir=artifacts, **overrides)


def _run(project_module, artifacts, source: Path, tmp_path: Path):
    batch = project_module("churn_service.batch")
    out, rejects = tmp_path / "scores.parquet", tmp_path / "rejects.csv"
    batch.run_batch(source, out, rejects, _settings(project_module, artifacts), chunk_size=8)
    return pd.read_parquet(out), pd.read_csv(rejects, dtype={"customer_id": str})


def _main(
    project_module, artifacts, source: Path, tmp_path: Path, monkeypatch, capsys
) -> tuple[int, str, str]:
    """Run the command line in-process; return (exit status, stdout, stderr)."""
    monkeypatch.setenv("CHURN_SERVICE_ARTIFACT_DIR", str(artifacts))
    batch = project_module("churn_service.batch")
    argv = ["--input", str(source), "--output", str(tmp_path / "out.parquet"),
            "--rejects", str(tmp_path / "rejects.csv")]  # fmt: skip
    capsys.readouterr()
    try:
        code = batch.main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except NotImplementedError:
        raise
    except Exception as exc:
        pytest.fail(
            f"The batch command raised {type(exc).__name__}: {exc} on {source.name}: catch it and end with "
            "one line on stderr and a non-zero exit status, never a traceback.",
            pytrace=False,
        )
    captured = capsys.readouterr()
    return int(code or 0), captured.out, captured.err


@pytest.mark.rubric("p2.batch.bad_cell", points=2)
def test_one_bad_cell_rejects_its_row_not_the_file(project_module, artifacts, tmp_path, customers):
    """A bad cell (2.5 in an integer column, 'abc' in a CSV number column) rejects its row only, naming it."""
    frame = pd.DataFrame(customers)
    frame["tenure_days"] = frame["tenure_days"].astype("float64")
    frame.loc[3, "tenure_days"] = 2.5  # Parquet: the whole column becomes float64
    frame.to_parquet(tmp_path / "cells.parquet", index=False)
    scores, rejects = _run(project_module, artifacts, tmp_path / "cells.parquet", tmp_path / "p")
    assert len(scores) == 19 and list(rejects["row"]) == [3], (
        f"One cell tenure_days=2.5 (row 3) in a float column: {len(scores)} rows scored, rejected rows "
        f"{list(rejects['row'])}. Judge each cell on its own: reject row 3 only; 3.0 is the integer 3."
    )
    assert "tenure_days" in str(rejects["reason"].iloc[0]), "The reject's reason must name tenure_days."
    text = pd.DataFrame(customers).astype(str)
    text.loc[4, "sessions_28d"] = "abc"
    text.to_csv(tmp_path / "cells.csv", index=False)
    scores, rejects = _run(project_module, artifacts, tmp_path / "cells.csv", tmp_path / "c")
    assert len(scores) == 19 and list(rejects["row"]) == [4], (
        f"One cell sessions_28d='abc' (row 4) in a CSV: {len(scores)} rows scored, rejected rows "
        f"{list(rejects['row'])}. Parse a CSV's numbers cell by cell: reject row 4 only."
    )
    assert "sessions_28d" in str(rejects["reason"].iloc[0]), "The reject's reason must name sessions_28d."


@pytest.mark.rubric("p2.batch.row_shape", points=1)
def test_csv_row_with_extra_or_missing_field_refuses_the_file(
    project_module, artifacts, tmp_path, customers, monkeypatch, capsys
):
    """A CSV row with an extra or a missing field refuses the whole file (no silently shifted columns)."""
    header_and_rows = pd.DataFrame(customers[:6]).to_csv(index=False).splitlines()
    for what, line in (("an extra field", header_and_rows[1] + ",999"),
                       ("a missing field", header_and_rows[1].rsplit(",", 1)[0])):  # fmt: skip
        source = tmp_path / "ragged.csv"
        source.write_text("\n".join([header_and_rows[0], line, *header_and_rows[2:]]) + "\n")
        folder = tmp_path / what.replace(" ", "_")
        folder.mkdir()
        code, _, err = _main(project_module, artifacts, source, folder, monkeypatch, capsys)
        assert code != 0 and not (folder / "out.parquet").exists(), (
            f"A CSV whose first row has {what} was scored (exit {code}): its columns are shifted. Compare "
            "every row's field count with the header and refuse the file, writing nothing."
        )
        assert "line" in err.lower() or "field" in err.lower(), (
            f"Say which line has {what} in the one-line error: {err.strip()[:200]}"
        )


@pytest.mark.rubric("p2.batch.unreadable_input", points=2)
def test_unreadable_files_end_in_one_line_and_a_non_zero_exit(
    project_module, artifacts, tmp_path, customers, monkeypatch, capsys
):
    """Empty, corrupt, non-UTF-8 (Latin-1) or garbage files: one line on stderr, exit != 0, no traceback."""
    good = pd.DataFrame(customers[:4]).to_csv(index=False)
    parquet = tmp_path / "good.parquet"
    pd.DataFrame(customers[:4]).to_parquet(parquet, index=False)
    cases = {
        "empty.csv": b"",
        "empty.parquet": b"",
        "truncated.parquet": parquet.read_bytes()[: parquet.stat().st_size // 2],
        "latin1.csv": good.replace(customers[0]["customer_id"], "Zoë-1").encode("latin-1"),
        "garbage.csv": bytes(range(256)) * 4,
        "header-only.csv": good.splitlines()[0].encode() + b"\n",
    }
    for name, content in cases.items():
        source = tmp_path / name
        source.write_bytes(content)
        folder = tmp_path / f"run-{name}"
        folder.mkdir()
        code, _, err = _main(project_module, artifacts, source, folder, monkeypatch, capsys)
        lines = [line for line in err.splitlines() if line.strip()]
        assert code != 0, f"{name}: the batch exited 0; a file that cannot be scored is a non-zero exit."
        assert "Traceback" not in err and len(lines) == 1, (
            f"{name}: stderr must be one line saying what is wrong with the file, not "
            f"{len(lines)} lines: {err.strip()[:300]}"
        )
        assert not (folder / "out.parquet").exists(), f"{name}: nothing may be written for a refused file."


@pytest.mark.rubric("p2.batch.fallback_exit", points=2)
def test_batch_scored_by_the_fallback_exits_non_zero(
    project_module, artifacts, tmp_path, customers, monkeypatch, capsys
):
    """A batch scored by the fallback rule says so in its exit status; one scored by the model exits 0."""
    source = tmp_path / "customers.parquet"
    pd.DataFrame(customers).to_parquet(source, index=False)
    (tmp_path / "model").mkdir()
    code, _, err = _main(project_module, artifacts, source, tmp_path / "model", monkeypatch, capsys)
    assert code == 0, f"A batch scored by the verified model must exit 0, not {code}: {err.strip()[:200]}"
    (tmp_path / "rule").mkdir()
    missing = tmp_path / "no-model"
    code, out, _ = _main(project_module, missing, source, tmp_path / "rule", monkeypatch, capsys)
    assert (tmp_path / "rule" / "out.parquet").exists(), (
        "With fallback_policy 'rules' the batch still scores (from the rule) and writes its output."
    )
    assert code not in (0, None), (
        f"Every row was scored by the fallback rule, but the job exited {code} like a healthy run: a "
        "scheduler sees only the exit status. Exit with a documented non-zero status (and say so in the "
        f"summary line: {out.strip()[:200]})."
    )
