"""Graded: the fallback rule's own threshold, fitted in the learner's world by training and served from it.

The rule's probabilities are not the model's, so it has a threshold of its own; a constant tuned on the
default world would contact another world's customers. Training fits it by the model's contact policy on
labelled months before the test and writes ``<artifact_dir>/fallback.json``; the service reads it at
start-up, also when no model can be loaded. Every expectation here is recomputed from the learner's world.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

FALLBACK_FILE = "fallback.json"
TRAIN_WORLD = {"seed": 3, "n_customers": 400, "months": 14}
"""train()'s own world in these tests: 14 months hold the learner's drift month, so the learner's world and
the default world differ in the test months' churn (a world that only differs after month 8 would not)."""


def _rule_scores(frame):
    """The README's fallback formula, computed by the grader, vectorised."""
    import numpy as np

    logit = np.full(len(frame), -3.0)
    logit += 1.0 * (frame["contract"].to_numpy() == "monthly")
    logit += 0.8 * (frame["tenure_days"].to_numpy(dtype=float) < 180)
    logit += 0.7 * np.minimum(frame["failed_payments_90d"].to_numpy(dtype=float), 3)
    logit += 0.4 * np.minimum(frame["tickets_30d"].to_numpy(dtype=float), 3)
    logit += 0.8 * (frame["days_since_last_activity"].to_numpy(dtype=float) >= 14)
    logit += 1.5 * np.clip(-frame["usage_trend_28d"].to_numpy(dtype=float), 0.0, 1.0)
    return 1.0 / (1.0 + np.exp(-logit))


def _policy_threshold(y, p, policy: str, decision: dict) -> float:
    """Project 1's policies, computed by the grader (the same as test_p2_threshold's)."""
    import numpy as np

    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    order = np.argsort(-p, kind="stable")
    k_max = max(1, math.floor(decision["capacity"] * len(p) + 1e-9))
    if policy == "capacity":
        return float(p[order][k_max - 1])
    gain = decision["save_rate"] * decision["saved_value"]
    profit = np.cumsum(y[order])[:k_max] * gain - np.arange(1, k_max + 1) * decision["contact_cost"]
    k = int(np.argmax(profit)) + 1
    return 1.0 if profit[k - 1] <= 0 else float(p[order][k - 1])


def _rule_record(folder: Path) -> dict:
    """The artifact folder's fallback.json, or a failure that says what training must write."""
    path = folder / FALLBACK_FILE
    if not path.is_file():
        pytest.fail(
            f"Training wrote no {FALLBACK_FILE} in the artifact folder (next to CURRENT and the versions): "
            "it must fit the fallback rule's own threshold in your world and write it there, with value, "
            "policy, decision and fitted_on.months (see the README's contract).",
            pytrace=False,
        )
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        pytest.fail(f"{FALLBACK_FILE} is not JSON ({exc}): write it with json.dumps.", pytrace=False)
    fitted_on = record.get("fitted_on") if isinstance(record, dict) else None
    if not isinstance(fitted_on, dict) or not {"value", "policy", "decision"} <= set(record):
        pytest.fail(
            f"{FALLBACK_FILE} needs value, policy, decision and fitted_on (with months); it has "
            f"{sorted(record) if isinstance(record, dict) else record!r}.",
            pytrace=False,
        )
    return record


def _expected_rule_threshold(snapshot, record: dict) -> float:
    """The record's policy applied to the grader's rule scores on the labelled rows of the months it names."""
    import pandas as pd

    months = pd.to_datetime(pd.Series(record["fitted_on"].get("months", [])))
    rows = snapshot[snapshot["month"].isin(months) & snapshot["churned"].notna()]
    return _policy_threshold(
        rows["churned"].astype(int), _rule_scores(rows), record["policy"], record["decision"]
    )


def _tamper(artifacts: Path) -> None:
    """Truncate the CURRENT version's model file: it fails its checksum, so only the rule can answer."""
    current = (artifacts / "CURRENT").read_text().strip()
    model = next((artifacts / current).glob("*.skops"))
    model.write_bytes(model.read_bytes()[:100])


