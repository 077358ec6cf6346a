"""The churn world: determinism, rates, labels and their delay, leaky export columns, drift, the oracle."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course.data import churn
from course.data._churn_snapshot import EXPORT_COLUMNS, features, oracle_from_features
from course.data.cache import digest_tables

SMALL = {"n_customers": 600, "months": 8, "drift_month": 5}
DEFAULT_WORLD_DIGEST = "c4fe8ff9b9007311a13de044089398756e8cdd57b4767f2305e6fd38300505d1"


@pytest.fixture(scope="module")
def world() -> churn.ChurnWorld:
    return churn.generate(seed=0, **SMALL)


@pytest.fixture(scope="module")
def snapshot(world: churn.ChurnWorld) -> pd.DataFrame:
    return churn.monthly_snapshot(world)


@pytest.fixture(scope="module")
def drift_world() -> churn.ChurnWorld:
    return churn.generate(seed=1, n_customers=4_000, months=10, drift_month=6)


def test_same_seed_gives_identical_tables(world: churn.ChurnWorld) -> None:
    again = churn.generate(seed=0, **SMALL)
    assert digest_tables(again.tables()) == digest_tables(world.tables())


def test_different_seed_gives_different_data(world: churn.ChurnWorld) -> None:
    other = churn.generate(seed=1, **SMALL)
    assert digest_tables(other.tables()) != digest_tables(world.tables())
    assert not other.usage["minutes"].head(1000).equals(world.usage["minutes"].head(1000))


@pytest.fixture(scope="module")
def default_world() -> churn.ChurnWorld:
    return churn.generate()


@pytest.mark.slow
def test_default_world_digest_is_pinned(default_world: churn.ChurnWorld) -> None:
    """Same seed, same bytes on any machine: the default world's canonical digest never moves silently.

    If you changed the simulation on purpose, update the digest here and the figures quoted in
    ``docs/reference/data.md`` (cached worlds are rebuilt on their own: their key includes the code).
    """
    assert digest_tables(default_world.tables()) == DEFAULT_WORLD_DIGEST


@pytest.mark.slow
def test_default_world_base_rate_and_drift(default_world: churn.ChurnWorld) -> None:
    labels = default_world.labels.merge(default_world.customers, on="customer_id")
    rate = labels["churned"].mean()
    assert 0.03 <= rate <= 0.06, f"default world base monthly churn rate {rate:.2%} is outside 3-6 %"
    after = labels[labels["month"] >= pd.Timestamp("2025-01-01")]
    by_channel = after.groupby(after["channel"] == "affiliate")["churned"].mean()
    assert by_channel[True] > 1.5 * by_channel[False]


def test_tables_have_the_documented_columns(world: churn.ChurnWorld) -> None:
    assert list(world.customers.columns) == [
        "customer_id", "signup_date", "plan", "monthly_price", "contract", "country", "age_band",
        "channel", "churn_date", "cancellation_reason", "retention_offer_date",
    ]  # fmt: skip
    assert list(world.usage.columns) == ["customer_id", "date", "sessions", "minutes"]
    assert world.usage["sessions"].dtype == np.int32 and world.usage["minutes"].dtype == np.float32
    assert list(world.invoices.columns) == ["invoice_id", "customer_id", "invoice_date", "amount", "status"]
    assert list(world.tickets.columns) == ["ticket_id", "customer_id", "opened_at", "category"]
    assert list(world.labels.columns) == ["customer_id", "month", "churned", "label_known_date"]
    assert list(world.oracle.columns) == ["customer_id", "month", "churn_probability"]
    assert world.customers["customer_id"].is_unique
    assert world.customers["customer_id"].str.fullmatch(r"C\d{6}").all()


def test_small_world_churn_rate_is_plausible(world: churn.ChurnWorld) -> None:
    rate = world.labels["churned"].mean()
    assert 0.03 <= rate <= 0.08


def test_annual_contracts_churn_much_less(drift_world: churn.ChurnWorld) -> None:
    labels = drift_world.labels.merge(drift_world.customers[["customer_id", "contract"]], on="customer_id")
    rates = labels.groupby("contract")["churned"].mean()
    assert rates["annual"] < rates["monthly"] / 3


def test_labels_cover_customers_active_at_month_start(world: churn.ChurnWorld) -> None:
    rows = world.labels.merge(world.customers[["customer_id", "signup_date", "churn_date"]], on="customer_id")
    assert (rows["signup_date"] < rows["month"]).all()
    assert (rows["churn_date"].isna() | (rows["churn_date"] >= rows["month"])).all()
    in_month = rows["churn_date"] < rows["month"] + pd.offsets.MonthBegin(1)
    assert (rows["churned"] == in_month.astype(int)).all()
    assert not rows.duplicated(["customer_id", "month"]).any()


def test_label_known_date_is_month_end_plus_delay(world: churn.ChurnWorld) -> None:
    month_end = world.labels["month"] + pd.offsets.MonthEnd(0)
    assert (world.labels["label_known_date"] == month_end + pd.Timedelta(days=45)).all()


def test_no_activity_after_churn(world: churn.ChurnWorld) -> None:
    usage = world.usage.merge(world.customers[["customer_id", "signup_date", "churn_date"]], on="customer_id")
    assert not (usage["date"] >= usage["churn_date"]).any()
    assert not (usage["date"] < usage["signup_date"]).any()


def test_oracle_is_a_probability_and_calibrated(world: churn.ChurnWorld) -> None:
    p = world.oracle["churn_probability"]
    assert ((p > 0) & (p < 1)).all()
    assert abs(p.mean() - world.labels["churned"].mean()) < 0.015


def test_oracle_is_a_function_of_the_snapshot_features(
    world: churn.ChurnWorld, snapshot: pd.DataFrame
) -> None:
    """The true probability uses only what the snapshot shows at the month start: nothing hidden, no leak."""
    recomputed = oracle_from_features(world, snapshot)
    assert np.array_equal(recomputed, world.oracle["churn_probability"].to_numpy())


def test_features_only_use_data_before_the_month_start(world: churn.ChurnWorld) -> None:
    """Truncating the raw tables at a month start leaves that month's features unchanged."""
    cut = world.labels["month"].sort_values().unique()[4]
    before = churn.ChurnWorld(
        customers=world.customers,
        usage=world.usage[world.usage["date"] < cut],
        invoices=world.invoices[world.invoices["invoice_date"] < cut],
        tickets=world.tickets[world.tickets["opened_at"] < cut],
        labels=world.labels,
        oracle=world.oracle,
        params=world.params,
    )
    rows = (world.labels["month"] == cut).to_numpy()
    pd.testing.assert_frame_equal(features(before)[rows], features(world)[rows])


