"""Learner-facing messages: one line that says what went wrong, never a traceback.

Standard library only: the pytest plugin uses it in every run.
"""

from __future__ import annotations

import re
import signal
import traceback
from collections.abc import Sequence
from pathlib import Path

MAX_MESSAGE = 600
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_TIMEOUT = re.compile(r"^Timeout \(>([0-9.]+)s\) from pytest-timeout")


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes (Jupyter tracebacks carry them)."""
    return _ANSI.sub("", text)


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    """Collapse to at most ``limit`` characters, keeping the start."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def timeout_seconds(exc: BaseException) -> float | None:
    """The limit in seconds if ``exc`` is pytest-timeout's failure, else ``None``."""
    match = _TIMEOUT.match(str(getattr(exc, "msg", "") or exc))
    return float(match.group(1)) if match else None


def format_seconds(seconds: float) -> str:
    """``5.0`` -> ``5 s``, ``2.5`` -> ``2.5 s``."""
    return f"{seconds:g} s"


def memory_limit_mb() -> int | None:
    """The address-space limit of this process in MB, if one is set."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):
        return None
    return None if soft == resource.RLIM_INFINITY else soft // (1024 * 1024)


def location(exc: BaseException, roots: Sequence[Path]) -> str | None:
    """``pkg/module.py line 12`` for the deepest traceback frame inside one of ``roots``."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        for root in roots:
            if path.is_relative_to(root):
                found = f"{path.relative_to(root).as_posix()} line {frame.lineno}"
    return found


def assertion_text(exc: AssertionError) -> str:
    """The assertion's own message, without pytest's ``assert ...`` explanation when a message exists."""
    text = str(exc).strip()
    if not text:
        return "an assertion failed (the test gives no message)"
    lines = text.splitlines()
    if lines[0].startswith("assert "):
        return lines[0]
    kept = []
    for line in lines:
        if line.startswith("assert ") or line.startswith("+  where"):
            break
        kept.append(line)
    return "\n".join(kept).strip() or lines[0]


def exception_line(exc: BaseException) -> str:
    """``TypeError: unsupported operand`` - the last line Python would print."""
    return traceback.format_exception_only(type(exc), exc)[-1].strip()


def exception_message(exc: BaseException, roots: Sequence[Path] = ()) -> str:
    """One learner-facing line for an exception raised by a test or the code it calls."""
    seconds = timeout_seconds(exc)
    if seconds is not None:
        return (
            f"the test did not finish within {format_seconds(seconds)}: an infinite loop, a blocked call "
            "or a computation far slower than needed?"
        )
    if isinstance(exc, AssertionError):
        return shorten(assertion_text(exc))
    msg = getattr(exc, "msg", None)
    if type(exc).__name__ in {"Failed", "Skipped", "XFailed"} and isinstance(msg, str):
        return shorten(msg)
    where = location(exc, roots)
    suffix = f" ({where})" if where else ""
    if isinstance(exc, SystemExit):
        return f"your code called sys.exit({exc.code!r}){suffix}: functions must return or raise, not exit"
    if isinstance(exc, MemoryError):
        limit = memory_limit_mb()
        allowed = f" (the grader allows {limit} MB)" if limit else ""
        return f"MemoryError: your code ran out of memory{allowed}{suffix}"
    return shorten(exception_line(exc) + suffix)


def import_failure(module: str, exc: BaseException, roots: Sequence[Path]) -> str:
    """``Could not import pkg.mod: SyntaxError at pkg/mod.py line 12: invalid syntax``."""
    seconds = timeout_seconds(exc)
    if seconds is not None:
        reason = (
            f"the import did not finish within {format_seconds(seconds)}: is there an infinite loop or a "
            "long computation at module level? Put it inside a function"
        )
    elif isinstance(exc, SyntaxError):
        where = ""
        if exc.filename:
            path = Path(exc.filename)
            shown = next(
                (path.relative_to(root).as_posix() for root in roots if path.is_relative_to(root)), path.name
            )
            where = f" at {shown} line {exc.lineno}"
        reason = f"{type(exc).__name__}{where}: {exc.msg}"
    elif isinstance(exc, SystemExit):
        where = location(exc, roots)
        at = f" ({where})" if where else ""
        reason = (
            f"the module calls sys.exit({exc.code!r}) when imported{at}; keep script code under "
            "`if __name__ == '__main__':`"
        )
    elif isinstance(exc, ModuleNotFoundError) and exc.name and module.startswith(exc.name):
        reason = f"there is no module {exc.name!r} in your project folder"
    else:
        reason = exception_message(exc, roots)
    return shorten(f"Could not import {module}: {reason}")


def describe_exit(returncode: int | None) -> str:
    """``exited abruptly (exit code 3)`` or ``was killed by signal SIGSEGV``."""
    if returncode is None:
        return "stopped"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        hint = " (most likely out of memory)" if name == "SIGKILL" else ""
        return f"was killed by {name}{hint}"
    return f"exited abruptly (exit code {returncode})"
