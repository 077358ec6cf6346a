"""The worker: the only process of a grading run that imports the submission.

``python -m course.grading.worker --path COPY`` reads :class:`~course.grading.protocol.Request` messages on
its stdin and answers each with a :class:`~course.grading.protocol.Reply` on its stdout. Before it reads
the first request it moves the channel to private file descriptors and points the standard streams at
stderr, so nothing the submission prints can be taken for a reply; during a call, ``print`` output and log
records are captured and returned with the reply, so the judge's ``capsys`` and ``caplog`` see them.

Objects that cannot cross by value stay here in a table and cross as handles; the judge releases them.
The worker trusts the judge (it may receive pickled arguments from the graded tests), never the reverse.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import logging
import os
import sys
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Any

from course.grading import protocol
from course.grading.protocol import Callback, Decoder, Encoder, Handle, Reply, Request

MEMORY_ENV = "COURSE_WORKER_MEMORY_MB"


class Objects:
    """The worker's object table: handle ids to objects."""

    def __init__(self) -> None:
        self.table: dict[int, Any] = {}
        self.next_id = 1

    def handle(self, value: Any) -> Handle:
        """A new handle for ``value`` (one per answer: the judge releases each proxy on its own)."""
        number, self.next_id = self.next_id, self.next_id + 1
        self.table[number] = value
        exception = isinstance(value, type) and issubclass(value, BaseException)
        return Handle(
            id=number,
            type=_qualified(value if isinstance(value, type) else type(value)),
            repr=_safe_repr(value),
            callable=callable(value),
            exception_class=_qualified(value) if exception else "",
            bases=_builtin_bases(value) if exception else [],
        )

    def get(self, number: int) -> Any:
        if number not in self.table:
            raise protocol.ProtocolError(f"no worker object {number} (released, or from an earlier worker).")
        return self.table[number]

    def release(self, numbers: list[int]) -> None:
        for number in numbers:
            self.table.pop(number, None)


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _builtin_bases(cls: type) -> list[str]:
    """The builtin exception classes in ``cls``'s method resolution order, nearest first."""
    import builtins

    return [base.__name__ for base in cls.__mro__ if getattr(builtins, base.__name__, None) is base]


def _safe_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # a submission's __repr__ may raise
        text = f"<{type(value).__name__} (repr failed: {type(exc).__name__})>"
    return text if len(text) <= 300 else text[:297] + "..."


class CallStream(io.TextIOBase):
    """The worker's ``sys.stdout``/``sys.stderr``: what is written goes to the current call's capture.

    A logging handler made at import time keeps the stream it found; because that stream is this object
    and not one call's buffer, what it writes in later calls is still captured and replayed in the judge.
    """

    def __init__(self, fallback: Any) -> None:
        super().__init__()
        self.fallback = fallback
        self.target: Any = fallback

    def write(self, text: str) -> int:
        return self.target.write(text)

    def flush(self) -> None:
        with contextlib.suppress(Exception):
            self.target.flush()

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fallback.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


@contextlib.contextmanager
def _capture(out: io.StringIO, err: io.StringIO) -> Any:
    """Send the call's prints to ``out``/``err``: through the worker's streams when they are in place."""
    streams = (sys.stdout, sys.stderr)
    if all(isinstance(stream, CallStream) for stream in streams):
        sys.stdout.target, sys.stderr.target = out, err  # type: ignore[union-attr]
        try:
            yield
        finally:
            for stream in streams:
                stream.target = stream.fallback  # type: ignore[union-attr]
            sys.stdout, sys.stderr = streams  # a call may have replaced them
    else:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            yield


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call: keep what can be kept
            message = str(record.msg)
        self.records.append({"name": record.name, "level": record.levelno, "message": message})


