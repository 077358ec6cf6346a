"""Project 1: a baseline churn model with real evaluation.

Small modules, one job each: ``config`` (costs, capacity, sizes), ``leakage``, ``features``, ``split``,
``baselines``, ``metrics``, ``thresholds``, ``calibration``, ``slices``, ``responsible``, ``mlp`` and
``report``. Every function takes plain DataFrames or arrays, so it works on any data set with a binary label.
"""
