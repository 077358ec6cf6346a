"""Graded: the rule-based fallback and the paths that lead to it (no artifact, bad checksum, model error)."""

from __future__ import annotations

import math

import pytest


def _rule(contract, tenure, failed, tickets, inactive, trend) -> float:
    """The README's fallback formula, computed by hand."""
    logit = -3.0 + (contract == "monthly") * 1.0 + (tenure < 180) * 0.8 + 0.7 * min(failed, 3)
    logit += 0.4 * min(tickets, 3) + (inactive >= 14) * 0.8 + 1.5 * min(max(-trend, 0.0), 1.0)
    return 1.0 / (1.0 + math.exp(-logit))


@pytest.mark.rubric("p2.fallback.rule", points=3)
def test_rule_score_matches_the_documented_formula(project_module, customers):
    """fallback.rule_score implements the documented rule on hand-computed cases."""
    import pandas as pd

    fallback = project_module("churn_service.fallback")
    calm = {
        **customers[0], "contract": "annual", "tenure_days": 900, "failed_payments_90d": 0, "tickets_30d": 0,
        "days_since_last_activity": 1, "usage_trend_28d": 0.2,
    }  # fmt: skip
    risky = {
        **customers[0], "contract": "monthly", "tenure_days": 40, "failed_payments_90d": 5, "tickets_30d": 2,
        "days_since_last_activity": 20, "usage_trend_28d": -0.5,
    }  # fmt: skip
    frame = pd.DataFrame([calm, risky])
    got = [float(v) for v in fallback.rule_score(frame)]
    want = [_rule("annual", 900, 0, 0, 1, 0.2), _rule("monthly", 40, 5, 2, 20, -0.5)]
    assert got == pytest.approx(want, abs=1e-9), f"rule_score gave {got}, the documented rule gives {want}."


@pytest.mark.rubric("p2.fallback.missing_artifact", points=3)
def test_missing_artifact_serves_fallback(tmp_path, make_client, customers, project_module):
    """Without an artifact: /ready is 503 with a reason, /predict answers the rule with fallback=true."""
    import pandas as pd

    client = make_client(tmp_path / "no-artifacts-here")
    ready = client.get("/ready")
    assert ready.status_code == 503, (
        f"/ready answered {ready.status_code} without any model; answer 503 with why."
    )
    answer = client.post("/predict", json=customers[0])
    assert answer.status_code == 200, (
        f"/predict answered {answer.status_code} without a model; use the fallback."
    )
    body = answer.json()
    assert body.get("fallback") is True, "An answer from the rule must say fallback: true."
    expected = float(project_module("churn_service.fallback").rule_score(pd.DataFrame([customers[0]]))[0])
    assert body["churn_probability"] == pytest.approx(expected, abs=1e-9), (
        "The fallback answer must be the rule's score."
    )


@pytest.mark.rubric("p2.fallback.checksum", points=3)
def test_tampered_model_serves_fallback_and_ready_says_why(artifacts, make_client, customers):
    """A model file that fails its checksum is not served: fallback answers, /ready names the checksum."""
    import skops.io as sio
    from sklearn.dummy import DummyClassifier

    model = next((artifacts / "v0002").glob("*.skops"))
    sio.dump(DummyClassifier(strategy="constant", constant=1).fit([[0], [1]], [0, 1]), model)
    client = make_client(artifacts)
    ready = client.get("/ready")
    assert ready.status_code == 503, (
        f"/ready answered {ready.status_code} with a tampered model; it must be 503."
    )
    assert any(word in ready.text.lower() for word in ("checksum", "sha", "hash")), (
        f"/ready must say why it is degraded (the checksum does not match): {ready.text[:200]}"
    )
    body = client.post("/predict", json=customers[0]).json()
    assert body.get("fallback") is True, (
        "A model that failed its checksum must never answer: use the fallback."
    )
    assert body.get("churn_probability") != 1.0, "The tampered model's constant answer was served."


@pytest.mark.rubric("p2.fallback.model_error", points=3)
def test_model_that_raises_serves_fallback_and_counts_it(project_module, tmp_path, make_client, customers):
    """When the model raises at predict time, the answer comes from the rule and /metrics counts it."""
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    artifacts = project_module("churn_service.artifacts")
    wrong_shape = LogisticRegression().fit(
        pd.DataFrame({"only": [0.0, 1.0, 2.0, 3.0]}), [0, 0, 1, 1]
    )  # 1 feature, not 20
    folder = tmp_path / "artifacts"
    artifacts.save_artifact(wrong_shape, {"note": "expects one feature"}, folder, "v0001")
    artifacts.set_current(folder, "v0001")
    client = make_client(folder)
    answer = client.post("/predict", json=customers[0])
    assert answer.status_code == 200, (
        f"A model that raises led to {answer.status_code}; answer from the fallback."
    )
    assert answer.json().get("fallback") is True, "The answer after a model error must say fallback: true."
    metrics = client.get("/metrics").text
    counted = [
        line
        for line in metrics.splitlines()
        if line.startswith("churn_fallback_total") and not line.endswith(" 0.0")
    ]
    assert counted, "/metrics must count the fallback answer in churn_fallback_total."
