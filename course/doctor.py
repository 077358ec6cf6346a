"""``course doctor``: check that this machine can run the course, and say how to fix what cannot."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import typer

PYTHON = (3, 11)
TORCH_VERSION = "2.13.0"
IMPORT_TIMEOUT_S = 180  # a cold first import of torch, mlflow, dvc and jupyter on a busy 2-core machine
# Distributions whose import name is not the distribution name with "-" replaced by "_".
IMPORT_NAMES = {"scikit-learn": "sklearn"}
REINSTALL = (
    "Re-run `make start` (it reinstalls when pyproject.toml changed), "
    "or `.venv/bin/pip install -e '.[dev,docs]'`."
)

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    """One doctor check: what was checked, how it went, and the fix when it failed."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        """Whether the check did not fail (a warning is not a failure)."""
        return self.status != "fail"


def check_python(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> Check:
    """The interpreter is Python 3.11."""
    shown = ".".join(map(str, version))
    if tuple(version[:2]) == PYTHON:
        return Check("Python 3.11", "ok", f"Python {shown} at {sys.executable}")
    return Check(
        "Python 3.11",
        "fail",
        f"Python {shown} at {sys.executable}",
        "Install Python 3.11 (Debian/Ubuntu: `sudo apt install python3.11 python3.11-venv`; macOS: "
        "`brew install python@3.11`), then `rm -rf .venv && make start`.",
    )


def runtime_imports() -> dict[str, str]:
    """Import name of every runtime dependency of the installed ``course`` package, keyed by distribution."""
    from importlib.metadata import packages_distributions, requires

    modules: dict[str, list[str]] = {}  # distribution -> the top-level modules it installs
    for module, dists in packages_distributions().items():
        for dist in dists:
            modules.setdefault(re.sub(r"[-_.]+", "-", dist).lower(), []).append(module)
    names: dict[str, str] = {}
    for line in requires("course") or []:
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
        if match and ";" not in line:  # a marker (`; extra == "dev"`) means an optional dependency
            dist = re.sub(r"[-_.]+", "-", match.group()).lower()
            guess = dist.replace("-", "_")
            public = sorted(m for m in modules.get(dist, []) if not m.startswith("_"))
            names[dist] = IMPORT_NAMES.get(dist) or (guess if guess in public or not public else public[0])
    return names


_PROBE = """
import importlib, json, sys, time
report = {"failed": {}, "slowest": [], "torch": None}
for module in sys.argv[1:]:
    start = time.perf_counter()
    try:
        importlib.import_module(module)
    except BaseException as error:
        report["failed"][module] = f"{type(error).__name__}: {error}"[:300]
    report["slowest"].append([module, round(time.perf_counter() - start, 2)])
if "torch" in sys.argv[1:] and "torch" not in report["failed"]:
    import torch
    report["torch"] = {"version": torch.__version__, "cuda": torch.version.cuda}
elif "torch" in report["failed"]:
    report["torch"] = {"error": report["failed"]["torch"]}
print(json.dumps(report))
"""


def start_probe(modules: list[str], python: str = sys.executable, workers: int = 2) -> list[subprocess.Popen]:
    """Start importing ``modules`` in ``workers`` fresh interpreters (split round-robin)."""
    groups = [modules[index::workers] for index in range(workers)]
    return [
        subprocess.Popen(
            [python, "-c", _PROBE, *group], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for group in groups
        if group
    ]


def collect_probe(processes: list[subprocess.Popen], timeout: float = IMPORT_TIMEOUT_S) -> dict:
    """Wait for the probe processes; merge their failures, timings and torch's build into one report."""
    report: dict = {"failed": {}, "slowest": [], "torch": None}
    deadline = time.monotonic() + timeout
    try:
        for process in processes:
            stdout, stderr = process.communicate(timeout=max(0.1, deadline - time.monotonic()))
            lines = stdout.strip().splitlines()
            if process.returncode != 0 or not lines:
                raise RuntimeError(f"the import probe crashed: {stderr.strip()[-300:]}")
            part = json.loads(lines[-1])
            report["failed"].update(part["failed"])
            report["slowest"] += part["slowest"]
            report["torch"] = report["torch"] or part["torch"]
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"importing the dependencies took more than {timeout:.0f} s") from None
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return report


