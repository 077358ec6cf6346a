"""fraud_design: the numbers behind a card-fraud design doc.

Modules: ``config`` (the assumptions, read from ``assumptions.toml``), ``cost`` (expected cost of the
review policy at a threshold, cost curves), ``threshold`` (the cheapest threshold the review team can
handle), ``capacity`` (back-of-envelope sizing), ``latency`` (the latency budget), ``report``
(``reports/decision.json`` and plots).
"""
