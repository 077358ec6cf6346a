"""A repeatable churn data pipeline: raw export -> contracts -> point-in-time features -> labels -> model."""

__all__ = ["__version__"]

__version__ = "0.1.0"