@pytest.mark.rubric("p2.fallback.threshold_fitted", points=2)
def test_training_fits_the_rule_threshold_before_the_test(trained_two, snapshot, need):
    """Training fits the rule's threshold by the model's policy on labelled months before the test months."""
    import pandas as pd

    folder = need(trained_two)
    record = _rule_record(folder)
    metadata = json.loads((folder / "v0002" / "metadata.json").read_text())
    model_record = metadata.get("threshold") if isinstance(metadata.get("threshold"), dict) else {}
    assert record["policy"] == model_record.get("policy") and record["decision"] == model_record.get(
        "decision"
    ), (
        f"{FALLBACK_FILE} says policy {record['policy']!r} with {record['decision']}, the model's threshold "
        f"{model_record.get('policy')!r} with {model_record.get('decision')}: the rule's threshold answers "
        "the same question for the same team, so fit it with the same policy, costs and capacity."
    )
    months = pd.to_datetime(pd.Series(record["fitted_on"].get("months", [])))
    test_months = pd.to_datetime(pd.Series(metadata["training_data"]["test_months"]))
    assert len(months) and months.max() < test_months.min(), (
        f"The rule's threshold was fitted on {list(months.dt.date)}, which reach the test months "
        f"{list(test_months.dt.date)}: fit it on labelled months before the test, never on the test."
    )
    want = _expected_rule_threshold(snapshot, record)
    assert isinstance(record["value"], int | float) and record["value"] == pytest.approx(want, abs=1e-9), (
        f"{FALLBACK_FILE} says value {record['value']!r}, but the {record['policy']} policy gives {want:.6f} "
        f"on the rule's scores of the months it names ({list(months.dt.date)}) in your world: apply the "
        "policy to the rule's scores of those rows, not a constant of another world."
    )


@pytest.mark.rubric("p2.fallback.threshold_served", points=2)
def test_fallback_answers_decide_at_the_fitted_rule_threshold(
    project_module, artifacts, make_client, customers, tmp_path
):
    """With a model failing its checksum, /predict/batch and the batch job decide at fallback.json's value."""
    import numpy as np
    import pandas as pd

    record = _rule_record(artifacts)
    fitted = float(record["value"])
    constant = float(project_module("churn_service.fallback").FALLBACK_THRESHOLD)
    # new monthly customers, no payments or tickets, active: the rule's score then rises with falling usage
    # from 0.23 to 0.57; the trends are chosen around the fitted threshold and the documented constant
    base = {**customers[0], "contract": "monthly", "tenure_days": 40, "failed_payments_90d": 0,
            "tickets_30d": 0, "days_since_last_activity": 1}  # fmt: skip
    targets = sorted(
        {min(max(t + d, 0.235), 0.57) for t in (fitted, constant) for d in (-0.01, -1e-4, 1e-4, 0.01)}
    )
    trends = [-min(max((math.log(t / (1 - t)) + 1.2) / 1.5, 0.0), 1.0) for t in targets]
    bodies = [
        {**base, "customer_id": f"T{i:03d}", "usage_trend_28d": round(x, 6)} for i, x in enumerate(trends)
    ]
    scores = _rule_scores(pd.DataFrame(bodies))
    expected = [bool(s >= fitted) for s in scores]
    _tamper(artifacts)
    client = make_client(artifacts)
    answer = client.post("/predict/batch", json={"customers": bodies})
    predictions = answer.json().get("predictions", []) if answer.status_code == 200 else []
    assert predictions and all(p.get("fallback") is True for p in predictions), (
        f"/predict/batch answered {answer.status_code} {answer.text[:200]} with a model that fails its "
        "checksum: the fallback rule must answer, with fallback: true."
    )
    decided = [p.get("decision") for p in predictions]
    assert decided == expected, (
        f"The rule's answers were decided {decided}, expected {expected} (score >= {fitted:.6f}, the "
        f"threshold training fitted in your world and wrote to {FALLBACK_FILE}): read the artifact folder's "
        f"{FALLBACK_FILE} at start-up and decide the rule's scores with it, not with the default world's "
        f"constant {constant}."
    )
    batch = project_module("churn_service.batch")
    config = project_module("churn_service.config")
    source = tmp_path / "customers.parquet"
    pd.DataFrame(bodies).to_parquet(source, index=False)
    batch.run_batch(
        source, tmp_path / "s.parquet", tmp_path / "r.csv", config.Settings(artifact_dir=artifacts)
    )
    out = pd.read_parquet(tmp_path / "s.parquet").sort_values("row")
    assert [bool(d) for d in out["decision"]] == expected and bool(np.all(out["fallback"])), (
        f"The batch job decided the rule's scores {[bool(d) for d in out['decision']]}, expected {expected}: "
        f"decide them at the threshold of {FALLBACK_FILE}, as the API does."
    )


