"""``course gradebook merge`` and ``course gradebook clone``: typer commands, registered by ``cli.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

gradebook_app = typer.Typer(
    help="Class gradebooks across machines: clone a roster, merge the shards' gradebooks.",
    no_args_is_help=True,
)


def merge_command(
    shards: Annotated[
        list[Path], typer.Argument(help="The --out folders of the shards (`course grade --shard K/N`).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write grades.csv and grades.json.")],
    submissions: Annotated[
        list[Path] | None,
        typer.Option(
            "--submissions",
            help="The class's folders, as given to `course grade`: adds the similarity report and column.",
        ),
    ] = None,
    threshold: Annotated[
        float, typer.Option("--similarity-threshold", help="Share of shared code that flags a pair.")
    ] = 0.5,
) -> None:
    """Merge shard gradebooks into the class's gradebook, byte-identical to a one-machine run's.

    Refuses, naming them, shards of different projects, rubrics, deadlines or classes, a shard or a
    submission given twice, a missing shard, and a report that cannot be read.
    """
    from rich.console import Console

    from course.errors import CourseError
    from course.grading.classroom import class_similarity, find_submissions
    from course.grading.gradebook import CSV_NAME, write_gradebooks
    from course.grading.merge import merge_shards
    from course.grading.similarity import write_similarity

    merged = merge_shards(shards)
    similar = None
    if submissions:
        subs = find_submissions(submissions, merged.project)
        if sorted(sub.name for sub in subs) != sorted(merged.names):
            extra = sorted({s.name for s in subs} ^ set(merged.names))
            raise CourseError(
                f"--submissions: the folders hold another class than the shards graded (differ in: "
                f"{', '.join(extra[:10])})."
            )
        similar = class_similarity(merged.project, subs, threshold=threshold)
    written = list(
        write_gradebooks(
            out / CSV_NAME,
            merged.project,
            merged.rubric,
            merged.entries,
            deadline=merged.deadline,
            similarity=similar,
        )
    )
    if similar is not None:
        written += write_similarity(similar, out)
    Console(stderr=True).print(
        f"Merged {len(shards)} shard(s), {len(merged.entries)} submissions of {merged.project}: "
        + ", ".join(str(path) for path in written)
    )


def clone_command(
    roster: Annotated[Path, typer.Argument(help="One repository URL per line (# comments allowed).")],
    out: Annotated[Path, typer.Option("--out", help="The class folder: one clone per repository.")],
) -> None:
    """Clone every repository of a roster (depth 1) into OUT/<name>, with COURSE_GIT_TOKEN if set.

    Exit status 2, naming each one, when a repository could not be cloned (after trying them all).
    """
    from course.grading.roster import clone_roster

    folders, notes = clone_roster(roster, out)
    for note in notes:
        typer.echo(note, err=True)
    typer.echo(f"{len(folders)} repositories in {out}", err=True)
