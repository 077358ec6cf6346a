"""The churn world's world parameters: the default world keeps its bytes, every learner's world plants
every lesson (base rate, leaky CRM fields, the drift, immature labels), and learners' worlds differ in the
lessons themselves (which fields leak under which names, when the drift comes), not only in the noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from course import worlds
from course.data import _churn_world as cw
from course.data import churn
from course.data.cache import digest_tables

IDS = ("alice", "bob", "carol")
SMALL = {"seed": 1, "n_customers": 600, "months": 8, "drift_month": 5}
# digest_tables of churn.generate(**SMALL) and of its monthly_snapshot, measured before the churn generator
# took world parameters: the default world (the cache, the site, the stored notebook outputs) never moves.
DEFAULT_TABLES = "a7b4eaf7165ca644ee294c73f8a508e0e3137e6744ff763408b6cb1928b19af7"
DEFAULT_SNAPSHOT = "c11c3141fa76402ff0c5ac607e08b8efa47aaa50baff8dda4b847fd341a55a14"
EXPORT = "2025-06-30"
KEYS = ("customer_id", "month", "churned", "signup_date")


@pytest.mark.parametrize("world", [None, {}, {"base_logit": -4.45, "drift_price": 17.99}])
def test_the_default_world_keeps_its_bytes(world) -> None:
    generated = churn.generate(**SMALL, world=world)
    assert "world" not in generated.params
    assert digest_tables(generated.tables()) == DEFAULT_TABLES
    assert digest_tables({"snapshot": churn.monthly_snapshot(generated)}) == DEFAULT_SNAPSHOT


def test_the_cache_key_holds_the_world_parameters(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    small = {"seed": 3, "n_customers": 300, "months": 5}
    default = churn.load_world(**small)
    alice = churn.load_world(**small, world=worlds.World("alice").params("churn"))
    assert len(list((tmp_path / "cache").iterdir())) == 2
    assert alice.params["world"] == cw.laws_of(alice.params).to_params() and "world" not in default.params
    again = churn.load_world(**small, world=worlds.World("alice").params("churn"))
    assert digest_tables(again.tables()) == digest_tables(alice.tables())
    assert again.crm_columns() == alice.crm_columns() != default.crm_columns()


def test_an_explicit_drift_month_wins_over_the_worlds() -> None:
    params = worlds.World("bob").params("churn")
    assert churn.generate(**{**SMALL, "drift_month": 3}, world=params).params["drift_month"] == 3
    small = {k: v for k, v in SMALL.items() if k != "drift_month"}
    assert churn.generate(**small, world=params).params["drift_month"] == params["drift_month"]


@pytest.mark.parametrize(
    ("world", "message"),
    [
        ({"colour": "red"}, "colour"),
        ({"base_logit": 2.0}, "base_logit"),
        ({"drift_price": -1}, "drift_price"),
        ({"drift_month": 0}, "drift_month"),
        ({"leaks": {"mood": "x"}}, "mood"),
        ({"leaks": {"status": "a", "reason": "a"}}, "distinct"),
    ],
)
def test_bad_world_parameters_are_named(world: dict, message: str) -> None:
    with pytest.raises(churn.ChurnWorldError, match=message):
        churn.generate(**SMALL, world=world)


def test_every_learners_parameters_stay_in_their_ranges() -> None:
    for n in range(40):
        drawn = worlds.World(f"learner-{n}").params("churn")
        assert cw.BASE_LOGIT_RANGE[0] <= drawn["base_logit"] <= cw.BASE_LOGIT_RANGE[1], drawn
        assert cw.DRIFT_MONTH_RANGE[0] <= drawn["drift_month"] <= cw.DRIFT_MONTH_RANGE[1], drawn
        assert drawn["drift_price"] in cw.DRIFT_PRICES, drawn
        assert len(drawn["leaks"]) == cw.N_LEAKS and set(cw.SHARP_KINDS) & set(drawn["leaks"]), drawn
        assert all(name in cw.LEAK_KINDS[kind].names for kind, name in drawn["leaks"].items()), drawn


@pytest.fixture(scope="module")
def planted() -> dict[str, tuple[churn.ChurnWorld, pd.DataFrame]]:
    """The default world and three learners' worlds (1,200 customers, 18 months) with their exports."""
    out = {}
    for learner in ("default", *IDS):
        world = churn.generate(
            seed=0, n_customers=1200, months=18, world=worlds.World(learner).params("churn")
        )
        out[learner] = world, churn.monthly_snapshot(world, EXPORT)
    return out