def test_snapshot_has_one_row_per_active_customer_month(
    world: churn.ChurnWorld, snapshot: pd.DataFrame
) -> None:
    assert len(snapshot) == len(world.labels)
    assert not snapshot.duplicated(["customer_id", "month"]).any()
    assert "churn_probability" not in snapshot.columns and "churn_date" not in snapshot.columns
    assert snapshot["churned"].dtype == "Int8"
    assert snapshot["month"].dtype == "datetime64[ns]" and snapshot["plan"].dtype == object


def test_immature_labels_are_missing_not_zero(world: churn.ChurnWorld, snapshot: pd.DataFrame) -> None:
    export = pd.Timestamp("2024-08-31")
    known = world.labels["label_known_date"] <= export
    assert snapshot["churned"].isna().to_numpy().tolist() == (~known).to_numpy().tolist()
    assert snapshot["churned"].isna().any() and snapshot["churned"].notna().any()
    assert (snapshot.loc[known.to_numpy(), "churned"] == world.labels.loc[known, "churned"].to_numpy()).all()


def test_earlier_export_has_fewer_rows_and_more_missing_labels(world: churn.ChurnWorld) -> None:
    early = churn.monthly_snapshot(world, export_date="2024-05-15")
    assert early["month"].max() == pd.Timestamp("2024-05-01")
    assert early.loc[early["month"] >= pd.Timestamp("2024-04-01"), "churned"].isna().all()
    assert early.loc[early["month"] <= pd.Timestamp("2024-02-01"), "churned"].notna().all()


