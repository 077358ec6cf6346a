"""A plain-Python scorer compiled from the fitted pipeline, for requests of a few rows (given code).

Why it exists: ``pipeline.predict_proba`` on ONE row costs about 15 ms, almost all of it scikit-learn's
per-call overhead (ColumnTransformer and OrdinalEncoder input validation, HistGradientBoosting's own
validation and one Cython call per tree), not arithmetic. That alone breaks the service's latency budget
(single-row ``/predict`` p99 <= 10 ms). The trees themselves are tiny: scoring a row is ~120 trees times a
handful of comparisons. So at load time we read the fitted pipeline once and keep:

- for every categorical column, a dict ``value -> number the trees see`` (the fixed vocabulary of our
  OrdinalEncoder composed with HistGradientBoosting's internal encoder; both are run by scikit-learn itself
  on the vocabulary to build the table, so the mapping is the library's, not a re-implementation);
- every tree as flat lists (feature, threshold, missing-goes-left, children, leaf value, category sets),

and route a row exactly as ``sklearn/ensemble/_hist_gradient_boosting/_predictor.pyx`` does: NaN and
unknown categories follow the node's missing-value direction, numbers go left when ``x <= threshold``. The
leaf values are added to the baseline in the library's order and the sigmoid is the model's own loss
function, so the probabilities are bit-for-bit the library's on every input we checked.

Nothing relies on that claim blindly: :func:`compile_verified` compares the scorer with
``pipeline.predict_proba`` on probe rows (every category value, every split threshold and its neighbours,
missing numbers) and refuses the scorer on any difference. A pipeline of another shape (another estimator,
encoder settings, a multi-class model) is not compiled at all: :func:`compile_pipeline` returns ``None`` and
the service keeps calling scikit-learn. Inputs the scorer does not fully understand (an unknown category, a
non-string category, other columns or dtypes) are handed back to scikit-learn too, which then behaves
exactly as it always did (including raising). Large batches never use it: NumPy/Cython win there.
"""

from __future__ import annotations

import logging
import math
from typing import Any

logger = logging.getLogger("churn_service.model")

# Frames with at most this many rows are scored by the compiled scorer; larger ones by scikit-learn.
SMALL_REQUEST_ROWS = 8
_ATOL = 1e-12


class CompiledScorer:
    """Scores a few rows of a DataFrame without scikit-learn's per-call overhead (see the module docstring).

    Build it with :func:`compile_pipeline` (or :func:`compile_verified`), never directly.
    """

    def __init__(
        self,
        columns: tuple[str, ...],
        categorical: dict[str, dict[str, float]],
        numeric: tuple[str, ...],
        positions: dict[str, int],
        trees: list[tuple],
        baseline: float,
        loss: Any,
    ) -> None:
        self.columns = columns
        self.categorical = categorical
        self.numeric = numeric
        self.positions = positions
        self.trees = trees
        self.baseline = baseline
        self._loss = loss  # the model's own loss: its predict_proba turns raw scores into probabilities

    def raw_score(self, x: list[float]) -> float:
        """Baseline + the sum of the leaves ``x`` reaches (``x`` in the trees' feature order)."""
        raw = self.baseline
        isnan = math.isnan
        for (
            feature,
            threshold,
            missing_left,
            left,
            right,
            is_leaf,
            value,
            left_cats,
            known_cats,
        ) in self.trees:
            node = 0
            while not is_leaf[node]:
                v = x[feature[node]]
                if isnan(v):
                    node = left[node] if missing_left[node] else right[node]
                elif left_cats[node] is not None:  # categorical split
                    code = int(v)
                    if v < 0:  # out of range: treated as missing
                        node = left[node] if missing_left[node] else right[node]
                    elif code in left_cats[node]:
                        node = left[node]
                    elif code in known_cats[node]:
                        node = right[node]
                    else:  # a category the model never saw: treated as missing
                        node = left[node] if missing_left[node] else right[node]
                elif v <= threshold[node]:
                    node = left[node]
                else:
                    node = right[node]
            raw += value[node]
        return raw

    def encode_rows(self, frame) -> list[list[float]] | None:
        """The rows of ``frame`` as the trees see them, or None when the frame is not one we fully handle."""
        import numpy as np

        if tuple(frame.columns) != self.columns:
            return None
        for name in self.numeric:
            if not isinstance(frame[name].dtype, np.dtype) or frame[name].dtype != np.float64:
                return None  # e.g. a nullable pandas dtype: leave its conversion to scikit-learn
        width = len(self.positions)
        rows: list[list[float]] = [[0.0] * width for _ in range(len(frame))]
        for name in self.columns:
            position = self.positions[name]
            values = frame[name].tolist()
            table = self.categorical.get(name)
            for row, value in zip(rows, values, strict=True):
                if table is None:
                    row[position] = value
                elif type(value) is str and value in table:
                    row[position] = table[value]
                else:  # unknown or not a string: scikit-learn decides (it raises for an unknown value)
                    return None
        return rows

    def predict_proba(self, frame):
        """``pipeline.predict_proba(frame)`` for a small frame, or None: then the caller uses the pipeline."""
        import numpy as np

        rows = self.encode_rows(frame)
        if rows is None:
            return None
        raw = np.array([[self.raw_score(x)] for x in rows], dtype=np.float64)
        return self._loss.predict_proba(raw)


