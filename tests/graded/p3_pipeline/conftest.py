"""Shared fixtures of project 3's graded tests: a small churn world, its raw exports and a pipeline run."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

WORLD = {"seed": 11, "n_customers": 300, "start": "2024-01-01", "months": 4, "schema_version": 1}
"""The tests' small churn world: a fixed synthetic one (the default world's parameters) for every learner,
since project 3's graded tests check mechanisms (contracts, point-in-time features, labels, idempotent
runs, DVC), not a lesson planted in the learner's world. The pipeline runs of ``pipeline_run`` and of the
DVC tests export it through your ``ingest``, which draws it with the learner's world parameters: no test
compares their outputs with the fixtures below."""
RUN_DATE = "2024-04-20"
PARAMS = f"""
world: {{seed: {WORLD["seed"]}, n_customers: {WORLD["n_customers"]}, start: "2024-01-01", months: 4,
        schema_version: 1}}
validate: {{accept_schema_versions: [1, 2]}}
features: {{first_as_of: "2024-01-01"}}
labels: {{horizon_days: 30, delay_days: 45}}
run: {{as_of: "{RUN_DATE}"}}
train: {{c: 1.0, seed: 0}}
"""


@pytest.fixture(scope="session")
def p3_params() -> str:
    """The text of a params.yaml for the small world and RUN_DATE."""
    return PARAMS


@pytest.fixture(scope="session")
def world():
    """A 300-customer, 4-month churn world (cached by course.data)."""
    from course.data import churn

    return churn.load_world(seed=WORLD["seed"], n_customers=WORLD["n_customers"], months=WORLD["months"])


@pytest.fixture(scope="session")
def recent_world(world):
    """The world with events of its last three weeks only (a small export for the contract tests)."""
    cut = "2024-04-10"
    return dataclasses.replace(
        world,
        usage=world.usage[world.usage["date"] >= cut].reset_index(drop=True),
        invoices=world.invoices[world.invoices["invoice_date"] >= cut].reset_index(drop=True),
        tickets=world.tickets[world.tickets["opened_at"] >= cut].reset_index(drop=True),
    )


@pytest.fixture(scope="session")
def raw_v1(recent_world, tmp_path_factory) -> Path:
    """A raw export in schema version 1 (read-only: copy it before changing anything)."""
    from course.data import churn

    return churn.export_raw(recent_world, tmp_path_factory.mktemp("raw") / "v1", schema_version=1)


@pytest.fixture(scope="session")
def raw_v2(recent_world, tmp_path_factory) -> Path:
    """The same events exported in schema version 2."""
    from course.data import churn

    return churn.export_raw(recent_world, tmp_path_factory.mktemp("raw") / "v2", schema_version=2)


@pytest.fixture(scope="session")
def recent_tables(recent_world) -> dict:
    """The tables of ``recent_world`` in the validated (version 1) shape."""
    return _v1_tables(recent_world)


@pytest.fixture(scope="session")
def tables(world) -> dict:
    """The four upstream tables as DataFrames, in the validated (version 1) shape."""
    return _v1_tables(world)


def _v1_tables(world) -> dict:
    customers = world.customers.drop(columns=["cancellation_reason", "retention_offer_date"])
    tickets = world.tickets.assign(date=world.tickets["opened_at"].dt.normalize())
    return {"customers": customers, "usage": world.usage, "invoices": world.invoices, "tickets": tickets}


@pytest.fixture(scope="session")
def pipeline_run(project_module, tmp_path_factory) -> Path:
    """A project folder on which the learner's pipeline ran once for RUN_DATE (copy it before use)."""
    root = tmp_path_factory.mktemp("pipeline") / "project"
    root.mkdir()
    (root / "params.yaml").write_text(PARAMS, encoding="utf-8")
    run = project_module("churn_pipeline.run")
    run.Pipeline.from_folder(root).run()
    return root


def _copy_project(source: Path, target: Path) -> Path:
    """A full copy of a project folder (outputs included)."""
    shutil.copytree(source, target, symlinks=True)
    return target


def _output_bytes(root: Path) -> dict[str, bytes]:
    """Every output file below ``root/data`` and ``root/artifacts`` except the raw export, by path."""
    out = {}
    for folder in ("data", "artifacts"):
        for path in sorted((root / folder).rglob("*")):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and not rel.startswith("data/raw/"):
                out[rel] = path.read_bytes()
    return out


@pytest.fixture(scope="session")
def copy_project():
    """``copy_project(source, target)``: copy a project folder with its outputs."""
    return _copy_project


@pytest.fixture(scope="session")
def output_bytes():
    """``output_bytes(root)``: every output file's bytes (raw export excluded), by relative path."""
    return _output_bytes
