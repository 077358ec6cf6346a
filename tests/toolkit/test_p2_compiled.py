"""Project 2's compiled single-row scorer (given code in the starter): bit-for-bit parity or no scorer at all.

The scorer is not a learner's task, so the graded tests cannot check it (they must fail on the starter);
these tests hold the reference solution to its claim on a small trained pipeline.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import numpy as np
import pytest

from course.data.churn import load_world, monthly_snapshot
from course.paths import solutions_dir

PROJECT = solutions_dir() / "p2_serving"


@pytest.fixture(scope="module")
def p2() -> dict[str, ModuleType]:
    """The solution's ``churn_service`` modules, imported from ``solutions/p2_serving``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(PROJECT))
        return {name: importlib.import_module(f"churn_service.{name}") for name in ("compiled", "train")}


@pytest.fixture(scope="module")
def fitted(p2: dict[str, ModuleType]):
    """A small pipeline trained exactly as ``churn_service.train`` builds it, and its training rows."""
    train = p2["train"]
    snapshot = monthly_snapshot(load_world(seed=3, n_customers=400, months=8))
    labelled = snapshot[snapshot[train.LABEL].notna()]
    features = train.features_of(labelled)
    params = train.ModelParams(max_iter=25, max_leaf_nodes=8)
    pipeline = train.build_pipeline(params, seed=0).fit(features, labelled[train.LABEL].astype(int))
    return pipeline, features


def test_the_scorer_matches_predict_proba_bit_for_bit(p2, fitted) -> None:
    pipeline, features = fitted
    scorer = p2["compiled"].compile_verified(pipeline)
    assert scorer is not None, "the reference pipeline should compile and pass its own parity check"
    for start in range(0, 40, 4):
        frame = features.iloc[start : start + 4].reset_index(drop=True)
        np.testing.assert_array_equal(scorer.predict_proba(frame), pipeline.predict_proba(frame))


def test_missing_numbers_follow_the_models_route(p2, fitted) -> None:
    pipeline, features = fitted
    scorer = p2["compiled"].compile_pipeline(pipeline)
    frame = features.iloc[:3].reset_index(drop=True)
    frame.loc[:, scorer.numeric[:3]] = np.nan
    np.testing.assert_array_equal(scorer.predict_proba(frame), pipeline.predict_proba(frame))


def test_an_unknown_category_is_handed_back_to_scikit_learn(p2, fitted) -> None:
    pipeline, features = fitted
    scorer = p2["compiled"].compile_pipeline(pipeline)
    frame = features.iloc[:1].reset_index(drop=True)
    frame.loc[0, "plan"] = "platinum"
    assert scorer.predict_proba(frame) is None


def test_a_pipeline_of_another_shape_is_not_compiled(p2, fitted) -> None:
    from sklearn.compose import ColumnTransformer
    from sklearn.dummy import DummyClassifier
    from sklearn.pipeline import Pipeline

    _, features = fitted
    numeric = [name for name in features.columns if features[name].dtype == np.float64]
    other = Pipeline(
        [("encode", ColumnTransformer([("n", "passthrough", numeric)])), ("model", DummyClassifier())]
    )
    other.fit(features, np.arange(len(features)) % 2)
    assert p2["compiled"].compile_verified(other) is None


def test_a_scorer_that_disagrees_is_refused(p2, fitted, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline, _ = fitted
    compiled = p2["compiled"]
    real = compiled.compile_pipeline

    def off_by_a_little(model):
        scorer = real(model)
        scorer.baseline += 1e-6
        return scorer

    monkeypatch.setattr(compiled, "compile_pipeline", off_by_a_little)
    assert compiled.compile_verified(pipeline) is None