def _bitset_members(words) -> frozenset[int]:
    """The categories (0-255) set in one of scikit-learn's 8 x 32-bit category bitsets."""
    return frozenset(c for c in range(256) if (int(words[c // 32]) >> (c % 32)) & 1)


def _tree(predictor, known: list[set[int] | None]) -> tuple:
    """One TreePredictor as flat Python lists (what ``_predict_one_from_raw_data`` reads)."""
    nodes = predictor.nodes
    bitsets = predictor.raw_left_cat_bitsets
    left_cats: list[frozenset[int] | None] = []
    known_cats: list[frozenset[int] | None] = []
    for node in nodes:
        if node["is_leaf"] or not node["is_categorical"]:
            left_cats.append(None)
            known_cats.append(None)
            continue
        left_cats.append(_bitset_members(bitsets[int(node["bitset_idx"])]))
        known_cats.append(frozenset(known[int(node["feature_idx"])] or ()))
    return (
        nodes["feature_idx"].tolist(),
        nodes["num_threshold"].tolist(),
        [bool(v) for v in nodes["missing_go_to_left"].tolist()],
        nodes["left"].tolist(),
        nodes["right"].tolist(),
        [bool(v) for v in nodes["is_leaf"].tolist()],
        nodes["value"].tolist(),
        left_cats,
        known_cats,
    )


def compile_pipeline(pipeline: Any) -> CompiledScorer | None:
    """Compile our fitted Pipeline (OrdinalEncoder + passthrough -> binary HGB classifier), else None."""
    import numpy as np
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder

    if not isinstance(pipeline, Pipeline) or len(pipeline.steps) != 2:
        return None
    encode, model = pipeline.steps[0][1], pipeline.steps[1][1]
    if type(encode) is not ColumnTransformer or type(model) is not HistGradientBoostingClassifier:
        return None
    if not hasattr(model, "_predictors") or not hasattr(encode, "transformers_"):
        return None  # not fitted
    if model.n_trees_per_iteration_ != 1 or len(model.classes_) != 2 or model._preprocessor is None:
        return None
    if encode.remainder != "drop" or encode.sparse_output_ or len(encode.transformers) != 2:
        return None
    (_, _, cat_columns), (_, numbers, num_columns) = encode.transformers
    encoder = encode.named_transformers_[encode.transformers[0][0]]
    if type(encoder) is not OrdinalEncoder or numbers != "passthrough":
        return None
    params = encoder.get_params()
    if (
        params["handle_unknown"] != "error"
        or params["min_frequency"] is not None
        or params["max_categories"] is not None
        or not isinstance(params["categories"], list)
    ):
        return None
    cat_columns, num_columns = tuple(cat_columns), tuple(num_columns)
    vocabularies = [list(c) for c in encoder.categories_]
    if not all(type(v) is str for vocabulary in vocabularies for v in vocabulary):
        return None
    columns = tuple(encode.feature_names_in_)
    if sorted(columns) != sorted(cat_columns + num_columns) or len(set(columns)) != len(columns):
        return None
    if tuple(encode.get_feature_names_out()) != cat_columns + num_columns:
        return None

    # Where each outer output column lands after HistGradientBoosting's internal ColumnTransformer
    # (categorical columns first, then the numerical ones), i.e. the trees' feature_idx.
    inner = model._preprocessor
    final_position: dict[int, int] = {}
    for name, _, mask in inner.transformers:
        if name not in ("encoder", "numerical"):
            return None
        start = inner.output_indices_[name].start
        for offset, column in enumerate(np.flatnonzero(mask)):
            final_position[int(column)] = start + offset
    width = len(cat_columns) + len(num_columns)
    if sorted(final_position) != list(range(width)) or sorted(final_position.values()) != list(range(width)):
        return None
    positions = {name: final_position[i] for i, name in enumerate(cat_columns + num_columns)}

    # value -> number the trees see, computed by running scikit-learn's own transforms on the vocabulary.
    longest = max(len(v) for v in vocabularies)
    probe = {
        name: [vocab[i % len(vocab)] for i in range(longest)]
        for name, vocab in zip(cat_columns, vocabularies, strict=True)
    }
    probe.update({name: [0.0] * longest for name in num_columns})
    probe_frame = pd.DataFrame({name: probe[name] for name in columns})
    for name in cat_columns:
        probe_frame[name] = probe_frame[name].astype(object)
    seen = inner.transform(encode.transform(probe_frame))
    categorical: dict[str, dict[str, float]] = {}
    for name, vocab in zip(cat_columns, vocabularies, strict=True):
        column = seen[: len(vocab), positions[name]]
        categorical[name] = {value: float(code) for value, code in zip(vocab, column.tolist(), strict=True)}

    known_bitsets, f_idx_map = model._bin_mapper.make_known_categories_bitsets()
    known: list[set[int] | None] = [None] * width
    is_categorical = np.asarray(model._is_categorical_remapped, dtype=bool)
    for feature in range(width):
        if is_categorical[feature]:
            known[feature] = set(_bitset_members(known_bitsets[int(f_idx_map[feature])]))
    trees = []
    for iteration in model._predictors:
        if len(iteration) != 1:
            return None
        trees.append(_tree(iteration[0], known))
    baseline = np.asarray(model._baseline_prediction, dtype=np.float64)
    if baseline.size != 1:
        return None
    # raw = zeros + baseline, then += each tree in order: the same float operations as _raw_predict.
    return CompiledScorer(
        columns=columns,
        categorical=categorical,
        numeric=num_columns,
        positions=positions,
        trees=trees,
        baseline=0.0 + float(baseline.reshape(-1)[0]),
        loss=model._loss,
    )


def probe_rows(scorer: CompiledScorer):
    """Probe rows for the parity check: every category value, every split threshold, its float neighbours
    on both sides, 0, large values and missing numbers, mixed over the columns deterministically."""
    import numpy as np
    import pandas as pd

    candidates: dict[int, set[float]] = {scorer.positions[name]: {0.0, -1.0, 1e9} for name in scorer.numeric}
    for feature, threshold, _, _, _, is_leaf, _, left_cats, _ in scorer.trees:
        for f, t, leaf, cats in zip(feature, threshold, is_leaf, left_cats, strict=True):
            if not leaf and cats is None and f in candidates:
                candidates[f].update({t, float(np.nextafter(t, -np.inf)), float(np.nextafter(t, np.inf))})
    values = {name: [*sorted(candidates[scorer.positions[name]]), float("nan")] for name in scorer.numeric}
    vocab = {name: list(table) for name, table in scorer.categorical.items()}
    n = max(max(len(v) for v in values.values()), max(len(v) for v in vocab.values())) * 2
    data: dict[str, list] = {}
    for k, name in enumerate(scorer.columns):
        pool = vocab.get(name) or values[name]
        step = 1 + 2 * k  # different strides, so that the columns' values are combined in many ways,
        while math.gcd(step, len(pool)) != 1:  # coprime with the pool: every value occurs
            step += 1
        data[name] = [pool[(i * step + k) % len(pool)] for i in range(n)]
    frame = pd.DataFrame(data)
    for name in scorer.categorical:
        frame[name] = frame[name].astype(object)
    for name in scorer.numeric:
        frame[name] = frame[name].astype(np.float64)
    return frame


def max_difference(scorer: CompiledScorer, pipeline: Any, frame) -> float:
    """The largest absolute difference between the scorer and ``pipeline.predict_proba`` on ``frame``
    (the scorer walks the trees row by row); inf when it declines the frame."""
    import numpy as np

    expected = pipeline.predict_proba(frame)
    got = scorer.predict_proba(frame)
    if got is None or got.shape != expected.shape:
        return float("inf")
    difference = np.abs(got - expected)
    return float(difference.max()) if not np.isnan(difference).any() else float("inf")


def compile_verified(pipeline: Any) -> CompiledScorer | None:
    """:func:`compile_pipeline`, kept only if it matches ``pipeline.predict_proba`` on the probe rows."""
    try:
        scorer = compile_pipeline(pipeline)
        if scorer is None:
            logger.info(
                "model is not a pipeline the compiled scorer understands: scikit-learn scores all rows"
            )
            return None
        difference = max_difference(scorer, pipeline, probe_rows(scorer))
    except Exception as exc:  # never let the optimisation break loading: scikit-learn still works
        logger.warning(
            "compiled scorer not used (%s: %s): scikit-learn scores all rows", type(exc).__name__, exc
        )
        return None
    if not difference <= _ATOL:
        logger.warning(
            "compiled scorer differs from predict_proba by %.3g on the probe rows: "
            "scikit-learn scores all rows",
            difference,
        )
        return None
    return scorer
