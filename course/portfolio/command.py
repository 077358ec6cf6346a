"""The ``course portfolio`` command: build the shareable page from the learner's own results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def portfolio_command(
    target: Annotated[
        str,
        typer.Option(
            "--target", help="Whose results: projects, solutions, or a folder that holds the projects."
        ),
    ] = "projects",
    out: Annotated[Path, typer.Option("--out", help="The folder to write the page into.")] = Path(
        "portfolio-site"
    ),
) -> None:
    """Build a static, self-contained portfolio page from your results (open OUT/index.html).

    Headline numbers with their intervals, your plots, your five interview stories, a page per project and
    PORTFOLIO.md, checked against your results. A project without results yet is listed on the page.
    """
    from course.grading.targets import resolve_target
    from course.portfolio.evidence import PortfolioError
    from course.portfolio.page import PORTFOLIO_PROJECT, build_page
    from course.stories.results import _shown

    if target in ("projects", "solutions"):
        root = resolve_target(target, PORTFOLIO_PROJECT).parent
    else:
        root = Path(target).expanduser().resolve()
        if (root / "projects").is_dir():
            root = root / "projects"
        if not root.is_dir():
            raise PortfolioError(f"--target {target}: the folder does not exist.")
    index = build_page(root, out)
    typer.echo(f"Wrote {_shown(index)}: open it in a browser, or publish {_shown(out)} as it is.", err=True)
