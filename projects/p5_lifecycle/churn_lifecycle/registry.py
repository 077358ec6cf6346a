"""The model registry: candidates, the ``champion``/``challenger`` aliases, the gate and one-call rollback."""

from __future__ import annotations

import pandas as pd

from churn_lifecycle.features import FEATURES, SLICE, TARGET
from churn_lifecycle.gate import GateDecision, gate_decision
from churn_lifecycle.metrics import evaluate_scores
from churn_lifecycle.policy import Policy
from churn_lifecycle.tracking import MODEL_NAME

CHAMPION, CHALLENGER = "champion", "challenger"
TAG_PREVIOUS = "previous_champion"
TAG_DECISION = "gate.decision"


class RegistryError(RuntimeError):
    """Raised when the registry cannot do what was asked (no champion, nothing to roll back to)."""


def _client():
    import mlflow

    return mlflow.MlflowClient()


def alias_version(alias: str, model_name: str = MODEL_NAME) -> str | None:
    """The version number behind ``alias``, or ``None`` when the alias is not set."""
    from mlflow.exceptions import MlflowException

    try:
        return str(_client().get_model_version_by_alias(model_name, alias).version)
    except MlflowException:
        return None


def load_version(model_name: str, version: str):
    """Load one registered version as a scikit-learn model (``models:/<name>/<version>``)."""
    import mlflow

    return mlflow.sklearn.load_model(f"models:/{model_name}/{version}")


def evaluate_version(
    model_name: str, version: str, evaluation: pd.DataFrame, policy: Policy | None = None
) -> dict[str, float]:
    """Metrics of one registered version on ``evaluation`` (features, ``churned`` and ``channel``)."""
    policy = policy or Policy()
    model = load_version(model_name, version)
    scores = model.predict_proba(evaluation[list(FEATURES)])[:, 1]
    return evaluate_scores(evaluation[TARGET], scores, evaluation[SLICE], policy.contact_share)


def score_version(model_name: str, version: str, evaluation: pd.DataFrame):
    """The churn scores of one registered version on ``evaluation``, one per row, in row order."""
    return load_version(model_name, version).predict_proba(evaluation[list(FEATURES)])[:, 1]


def promote(
    evaluation: pd.DataFrame,
    *,
    model_name: str = MODEL_NAME,
    challenger: str | None = None,
    policy: Policy | None = None,
    force: bool = False,
) -> GateDecision:
    """Run the gate on ``evaluation`` and move ``champion`` to the challenger only if it passes.

    The challenger is version ``challenger`` (default: the version behind the ``challenger`` alias). Both it
    and the current champion are scored on the same ``evaluation`` rows (customers); :func:`gate_decision`
    compares them with paired intervals and decides. The
    decision summary is recorded on the challenger's version as the tag ``gate.decision`` (and as its
    description). On promotion the old champion's version is stored in the new champion's tag
    ``previous_champion`` so that :func:`rollback` can restore it. ``force=True`` is the operator's override
    (an emergency hotfix): the gate still runs and its verdict is recorded, prefixed ``FORCED``, but the
    alias moves whatever it says.
    """
    policy = policy or Policy()
    version = challenger or alias_version(CHALLENGER, model_name)
    if version is None:
        raise RegistryError(f"model {model_name!r} has no challenger: register a candidate first")
    # HINT: evaluate both versions on the same rows, call gate_decision, tag the result, then set the alias.
    raise NotImplementedError("promote: evaluate both versions on the same rows, call gate_decision, tag the result, then set the alias.")


def rollback(model_name: str = MODEL_NAME) -> str:
    """Return ``champion`` to the version it replaced, in one call; give back the restored version.

    The rolled-back version keeps a tag ``rolled_back`` = ``true`` so nobody promotes it again by accident.
    """
    # HINT: read the champion's previous_champion tag and point the champion alias back at it.
    raise NotImplementedError("rollback: read the champion's previous_champion tag and point the champion alias back at it.")