def probe_imports(modules: list[str], python: str = sys.executable) -> dict:
    """Import ``modules`` in fresh interpreters; return failures, timings and torch's build."""
    return collect_probe(start_probe(modules, python, workers=min(2, os.cpu_count() or 1)))


def check_imports(probe: dict, names: dict[str, str]) -> Check:
    """Every runtime dependency imports."""
    by_module = {module: dist for dist, module in names.items()}
    failed = probe["failed"]
    if failed:
        detail = "; ".join(f"{by_module.get(m, m)} ({m}): {error}" for m, error in sorted(failed.items()))
        return Check("Dependencies import", "fail", detail, REINSTALL)
    slowest = sorted(probe["slowest"], key=lambda item: -item[1])[:3]
    timing = ", ".join(f"{module} {seconds:.1f} s" for module, seconds in slowest)
    return Check("Dependencies import", "ok", f"{len(names)} packages import (slowest: {timing})")


def check_torch(probe: dict) -> Check:
    """torch is the CPU build, version 2.13.0."""
    info = probe.get("torch") or {"error": "torch was not probed (it is not a declared dependency)"}
    fix = (
        f"Install the CPU build: `.venv/bin/pip install --force-reinstall torch=={TORCH_VERSION} "
        "--index-url https://download.pytorch.org/whl/cpu` (other builds pull gigabytes of CUDA)."
    )
    if "error" in info:
        return Check("torch CPU build", "fail", f"torch does not import: {info['error']}", fix)
    version, cuda = info.get("version", "?"), info.get("cuda")
    if version.split("+")[0] != TORCH_VERSION or cuda is not None:
        build = f"CUDA {cuda}" if cuda else "CPU"
        return Check(
            "torch CPU build", "fail", f"torch {version} ({build}); the course needs {TORCH_VERSION} CPU", fix
        )
    return Check("torch CPU build", "ok", f"torch {version}, CPU only")


def _inside(path: str, prefix: Path) -> bool:
    try:
        Path(path).resolve().relative_to(prefix.resolve())
    except ValueError:
        return False
    return True


def check_kernel() -> Check:
    """A Jupyter kernel that runs this virtualenv's Python exists."""
    from jupyter_client.kernelspec import KernelSpecManager

    fix = (
        "Register one: `.venv/bin/python -m ipykernel install --sys-prefix --name python3 "
        '--display-name "Python 3 (ipykernel)"`, then pick it in JupyterLab (Kernel > Change Kernel).'
    )
    specs = KernelSpecManager().get_all_specs()
    prefix = Path(sys.prefix)
    # jupyter_client runs argv[0] == "python" with the interpreter that launches the kernel (this one).
    bare = {"python", f"python{sys.version_info[0]}", f"python{sys.version_info[0]}.{sys.version_info[1]}"}
    for name, info in sorted(specs.items()):
        argv = info.get("spec", {}).get("argv", [])
        if argv and (argv[0] in bare or _inside(argv[0], prefix)):
            return Check(
                "Jupyter kernel", "ok", f"kernel '{name}' runs {argv[0]} ({info.get('resource_dir')})"
            )
    found = ", ".join(sorted(specs)) or "none"
    return Check("Jupyter kernel", "fail", f"no kernel uses {sys.prefix} (kernels found: {found})", fix)


def check_data() -> Check:
    """A small churn world can be generated."""
    start = time.perf_counter()
    try:
        from course.data import churn
    except ImportError as error:
        return Check(
            "Data generation",
            "fail",
            f"course.data.churn cannot be imported: {error}",
            "Update your clone (`git pull`) and re-run `make start`: the data generator ships with it.",
        )
    try:
        world = churn.generate(seed=0, n_customers=200, months=4)
        customers = len(world.customers)
    except Exception as error:
        return Check(
            "Data generation",
            "fail",
            f"generate(seed=0, n_customers=200, months=4) raised {type(error).__name__}: {error}",
            "Run `course data` to see the full error, and check that the dependencies import (above).",
        )
    seconds = time.perf_counter() - start
    return Check(
        "Data generation", "ok", f"a 200-customer, 4-month churn world in {seconds:.1f} s ({customers} rows)"
    )