def _auc(y: np.ndarray, column: pd.Series, month: pd.Series) -> float:
    """A CRM field as the only predictor: dates as days after the month start, categories by presence or
    value, missing values as their own level. Folded, so direction does not matter."""
    if pd.api.types.is_datetime64_any_dtype(column):
        x = (column - month).dt.days.astype(float).fillna(1e4)
    elif pd.api.types.is_numeric_dtype(column) or str(column.dtype) == "boolean":
        x = column.astype(float).fillna(-1.0)
    else:
        x = pd.Series(pd.factorize(column.fillna("<missing>"))[0], index=column.index).astype(float)
        rates = pd.Series(y, index=column.index).groupby(x).mean()
        x = x.map(rates)
    auc = roc_auc_score(y, x.to_numpy(dtype=float))
    return max(auc, 1 - auc)


@pytest.mark.parametrize("learner", ["default", *IDS])
def test_every_world_plants_the_leaky_crm_fields(planted, learner: str) -> None:
    world, snapshot = planted[learner]
    crm = world.crm_columns()
    features = set(churn.FEATURE_COLUMNS) | set(KEYS)
    assert set(snapshot.columns) == features | set(crm), (learner, sorted(snapshot.columns))
    known = snapshot[snapshot["churned"].notna()]
    y = known["churned"].astype(int).to_numpy()
    honest = max(_auc(y, known[name], known["month"]) for name in churn.NUMERIC_FEATURES)
    leaks = {name: _auc(y, known[name], known["month"]) for name in crm}
    assert min(leaks.values()) > max(0.75, honest + 0.03), (learner, honest, leaks)
    assert max(leaks.values()) > 0.97, (learner, leaks)  # one field gives the outcome away almost perfectly


@pytest.mark.parametrize("learner", ["default", *IDS])
def test_every_world_has_a_base_rate_in_range_and_immature_labels(planted, learner: str) -> None:
    world, snapshot = planted[learner]
    rate = float(world.labels["churned"].mean())
    assert 0.03 <= rate <= 0.08, (learner, rate)
    assert abs(float(world.oracle["churn_probability"].mean()) - rate) < 0.006, learner
    immature = (world.labels["label_known_date"] > pd.Timestamp(EXPORT)).to_numpy()
    assert immature.any() and snapshot["churned"].isna().to_numpy().tolist() == immature.tolist(), learner


@pytest.mark.parametrize("learner", ["default", *IDS])
def test_every_world_drifts_at_its_month(planted, learner: str) -> None:
    world, _ = planted[learner]
    drift = pd.Timestamp("2024-01-01") + pd.DateOffset(months=world.params["drift_month"])
    price = cw.laws_of(world.params).drift_price
    invoices = world.invoices.merge(world.customers[["customer_id", "plan", "contract"]])
    standard = invoices[(invoices["plan"] == "standard") & (invoices["contract"] == "monthly")]
    assert standard.loc[standard["invoice_date"] < drift, "amount"].unique().tolist() == [14.99], learner
    assert standard.loc[standard["invoice_date"] >= drift, "amount"].unique().tolist() == [price], learner
    affiliates = world.customers.loc[world.customers["channel"] == "affiliate", "signup_date"]
    assert len(affiliates) > 0 and affiliates.min() >= drift, learner
    rows = world.oracle.merge(world.customers[["customer_id", "plan"]], on="customer_id")
    rows = rows[(rows["plan"] == "standard") & (rows["month"] >= drift - pd.DateOffset(months=3))]
    p = rows[rows["month"] < drift + pd.DateOffset(months=3)].groupby(rows["month"] >= drift)
    before, after = p["churn_probability"].mean()
    assert after > 1.4 * before, (learner, before, after)


def test_learners_worlds_differ_in_the_lessons_not_only_in_the_noise(planted) -> None:
    lessons = {
        learner: (world.params["drift_month"], tuple(sorted(world.crm_columns())))
        for learner, (world, _) in planted.items()
    }
    assert len(set(lessons.values())) == len(lessons), lessons
    names = {learner: set(world.crm_columns()) for learner, (world, _) in planted.items()}
    assert all(names[learner] != names["default"] for learner in IDS), names


def test_the_dictionary_names_the_exports_crm_fields() -> None:
    assert list(churn.crm_columns()) == list(churn.crm_columns({})) == list(cw.DEFAULT_LEAKS.values())
    params = worlds.World("carol").params("churn")
    assert list(churn.crm_columns(params)) == list(params["leaks"].values())
    assert all(len(meaning.split()) >= 5 for meaning in churn.crm_columns(params).values())


def test_every_drift_month_precedes_project_7s_months_within_90_days() -> None:
    """Project 7 learns uplift on LOG_MONTH's log and targets EXPERIMENT_MONTH: both follow the rise, and
    both still see it in the 90-day price change, in every learner's world."""
    from course.data import offers

    for month in range(cw.DRIFT_MONTH_RANGE[0], cw.DRIFT_MONTH_RANGE[1] + 1):
        drift = pd.Timestamp("2024-01-01") + pd.DateOffset(months=month)
        assert drift <= pd.Timestamp(offers.LOG_MONTH), month
        assert (pd.Timestamp(offers.EXPERIMENT_MONTH) - drift).days < 90, month
