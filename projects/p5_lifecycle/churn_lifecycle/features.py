"""The model's inputs: which snapshot columns are features, which is the label, which is the slice."""

from __future__ import annotations

from course.data.churn import CATEGORICAL_FEATURES, NUMERIC_FEATURES

CATEGORICAL = CATEGORICAL_FEATURES
NUMERIC = NUMERIC_FEATURES
FEATURES = CATEGORICAL + NUMERIC
TARGET = "churned"
SLICE = "channel"
ID = "customer_id"
