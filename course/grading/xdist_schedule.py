"""How ``pytest -n N --dist loadfile`` shares graded tests between workers: a project at a time.

A project's graded tests share session fixtures (its copy, its worker process, trained artifacts, a
simulator). xdist's ``loadfile`` hands out single files, so a worker that alternates between projects
builds those fixtures again at every switch. Here every file under ``tests/graded/<project>/`` is one unit
of work; any other file is its own unit, as with plain ``loadfile``.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any


def project_scope(nodeid: str) -> str | None:
    """``tests/graded/<project>`` for the node id of a graded test, else ``None``."""
    parts = PurePosixPath(nodeid.split("::", 1)[0]).parts
    for index, part in enumerate(parts[:-2]):
        if part == "graded":
            return "/".join(parts[: index + 2])
    return None


def by_project_scheduler(config: Any, log: Any) -> Any:
    """xdist's ``loadfile`` scheduling with a graded project as one unit (xdist is imported only here)."""
    from xdist.scheduler import LoadFileScheduling

    class ByProject(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return project_scope(nodeid) or super()._split_scope(nodeid)

    return ByProject(config, log)
