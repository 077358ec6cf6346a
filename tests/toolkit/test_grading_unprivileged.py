"""Grading without root rights (a learner's laptop): correct scores, and one note on what was missing.

As root (CI, this machine) the test grades the sample course as ``nobody`` (uid 65534, through
``setpriv``), in a copy that user can read; as a user without root rights it grades in this process. In
both cases the solution gets full marks, the starter none, and the report's notes name, once and in a
learner's words, each protection the grading user could not have (a cgroup to track processes, a network
namespace).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent / "fixtures" / "sample_course"
NOBODY = 65534


def sample_course(folder: Path) -> Path:
    """A copy of the sample course graded in a worker, as every real project is."""
    course = Path(shutil.copytree(SAMPLE, folder / "course"))
    rubric = course / "tests" / "graded" / "p1_baseline" / "rubric.toml"
    rubric.write_text('isolation = "worker"\n' + rubric.read_text())
    return course


def blocked_folders(paths: list[Path]) -> dict[Path, set[str]]:
    """Folders on the way to ``paths`` that others cannot enter (``/root`` is 0700), with the entries
    below them that the grading needs: the test shows ``nobody`` those entries and nothing else."""
    blocked: dict[Path, set[str]] = {}
    for path in paths:
        resolved = path.resolve()
        for parent in reversed(resolved.parents):
            if not os.stat(parent).st_mode & stat.S_IXOTH:
                blocked.setdefault(parent, set()).add(resolved.relative_to(parent).parts[0])
                break
    return blocked


def as_nobody(command: list[str], workdir: Path, env: dict[str, str]) -> list[str]:
    """``command`` run as uid 65534 in a private mount namespace where the interpreter is reachable."""
    lines = ["set -e"]
    for number, (folder, names) in enumerate(blocked_folders(needed_paths()).items()):
        stage = workdir / f"stage-{number}"
        binds = []
        for name in sorted(names):
            (stage / name).mkdir(parents=True)
            lines.append(f"mount --bind '{folder / name}' '{stage / name}'")
            binds.append(name)
        lines.append(f"mount -t tmpfs -o mode=755 none '{folder}'")
        for name in binds:
            lines += [f"mkdir '{folder / name}'", f"mount --move '{stage / name}' '{folder / name}'"]
    setpriv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    environment = ["env", "-i", *(f"{key}={value}" for key, value in env.items())]
    lines.append('exec "$@"')
    script = "\n".join(lines)
    return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        script,
        "sh",
        *setpriv,
        *environment,
        *command,
    ]


def needed_paths() -> list[Path]:
    import course

    return [
        Path(p)
        for p in (sys.executable, sys.base_prefix, sys.prefix, course.__file__, pytest.__file__, __file__)
    ]


def graded_as_nobody() -> dict:
    if not (shutil.which("setpriv") and shutil.which("unshare")):
        pytest.skip("running as root without setpriv and unshare: cannot switch to an unprivileged user")
    workdir = Path(tempfile.mkdtemp(prefix="course-unprivileged-"))  # /tmp/pytest-of-root is 0700
    try:
        workdir.chmod(0o755)
        course = sample_course(workdir)
        for name in ("home", "data", "tmp"):
            (workdir / name).mkdir()
        subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", str(workdir)], check=True)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(workdir / "home"),
            "TMPDIR": str(workdir / "tmp"),
            "COURSE_DATA_DIR": str(workdir / "data"),
            "LANG": "C.UTF-8",
        }
        if "PYTHONPATH" in os.environ:  # a development tree first on the path: the grader under test
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        command = [sys.executable, str(Path(__file__).resolve()), str(course)]
        done = subprocess.run(
            as_nobody(command, workdir, env), cwd=workdir, capture_output=True, text=True, timeout=300
        )
        result = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        assert done.returncode == 0 and result, f"grading as nobody failed:\n{done.stdout}\n{done.stderr}"
        return json.loads(result[-1].removeprefix("RESULT "))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def grade_both(course: Path) -> dict:
    """The solution's and the starter's reports, and what the machine gave the grading user."""
    from course.grading import confine, processes
    from course.grading.runner import Limits, grade_submission

    limits = Limits(timeout=10, wall=90, memory_mb=2048)
    out = {
        "euid": os.geteuid(),
        "cgroup": processes.cgroup_base()[0] is not None,
        "namespaces": bool(confine.namespace_prefix()[0]),
        "network": confine.network_namespace(),
    }
    for target in ("solutions", "projects"):
        report = grade_submission("p1", target, root=course, limits=limits)
        out[target] = {"score": report.score, "max": report.max_score, "notes": report.notes}
    return out


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="setpriv and namespaces are Linux's")
def test_a_user_without_root_rights_grades_correctly_and_is_told_what_was_missing(tmp_path: Path) -> None:
    result = graded_as_nobody() if os.geteuid() == 0 else grade_both(sample_course(tmp_path))
    assert result["euid"] != 0, "the grading must run without root rights"
    solution, starter = result["solutions"], result["projects"]
    assert solution["score"] == solution["max"] > 0, solution
    assert starter["score"] == 0, starter
    notes = [
        note for note in solution["notes"] if note.startswith("Grading ran as a user without root rights")
    ]
    missing = {
        "cgroup": not result["cgroup"],
        "the network": result["namespaces"] and not result["network"],
    }
    if not any(missing.values()):
        assert notes == [], "nothing was missing: no note"
        return
    assert len(notes) == 1, f"one note on the missing protections, got {solution['notes']}"
    for words, absent in missing.items():
        assert (words in notes[0]) == absent, f"{words!r} in {notes[0]!r}"
    assert "Your score does not depend on them" in notes[0]


if __name__ == "__main__":  # the grading user's side of graded_as_nobody
    print("RESULT " + json.dumps(grade_both(Path(sys.argv[1]))))
