"""Confinement: a submission cannot read the course's answers or tests, nor change the course.

Each attack is graded twice: confined (it must earn nothing, and the course must be unchanged) and with
confinement switched off (it earns points there), so that no attack test is vacuous.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from course.errors import CourseError
from course.grading import confine, processes, runner
from course.grading.runner import Limits, grade_submission

SAMPLE = Path(__file__).parent / "fixtures" / "sample_course"
LIMITS = Limits(timeout=10, wall=60, memory_mb=2048)

COPY_THE_REFERENCE = """
import importlib.util as _util
import os as _os

def add(a, b):
    path = _os.path.join(_os.environ["COURSE_ROOT"], "solutions", "p1_baseline", "tinypkg", "mathops.py")
    spec = _util.spec_from_file_location("reference", path)
    module = _util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.add(a, b)
"""

REWRITE_THE_TESTS = """
import os as _os

def add(a, b):
    test = _os.path.join(_os.environ["COURSE_ROOT"], "tests", "graded", "p1_baseline", "test_mathops.py")
    with open(test, "a") as handle:
        handle.write("\\n# tampered\\n")
    return a + b
"""


@pytest.fixture(autouse=True)
def needs_namespaces() -> None:
    prefix, why = confine.namespace_prefix()
    if not prefix:
        pytest.skip(f"no mount namespace on this machine: {why}")


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SAMPLE, tmp_path / "course"))


def attack(course: Path, code: str) -> Path:
    folder = Path(shutil.copytree(course / "projects" / "p1_baseline", course.parent / "attack"))
    module = folder / "tinypkg" / "mathops.py"
    module.write_text(module.read_text().replace("def add(", "def _starter_add(") + textwrap.dedent(code))
    return folder


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.py")
    }


def unconfined(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(confine, "namespace_prefix", lambda: ((), "switched off by the test"))


def add_points(report) -> float:
    return next(item.earned for item in report.items if item.id == "p1.mathops.add")


def test_copying_the_reference_from_solutions_earns_nothing(course: Path, monkeypatch) -> None:
    target = attack(course, COPY_THE_REFERENCE)
    assert add_points(grade_submission("p1", target, root=course, limits=LIMITS)) == 0
    unconfined(monkeypatch)
    report = grade_submission("p1", target, root=course, limits=LIMITS)
    assert add_points(report) == 2, "without confinement the attack works: the test is not vacuous"
    assert any("could not confine the test processes" in note for note in report.notes)


def test_a_submission_cannot_rewrite_the_courses_tests(course: Path, monkeypatch) -> None:
    tests = course / "tests"
    before = checksums(tests)
    grade_submission("p1", attack(course, REWRITE_THE_TESTS), root=course, limits=LIMITS)
    assert checksums(tests) == before
    unconfined(monkeypatch)
    grade_submission("p1", course.parent / "attack", root=course, limits=LIMITS)
    assert checksums(tests) != before, "without confinement the attack works: the test is not vacuous"


def test_the_data_cache_stays_writable_and_the_toolkit_read_only(tmp_path: Path) -> None:
    root = tmp_path / "course"
    for name in ("solutions", "tests", "data", "course"):
        (root / name).mkdir(parents=True)
    (root / "solutions" / "answer.py").write_text("secret")
    command, note = confine.confined(
        ["/bin/sh", "-c", "ls solutions; touch data/ok; touch course/bad 2>/dev/null || echo read-only"],
        root,
        [root / "data"],
    )
    import subprocess

    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
    assert note == ""
    assert done.stdout.split() == ["read-only"], "solutions/ must look empty and course/ read-only"
    assert (root / "data" / "ok").is_file()


LEAVE_A_PROCESS = """
import os as _os

def add(a, b):
    if _os.fork() == 0:  # a detached grandchild: its own session, an empty environment, re-parented
        _os.setsid()
        if _os.fork() == 0:
            _os.execve("/bin/sleep", ["sleep", "{seconds}"], {{}})
        _os._exit(0)
    _os.wait()
    return a + b
