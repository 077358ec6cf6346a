"""The judge/worker protocol: typed messages, framed on a pipe, values by value and never by pickle.

The judge (the pytest process that records verdicts) and the worker (the process that imports the
submission) exchange :class:`Request` and :class:`Reply` messages. A frame is a 4-byte big-endian length
and that many bytes; a message is one JSON frame (its header) followed by the binary frames it names
(``blobs``). Values are encoded as a tagged JSON tree (:func:`encode` / :func:`decode`):

- JSON scalars, lists, tuples, dicts, sets, dates, paths, bytes and numpy scalars as themselves;
- DataFrames and Series as Arrow IPC streams, arrays as ``.npy`` read with ``allow_pickle=False``;
- scikit-learn estimators through skops, when every type inside is one skops trusts by default (the
  judge checks again before it loads one; an estimator holding the submission's own code stays a handle);
- anything else as a *handle*: an id in the worker's object table, with its type name and repr.

Decoding never executes code from the other side: there is no pickle on the judge's side, a frame over
:data:`MAX_FRAME` bytes is refused before it is read, and every malformed message raises
:class:`ProtocolError`, which costs the test that was waiting for it and nothing else.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import struct
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePath
from typing import IO, Any

from course.errors import CourseError

MAX_FRAME = 512 * 1024 * 1024
"""The largest frame either side accepts (bytes); a larger length prefix is refused unread."""
MAX_DEPTH = 200
"""The deepest value tree either side decodes."""
_LENGTH = struct.Struct(">I")


class ProtocolError(CourseError):
    """A message that is not a valid frame, header or value; the message says what was wrong."""


@dataclass(frozen=True)
class Handle:
    """An object that lives in the worker: its id there, its type's name and its repr (for messages)."""

    id: int
    type: str
    repr: str
    callable: bool = False
    exception_class: str = ""  # set for exception classes: the judge uses a stand-in class of that name
    bases: list[str] = field(default_factory=list)  # an exception class's builtin bases, nearest first


@dataclass
class Request:
    """What the judge asks: ``op`` on ``target`` (a handle id) with encoded ``args``."""

    op: str  # import getattr setattr call len iter next getitem contains eq str repr bool keep fetch release
    target: int = 0
    name: str = ""
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    cwd: str = ""
    env: dict[str, str] = field(default_factory=dict)
    log_level: int = 30  # the lowest level the judge's loggers record (records below it are not sent)


@dataclass
class Callback:
    """What the worker asks back during a call: run the judge's function ``id`` (one the test passed in)."""

    id: int
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Reply:
    """What the worker answers: a value, or an error with its type, message and traceback text."""

    ok: bool
    value: Any = None
    error_type: str = ""
    error_bases: list[str] = field(default_factory=list)
    error_message: str = ""
    error_traceback: str = ""
    stdout: str = ""
    stderr: str = ""
    logs: list[dict[str, Any]] = field(default_factory=list)


# -- framing --------------------------------------------------------------------------------------------
def write_frame(stream: IO[bytes], payload: bytes) -> None:
    """Write one frame."""
    if len(payload) > MAX_FRAME:
        raise ProtocolError(f"a frame of {len(payload)} bytes is over the limit of {MAX_FRAME}.")
    stream.write(_LENGTH.pack(len(payload)))
    stream.write(payload)


def read_frame(stream: IO[bytes]) -> bytes:
    """Read one frame; a short read, or a length over :data:`MAX_FRAME`, raises :class:`ProtocolError`."""
    head = _read_exactly(stream, _LENGTH.size)
    (length,) = _LENGTH.unpack(head)
    if length > MAX_FRAME:
        raise ProtocolError(f"the other side announced a frame of {length} bytes (limit {MAX_FRAME}).")
    return _read_exactly(stream, length)


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise ProtocolError("the other side closed the channel mid-message (did the process die?).")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


Message = Request | Reply | Callback


def send(stream: IO[bytes], message: Message, encoder: Encoder) -> None:
    """Write ``message`` with the binary blobs its values collected in ``encoder``."""
    header = {"kind": type(message).__name__, **asdict(message), "blobs": len(encoder.blobs)}
    write_frame(stream, json.dumps(header, allow_nan=True).encode())
    for blob in encoder.blobs:
        write_frame(stream, blob)
    stream.flush()


def receive(stream: IO[bytes], *kinds: type[Message]) -> tuple[Message, list[bytes]]:
    """Read one message of one of ``kinds`` and its blobs (values are still encoded: see :func:`decode`)."""
    try:
        header = json.loads(read_frame(stream))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"a message header is not JSON ({exc}).") from None
    names = {kind.__name__: kind for kind in kinds}
    if not isinstance(header, dict) or header.get("kind") not in names:
        raise ProtocolError(f"expected a {' or '.join(names)} message.")
    kind = names[header.pop("kind")]
    count = header.pop("blobs", 0)
    if not isinstance(count, int) or not 0 <= count <= 10_000:
        raise ProtocolError(f"a message announces {count!r} binary parts.")
    blobs = [read_frame(stream) for _ in range(count)]
    try:
        return kind(**header), blobs
    except TypeError as exc:
        raise ProtocolError(f"a {kind.__name__} message has unexpected fields ({exc}).") from None


