"""``course data`` and the raw export: layout, schema versions, byte-identical reruns, clear errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from course.cli import app
from course.data import churn

SMALL = {"n_customers": 300, "months": 5, "drift_month": 2}


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def world() -> churn.ChurnWorld:
    return churn.generate(seed=0, **SMALL)


@pytest.fixture(scope="module")
def exports(world: churn.ChurnWorld, tmp_path_factory) -> dict[int, Path]:
    root = tmp_path_factory.mktemp("raw")
    return {v: churn.export_raw(world, root / f"v{v}", schema_version=v) for v in (1, 2)}


def test_raw_export_is_partitioned_by_day(world: churn.ChurnWorld, exports: dict[int, Path]) -> None:
    root = exports[1]
    days = sorted(p.name for p in (root / "usage").iterdir())
    expected = sorted(f"date={d:%Y-%m-%d}" for d in world.usage["date"].unique())
    assert days == expected
    assert all((root / "usage" / d / "part-0.parquet").is_file() for d in days)
    usage = pd.read_parquet(root / "usage")
    assert len(usage) == len(world.usage) and "minutes" in usage.columns
    assert (root / "customers").is_dir() and (root / "invoices").is_dir() and (root / "tickets").is_dir()


def test_schema_json_describes_the_version(exports: dict[int, Path]) -> None:
    v1 = json.loads((exports[1] / "_schema.json").read_text())
    v2 = json.loads((exports[2] / "_schema.json").read_text())
    assert (v1["schema_version"], v2["schema_version"]) == (1, 2)
    assert set(v1["tables"]) == {"customers", "usage", "invoices", "tickets"}
    assert "channel" in v1["tables"]["customers"]["columns"]
    assert "acquisition_channel" in v2["tables"]["customers"]["columns"]
    assert v1["tables"]["invoices"]["columns"]["amount"] == "double"
    assert v2["tables"]["invoices"]["columns"]["amount"] == "int64"
    assert "cents" in v2["tables"]["invoices"]["units"]["amount"]


def test_schema_v2_renames_changes_a_unit_and_adds_a_category(exports: dict[int, Path]) -> None:
    c1, c2 = pd.read_parquet(exports[1] / "customers"), pd.read_parquet(exports[2] / "customers")
    assert "channel" in c1.columns and "acquisition_channel" in c2.columns and "channel" not in c2.columns
    i1, i2 = pd.read_parquet(exports[1] / "invoices"), pd.read_parquet(exports[2] / "invoices")
    assert (i2["amount"] == (i1["amount"] * 100).round().astype("int64")).all()
    t1, t2 = pd.read_parquet(exports[1] / "tickets"), pd.read_parquet(exports[2] / "tickets")
    assert "payment_failure" not in set(t1["category"]) and "payment_failure" in set(t2["category"])
    changed = t1["category"] != t2["category"]
    assert (t1.loc[changed, "category"] == "billing").all()


def test_raw_export_is_byte_deterministic(
    world: churn.ChurnWorld, exports: dict[int, Path], tmp_path
) -> None:
    churn.export_raw(world, tmp_path / "again", schema_version=2)
    again = churn.export_raw(world, tmp_path / "again", schema_version=1)  # replaces the v2 export
    assert _hashes(again) == _hashes(exports[1])


def test_raw_export_rejects_a_bad_version_and_a_foreign_folder(world: churn.ChurnWorld, tmp_path) -> None:
    with pytest.raises(ValueError, match="schema_version"):
        churn.export_raw(world, tmp_path / "x", schema_version=3)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match=r"_schema\.json"):
        churn.export_raw(world, tmp_path / "mine")


def test_course_data_writes_identical_bytes_twice(tmp_path, monkeypatch) -> None:
    runner = CliRunner()
    outputs = []
    for run in ("a", "b"):
        monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / f"cache-{run}"))  # two fresh generations
        out = tmp_path / f"out-{run}"
        args = ["data", "--out", str(out), "--customers", "300", "--months", "5", "--no-fraud"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "snapshot.parquet" in result.output
        outputs.append(out)
    hashes = _hashes(outputs[0])
    assert hashes == _hashes(outputs[1])
    names = set(hashes)
    assert {"churn/snapshot.parquet", "churn/usage.parquet", "churn/raw/_schema.json"} <= names
    assert "churn/oracle.parquet" not in names and not any(n.startswith("fraud/") for n in names)


def test_course_data_writes_the_fraud_world(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    args = ["data", "--out", str(tmp_path / "out"), "--customers", "100", "--months", "4", "--fraud"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    tx = pd.read_parquet(tmp_path / "out" / "fraud" / "transactions.parquet")
    assert len(tx) == 200_000 and tx["is_fraud"].sum() > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--months", "3"], "--months must be at least 4"),
        (["--customers", "99"], "--customers must be at least 100"),
        (["--schema-version", "3"], "--schema-version must be 1 or 2"),
    ],
)
def test_course_data_rejects_bad_options(tmp_path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["data", "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())
    assert not (tmp_path / "out").exists()
