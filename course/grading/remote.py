"""The judge's side of the worker: start it, ask it, and stand in for what it returns.

:class:`RemoteWorker` owns one worker process (``course.grading.worker``), confined where the machine
allows it (:func:`course.grading.confine.worker_command`): the judge's results and state files and the
grader's tests are hidden from it, and it cannot reach the judge's processes. ``project_module("pkg.mod")``
returns a :class:`RemoteObject` for the module; attribute reads, calls, ``len``, iteration, indexing and
comparison run in the worker, and every answer comes back by value (:mod:`course.grading.protocol`) or as
another :class:`RemoteObject`. An exception raised in the worker is raised here as a stand-in class with
the same name and the nearest builtin base (so ``pytest.raises(ValueError)`` and
``pytest.raises(module.ContractError)`` work), with the worker's traceback as a note.

When a call does not return (the test's timeout interrupts the wait) or the worker dies, the worker is
killed with everything it started, and the next request starts a fresh one; handles of the old worker
then say so instead of reaching a different object.
"""

from __future__ import annotations

import builtins
import contextlib
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course.errors import CourseError
from course.grading import protocol
from course.grading.protocol import Callback, Decoder, Encoder, Handle, Reply, Request

if TYPE_CHECKING:
    from course.grading.confine import Cover

#: Variables that name the course's files: never in the worker's environment.
HIDDEN_ENV = ("COURSE_ROOT",)
_PASSTHROUGH_DUNDERS = ("__name__", "__doc__", "__file__", "__version__", "__all__", "__qualname__")


class WorkerError(CourseError):
    """The worker died, hung or sent something that is not a valid reply; the message says which."""