def _perform(objects: Objects, request: Request, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Execute one request; its value (or the exception it raises) is the reply."""
    op = request.op
    if op == "import":
        return importlib.import_module(request.name)
    if op == "release":
        objects.release([int(a) for a in args])
        return None
    if op in ("keep", "fetch"):  # keep: answered as a handle (see serve); fetch: by value
        return args[0]
    target = objects.get(request.target)
    if op == "getattr":
        return getattr(target, request.name)
    if op == "setattr":
        setattr(target, request.name, args[0])
        return None
    if op == "call":
        return target(*args, **kwargs)
    if op == "len":
        return len(target)
    if op == "iter":
        return iter(target)
    if op == "next":
        return next(target)
    if op == "getitem":
        return target[args[0]]
    if op == "contains":
        return args[0] in target
    if op == "eq":
        return bool(target == args[0])
    if op in ("str", "repr", "bool"):
        return {"str": str, "repr": repr, "bool": bool}[op](target)
    raise protocol.ProtocolError(f"unknown operation {op!r}.")


class CallbackError(Exception):
    """A function the test passed in raised, or the judge could not run it; the message says which."""


class Channel:
    """The worker's end of the pipes, and the callbacks it makes through them during a call."""

    def __init__(
        self, channel_in: io.BufferedReader, channel_out: io.BufferedWriter, objects: Objects
    ) -> None:
        self.channel_in, self.channel_out, self.objects = channel_in, channel_out, objects

    def callback(self, number: int) -> Any:
        """A function that runs the judge's function ``number`` with these arguments and returns its value."""

        def call_the_judge(*args: Any, **kwargs: Any) -> Any:
            encoder = Encoder(self.objects.handle)
            message = Callback(
                id=number,
                args=[encoder.encode(a) for a in args],
                kwargs={k: encoder.encode(v) for k, v in kwargs.items()},
            )
            protocol.send(self.channel_out, message, encoder)
            reply, blobs = protocol.receive(self.channel_in, Reply)
            assert isinstance(reply, Reply)
            decoder = Decoder(blobs, resolve=self.objects.get, allow_pickle=True, make_callback=self.callback)
            value = decoder.decode(reply.value)
            if not reply.ok:
                raise CallbackError(f"{reply.error_type}: {reply.error_message}")
            return value

        call_the_judge.__name__ = call_the_judge.__qualname__ = f"test_function_{number}"
        return call_the_judge


def serve(channel_in: io.BufferedReader, channel_out: io.BufferedWriter) -> None:
    """Answer requests until the judge closes the channel."""
    objects = Objects()
    channel = Channel(channel_in, channel_out, objects)
    while True:
        try:
            request, blobs = protocol.receive(channel_in, Request)
        except protocol.ProtocolError:
            return  # the judge went away (or spoke nonsense): nothing left to serve
        assert isinstance(request, Request)
        reply = _answer(objects, request, blobs, channel)
        encoder = Encoder(objects.handle)
        try:
            if request.op == "keep" and reply.ok:
                reply.value = {"t": "handle", **asdict(objects.handle(reply.value))}
            else:
                reply.value = encoder.encode(reply.value)
        except Exception as exc:  # a value that cannot be sent costs this call, never the worker
            encoder = Encoder(objects.handle)
            reply = Reply(ok=False, error_type="course.ProtocolError", error_bases=["Exception"],
                          error_message=f"{type(exc).__name__}: {exc}")  # fmt: skip
        protocol.send(channel_out, reply, encoder)


def _answer(objects: Objects, request: Request, blobs: list[bytes], channel: Channel) -> Reply:
    decoder = Decoder(blobs, resolve=objects.get, allow_pickle=True, make_callback=channel.callback)
    out, err, records = io.StringIO(), io.StringIO(), _Records()
    root = logging.getLogger()
    level = root.level
    try:
        args = [decoder.decode(a) for a in request.args]
        kwargs = {k: decoder.decode(v) for k, v in request.kwargs.items()}
        if request.cwd:
            os.chdir(request.cwd)
        if request.env:
            os.environ.clear()
            os.environ.update(request.env)
        root.addHandler(records)
        root.setLevel(request.log_level)
        with _capture(out, err):
            value = _perform(objects, request, args, kwargs)
        return Reply(ok=True, value=value, stdout=out.getvalue(), stderr=err.getvalue(), logs=records.records)
    except BaseException as exc:  # a submission may raise anything, even SystemExit
        return Reply(
            ok=False,
            error_type=_qualified(type(exc)),
            error_bases=_builtin_bases(type(exc)),
            error_message=_safe_str(exc),
            error_traceback="".join(traceback.format_exception(exc)[-12:]),
            value=_plain_attributes(exc),
            stdout=out.getvalue(),
            stderr=err.getvalue(),
            logs=records.records,
        )
    finally:
        root.removeHandler(records)
        root.setLevel(level)


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return f"<{type(exc).__name__}: str() failed>"


def _plain_attributes(exc: BaseException) -> dict[str, Any]:
    """The exception's own attributes that cross by value (so a test can read ``error.column``)."""
    plain: dict[str, Any] = {}
    own = list(getattr(exc, "__dict__", {}).items())[:50]
    if isinstance(exc, SystemExit):
        own.append(("code", exc.code))
    for key, value in own:
        try:
            Encoder().encode(value)
        except protocol.ProtocolError:
            continue
        plain[str(key)] = value
    return plain


def _limit_memory() -> None:
    megabytes = os.environ.get(MEMORY_ENV)
    if megabytes:
        import resource

        limit = int(megabytes) * 1024 * 1024
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(argv: list[str] | None = None) -> None:
    """Take the channel off the standard streams, put the project on ``sys.path``, serve."""
    parser = argparse.ArgumentParser(prog="python -m course.grading.worker")
    parser.add_argument("--path", action="append", default=[], help="a folder to import the submission from")
    parser.add_argument("--preload", action="append", default=[], help="an installed library to import first")
    args = parser.parse_args(argv)
    channel_in = os.fdopen(os.dup(0), "rb", buffering=0)
    channel_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # anything printed outside a call goes to stderr, never into the channel
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    sys.stdout, sys.stderr = CallStream(sys.stderr), CallStream(sys.stderr)
    for path in reversed(args.path):
        sys.path.insert(0, path)
    _limit_memory()
    if args.preload:
        from course.grading.preload import preload

        preload(args.preload, [Path(p) for p in args.path])
    serve(io.BufferedReader(channel_in), channel_out)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