@pytest.mark.rubric("p2.fallback.threshold_reported", points=1)
def test_ready_says_where_the_rule_threshold_comes_from(project_module, artifacts, make_client, tmp_path):
    """/ready names the rule's threshold and its source: fitted, or the constant (no file, or a bad file)."""
    constant = float(project_module("churn_service.fallback").FALLBACK_THRESHOLD)
    record = _rule_record(artifacts)
    ready = make_client(artifacts).get("/ready").json()
    assert ready.get("fallback_threshold_source") == "fitted" and ready.get("fallback_threshold") == (
        pytest.approx(float(record["value"]))
    ), (
        f"/ready says fallback_threshold {ready.get('fallback_threshold')!r} from "
        f"{ready.get('fallback_threshold_source')!r} while the artifact folder's {FALLBACK_FILE} holds "
        f"{record['value']}: report the rule's threshold the service loaded, with source 'fitted'."
    )
    missing = make_client(tmp_path / "no-artifacts-here").get("/ready").json()
    assert missing.get("fallback_threshold_source") == "constant" and missing.get("fallback_threshold") == (
        pytest.approx(constant)
    ), (
        f"Without any artifacts /ready says fallback_threshold {missing.get('fallback_threshold')!r} from "
        f"{missing.get('fallback_threshold_source')!r}: the rule then decides with the documented "
        f"FALLBACK_THRESHOLD ({constant}), and /ready must say so (source 'constant')."
    )
    (artifacts / FALLBACK_FILE).write_text('{"value": "0.3", "policy": ')
    broken = make_client(artifacts).get("/ready")
    body = broken.json() if broken.status_code in (200, 503) else {}
    assert body.get("fallback_threshold_source") == "constant" and FALLBACK_FILE in str(
        body.get("fallback_threshold_detail", "")
    ), (
        f"With a corrupt {FALLBACK_FILE}, /ready answered {broken.status_code} {broken.text[:300]}: never "
        "half-trust the file; use the constant, say so (source 'constant') and name the file and the problem "
        "in fallback_threshold_detail."
    )


@pytest.mark.rubric("p2.train.world", points=1)
def test_train_draws_the_learners_world(project_module, tmp_path):
    """train() trains on your world (learner.toml, or the world the grader names), and records it."""
    from course import worlds
    from course.data import churn

    train = project_module("churn_service.train")
    config = train.TrainConfig(**TRAIN_WORLD, test_months=2, model={"max_iter": 10, "max_leaf_nodes": 4})
    version_dir = Path(train.train(config, tmp_path / "artifacts"))
    metadata = json.loads((version_dir / "metadata.json").read_text())
    graded_in = worlds.current()
    snapshot = churn.monthly_snapshot(graded_in.churn(**TRAIN_WORLD))
    test = snapshot[
        snapshot["month"].isin(sorted(snapshot.loc[snapshot["churned"].notna(), "month"].unique())[-2:])
    ]
    metrics = metadata.get("metrics", {})
    assert metrics.get("n_test") == len(test) and metrics.get("base_rate") == pytest.approx(
        test["churned"].mean(), abs=1e-6
    ), (
        f"train() evaluated on {metrics.get('n_test')} rows with churn rate {metrics.get('base_rate')}; your "
        f"world's test months have {len(test)} rows with churn rate {test['churned'].mean():.6f}: draw the "
        "snapshot with worlds.current().churn(...), not the default world."
    )
    recorded = {
        metadata.get("training_data", {}).get("world"),
        _rule_record(tmp_path / "artifacts").get("world"),
    }
    assert recorded == {graded_in.learner}, (
        f"metadata.json's training_data.world and {FALLBACK_FILE}'s world say {sorted(map(str, recorded))}, "
        f"and you are graded in world {graded_in.learner!r}: record the world the snapshot came from."
    )