class RemoteWorker:
    """One worker process that imports from ``paths``; started on first use, restarted after a failure."""

    def __init__(
        self,
        paths: list[Path],
        hide: list[Path],
        memory_mb: int | None = None,
        cover: Cover | None = None,
        preload: list[str] | None = None,
    ) -> None:
        self.paths, self.hide, self.memory_mb = [Path(p) for p in paths], list(hide), memory_mb
        self.cover = cover
        self.preload = list(preload or [])  # installed libraries it imports first (course.grading.preload)
        self.process: subprocess.Popen[bytes] | None = None
        self.generation = 0
        self.pending_release: list[int] = []
        self.callbacks: dict[int, Any] = {}  # the test's functions the worker may call back, by id
        self.note = ""  # why the worker runs unconfined, if it does
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - the worker's stderr, open as long as it runs

    # -- process ----------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start a worker (a new generation: handles of an earlier one are no longer valid)."""
        from course.grading.confine import worker_command
        from course.grading.worker import MEMORY_ENV

        command = [sys.executable, "-m", "course.grading.worker"]
        for path in self.paths:
            command += ["--path", str(path)]
        for name in self.preload:
            command += ["--preload", name]
        command, self.note = worker_command(command, self.hide, self.cover)
        env = {k: v for k, v in os.environ.items() if k not in HIDDEN_ENV}
        if self.memory_mb:
            env[MEMORY_ENV] = str(self.memory_mb)
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, env=env, cwd=os.getcwd()
        )
        self.generation += 1
        self.pending_release.clear()
        self.callbacks.clear()

    def stop(self) -> None:
        """Stop the worker at the end of the session: killed at once, like after a hang.

        Nothing the worker holds is worth a clean exit (every reply has been read, and what the submission
        writes to disk is flushed when its call returns), and a clean exit costs about a second per lane:
        the interpreter tears down the submission's libraries and waits for any thread it left running.
        Whatever the worker started goes with it (its own pid namespace, else the runner's cgroup sweep).
        """
        self.kill()

    def kill(self) -> None:
        """Kill the worker at once (after a hang or a broken reply)."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)

    def stderr_tail(self, lines: int = 15) -> str:
        """The last lines the worker wrote outside calls (an interpreter's crash message lands here)."""
        self.log.seek(0)
        text = self.log.read().decode(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    # -- requests ---------------------------------------------------------------------------------------
    def request(
        self,
        op: str,
        target: int = 0,
        name: str = "",
        args: tuple = (),
        kwargs: dict | None = None,
        what: str = "",
    ) -> Any:
        """Run ``op`` in the worker and return its value (or raise the stand-in of its exception)."""
        if self.process is None or self.process.poll() is not None:
            self.start()
        if self.pending_release and op != "release":
            ids, self.pending_release = self.pending_release, []
            with contextlib.suppress(Exception):
                self.request("release", args=tuple(ids))
        encoder = self.encoder()
        message = Request(
            op=op,
            target=target,
            name=name,
            args=[encoder.encode(a) for a in args],
            kwargs={k: encoder.encode(v) for k, v in (kwargs or {}).items()},
            cwd=os.getcwd(),
            env={k: v for k, v in os.environ.items() if k not in HIDDEN_ENV},
            log_level=_lowest_log_level(),
        )
        process = self.process
        assert process is not None and process.stdin is not None and process.stdout is not None
        try:
            protocol.send(process.stdin, message, encoder)
            reply, blobs = protocol.receive(process.stdout, Reply, Callback)
            while isinstance(reply, Callback):  # the submission calls a function the test gave it
                self.answer_callback(reply, blobs)
                reply, blobs = protocol.receive(process.stdout, Reply, Callback)
        except protocol.ProtocolError as exc:
            returncode = process.poll()
            self.kill()
            if returncode is not None:
                raise WorkerError(_died(returncode, what or f"{op} {name}", self.stderr_tail())) from None
            raise WorkerError(
                f"the worker's reply was not valid ({exc}); the worker was restarted."
            ) from None
        except BrokenPipeError:
            returncode = process.poll()
            self.kill()
            raise WorkerError(_died(returncode, what or f"{op} {name}", self.stderr_tail())) from None
        except BaseException:  # the test's timeout (or ^C) interrupted the wait: the call may never return
            self.kill()
            raise
        assert isinstance(reply, Reply)
        generation = self.generation
        try:
            decoder = Decoder(blobs, make_handle=lambda handle: self.proxy(handle, generation))
            value = decoder.decode(reply.value)
        except protocol.ProtocolError as exc:
            self.kill()
            raise WorkerError(
                f"the worker's reply was not valid ({exc}); the worker was restarted."
            ) from None
        _replay(reply)
        if not reply.ok:
            raise _stand_in(reply, value if isinstance(value, dict) else {})
        return value

    def encoder(self) -> Encoder:
        """An encoder for what the judge sends: proxies as references, the test's functions as callbacks."""

        def ref_of(value: Any) -> int | None:
            return value._course_handle(self).id if isinstance(value, RemoteObject) else None

        def callback_of(function: Any) -> int:
            number = len(self.callbacks) + 1
            self.callbacks[number] = function
            return number

        return Encoder(pickle_fallback=True, ref_of=ref_of, callback_of=callback_of)

    def answer_callback(self, callback: Callback, blobs: list[bytes]) -> None:
        """Run the test's function the worker asked for, in the judge, and send its value back."""
        assert self.process is not None and self.process.stdin is not None
        generation = self.generation
        decoder = Decoder(blobs, make_handle=lambda handle: self.proxy(handle, generation))
        function = self.callbacks.get(callback.id)
        try:
            if function is None:
                raise WorkerError(f"no test function {callback.id} to call back.")
            args = [decoder.decode(a) for a in callback.args]
            kwargs = {str(k): decoder.decode(v) for k, v in callback.kwargs.items()}
            reply = Reply(ok=True, value=function(*args, **kwargs))
        except protocol.ProtocolError:
            raise
        except Exception as exc:  # the test's own function failed: the submission sees an error
            reply = Reply(ok=False, error_type=type(exc).__name__, error_message=str(exc))
        encoder = self.encoder()
        try:
            reply.value = encoder.encode(reply.value)
        except protocol.ProtocolError as exc:
            encoder = self.encoder()
            reply = Reply(ok=False, error_type="ProtocolError", error_message=str(exc))
        protocol.send(self.process.stdin, reply, encoder)

    def proxy(self, handle: Handle, generation: int) -> Any:
        """What the judge holds for a worker object: a stand-in class for exception classes, else a proxy."""
        if handle.exception_class:
            return _exception_class(handle.exception_class, handle.bases)
        return RemoteObject(self, handle, generation)

    def module(self, name: str) -> Any:
        """``import name`` in the worker."""
        return self.request("import", name=name, what=f"importing {name}")


def _lowest_log_level() -> int:
    manager = logging.Logger.manager
    levels = [logging.getLogger().getEffectiveLevel()]
    levels += [
        logger.level for logger in list(manager.loggerDict.values()) if isinstance(logger, logging.Logger)
    ]
    return min(level for level in levels if level > logging.NOTSET) if any(levels) else logging.WARNING


def _replay(reply: Reply) -> None:
    """What the call printed and logged, replayed here so ``capsys`` and ``caplog`` see it."""
    if reply.stdout:
        sys.stdout.write(reply.stdout)
    if reply.stderr:
        sys.stderr.write(reply.stderr)
    for entry in reply.logs[:10_000]:
        with contextlib.suppress(Exception):
            logger = logging.getLogger(str(entry["name"]))
            level = int(entry["level"])
            if logger.isEnabledFor(level):
                logger.handle(
                    logger.makeRecord(logger.name, level, "(worker)", 0, str(entry["message"]), (), None)
                )


def _died(returncode: int | None, what: str, tail: str) -> str:
    how = (
        f"exit status {returncode}"
        if returncode is not None and returncode >= 0
        else f"signal {-(returncode or 0)}"
    )
    message = f"the process running your code ended ({how}) while {what}: does your code call os._exit or "
    message += "sys.exit, or use more memory than the limit?"
    return message + (f"\nIts last output:\n{tail}" if tail else "")


_STAND_INS: dict[str, type[BaseException]] = {}
# Builtin bases a stand-in never takes: they would stop pytest itself. SystemExit is allowed (pytest turns
# it into a failed test), so ``pytest.raises(SystemExit)`` around a command's ``main`` works.
_UNSAFE = {"KeyboardInterrupt", "GeneratorExit", "BaseException", "BaseExceptionGroup"}


def _exception_class(qualified: str, bases: list[str]) -> type[BaseException]:
    """One stand-in class per worker exception class: its name, and its nearest safe builtin base."""
    cls = _STAND_INS.get(qualified)
    if cls is None:
        module, _, qualname = qualified.rpartition(".")
        base: type[BaseException] = Exception
        for name in bases:
            candidate = getattr(builtins, name, None)
            safe = isinstance(candidate, type) and issubclass(candidate, (Exception, SystemExit))
            if safe and name not in _UNSAFE:
                base = candidate
                break
        if qualified == f"builtins.{qualname}" and base.__name__ == qualname:
            cls = base
        else:
            cls = type(qualname.rpartition(".")[2], (base,), {"__module__": module, "__qualname__": qualname})
        _STAND_INS[qualified] = cls
    return cls


def _stand_in(reply: Reply, attributes: dict[str, Any]) -> BaseException:
    if reply.error_type in ("course.ProtocolError",):
        return WorkerError(f"your code returned something that cannot be sent back: {reply.error_message}")
    cls = _exception_class(reply.error_type, reply.error_bases)
    error = cls(reply.error_message) if reply.error_message else cls()
    for key, value in attributes.items():
        with contextlib.suppress(Exception):
            setattr(error, key, value)
    if reply.error_traceback:
        error.add_note(f"in your code (worker process):\n{reply.error_traceback.rstrip()}")
    return error


class RemoteObject:
    """An object that lives in the worker; what you do with it runs there."""

    __slots__ = ("_generation", "_handle", "_worker")

    def __init__(self, worker: RemoteWorker, handle: Handle, generation: int) -> None:
        object.__setattr__(self, "_worker", worker)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_generation", generation)

    def _course_handle(self, worker: RemoteWorker) -> Handle:
        if worker is not self._worker or self._generation != worker.generation or worker.process is None:
            raise WorkerError(
                f"{self._handle.repr} came from a run of your code that has since ended (a timeout or a "
                "crash restarted it): the test cannot use it any more."
            )
        return self._handle

    def _ask(self, op: str, name: str = "", args: tuple = (), kwargs: dict | None = None) -> Any:
        handle = self._course_handle(self._worker)
        what = f"calling {handle.repr}" if op == "call" else f"{op} {name} of {handle.repr}"
        return self._worker.request(op, target=handle.id, name=name, args=args, kwargs=kwargs, what=what)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__") and name not in _PASSTHROUGH_DUNDERS:
            raise AttributeError(name)
        return self._ask("getattr", name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._ask("setattr", name, args=(value,))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._ask("call", args=args, kwargs=kwargs)

    def __len__(self) -> int:
        return int(self._ask("len"))

    def __iter__(self) -> Iterator[Any]:
        iterator = self._ask("iter")
        while True:
            try:
                yield iterator._ask("next") if isinstance(iterator, RemoteObject) else next(iterator)
            except StopIteration:
                return
            except Exception as exc:
                if type(exc).__name__ == "StopIteration":
                    return
                raise

    def __getitem__(self, key: Any) -> Any:
        return self._ask("getitem", args=(key,))

    def __enter__(self) -> Any:
        return self._ask("getattr", "__enter__")()

    def __exit__(self, *exc_info: object) -> None:
        """Leaves the worker's context; it is told of no exception (a judge's traceback cannot cross)."""
        self._ask("getattr", "__exit__")(None, None, None)

    def __contains__(self, item: Any) -> bool:
        return bool(self._ask("contains", args=(item,)))

    def __eq__(self, other: object) -> bool:
        return bool(self._ask("eq", args=(other,)))

    def __hash__(self) -> int:
        return hash((id(self._worker), self._generation, self._handle.id))

    def __bool__(self) -> bool:
        return bool(self._ask("bool"))

    def __str__(self) -> str:
        return str(self._ask("str"))

    def __repr__(self) -> str:
        return self._handle.repr

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            if self._generation == self._worker.generation:
                self._worker.pending_release.append(self._handle.id)
