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
TRAIN_WORLD = {"seed": 3, "n_customers": 400, "months": 16}
"""train()'s own world in these tests: 16 months put the two test months at January and February 2025, at or
after every learner's drift month (index 11 or 12, December 2024 or January 2025, in
``course.data._churn_world``), so the learner's world and the default world differ in the test months'
churn (a world that only differs after month 8 would not)."""
DECISION_KEYS = ("capacity", "contact_cost", "saved_value", "save_rate")


def _costs(decision) -> dict:
    """The costs and capacity of a decision record (a learner may also keep the policy in it)."""
    return {k: decision.get(k) for k in DECISION_KEYS} if isinstance(decision, dict) else {}


def _rule_record(folder: Path, after: str | None = None) -> dict:
    """The artifact folder's fallback.json, or a failure that says what training (or, ``after`` a step such
    as a rollback, that step) must write."""
    path = folder / FALLBACK_FILE
    if not path.is_file() and after is not None:
        pytest.fail(
            f"After {after} the artifact folder has no {FALLBACK_FILE}: set_current/rollback must write "
            "the rule record of the version they point at (each version keeps its own in metadata.json), not "
            "only remove the previous one.",
            pytrace=False,
        )
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


def _expected_rule_threshold(snapshot, record: dict, rule_scores, policy_threshold) -> float:
    """The record's policy applied to the grader's rule scores on the labelled rows of the months it names."""
    import pandas as pd

    months = pd.to_datetime(pd.Series(record["fitted_on"].get("months", [])))
    rows = snapshot[snapshot["month"].isin(months) & snapshot["churned"].notna()]
    return policy_threshold(
        rows["churned"].astype(int), rule_scores(rows), record["policy"], record["decision"]
    )


def _tamper(artifacts: Path) -> None:
    """Truncate the CURRENT version's model file: it fails its checksum, so only the rule can answer."""
    current = (artifacts / "CURRENT").read_text().strip()
    model = next((artifacts / current).glob("*.skops"))
    model.write_bytes(model.read_bytes()[:100])


@pytest.mark.rubric("p2.fallback.threshold_fitted", points=2)
def test_training_fits_the_rule_threshold_before_the_test(
    trained_two, snapshot, need, rule_scores, policy_threshold
):
    """Training fits the rule's threshold by the model's policy on labelled months before the test months."""
    import pandas as pd

    folder = need(trained_two)
    record = _rule_record(folder)
    metadata = json.loads((folder / "v0002" / "metadata.json").read_text())
    model_record = metadata.get("threshold") if isinstance(metadata.get("threshold"), dict) else {}
    assert record["policy"] == model_record.get("policy"), (
        f"{FALLBACK_FILE} says policy {record['policy']!r}, the model's threshold "
        f"{model_record.get('policy')!r}: the rule's threshold answers the same question for the same team, "
        "so fit it with the same policy."
    )
    ours, theirs = _costs(record["decision"]), _costs(model_record.get("decision"))
    assert ours == theirs and None not in ours.values(), (
        f"{FALLBACK_FILE} records the costs and capacity {ours}, the model's threshold {theirs}: fit the "
        f"rule's threshold with the same {', '.join(DECISION_KEYS)} and record them under decision."
    )
    months = pd.to_datetime(pd.Series(record["fitted_on"].get("months", [])))
    test_months = pd.to_datetime(pd.Series(metadata["training_data"]["test_months"]))
    assert len(months) and months.max() < test_months.min(), (
        f"The rule's threshold was fitted on {list(months.dt.date)}, which reach the test months "
        f"{list(test_months.dt.date)}: fit it on labelled months before the test, never on the test."
    )
    want = _expected_rule_threshold(snapshot, record, rule_scores, policy_threshold)
    assert isinstance(record["value"], int | float) and record["value"] == pytest.approx(want, abs=1e-9), (
        f"{FALLBACK_FILE} says value {record['value']!r}, but the {record['policy']} policy gives {want:.6f} "
        f"on the rule's scores of the months it names ({list(months.dt.date)}) in your world: apply the "
        "policy to the rule's scores of those rows, not a constant of another world."
    )