def test_export_columns_are_filled_on_the_export_date(
    world: churn.ChurnWorld, snapshot: pd.DataFrame
) -> None:
    assert set(EXPORT_COLUMNS) <= set(snapshot.columns)
    churned_rows = snapshot["churned"] == 1
    assert (snapshot.loc[churned_rows, "account_status"] == "cancelled").all()
    assert snapshot.loc[churned_rows, "cancellation_reason"].notna().all()
    assert (snapshot.loc[churned_rows, "retention_offer_accepted"] == False).all()  # noqa: E712
    last = snapshot.loc[churned_rows, "last_login_date"]
    assert (last.isna() | (last < snapshot.loc[churned_rows, "month"] + pd.offsets.MonthBegin(1))).all()
    # the same customer-month exported earlier, before the churn happened, still looks active
    early = churn.monthly_snapshot(world, export_date="2024-03-01")
    later_churners = early.merge(world.customers, on="customer_id")["churn_date"] > pd.Timestamp("2024-03-01")
    assert (early.loc[later_churners.to_numpy(), "account_status"] == "active").all()
    assert early.loc[later_churners.to_numpy(), "cancellation_reason"].isna().all()


def test_usage_declines_before_churn(snapshot: pd.DataFrame) -> None:
    known = snapshot[snapshot["churned"].notna()]
    trend = known.groupby(known["churned"].astype(int))["usage_trend_28d"].mean()
    inactive = known.groupby(known["churned"].astype(int))["days_since_last_activity"].mean()
    assert trend[1] < trend[0] and inactive[1] > inactive[0]


def test_usage_fades_in_the_last_weeks_before_churn(world: churn.ChurnWorld) -> None:
    usage = world.usage.merge(world.customers[["customer_id", "churn_date"]], on="customer_id")
    usage = usage[usage["churn_date"].notna()]
    days_left = (usage["churn_date"] - usage["date"]).dt.days
    late = usage.loc[days_left.between(1, 14), "minutes"].sum() / 14
    early = usage.loc[days_left.between(43, 56), "minutes"].sum() / 14
    assert late < 0.7 * early


def test_drift_price_rise_on_the_standard_plan(drift_world: churn.ChurnWorld) -> None:
    invoices = drift_world.invoices.merge(drift_world.customers[["customer_id", "plan", "contract"]])
    monthly_standard = invoices[(invoices["plan"] == "standard") & (invoices["contract"] == "monthly")]
    drift_start = pd.Timestamp("2024-07-01")
    before = monthly_standard.loc[monthly_standard["invoice_date"] < drift_start, "amount"].unique()
    after = monthly_standard.loc[monthly_standard["invoice_date"] >= drift_start, "amount"].unique()
    assert before.tolist() == [14.99] and after.tolist() == [17.99]


def test_drift_makes_the_standard_plan_churn_more(drift_world: churn.ChurnWorld) -> None:
    rows = drift_world.oracle.merge(drift_world.customers[["customer_id", "plan"]], on="customer_id")
    rows = rows[rows["plan"] == "standard"]
    p = rows.groupby(rows["month"] >= pd.Timestamp("2024-07-01"))["churn_probability"].mean()
    assert p[True] > 1.2 * p[False]


