"""The input contract, shared by the API and the batch job: one customer's start-of-month features.

Every field is required, typed strictly (a number is a JSON number, not a string), bounded, and the
categorical ones accept only the listed values. Unknown fields are refused. The same model validates an
HTTP body and a row of a batch file, so both paths accept and reject exactly the same inputs.

Integer fields follow JSON Schema's ``integer`` (what the OpenAPI document says): a number without a
fractional part, so ``3`` and ``3.0`` are both 3, while ``2.5``, ``"3"`` and ``true`` are refused (pydantic's
strict ``int`` refuses every float, hence :func:`integral_float_to_int`). A batch file cannot tell 3 from 3.0
either (a Parquet column with one gap is float64, a CSV has no types), so both paths agree cell by cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from course.data.churn import VOCABULARIES

# The vocabularies come from the churn world (one source); Literal[(a, b)] means Literal[a, b].
Plan = Literal[VOCABULARIES["plan"]]  # type: ignore[valid-type]
Contract = Literal[VOCABULARIES["contract"]]  # type: ignore[valid-type]
Channel = Literal[VOCABULARIES["channel"]]  # type: ignore[valid-type]
Country = Literal[VOCABULARIES["country"]]  # type: ignore[valid-type]
AgeBand = Literal[VOCABULARIES["age_band"]]  # type: ignore[valid-type]


def integral_float_to_int(value: Any) -> Any:
    """Turn a float without a fractional part (3.0) into the int it equals; leave anything else as it is."""
    # HINT: only a real float (type(value) is float) with value.is_integer() becomes int(value); strict
    # HINT: validation then refuses 2.5, "3", True and NaN as before.
    raise NotImplementedError('integral_float_to_int: only a real float (type(value) is float) with value.is_integer() becomes int(value); strict validation then refuses 2.5, "3", True and NaN as before.')


# After the bounds in Annotated[...], so that the OpenAPI document keeps them as minimum/maximum.
AsInteger = BeforeValidator(integral_float_to_int)
Count = Annotated[int, Field(ge=0, le=100_000), AsInteger]
Minutes = Annotated[float, Field(ge=0.0, le=1_000_000.0)]


class Customer(BaseModel):
    """One customer at the start of a month, as the model sees them."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    customer_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    plan: Plan
    contract: Contract
    channel: Channel
    country: Country
    age_band: AgeBand
    monthly_price: float = Field(ge=0.0, le=1_000.0, description="currency units per month")
    price_change_pct_90d: float = Field(ge=-1.0, le=10.0, description="relative price change over 90 days")
    tenure_days: Annotated[int, Field(ge=0, le=36_500), AsInteger]
    months_to_renewal: Annotated[int, Field(ge=0, le=11), AsInteger]
    sessions_7d: Count
    minutes_7d: Minutes
    sessions_28d: Count
    minutes_28d: Minutes
    minutes_prev_28d: Minutes
    active_days_28d: Annotated[int, Field(ge=0, le=28), AsInteger]
    usage_trend_28d: float = Field(ge=-1.0, le=10_000.0, description="(minutes_28d - prev) / (prev + 60)")
    days_since_last_activity: Annotated[int, Field(ge=0, le=36_500), AsInteger]
    failed_payments_90d: Annotated[int, Field(ge=0, le=90), AsInteger]
    tickets_30d: Annotated[int, Field(ge=0, le=1_000), AsInteger]
    tickets_90d: Annotated[int, Field(ge=0, le=3_000), AsInteger]


CATEGORIES: dict[str, tuple[str, ...]] = {
    name: tuple(get_args(Customer.model_fields[name].annotation))
    for name in ("plan", "contract", "channel", "country", "age_band")
}
CATEGORICAL_FEATURES: tuple[str, ...] = tuple(CATEGORIES)
NUMERIC_FEATURES: tuple[str, ...] = tuple(
    name for name in Customer.model_fields if name != "customer_id" and name not in CATEGORIES
)
FEATURE_NAMES: tuple[str, ...] = CATEGORICAL_FEATURES + NUMERIC_FEATURES


class Prediction(BaseModel):
    """The answer for one customer."""

    customer_id: str | None = None
    churn_probability: float = Field(ge=0.0, le=1.0)
    decision: bool = Field(description="churn_probability >= the configured threshold: contact this customer")
    model_version: str
    fallback: bool = Field(description="true when the rule-based fallback produced the score, not the model")


class BatchPredictions(BaseModel):
    """The answers for a batch, in request order."""

    predictions: list[Prediction]
    model_version: str
    fallback: bool


class ReadyStatus(BaseModel):
    """``/ready``'s body: whether /predict can answer, from what, with which threshold, and why not."""

    status: Literal["ready", "degraded", "unavailable"] = Field(
        description="ready: the verified model answers; degraded: the fallback rule does; unavailable: none"
    )
    fallback: bool = Field(description="true when /predict answers from the fallback rule")
    model_version: str
    fallback_policy: Literal["rules", "refuse"]
    threshold: float = Field(ge=0.0, le=1.0, description="the threshold decisions use now")
    threshold_source: Literal["artifact", "override", "fallback-rule"]
    fallback_threshold: float = Field(ge=0.0, le=1.0, description="the threshold the rule decides with")
    fallback_threshold_source: Literal["fitted", "constant"] = Field(
        description="fitted: training's fallback.json in the artifact folder; constant: the default world's"
    )
    fallback_threshold_detail: str | None = Field(default=None, description="why the constant is used")
    reason: str | None = Field(default=None, description="why no verified model is loaded")
    detail: str | None = None


class FieldError(BaseModel):
    """One invalid field: its dotted path and what is wrong with it."""

    field: str
    message: str


class ErrorResponse(BaseModel):
    """Every 4xx/5xx body: a sentence naming the field, and the list of field errors."""

    detail: str
    errors: list[FieldError] = []


def batch_request_model(max_size: int) -> type[BaseModel]:
    """Return the ``/predict/batch`` body model: ``{"customers": [...]}`` with 1 to ``max_size`` entries."""
    return create_model(
        "BatchRequest",
        __config__=ConfigDict(extra="forbid", strict=True),
        customers=(list[Customer], Field(min_length=1, max_length=max_size)),
    )


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Turn pydantic/FastAPI error dicts into ``[{"field": "customers.3.plan", "message": ...}]``.

    The location's leading ``body`` is dropped; an error about the whole body is reported as ``body``.
    """
    # HINT: join the parts of error["loc"] after "body" with dots; use error["msg"] as the message.
    raise NotImplementedError('field_errors: join the parts of error["loc"] after "body" with dots; use error["msg"] as the message.')
