"""The grader: pytest plugin, isolated runner, reports and the prose linter."""
