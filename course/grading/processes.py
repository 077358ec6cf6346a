"""The grader's processes: start them in their own sessions, remember them, kill them and their strays.

Where the grader can create a cgroup (cgroup v2, as root or in a delegated subtree), every test process
starts inside a cgroup of its own (:class:`Cgroup`), and so does everything it starts, whatever session,
process group or environment it gives itself: at the end of the attempt every process in it is killed
(``cgroup.kill``). Elsewhere every process of one grading run carries :data:`RUN_TOKEN_ENV` in its
environment, so that processes it left behind (a notebook kernel lives in its own session) can be found
by a scan and killed after it ends; a process that cleared its environment escapes that scan (a pid
namespace, see :mod:`course.grading.confine`, then still ends it).
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

RUN_TOKEN_ENV = "COURSE_GRADING_RUN"  # marks every process of one run, so that strays can be found
MEMORY_ENV = "COURSE_GRADING_MEMORY_MB"  # the address-space limit a grading child sets for itself


_RUNNING: set[subprocess.Popen] = set()
_RUNNING_LOCK = threading.Lock()


def start(cmd: list[str], **kwargs: Any) -> subprocess.Popen:
    """Start a test process and remember it, so that ``stop_all`` can end it."""
    with _RUNNING_LOCK:
        process = subprocess.Popen(cmd, **kwargs)
        _RUNNING.add(process)
    return process


def forget(process: subprocess.Popen) -> None:
    with _RUNNING_LOCK:
        _RUNNING.discard(process)


def stop_all() -> None:
    """Kill every running test process group (an interrupted class run)."""
    with _RUNNING_LOCK:
        for process in list(_RUNNING):
            kill_group(process)


def apply_own_limits() -> None:
    """In a grading child, at its start: cap its address space (``MEMORY_ENV``) and disable core dumps.

    The child sets its own limits (inherited by everything it starts: the notebook kernel, the worker)
    instead of the parent doing it in a ``preexec_fn``, which is unsafe in a process with threads.
    """
    import resource

    megabytes = os.environ.get(MEMORY_ENV, "")
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if megabytes:
            limit = int(megabytes) * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process group of the test process."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def kill_strays(token: str) -> int:
    """Kill processes left by one run (a notebook kernel lives in its own session); return how many."""
    try:
        import psutil
    except ImportError:
        return 0
    killed = 0
    me = os.getpid()
    for process in psutil.process_iter(["pid"]):
        if process.pid == me:
            continue
        try:
            if process.environ().get(RUN_TOKEN_ENV) == token:
                process.kill()
                killed += 1
        except (psutil.Error, OSError):
            continue
    return killed


CGROUP_FOLDER = "course-grading"  # the grader's cgroups, one per attempt, below a cgroup v2 it may write


def _cgroup2_mounts() -> list[Path]:
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return []
    return [Path(fields[1]) for fields in map(str.split, lines) if len(fields) > 2 and fields[2] == "cgroup2"]


def _own_cgroup(mount: Path) -> Path | None:
    """This process's cgroup v2 folder under ``mount`` (a delegated subtree when not root)."""
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            if line.startswith("0::"):
                return mount / line[3:].lstrip("/")
    except OSError:
        pass
    return None


@functools.cache
def cgroup_base() -> tuple[Path | None, str]:
    """A folder where the grader can make a cgroup per attempt and move a process into it; or why not.

    Tried in order: ``course-grading/`` at the root of a cgroup v2 mount (root), then beside this
    process's own cgroup (a delegated subtree, as systemd gives a user's session). Each candidate is
    probed by moving a shell into a fresh cgroup there, since creating a folder may work where moving a
    process does not.
    """
    if not sys.platform.startswith("linux"):
        return None, "cgroups are a Linux feature"
    mounts = _cgroup2_mounts()
    if not mounts:
        return None, "no cgroup v2 file system is mounted"
    candidates = [mount / CGROUP_FOLDER for mount in mounts]
    own = _own_cgroup(mounts[0])
    if own is not None and own != mounts[0]:
        candidates.append(own.parent / f"{CGROUP_FOLDER}-{os.getuid()}")
    why = "no cgroup v2 folder is writable by this user"
    for base in candidates:
        probe = Cgroup.make(base, f"probe-{os.getpid()}")
        if probe is None:
            continue
        try:
            done = subprocess.run(probe.wrap(["true"]), capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            why = str(exc)
            continue
        finally:
            probe.kill()
        if done.returncode == 0:
            return base, ""
        why = done.stderr.decode(errors="replace").strip() or why
    return None, why


class Cgroup:
    """One attempt's cgroup: every process started through :meth:`wrap` and all it starts, until killed."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def make(cls, base: Path, name: str) -> Cgroup | None:
        """A new cgroup ``base/name`` (``None`` when it cannot be made)."""
        try:
            (base / name).mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return cls(base / name)

    @classmethod
    def for_attempt(cls, token: str) -> Cgroup | None:
        """A cgroup for one attempt of one run, where the machine allows it."""
        base, _ = cgroup_base()
        return cls.make(base, token) if base is not None else None

    def wrap(self, command: list[str]) -> list[str]:
        """``command``, started inside this cgroup (a shell moves itself in, then becomes the command)."""
        script = 'echo $$ > "$0/cgroup.procs" && exec "$@"'
        return ["/bin/sh", "-c", script, str(self.path), *command]

    def pids(self) -> list[int]:
        try:
            return [int(pid) for pid in (self.path / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return []

    def kill(self) -> int:
        """Kill every process in the cgroup, wait until it is empty, remove it; return how many were left."""
        left = self.pids()
        for _ in range(100):
            try:
                (self.path / "cgroup.kill").write_text("1")
            except FileNotFoundError:  # an older kernel: one by one (a fork in between is caught next round)
                for pid in self.pids():
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            if not self.pids():
                break
            time.sleep(0.01)
        self.remove()
        return len(left)

    def remove(self) -> None:
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:  # busy: a killed process has not left yet
                time.sleep(0.01)
