"""Graded: the decision threshold comes from the artifact (project 1's policy), never from a 0.5 default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DECISION_KEYS = ("capacity", "contact_cost", "saved_value", "save_rate")


def _metadata(folder: Path) -> dict:
    return json.loads((folder / "metadata.json").read_text())


def _threshold_record(metadata: dict) -> dict:
    record = metadata.get("threshold")
    if not isinstance(record, dict) or not {"value", "policy", "fitted_on"} <= set(record):
        pytest.fail(
            "metadata.json has no threshold record: training must write threshold = {value, policy, "
            f"decision, fitted_on}} (see the README's contract); it has {sorted(metadata)}.",
            pytrace=False,
        )
    return record


@pytest.mark.rubric("p2.threshold.policy", points=2)
def test_training_records_the_policy_threshold(project_module, trained_two, snapshot, need, policy_threshold):
    """Training records project 1's policy threshold, chosen on labelled months between fit and test."""
    import pandas as pd

    train = project_module("churn_service.train")
    artifacts = project_module("churn_service.artifacts")
    model, metadata = artifacts.load_verified_model(need(trained_two) / "v0002")
    record = _threshold_record(metadata)
    assert record["policy"] in ("profit", "capacity"), (
        f"threshold.policy is {record['policy']!r}: name project 1's policy that chose it ('profit' or "
        "'capacity')."
    )
    decision = record.get("decision", {})
    assert all(isinstance(decision.get(k), (int, float)) for k in DECISION_KEYS), (
        f"threshold.decision must record the policy's costs and capacity {DECISION_KEYS}: {decision}"
    )
    months = pd.to_datetime(pd.Series(record["fitted_on"].get("months", [])))
    test_months = pd.to_datetime(pd.Series(metadata["training_data"]["test_months"]))
    fit_end = pd.to_datetime(metadata["training_data"]["months"][-1])
    assert len(months) and months.max() < test_months.min(), (
        f"The threshold was fitted on {list(months.dt.date)}, which reach the test months "
        f"{list(test_months.dt.date)}: choose it on labelled months before the test, never on the test."
    )
    assert months.min() > fit_end, (
        f"The threshold was fitted on {list(months.dt.date)}, months the model was trained on (up to "
        f"{fit_end.date()}): in-sample scores are over-confident; hold out validation months for it."
    )
    rows = snapshot[snapshot["month"].isin(months)]
    p = model.predict_proba(train.features_of(rows))[:, 1]
    want = policy_threshold(rows["churned"].astype(int), p, record["policy"], decision)
    assert record["value"] == pytest.approx(want, abs=1e-9), (
        f"threshold.value is {record['value']}, but the {record['policy']} policy with {decision} gives "
        f"{want:.6f} on the model's scores of the months it names: apply the policy to those scores."
    )


@pytest.mark.rubric("p2.threshold.policy", points=1)
def test_the_policy_never_contacts_more_than_the_capacity(project_module):
    """On made-up scores where contacting more would pay, the profit policy still stops at the capacity."""
    import numpy as np

    train = project_module("churn_service.train")
    scores = np.linspace(0.99, 0.01, 100)  # distinct, descending
    labels = (np.arange(100) < 20).astype(int)  # the top 20 are all churners: every contact up to 20 pays
    decision = train.DecisionParams(policy="profit", capacity=0.05, contact_cost=10, saved_value=120)
    chosen = train.choose_threshold(labels, scores, decision)
    assert chosen["value"] == pytest.approx(scores[4]) and chosen["contacted"] == 5, (
        f"With capacity 0.05 of 100 rows the team contacts at most 5, so the threshold is the 5th highest "
        f"score ({scores[4]:.2f}), even though the top 20 are all churners; got {chosen}."
    )
    losing = train.choose_threshold(np.zeros(100, dtype=int), scores, decision)
    assert losing["value"] == 1.0 and losing["contacted"] == 0, (
        f"When no contact list pays, nobody is contacted (threshold 1.0); got {losing}."
    )


@pytest.mark.rubric("p2.threshold.served", points=2)
def test_service_and_batch_decide_with_the_artifact_threshold(
    project_module, artifacts, make_client, customers, tmp_path
):
    """/predict, /predict/batch and the batch job decide with the artifact's threshold, not a default."""
    import pandas as pd

    first = make_client(artifacts)
    probabilities = [first.post("/predict", json=c).json()["churn_probability"] for c in customers]
    cut = sorted(probabilities)[len(probabilities) // 2]  # a customer exactly at it is contacted
    expected = [p >= cut for p in probabilities]
    assert expected != [p >= 0.5 for p in probabilities], "grader precondition: the cut must matter"
    path = artifacts / "v0002" / "metadata.json"
    metadata = json.loads(path.read_text())
    if not isinstance(metadata.get("threshold"), dict):
        pytest.fail("metadata.json has no threshold record: training must write one.", pytrace=False)
    metadata["threshold"]["value"] = cut  # what a retrained policy could have chosen
    path.write_text(json.dumps(metadata))
    client = make_client(artifacts)
    single = [client.post("/predict", json=c).json().get("decision") for c in customers]
    assert single == expected, (
        f"With threshold.value = {cut:.6f} in metadata.json, /predict decided {single}; expected "
        f"{expected}: decide churn_probability >= the artifact's threshold, not a default 0.5."
    )
    batch_answer = client.post("/predict/batch", json={"customers": customers[:8]}).json()
    assert [p.get("decision") for p in batch_answer.get("predictions", [])] == expected[:8], (
        "/predict/batch must decide with the artifact's threshold too."
    )
    batch = project_module("churn_service.batch")
    config = project_module("churn_service.config")
    source = tmp_path / "customers.parquet"
    pd.DataFrame(customers).to_parquet(source, index=False)
    settings = config.Settings(artifact_dir=artifacts)
    batch.run_batch(source, tmp_path / "s.parquet", tmp_path / "r.csv", settings)
    scores = pd.read_parquet(tmp_path / "s.parquet").sort_values("row")
    assert [bool(d) for d in scores["decision"]] == expected, (
        "The batch job must decide with the artifact's threshold when no override is configured."
    )


@pytest.mark.rubric("p2.threshold.missing_refused", points=2)
def test_artifact_without_threshold_is_not_served(artifacts, make_client, customers):
    """An artifact whose metadata has no threshold is refused at load: /ready names it, the rule answers."""
    path = artifacts / "v0002" / "metadata.json"
    metadata = json.loads(path.read_text())
    metadata.pop("threshold", None)
    path.write_text(json.dumps(metadata))
    client = make_client(artifacts)
    ready = client.get("/ready")
    assert "threshold" in ready.text.lower() and ready.json().get("status") != "ready", (
        f"/ready answered {ready.status_code} {ready.text[:300]} for a model without a threshold in its "
        "metadata: refuse to load it (no 0.5 default) and say that the threshold is missing."
    )
    answer = client.post("/predict", json=customers[0]).json()
    assert answer.get("fallback") is True, (
        "A model whose metadata records no threshold must not answer: /predict uses the fallback."
    )