def check_layout() -> Check:
    """The course repository (solutions/, projects/, tests/graded/) is found."""
    from course.paths import LayoutError, graded_tests_dir, projects_dir, repo_kind, repo_root, solutions_dir

    try:
        root = repo_root()
    except LayoutError as error:
        return Check(
            "Repository layout", "fail", str(error), "`cd` into your clone of the course repository."
        )
    kind = repo_kind(root)
    needed = [projects_dir(root), graded_tests_dir(root)]
    if kind == "course":
        needed.insert(0, solutions_dir(root))
    missing = [p.name for p in needed if not p.is_dir()]
    if missing:
        return Check(
            "Repository layout",
            "fail",
            f"{root} lacks {', '.join(missing)}",
            "Restore the missing folders: `git checkout -- .` inside your clone (or clone it again).",
        )
    what = "course repository" if kind == "course" else "learner repository (no solutions/)"
    return Check("Repository layout", "ok", f"{what} at {root}")


def _guarded(name: str, check: Callable[[], Check]) -> Check:
    """Run one check; an unexpected crash becomes a failed check, never a doctor crash."""
    try:
        return check()
    except Exception as error:
        return Check(name, "fail", f"the check itself crashed: {type(error).__name__}: {error}", REINSTALL)


def run_checks() -> list[Check]:
    """Run every check, in the order a newcomer should fix them (imports run in the background)."""
    names: dict[str, str] = {}
    processes: list[subprocess.Popen] = []
    probe_error: Exception = RuntimeError("no runtime dependencies found: is the course package installed?")
    try:
        names = runtime_imports()
        processes = start_probe(sorted(set(names.values())), workers=min(2, os.cpu_count() or 1))
    except Exception as error:
        probe_error = error
    checks = [check_python(), _guarded("Repository layout", check_layout)]
    kernel, data = _guarded("Jupyter kernel", check_kernel), _guarded("Data generation", check_data)
    if processes:
        try:
            probe = collect_probe(processes)
        except Exception as error:
            probe_error = error
        else:
            return [*checks, check_imports(probe, names), check_torch(probe), kernel, data]
    reason = f"{type(probe_error).__name__}: {probe_error}"
    return [
        *checks,
        Check("Dependencies import", "fail", reason, REINSTALL),
        Check("torch CPU build", "fail", "not checked: the import probe failed", REINSTALL),
        kernel,
        data,
    ]


def print_checks(checks: list[Check]) -> None:
    """Print the checks as a table: check, status, detail, and the fix for each failure."""
    from rich.console import Console
    from rich.table import Table

    styles = {"ok": "[green]ok[/green]", "warn": "[yellow]warn[/yellow]", "fail": "[red]FAIL[/red]"}
    with_fix = any(check.fix and not check.ok for check in checks)
    table = Table(title="course doctor", show_lines=with_fix)
    for column in ("check", "status", "detail", *(("fix",) if with_fix else ())):
        table.add_column(column, overflow="fold", no_wrap=column in ("check", "status"))
    for check in checks:
        fix = (check.fix if not check.ok else "",) if with_fix else ()
        table.add_row(check.name, styles[check.status], check.detail, *fix)
    Console().print(table)


def doctor_command() -> None:
    """Check your setup: Python 3.11, dependencies, the CPU build of torch, the Jupyter kernel, data."""
    checks = run_checks()
    print_checks(checks)
    failed = [check.name for check in checks if not check.ok]
    if failed:
        typer.echo(f"{len(failed)} check(s) failed: {', '.join(failed)}. Apply the fixes above, then re-run.")
        raise typer.Exit(1)
    typer.echo("All checks passed: you are ready to start.")