def test_affiliate_channel_appears_at_the_drift_and_churns_more(drift_world: churn.ChurnWorld) -> None:
    cust = drift_world.customers
    affiliates = cust[cust["channel"] == "affiliate"]
    assert len(affiliates) > 0 and (affiliates["signup_date"] >= pd.Timestamp("2024-07-01")).all()
    rows = drift_world.oracle.merge(cust[["customer_id", "channel", "signup_date"]], on="customer_id")
    recent = rows[rows["signup_date"] >= pd.Timestamp("2024-07-01")]  # same tenure range on both sides
    p = recent.groupby(recent["channel"] == "affiliate")["churn_probability"].mean()
    assert p[True] > 1.3 * p[False]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_customers": 50}, "n_customers"),
        ({"months": 3}, "months"),
        ({"start": "2024-01-15"}, "first day of a month"),
        ({"start": "not a date"}, "start"),
        ({"seed": -1}, "seed"),
        ({"drift_month": 0}, "drift_month"),
    ],
)
def test_bad_parameters_are_named(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        churn.generate(**{**SMALL, **kwargs})


def test_load_world_caches_and_round_trips(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    first = churn.load_world(seed=3, n_customers=300, months=5)
    folders = list((tmp_path / "cache").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("churn-")
    second = churn.load_world(seed=3, n_customers=300, months=5)
    fresh = churn.generate(seed=3, n_customers=300, months=5)
    assert digest_tables(first.tables()) == digest_tables(fresh.tables())
    assert digest_tables(second.tables()) == digest_tables(fresh.tables())
    for name, df in fresh.tables().items():
        assert getattr(second, name).dtypes.equals(df.dtypes), name


def test_load_world_rebuilds_a_damaged_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    churn.load_world(seed=4, n_customers=200, months=4)
    (folder,) = (tmp_path / "cache").iterdir()
    (folder / "usage.parquet").write_bytes(b"not parquet")
    again = churn.load_world(seed=4, n_customers=200, months=4)
    assert digest_tables(again.tables()) == digest_tables(
        churn.generate(seed=4, n_customers=200, months=4).tables()
    )


def test_a_cache_it_may_not_write_is_read_and_new_worlds_stay_in_memory(tmp_path, monkeypatch) -> None:
    """The grader's unprivileged test processes read the course's cache; a world they build is not stored."""
    import errno

    from course.data import cache

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    churn.load_world(seed=6, n_customers=200, months=4)  # cached where the course keeps worlds
    store = cache._store

    def refuse_the_course_cache(folder, tables, params) -> None:
        if (tmp_path / "data") in folder.parents:
            raise PermissionError(errno.EACCES, "Permission denied", str(folder))
        store(folder, tables, params)

    monkeypatch.setattr(cache, "_store", refuse_the_course_cache)
    built = churn.load_world(seed=7, n_customers=200, months=4)  # no error: built, kept in memory
    assert digest_tables(built.tables()) == digest_tables(
        churn.generate(seed=7, n_customers=200, months=4).tables()
    )
    assert len(list((tmp_path / "data" / "cache").iterdir())) == 1, "nothing stored beside the course's cache"
    monkeypatch.setattr(churn, "generate", lambda **kwargs: pytest.fail("the cached world was built again"))
    churn.load_world(seed=6, n_customers=200, months=4)  # read from the course's cache


def test_load_world_rejects_unknown_arguments() -> None:
    with pytest.raises(TypeError, match="colour"):
        churn.load_world(seed=0, colour="red")


def test_snapshot_rejects_a_bad_export_date(world: churn.ChurnWorld) -> None:
    with pytest.raises(ValueError, match="export_date"):
        churn.monthly_snapshot(world, export_date="yesterday-ish")
    with pytest.raises(ValueError, match="before the world starts"):
        churn.monthly_snapshot(world, export_date="2023-12-31")


def test_cache_key_follows_the_simulation_code(tmp_path, monkeypatch) -> None:
    from course.data import cache

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    churn.load_world(seed=5, n_customers=200, months=4)
    monkeypatch.setattr(cache, "code_fingerprint", lambda *modules: "changed-code")
    churn.load_world(seed=5, n_customers=200, months=4)
    assert len(list((tmp_path / "cache").iterdir())) == 2
