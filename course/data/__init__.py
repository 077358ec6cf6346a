"""Deterministic synthetic worlds (churn, fraud) and the real-data loader."""
