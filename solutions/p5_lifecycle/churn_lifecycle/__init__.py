"""A mini MLOps lifecycle for the churn model: tracked runs, registry, gate, rollback, monitoring, decisions.

Modules are imported on demand (``from churn_lifecycle import drift``); nothing happens at import time.
"""
