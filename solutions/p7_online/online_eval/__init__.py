"""Prove it online: design and read a retention experiment, stop it honestly, target by uplift and let a
bandit choose an offer, each graded against the churn world's truth."""
