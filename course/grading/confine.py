"""Confinement: the grading processes cannot read the course's answers and tests, or change the course.

Each grading process starts in private mount and pid namespaces (util-linux ``unshare``; as a non-root
user through a user namespace, where the kernel allows one). The pid namespace has its own ``/proc``: the
grader's processes, their environment and their view of the file system are out of sight, and when the
test process ends every process it left behind ends with it. Inside the mount namespace, before pytest
starts:

- ``solutions/``, ``projects/`` and ``tests/`` of the course repository are covered by empty, read-only
  file systems, so a submission cannot import the reference code or read the graded tests (the grader's
  own copy of the tests lives in the sandbox);
- the rest of the repository (the toolkit, the virtualenv) is read-only, so a submission cannot rewrite
  the course's code for the next submission;
- the data cache stays writable (the worlds are generated on first use).

As root, the test process then gives up root: it runs as ``nobody`` (:data:`GRADING_USER`, or the uid in
``$COURSE_GRADING_UID``), so neither it nor anything it starts (the worker, a notebook's kernel) can write
a file of root's anywhere on the machine, and the worker's confinement happens one user namespace
deeper, as it does for a learner who is not root. Where that user cannot run the grading (it cannot read
the course or its virtualenv, or user namespaces are off for it), the test process keeps root's user id
and the report's notes say why.

Where none of this is possible (no ``unshare``, user namespaces disabled, macOS), grading runs without it
and the report's notes say so once. ``python -m course.grading.confine --root R --keep D -- CMD...`` is the
entry point inside the namespace: it sets up the mounts, then replaces itself with ``CMD``.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from course.errors import CourseError

HIDDEN = ("solutions", "projects", "tests")
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
MS_MOVE = 8192
UNAVAILABLE = (
    "The grader could not confine the test processes (no mount namespace here: {why}): a submission could "
    "read the course's solutions and tests and write into the course. Grade untrusted work where "
    "`unshare --mount` works (Linux; as root, or with user namespaces enabled)."
)


@functools.cache
def namespace_prefix() -> tuple[tuple[str, ...], str]:
    """The command prefix that starts a process in a private mount namespace, or ``()`` and why not."""
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        return (), "the `unshare` command is not available"
    # a pid namespace with its own /proc: no process of the grader is visible (its environment, its root
    # through /proc/<pid>/root), and every process left when the test process ends is killed with it
    # a cgroup namespace rooted at the attempt's cgroup (see processes.Cgroup): no process can move out of it
    prefix = [unshare, "--mount", "--propagation", "private", "--pid", "--fork", "--mount-proc", "--cgroup"]
    if os.geteuid() != 0:
        prefix.insert(1, "--map-root-user")
    try:
        probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return (), str(exc)
    if probe.returncode != 0:
        return (), probe.stderr.decode(errors="replace").strip() or f"exit status {probe.returncode}"
    return tuple(prefix), ""


#: The unprivileged user the test process becomes when the grader runs as root (``nobody``'s usual id),
#: unless :data:`GRADING_UID_ENV` names another.
GRADING_USER = 65534
#: A dedicated uid for grading: ``nobody`` is shared with daemons of the host, a grading uid need not be.
GRADING_UID_ENV = "COURSE_GRADING_UID"
#: What the grading user must be able to do: import the toolkit, pytest and nbval from the virtualenv,
#: and confine a worker (a mount, pid and network namespace of its own, through a user namespace).
_USER_PROBE = """
import course.grading.plugin, nbval, pytest
from course.grading import confine
prefix, why = confine.namespace_prefix()
assert prefix, "it cannot confine a worker: " + why
assert confine.network_namespace(), "it cannot give a worker a network namespace of its own"
"""


_PROBE_LOCK = threading.Lock()


def grading_uid() -> int:
    """The uid to grade as when the grader runs as root: ``$COURSE_GRADING_UID``, else 65534 (``nobody``)."""
    value = os.environ.get(GRADING_UID_ENV, "").strip()
    if not value:
        return GRADING_USER
    uid = int(value) if value.isdigit() else -1
    if not 0 < uid < 2**32 - 1:
        raise CourseError(
            f"{GRADING_UID_ENV} is {value!r}: give the number of an unprivileged user that owns no file of "
            f"the course (unset, the grader uses {GRADING_USER}, nobody); 0 would be root itself."
        )
    return uid


def grading_user(root: Path) -> tuple[int | None, str]:
    """The uid the test process drops to (``None`` when not root, or when it cannot), and why it cannot.

    Probed once per grader process, course and uid (a class run's threads wait for the one probe).
    """
    if os.geteuid() != 0:
        return None, ""
    uid = grading_uid()
    with _PROBE_LOCK:
        return _probe_grading_user(root, uid)


@functools.cache
def _probe_grading_user(root: Path, uid: int) -> tuple[int | None, str]:
    with tempfile.TemporaryDirectory(prefix="course-probe-") as stage:
        command, note = confined([sys.executable, "-c", _USER_PROBE], root, [], uid, Path(stage))
        if note:
            return None, note
        Path(stage).chmod(0o755)  # like a run's folder: the test process starts in it
        try:
            probe = subprocess.run(command, cwd=stage, capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, str(exc)
    if probe.returncode != 0:
        lines = probe.stderr.decode(errors="replace").strip().splitlines()
        return None, lines[-1] if lines else f"exit status {probe.returncode}"
    return uid, ""


def drop_privileges(uid: int) -> None:
    """Become ``uid`` (its group too, no supplementary groups) for good: no setuid program gives root back."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    pr_set_no_new_privs = 38
    if libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")


@functools.cache
def network_namespace() -> bool:
    """Whether a worker can get a network namespace of its own (no host reachable)."""
    prefix, _ = namespace_prefix()
    if not prefix:
        return False
    try:
        probe = subprocess.run([*prefix, "--net", "true"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def missing_protections(root: Path) -> str:
    """One note, in a learner's words, naming the protections this machine could not give; or "".

    Without mount namespaces the test processes' own note already says that nothing was confined; this
    one adds what else was missing: the unprivileged user (as root), the network namespace and the
    tracking of processes by cgroup.
    """
    from course.grading.processes import cgroup_base

    missing = []
    if namespace_prefix()[0] and os.geteuid() == 0 and grading_user(root)[0] is None:
        missing.append(
            f"running your code as an unprivileged user (user {grading_uid()} could not run the grading: "
            f"{grading_user(root)[1]}), so it could write files of root's outside the course"
        )
    if namespace_prefix()[0] and not network_namespace():
        missing.append("cutting your code off from the network")
    if cgroup_base()[0] is None:
        missing.append(
            "tracking every process your code starts by a cgroup (processes left running were found by "
            "a scan of the machine's processes instead)"
        )
    if not missing:
        return ""
    who = "as root" if os.geteuid() == 0 else f"as a user without root rights (uid {os.geteuid()})"
    return (
        f"Grading ran {who}, so some protections were not available: {'; '.join(missing)}. Your score "
        "does not depend on them: they protect the grader and other submissions from the code it runs."
    )


def confined(
    command: list[str], root: Path, keep: list[Path], user: int | None = None, stage: Path | None = None
) -> tuple[list[str], str]:
    """``command`` wrapped to run confined (as ``user`` once the mounts are made, if given), and "" ; or
    ``command`` as it is, and the note why not. ``stage``: an empty folder of the grader's, in which the
    view of closed folders the grading user must pass through is built (:func:`open_up`)."""
    prefix, why = namespace_prefix()
    if not prefix:
        return command, UNAVAILABLE.format(why=why)
    wrapper = [sys.executable, "-P", "-m", "course.grading.confine", "--root", str(root)]
    if user is not None:
        if stage is None:
            raise ValueError("confined(): a grading user needs a stage folder")
        wrapper += ["--user", str(user), "--stage", str(stage)]
    for path in keep:
        path.mkdir(parents=True, exist_ok=True)  # a folder created later would fall under the read-only root
        wrapper += ["--keep", str(path)]
    return [*prefix, *wrapper, "--", *command], ""


WORKER_UNAVAILABLE = (
    "The grader could not confine the process that runs your code (no mount namespace here: {why}): it "
    "ran as a plain child process, which can read what the grader writes. Grade untrusted work where "
    "`unshare --mount` works (Linux; as root, or with user namespaces enabled)."
)


@dataclass(frozen=True)
class Cover:
    """Cover ``folder`` (the temporary folder holding every grading sandbox) except ``show``, staged in
    ``stage`` (an empty folder of the grader's): other runs' sandboxes are out of the worker's sight."""

    folder: Path
    show: tuple[Path, ...]
    stage: Path


def worker_command(
    command: list[str], hide: list[Path], cover: Cover | None = None, network: bool = False
) -> tuple[list[str], str]:
    """``command`` (the worker) wrapped to run where ``hide`` is out of sight; or as it is, and why not.

    The worker gets its own mount, pid and network namespaces: each path of ``hide`` is covered (a folder
    by an empty read-only file system, a file by ``/dev/null``), the judge's processes are not visible,
    every process the worker starts ends with it, and it reaches no host (its loopback is down). Then,
    where user namespaces work, it drops into a new user namespace, whose mounts the submission can no
    longer undo. ``network=True`` keeps the host's network (a notebook kernel talks to nbval over
    loopback TCP).
    """
    prefix, why = namespace_prefix()
    if not prefix:
        return command, WORKER_UNAVAILABLE.format(why=why)
    wrapper = [sys.executable, "-P", "-m", "course.grading.confine", "--worker"]
    for path in hide:
        wrapper += ["--hide", str(path)]
    if cover is not None:
        wrapper += ["--cover", str(cover.folder), "--stage", str(cover.stage)]
        for path in cover.show:
            wrapper += ["--show", str(path)]
    # --kill-child: when the judge kills the worker (a hang), its namespace's first process dies with it,
    # and with that process every process the worker started
    # --net: a new network namespace with only a loopback interface, down: the submission reaches no host
    isolation = ["--net"] if not network and network_namespace() else []
    return [prefix[0], "--kill-child", *isolation, *prefix[1:], *wrapper, "--", *command], ""


def hide_paths(hide: list[Path], cover: Cover | None = None) -> None:
    """Inside a fresh mount namespace: cover each path (folders by an empty tmpfs, files by /dev/null).

    With ``cover``, first replace ``cover.folder`` by a fresh file system that holds only ``cover.show``
    (bound from where they are, so they stay the same files; the course's repository read-only).
    """
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    _mount(libc, "none", "/", None, MS_REC | MS_PRIVATE)
    if cover is not None:
        _cover_except(libc, cover)
    for path in hide:
        if path.is_dir():
            _mount(libc, "none", str(path), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
        elif path.exists():
            _mount(libc, os.devnull, str(path), None, MS_BIND)
            _mount(libc, os.devnull, str(path), None, MS_REMOUNT | MS_BIND | MS_RDONLY)


def _cover_except(libc: ctypes.CDLL, cover: Cover) -> None:
    stage = cover.stage
    stage.mkdir(parents=True, exist_ok=True)
    _mount(libc, "none", str(stage), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for path in cover.show:
        if not path.is_relative_to(cover.folder) or not path.exists():
            continue  # outside the covered folder it stays visible anyway
        target = stage / path.relative_to(cover.folder)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch()
        _mount(libc, str(path), str(target), None, MS_BIND | MS_REC)
    (stage / ".course-covered").touch()
    _mount(libc, str(stage), str(cover.folder), None, MS_MOVE)


def _locked(command: list[str]) -> list[str]:
    """``command`` in a new user namespace (mounts inherited from a more privileged one cannot be undone)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return command
    prefix = [unshare, "--user", "--map-root-user", "--mount"]
    try:
        probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return command
    return [*prefix, "--", *command] if probe.returncode == 0 else command


def _mount(
    libc: ctypes.CDLL, source: str, target: str, fstype: str | None, flags: int, data: str = ""
) -> None:
    result = libc.mount(
        source.encode(), target.encode(), fstype.encode() if fstype else None, flags, data.encode() or None
    )
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} on {target}: {os.strerror(errno)}")


def needed_paths(root: Path) -> list[Path]:
    """What the grading user must reach: the course, the data cache, the virtualenv and its interpreter."""
    from course.paths import data_dir

    interpreter = Path(os.path.realpath(sys.executable)).parent
    sandboxes = Path(tempfile.gettempdir())  # where the runs' folders are
    return [root, data_dir(), Path(sys.prefix), Path(sys.base_prefix), interpreter, sandboxes]


def closed_folders(paths: list[Path]) -> dict[Path, list[Path]]:
    """For each path, the outermost folder above it that other users cannot enter (``/root``, a 0700
    home), with the paths below it: covered for the grading user by :func:`open_up` except those paths."""
    closed: dict[Path, list[Path]] = {}
    for path in paths:
        path = path.resolve()
        shut = [a for a in reversed(path.parents) if a != Path("/") and not os.stat(a).st_mode & 0o001]
        if shut:
            closed.setdefault(shut[0], []).append(path)
    # a path below another one shown is shown with it
    return {f: [p for p in ps if not any(o in p.parents for o in ps)] for f, ps in closed.items()}


def open_up(libc: ctypes.CDLL, paths: list[Path], stage: Path) -> None:
    """Make ``paths`` reachable to other users in this mount namespace without opening anything else: each
    closed folder above them (:func:`closed_folders`) is covered by one that holds only them."""
    for number, (folder, show) in enumerate(sorted(closed_folders(paths).items())):
        _cover_except(libc, Cover(folder, tuple(show), stage / str(number)))


def set_up(root: Path, keep: list[Path], stage: Path | None = None, reach: list[Path] | None = None) -> None:
    """Inside a fresh mount namespace: hide the answers and tests, make the course read-only; with
    ``stage``, make ``reach`` reachable for the grading user (:func:`open_up`)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    _mount(libc, "none", "/", None, MS_REC | MS_PRIVATE)
    writable = [path for path in keep if path.is_dir() and root in path.resolve().parents]
    _mount(libc, str(root), str(root), None, MS_BIND | MS_REC)
    for path in writable:  # their own mounts before the root turns read-only: they stay writable
        _mount(libc, str(path), str(path), None, MS_BIND | MS_REC)
    _mount(libc, str(root), str(root), None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    for name in HIDDEN:
        folder = root / name
        if folder.is_dir():
            _mount(libc, "none", str(folder), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
    if stage is not None:
        open_up(libc, reach or [], stage)


def main(argv: list[str] | None = None) -> None:
    """Set up the mounts, then run the command (never returns on success)."""
    parser = argparse.ArgumentParser(prog="python -m course.grading.confine")
    parser.add_argument("--root", type=Path)
    parser.add_argument("--keep", type=Path, action="append", default=[])
    parser.add_argument("--worker", action="store_true", help="a worker: hide --hide paths, lock the mounts")
    parser.add_argument("--hide", type=Path, action="append", default=[])
    parser.add_argument("--cover", type=Path, help="a worker: show only --show paths below this folder")
    parser.add_argument("--stage", type=Path, help="an empty folder to build the covered view in")
    parser.add_argument("--show", type=Path, action="append", default=[])
    parser.add_argument("--user", type=int, help="the test process: become this user after the mounts")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if args.worker:
        cover = None
        if args.cover is not None and args.stage is not None:
            show = tuple(path.resolve() for path in args.show)
            cover = Cover(args.cover.resolve(), show, args.stage.resolve())
        hide_paths([path.resolve() for path in args.hide], cover)
        command = _locked(command)
    else:
        root = args.root.resolve()
        stage = args.stage.resolve() if args.user is not None and args.stage is not None else None
        set_up(root, [path.resolve() for path in args.keep], stage, needed_paths(root))
        if args.user is not None:
            drop_privileges(args.user)
    os.chdir(os.getcwd())  # the inherited working folder was resolved before the mounts: resolve it again
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
