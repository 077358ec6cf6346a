"""The course toolkit: data worlds, starter generation and the grader."""

__version__ = "0.1.0"