# -- values -----------------------------------------------------------------------------------------------
class Encoder:
    """Encodes values into a JSON tree plus binary blobs; ``handle_of`` turns other objects into handles."""

    def __init__(
        self,
        handle_of: Any = None,
        pickle_fallback: bool = False,
        ref_of: Any = None,
        callback_of: Any = None,
    ) -> None:
        self.blobs: list[bytes] = []
        self.handle_of = handle_of
        self.pickle_fallback = pickle_fallback  # the judge's side only: the worker trusts the judge
        self.ref_of = ref_of  # the judge's side: a proxy's handle id (or None for anything else)
        self.callback_of = callback_of  # the judge's side: a function's callback id

    def blob(self, data: bytes) -> int:
        self.blobs.append(data)
        return len(self.blobs) - 1

    def encode(self, value: Any, depth: int = 0) -> Any:
        """The tagged JSON form of ``value``."""
        if depth > MAX_DEPTH:
            raise ProtocolError("a value is nested too deeply to send.")
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int) and type(value) is int:
            return value
        if isinstance(value, float) and type(value) is float:
            return value if math.isfinite(value) else {"t": "float", "v": repr(value)}
        if isinstance(value, Handle):
            return {"t": "ref", "id": value.id}
        if self.ref_of is not None:
            ref = self.ref_of(value)
            if ref is not None:
                return {"t": "ref", "id": ref}
        if isinstance(value, list | tuple | set | frozenset):
            tag = {list: "list", tuple: "tuple", set: "set", frozenset: "frozenset"}.get(type(value))
            if tag is not None:
                return {"t": tag, "v": [self.encode(item, depth + 1) for item in value]}
        if type(value) is dict:
            return {
                "t": "dict",
                "v": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()],
            }
        if isinstance(value, bytes):
            return {"t": "bytes", "blob": self.blob(bytes(value))}
        if isinstance(value, PurePath):
            return {"t": "path", "v": str(value)}
        encoded = _encode_scientific(self, value)
        if encoded is not None:
            return encoded
        if type(value) in (dt.datetime, dt.date, dt.time, dt.timedelta):
            return _encode_time(value)
        if self.callback_of is not None and callable(value) and not isinstance(value, type):
            return {"t": "callback", "id": self.callback_of(value)}
        if self.pickle_fallback:  # cloudpickle: a test's local function crosses by value, code included
            import cloudpickle

            try:
                return {"t": "pickle", "blob": self.blob(cloudpickle.dumps(value))}
            except Exception as exc:
                raise ProtocolError(f"cannot send a {type(value).__name__} to the worker ({exc}).") from None
        if self.handle_of is None:
            raise ProtocolError(f"cannot send a {type(value).__name__} by value.")
        handle = self.handle_of(value)
        return {"t": "handle", **asdict(handle)}


def _encode_time(value: Any) -> dict[str, Any]:
    if isinstance(value, dt.timedelta):
        return {"t": "timedelta", "v": value.total_seconds()}
    return {"t": type(value).__name__, "v": value.isoformat()}


def _encode_scientific(encoder: Encoder, value: Any) -> dict[str, Any] | None:
    """numpy, pandas and scikit-learn values, if ``value`` is one (without importing them when it is not)."""
    module = type(value).__module__.split(".")[0]
    if module == "sklearn":
        return _encode_estimator(encoder, value)
    if module not in ("numpy", "pandas"):
        return None
    import numpy as np
    import pandas as pd

    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            return {"t": "list", "v": [encoder.encode(item) for item in value.tolist()]}
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        return {"t": "ndarray", "blob": encoder.blob(buffer.getvalue())}
    if isinstance(value, np.generic):
        if isinstance(value, np.datetime64 | np.timedelta64):
            return {"t": str(type(value).__name__), "v": str(value)}
        item = value.item()
        if isinstance(item, float) and not math.isfinite(item):
            item = repr(item)
        return {"t": "npscalar", "dtype": value.dtype.str, "v": item}
    if isinstance(value, pd.DataFrame | pd.Series):
        import pyarrow as pa

        frame = (
            value.to_frame(name="__series__" if value.name is None else value.name)
            if isinstance(value, pd.Series)
            else value
        )
        try:
            table = pa.Table.from_pandas(frame, preserve_index=True)
        except (pa.ArrowException, TypeError, ValueError):
            return None  # cells Arrow cannot hold (dtype objects, mixed types): the value stays a handle
        sink = io.BytesIO()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        return {
            "t": "series" if isinstance(value, pd.Series) else "frame",
            "blob": encoder.blob(sink.getvalue()),
        }
    if isinstance(value, pd.Timestamp):
        return {"t": "timestamp", "v": value.isoformat(), "tz": str(value.tz) if value.tz else ""}
    if value is pd.NaT:
        return {"t": "nat"}
    return None