@pytest.mark.rubric("p2.fallback.threshold_served", points=2)
def test_fallback_answers_decide_at_the_fitted_rule_threshold(
    project_module, artifacts, make_client, customers, tmp_path, rule_scores
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
    scores = rule_scores(pd.DataFrame(bodies))
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


@pytest.mark.rubric("p2.fallback.threshold_reported", points=0.5)
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
    good = {k: v for k, v in record.items() if k != "value"}  # training's record, but for its value
    corrupt = {
        "a truncated file": '{"value": "0.3", "policy": ',
        "a bare number": "0.3",
        "a list": "[0.3]",
        "a value that is a string": json.dumps({**good, "value": str(record["value"])}),
        "a value that is not finite": json.dumps({**good, "value": float("nan")}),
        "an integer too large for a float": json.dumps({**good, "value": 10**400}),
        "an unknown policy": json.dumps({**good, "value": 0.3, "policy": "generous"}),
        "no months": json.dumps({**good, "value": 0.3, "fitted_on": {"months": []}}),
    }
    for what, text in corrupt.items():
        (artifacts / FALLBACK_FILE).write_text(text)
        broken = make_client(artifacts).get("/ready")
        body = broken.json() if broken.status_code in (200, 503) else {}
        assert (
            body.get("fallback_threshold_source") == "constant"
            and body.get("fallback_threshold") == pytest.approx(constant)
            and FALLBACK_FILE in str(body.get("fallback_threshold_detail", ""))
        ), (
            f"With {what} in {FALLBACK_FILE} ({text[:60]}), /ready answered {broken.status_code} "
            f"{broken.text[:300]}: never half-trust the file (a string is not a threshold, a number alone is "
            "not a record); use the constant, say so (source 'constant') and name the file and the problem "
            "in fallback_threshold_detail."
        )


@pytest.mark.rubric("p2.fallback.threshold_served", points=1)
def test_rollback_serves_the_rule_threshold_of_the_version_it_serves(
    project_module, snapshot, train_config, make_client, tmp_path
):
    """The monthly retrain: the same [decision], the newer run one labelled month later. After a rollback
    the rule decides with the served version's threshold, and the newer run's fallback.json left next to
    it is not trusted (its months differ, though its policy and costs are the same)."""
    train = project_module("churn_service.train")
    artifacts = project_module("churn_service.artifacts")
    predict = project_module("churn_service.predict")
    constant = float(project_module("churn_service.fallback").FALLBACK_THRESHOLD)
    folder = tmp_path / "artifacts"
    last_labelled = snapshot.loc[snapshot["churned"].notna(), "month"].max()
    month_earlier = snapshot[snapshot["month"] < last_labelled]  # the run before the last month was labelled
    records = []
    for data in (month_earlier, snapshot):
        try:
            train.train_on_snapshot(data, train_config, folder)
        except Exception as exc:
            pytest.fail(f"Training failed ({type(exc).__name__}: {exc}): it must work first.", pytrace=False)
        records.append(_rule_record(folder))
    older, newer = records

    def said(record: dict) -> str:
        months = record["fitted_on"].get("months")
        return f"{record['policy']}, value {record['value']!r}, fitted on months {months}"

    assert older["fitted_on"].get("months") != newer["fitted_on"].get("months"), (
        "Two runs with the same [decision], the second on a snapshot with one more labelled month, wrote "
        f"the same fitted_on.months ({older['fitted_on'].get('months')}): fit the rule's threshold on each "
        "run's own labelled months before its test months, and record them."
    )
    artifacts.rollback(folder)
    on_disk = _rule_record(folder, after="the rollback to v0001")
    assert (on_disk["value"], on_disk["fitted_on"].get("months")) == (
        older["value"],
        older["fitted_on"].get("months"),
    ), (
        f"After rolling back to v0001 ({said(older)}), {FALLBACK_FILE} says {said(on_disk)}, the newer "
        "run's: the rule would decide the served version's customers with another run's threshold. Keep each "
        "version's rule record with the version and make set_current/rollback rewrite the file from the "
        "version they point at (atomically)."
    )
    state = predict.load_model_state(folder).rule_threshold
    ready = make_client(folder).get("/ready").json()
    assert (state.source, state.value) == ("fitted", pytest.approx(older["value"])), (
        f"After the rollback load_model_state gives the rule threshold {state.value!r} ({state.source!r}, "
        f"{state.detail!r}); the served version v0001's is {said(older)} (fitted)."
    )
    assert ready.get("fallback_threshold_source") == "fitted" and ready.get("fallback_threshold") == (
        pytest.approx(older["value"])
    ), (
        f"After the rollback /ready says fallback_threshold {ready.get('fallback_threshold')!r} from "
        f"{ready.get('fallback_threshold_source')!r}; the served version v0001's rule threshold is "
        f"{said(older)} (fitted)."
    )
    (folder / FALLBACK_FILE).write_text(json.dumps(newer))  # a stale file: the newer run's record
    state = predict.load_model_state(folder).rule_threshold
    stale = make_client(folder).get("/ready").json()

    def why(what: str) -> str:
        return (
            f"With CURRENT at v0001 ({said(older)}) and the newer run's {FALLBACK_FILE} ({said(newer)}: the "
            f"same policy and costs, other months), {what}: compare the whole record with the served "
            "version's own (value, policy, costs, months, world), not the policy alone; on any difference "
            f"decide with the documented constant ({constant}) and name the file and the mismatch in "
            "fallback_threshold_detail."
        )

    assert (state.source, state.value) == ("constant", pytest.approx(constant)) and FALLBACK_FILE in str(
        state.detail
    ), why(f"load_model_state gives {state.value!r} ({state.source!r}, detail {state.detail!r})")
    assert (
        stale.get("fallback_threshold_source") == "constant"
        and stale.get("fallback_threshold") == pytest.approx(constant)
        and FALLBACK_FILE in str(stale.get("fallback_threshold_detail", ""))
    ), why(
        f"/ready says fallback_threshold {stale.get('fallback_threshold')!r} from "
        f"{stale.get('fallback_threshold_source')!r}, detail {stale.get('fallback_threshold_detail')!r}"
    )


@pytest.mark.rubric("p2.fallback.threshold_reported", points=0.5)
def test_an_unreadable_served_metadata_leaves_the_rule_at_the_constant(
    project_module, artifacts, make_client
):
    """CURRENT names a version whose metadata.json is not an object: the service starts, the rule answers,
    and fallback.json, which nothing can vet, is not used: the constant decides, and /ready says why."""
    constant = float(project_module("churn_service.fallback").FALLBACK_THRESHOLD)
    _rule_record(artifacts)
    current = (artifacts / "CURRENT").read_text().strip()
    (artifacts / current / "metadata.json").write_text("[]")
    try:
        response = make_client(artifacts).get("/ready")
    except Exception as exc:
        pytest.fail(
            f"With CURRENT's metadata.json holding a JSON list, the service did not start "
            f"({type(exc).__name__}: {exc}): catch the artifact error and serve the fallback.",
            pytrace=False,
        )
    body = response.json() if response.status_code in (200, 503) else {}
    assert (
        body.get("fallback_threshold_source") == "constant"
        and body.get("fallback_threshold") == pytest.approx(constant)
        and FALLBACK_FILE in str(body.get("fallback_threshold_detail", ""))
    ), (
        f"With CURRENT at {current}, whose metadata.json holds a JSON list, /ready answered "
        f"{response.status_code} {response.text[:300]}: {FALLBACK_FILE} cannot be checked against the served "
        "version, so it is not trusted: decide with the documented constant (source 'constant') and name "
        f"{FALLBACK_FILE} and the problem in fallback_threshold_detail. Only without any CURRENT is there "
        "nothing to check it against."
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
