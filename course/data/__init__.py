"""Deterministic synthetic worlds (churn, fraud, tickets) and the real-data loader."""