class Decoder:
    """Decodes a tagged JSON tree; ``resolve`` maps a ``ref`` id to an object and ``make_handle`` a handle."""

    def __init__(
        self,
        blobs: list[bytes],
        resolve: Any = None,
        make_handle: Any = None,
        allow_pickle: bool = False,
        make_callback: Any = None,
    ) -> None:
        self.blobs, self.resolve, self.make_handle = blobs, resolve, make_handle
        self.make_callback = make_callback  # the worker's side: a function that calls the judge back
        self.allow_pickle = allow_pickle  # only the worker, for what the judge sends

    def blob(self, node: dict[str, Any]) -> bytes:
        index = node.get("blob")
        if not isinstance(index, int) or not 0 <= index < len(self.blobs):
            raise ProtocolError(f"a value names binary part {index!r}, which the message does not have.")
        return self.blobs[index]

    def decode(self, node: Any, depth: int = 0) -> Any:
        """The value of a tagged JSON tree."""
        if depth > MAX_DEPTH:
            raise ProtocolError("a value is nested too deeply.")
        if node is None or isinstance(node, bool | int | float | str):
            return node
        if not isinstance(node, dict) or not isinstance(node.get("t"), str):
            raise ProtocolError(f"not an encoded value: {str(node)[:80]}")
        tag, value = node["t"], node.get("v")
        try:
            if tag in ("list", "tuple", "set", "frozenset"):
                items = [self.decode(item, depth + 1) for item in value]
                return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
            if tag == "dict":
                return {self.decode(k, depth + 1): self.decode(v, depth + 1) for k, v in value}
            if tag == "float":
                return float(value)
            if tag == "bytes":
                return self.blob(node)
            if tag == "path":
                return Path(value)
            if tag in ("datetime", "date", "time"):
                return getattr(dt, tag).fromisoformat(value)
            if tag == "timedelta":
                return dt.timedelta(seconds=float(value))
            if tag == "ref":
                if self.resolve is None:
                    raise ProtocolError("a reference to a worker object where none is expected.")
                return self.resolve(int(node["id"]))
            if tag == "handle":
                if self.make_handle is None:
                    raise ProtocolError("a handle where none is expected.")
                names = ("id", "type", "repr", "callable", "exception_class", "bases")
                return self.make_handle(Handle(**{k: node[k] for k in names if k in node}))
            if tag == "callback":
                if self.make_callback is None:
                    raise ProtocolError("a callback where none is expected.")
                return self.make_callback(int(node["id"]))
            if tag == "pickle":
                if not self.allow_pickle:
                    raise ProtocolError("a pickled value: refused (the judge never unpickles).")
                import pickle

                return pickle.loads(self.blob(node))
            return _decode_scientific(self, tag, node)
        except ProtocolError:
            raise
        except Exception as exc:  # a malformed value of any kind is the other side's fault
            raise ProtocolError(
                f"a {tag} value could not be decoded ({type(exc).__name__}: {exc})."
            ) from None


def _encode_estimator(encoder: Encoder, value: Any) -> dict[str, Any] | None:
    """A scikit-learn estimator as skops bytes, or ``None`` (a handle) when it holds untrusted types."""
    import skops.io

    try:
        data = skops.io.dumps(value)
    except Exception:  # not serialisable by skops: it stays in the worker
        return None
    if skops.io.get_untrusted_types(data=data):
        return None
    return {"t": "skops", "blob": encoder.blob(data)}


def _decode_scientific(decoder: Decoder, tag: str, node: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd

    value = node.get("v")
    if tag == "ndarray":
        return np.load(io.BytesIO(decoder.blob(node)), allow_pickle=False)
    if tag == "skops":
        import skops.io

        data = decoder.blob(node)
        untrusted = skops.io.get_untrusted_types(data=data)
        if untrusted:
            raise ProtocolError(f"an estimator holds types skops does not trust: {', '.join(untrusted[:5])}.")
        return skops.io.loads(data, trusted=None)
    if tag == "npscalar":
        dtype = np.dtype(str(node["dtype"]))
        if dtype.hasobject:
            raise ProtocolError("an object-typed numpy scalar cannot be sent.")
        return dtype.type(float(value) if isinstance(value, str) else value)
    if tag in ("datetime64", "timedelta64"):
        return getattr(np, tag)(value)
    if tag in ("frame", "series"):
        import pyarrow as pa

        with pa.ipc.open_stream(decoder.blob(node)) as reader:
            frame = reader.read_all().to_pandas()
        if tag == "series":
            series = frame.iloc[:, 0]
            return series.rename(None) if series.name == "__series__" else series
        return frame
    if tag == "timestamp":
        stamp = pd.Timestamp(value)
        return stamp
    if tag == "nat":
        return pd.NaT
    raise ProtocolError(f"unknown value tag {tag!r}.")