"""


def sleepers(seconds: str) -> list:
    import psutil

    return [p for p in psutil.process_iter(["cmdline"]) if (p.info["cmdline"] or [])[-1:] == [seconds]]


@pytest.mark.slow
def test_no_process_of_a_submission_outlives_its_grading(course: Path, monkeypatch) -> None:
    """Confined, the pid namespace ends a double-forked, detached child; unconfined, its cgroup does."""
    seconds = "301.5"  # an argument no other process on the machine has
    target = attack(course, LEAVE_A_PROCESS.format(seconds=seconds))
    grade_submission("p1", target, root=course, limits=LIMITS)
    assert sleepers(seconds) == []
    unconfined(monkeypatch)
    report = grade_submission("p1", target, root=course, limits=LIMITS)
    if processes.cgroup_base()[0] is not None:
        assert sleepers(seconds) == [], "the attempt's cgroup must end the process a scan cannot find"
        assert any("found them by their cgroup" in note for note in report.notes), report.notes
    monkeypatch.setattr(processes, "cgroup_base", lambda: (None, "switched off by the test"))
    report = grade_submission("p1", target, root=course, limits=LIMITS)
    left = sleepers(seconds)
    for process in left:
        process.kill()
    assert left, "with neither a pid namespace nor a cgroup the detached process survives: not vacuous"
    assert any("tracking every process your code starts by a cgroup" in note for note in report.notes)


WRITE_A_FILE_OF_ROOTS = """
def add(a, b):
    try:
        with open({path!r}, "a") as handle:
            handle.write("tampered\\n")
    except OSError:
        pass
    return a + b
"""


@pytest.fixture
def readable_course() -> Iterator[Path]:
    """The sample course where the grading user can read it (pytest's own temporary folders are root's)."""
    folder = Path(tempfile.mkdtemp(prefix="course-readable-"))
    folder.chmod(0o755)
    try:
        yield Path(shutil.copytree(SAMPLE, folder / "course"))
    finally:
        shutil.rmtree(folder)


@pytest.fixture
def file_of_roots() -> Iterator[Path]:
    """A file of root's outside the course and the grading sandboxes, which root's processes may write."""
    path = Path(tempfile.mkdtemp(prefix="course-root-", dir="/var/tmp")) / "precious.txt"
    path.parent.chmod(0o755)
    path.write_text("root's\n")
    path.chmod(0o644)
    try:
        yield path
    finally:
        shutil.rmtree(path.parent)


def test_as_root_the_submission_runs_as_an_unprivileged_user(
    readable_course: Path, file_of_roots: Path, monkeypatch
) -> None:
    if os.geteuid() != 0:
        pytest.skip("the grader drops root's user id only when it runs as root")
    if any(os.stat(p).st_mode & 0o005 != 0o005 for p in [Path(sys.prefix), *Path(sys.prefix).parents]):
        pytest.skip(f"user {confine.GRADING_USER} cannot reach this virtualenv ({sys.prefix})")
    assert confine.grading_user(readable_course)[0] == confine.GRADING_USER, confine.grading_user(
        readable_course
    )[1]
    target = attack(readable_course, WRITE_A_FILE_OF_ROOTS.format(path=str(file_of_roots)))
    report = grade_submission("p1", target, root=readable_course, limits=LIMITS)
    assert add_points(report) == 2, "the attack returns the right sums: only the file tells"
    assert file_of_roots.read_text() == "root's\n", "the submission wrote a file of root's"
    assert not any("unprivileged user" in note for note in report.notes), report.notes
    switched_off = lambda root: (None, "switched off by the test")  # noqa: E731
    monkeypatch.setattr(confine, "grading_user", switched_off)
    monkeypatch.setattr(runner, "grading_user", switched_off)
    report = grade_submission("p1", target, root=readable_course, limits=LIMITS)
    assert "tampered" in file_of_roots.read_text(), "as root the attack works: the test is not vacuous"
    assert any("as an unprivileged user (user 65534 could not" in note for note in report.notes), report.notes


@pytest.mark.parametrize("value", ["0", "root", "-5", "4294967295"])
def test_a_grading_uid_that_is_not_an_unprivileged_users_is_refused(value: str, monkeypatch) -> None:
    monkeypatch.setenv(confine.GRADING_UID_ENV, value)
    with pytest.raises(CourseError, match=f"COURSE_GRADING_UID is '{value}'"):
        confine.grading_uid()


def test_as_root_the_grading_uid_can_be_a_dedicated_one(readable_course: Path, monkeypatch) -> None:
    if os.geteuid() != 0:
        pytest.skip("the grader drops root's user id only when it runs as root")
    if any(os.stat(p).st_mode & 0o005 != 0o005 for p in [Path(sys.prefix), *Path(sys.prefix).parents]):
        pytest.skip(f"another user cannot reach this virtualenv ({sys.prefix})")
    monkeypatch.setenv(confine.GRADING_UID_ENV, "64999")
    assert confine.grading_user(readable_course) == (64999, "")
