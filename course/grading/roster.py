"""``course gradebook clone``: clone a class's repositories from a roster file of URLs.

The roster has one repository URL per line (blank lines and ``#`` comments ignored); each repository is
cloned, at depth 1 (the last commit is all the grader and the lateness report read), into
``<out>/<name>``, where the name is the URL's last segment without ``.git``. A token in the environment
variable ``COURSE_GIT_TOKEN`` is sent as an HTTP header to the roster's hosts only, through git's
environment (never on a command line, never written to ``.git/config``).
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from course.errors import CourseError

TOKEN_VARIABLE = "COURSE_GIT_TOKEN"
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")


class RosterError(CourseError):
    """A roster line that is not a repository URL, or repositories that could not be cloned."""


@dataclass(frozen=True)
class Repository:
    """A roster line: the submission's name and where to clone it from."""

    name: str
    url: str
    line: int


def read_roster(path: Path) -> list[Repository]:
    """The roster's repositories; a bad or repeated line raises, naming the file and the line."""
    found: dict[str, Repository] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        url = raw.split("#", 1)[0].strip()
        if not url:
            continue
        name = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
        if "/" not in url.rstrip("/") or not NAME.match(name):
            raise RosterError(f"{path}, line {number}: {url!r} is not a repository URL ending in its name.")
        if name in found:
            raise RosterError(
                f"{path}, lines {found[name].line} and {number}: two repositories named {name}; "
                "submissions are named after their repository, so names must differ."
            )
        found[name] = Repository(name, url, number)
    if not found:
        raise RosterError(f"{path}: no repository URL in the roster.")
    return list(found.values())


def git_environment(urls: list[str]) -> dict[str, str]:
    """The environment for ``git clone``: no prompts, and the token as a header for the roster's hosts."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    token = env.pop(TOKEN_VARIABLE, "")
    if token:
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        hosts = sorted(
            {f"{p.scheme}://{p.netloc}/" for p in map(urlsplit, urls) if p.scheme in ("https", "http")}
        )
        env["GIT_CONFIG_COUNT"] = str(len(hosts))
        for index, host in enumerate(hosts):
            env[f"GIT_CONFIG_KEY_{index}"] = f"http.{host}.extraHeader"
            env[f"GIT_CONFIG_VALUE_{index}"] = f"Authorization: Basic {basic}"
    return env


def clone_roster(roster: Path, out: Path) -> tuple[list[Path], list[str]]:
    """Clone every repository of ``roster`` into ``out`` (an existing clone is kept); (folders, notes).

    Raises :class:`RosterError` naming every repository that could not be cloned, after trying them all.
    """
    repositories = read_roster(roster)
    env = git_environment([repo.url for repo in repositories])
    out.mkdir(parents=True, exist_ok=True)
    folders, notes, failed = [], [], []
    for repo in repositories:
        folder = out / repo.name
        if (folder / ".git").exists():
            notes.append(f"{repo.name}: already cloned in {folder}, kept")
        else:
            command = ["git", "clone", "--quiet", "--depth", "1", "--", repo.url, str(folder)]
            result = subprocess.run(
                command, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
            )
            if result.returncode != 0:
                reason = (result.stderr.strip().splitlines() or ["git failed"])[-1]
                failed.append(f"{repo.name} ({roster}, line {repo.line}): {reason}")
                continue
        folders.append(folder)
    if failed:
        raise RosterError(
            f"{len(failed)} of {len(repositories)} repositories not cloned: " + "; ".join(failed)
        )
    return folders, notes
