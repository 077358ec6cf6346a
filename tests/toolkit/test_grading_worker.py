"""The judge/worker split: values cross by value or as handles, never by pickle; the worker is expendable."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import signal
import struct
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from course.grading import protocol
from course.grading.confine import namespace_prefix
from course.grading.protocol import Decoder, Encoder, ProtocolError, Reply
from course.grading.remote import RemoteObject, RemoteWorker, WorkerError

SAMPLE = Path(__file__).parent / "fixtures" / "sample_course"

SUBMISSION = """
import logging, os, time

import numpy as np
import pandas as pd


class ContractError(ValueError):
    def __init__(self, column):
        super().__init__(f"bad column {column}")
        self.column = column


class Box:
    def __init__(self, n):
        self.n = n

    def grow(self, k):
        return Box(self.n + k)

    def __len__(self):
        return self.n

    def __iter__(self):
        return iter(range(self.n))


def shift(frame, k):
    return frame.assign(a=frame["a"] + k)


def mixed():
    return np.array([1.5, 2.5]), np.float64(3.0), {"k": (1, 2)}, pd.Series([1, 2], name="s")


def fail():
    raise ContractError("plan")


def chatty():
    print("hello from the worker")
    logging.getLogger("pkgx").warning("careful")
    return 1


def hang():
    time.sleep(300)


def leave():
    os._exit(3)


def exit_quietly():
    raise SystemExit(0)


def exit_with(code):
    raise SystemExit(code)


_quiet = logging.getLogger("pkgx.quiet")  # its handler keeps the sys.stderr it found at import
_quiet.propagate = False
_quiet.addHandler(logging.StreamHandler())


def log_quietly():
    _quiet.warning("only on stderr")


def read(path):
    with open(path) as handle:
        return handle.read()


def append(path, text):
    with open(path, "a") as handle:
        handle.write(text)


def environment():
    return dict(os.environ)


def connect(host, port):
    import socket

    with socket.create_connection((host, port), timeout=2):
        return True


def scale_in_place(frame):
    frame["a"] = frame["a"] * 100
    return frame


def apply(function, values):
    return [function(value) for value in values]
"""


@pytest.fixture
def submission(tmp_path: Path) -> Path:
    (tmp_path / "pkgx").mkdir()
    (tmp_path / "pkgx" / "__init__.py").write_text("")
    (tmp_path / "pkgx" / "mod.py").write_text(textwrap.dedent(SUBMISSION))
    return tmp_path


@pytest.fixture
def judge_file(tmp_path: Path) -> Path:
    path = tmp_path / "results.jsonl"
    path.write_text('{"event": "session_start"}\n')
    return path


@pytest.fixture
def worker(submission: Path, judge_file: Path) -> Iterator[RemoteWorker]:
    remote = RemoteWorker([submission], hide=[judge_file])
    yield remote
    remote.stop()


def _round_trip(value: object) -> object:
    encoder = Encoder()
    tree = json.loads(json.dumps(encoder.encode(value)))
    return Decoder(encoder.blobs).decode(tree)


def test_values_cross_by_value() -> None:
    frame = pd.DataFrame({"a": [1, 2], "when": pd.to_datetime(["2024-01-01", "2024-02-01"])}, index=[5, 7])
    assert_frame = _round_trip(frame)
    pd.testing.assert_frame_equal(assert_frame, frame)
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(_round_trip(array), array)
    assert _round_trip({"k": (1, 2.5, None, float("nan") != float("nan")), 3: {1, 2}}) == {
        "k": (1, 2.5, None, True),
        3: {1, 2},
    }
    assert _round_trip(np.int64(7)) == 7 and isinstance(_round_trip(np.int64(7)), np.int64)


def test_the_judge_refuses_a_pickle() -> None:
    tree = {"t": "pickle", "blob": 0}
    with pytest.raises(ProtocolError, match="never unpickles"):
        Decoder([b"\x80\x04K\x01."]).decode(tree)


def test_an_object_array_never_crosses_as_npy() -> None:
    encoder = Encoder()
    tree = encoder.encode(np.array([object(), 1], dtype=object).tolist()[1:])
    assert tree == {"t": "list", "v": [1]}
    with pytest.raises(ProtocolError):
        Encoder().encode(object())  # no handle table: an arbitrary object is refused, not pickled


@pytest.mark.parametrize(
    "stream",
    [
        b"",  # closed
        struct.pack(">I", 2_000_000_000),  # a 2 GB length prefix: refused unread
        struct.pack(">I", 5) + b"\xff\xfe{}!",  # not JSON
        struct.pack(">I", 2) + b"[]",  # not a message
    ],
    ids=["closed", "huge-length", "garbage", "not-a-message"],
)
def test_a_malformed_message_is_a_protocol_error(stream: bytes) -> None:
    with pytest.raises(ProtocolError):
        protocol.receive(io.BytesIO(stream), Reply)


def test_calls_run_in_the_worker_and_return_values(worker: RemoteWorker) -> None:
    module = worker.module("pkgx.mod")
    frame = module.shift(pd.DataFrame({"a": [1, 2]}), 10)
    assert isinstance(frame, pd.DataFrame) and frame["a"].tolist() == [11, 12]
    array, scalar, mapping, series = module.mixed()
    assert array.tolist() == [1.5, 2.5] and scalar == 3.0 and mapping == {"k": (1, 2)}
    assert series.name == "s" and series.tolist() == [1, 2]


def test_objects_stay_in_the_worker_as_handles(worker: RemoteWorker) -> None:
    module = worker.module("pkgx.mod")
    box = module.Box(2).grow(3)
    assert isinstance(box, RemoteObject)
    assert box.n == 5 and len(box) == 5 and list(box) == [0, 1, 2, 3, 4]


def test_a_function_the_test_passes_in_runs_in_the_judge(worker: RemoteWorker) -> None:
    module = worker.module("pkgx.mod")
    seen = []

    def record(frame: pd.DataFrame) -> int:
        seen.append(len(frame))  # a side effect the test reads afterwards: only real callbacks keep it
        return len(frame) * 2

    frames = [pd.DataFrame({"a": range(n)}) for n in (1, 3)]
    assert module.apply(record, frames) == [2, 6]
    assert seen == [1, 3]


def test_exceptions_keep_their_name_base_and_attributes(worker: RemoteWorker) -> None:
    module = worker.module("pkgx.mod")
    with pytest.raises(module.ContractError) as caught:
        module.fail()
    assert isinstance(caught.value, ValueError) and caught.value.column == "plan"
    assert "in your code" in "\n".join(caught.value.__notes__)


def test_output_and_logs_reach_the_judge(
    worker: RemoteWorker, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    module = worker.module("pkgx.mod")
    assert module.chatty() == 1
    assert "hello from the worker" in capsys.readouterr().out
    assert [(r.name, r.getMessage()) for r in caplog.records] == [("pkgx", "careful")]


def test_a_handler_made_at_import_still_reaches_the_judges_stderr(
    worker: RemoteWorker, capsys: pytest.CaptureFixture[str]
) -> None:
    module = worker.module("pkgx.mod")
    module.log_quietly()
    assert "only on stderr" in capsys.readouterr().err


def test_a_command_s_exit_status_crosses_as_system_exit(worker: RemoteWorker) -> None:
    module = worker.module("pkgx.mod")
    with pytest.raises(SystemExit) as caught:
        module.exit_with(3)
    assert caught.value.code == 3
    assert worker.module("pkgx.mod").Box(2).n == 2, "the worker serves on after a SystemExit"


def test_a_hang_costs_the_call_and_the_next_call_gets_a_fresh_worker(worker: RemoteWorker) -> None:
    module = worker.module("pkgx.mod")
    box = module.Box(1)

    def interrupt(*_: object) -> None:
        raise TimeoutError("the test's timeout")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.alarm(1)
    started = time.monotonic()
    try:
        with pytest.raises(TimeoutError):
            module.hang()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 10
    with pytest.raises(WorkerError, match="has since ended"):
        _ = box.n
    assert worker.module("pkgx.mod").Box(4).n == 4


@pytest.mark.parametrize("how", ["leave", "exit_quietly"])
def test_code_that_ends_its_process_fails_only_that_call(worker: RemoteWorker, how: str) -> None:
    module = worker.module("pkgx.mod")
    with pytest.raises((WorkerError, SystemExit)):  # a SystemExit fails a test like any exception
        getattr(module, how)()
    assert worker.module("pkgx.mod").Box(2).n == 2


needs_namespaces = pytest.mark.skipif(not namespace_prefix()[0], reason="no mount namespaces here")


@needs_namespaces
def test_the_worker_cannot_read_or_write_the_judges_file(worker: RemoteWorker, judge_file: Path) -> None:
    module = worker.module("pkgx.mod")
    assert worker.note == ""
    assert module.read(str(judge_file)) == ""
    with contextlib.suppress(OSError):  # refused, or written into /dev/null: either way not the judge's file
        module.append(str(judge_file), '{"event": "outcome", "outcome": "passed"}\n')
    assert judge_file.read_text() == '{"event": "session_start"}\n'


def test_without_the_split_the_same_code_would_have_written_it(submission: Path, judge_file: Path) -> None:
    """The attack above is real: run in the judge's own process, it appends a forged verdict."""
    namespace: dict[str, object] = {}
    exec(compile(textwrap.dedent(SUBMISSION), "mod.py", "exec"), namespace)  # the attack
    namespace["append"](str(judge_file), '{"event": "outcome", "outcome": "passed"}\n')  # type: ignore[operator]
    assert "passed" in judge_file.read_text()


def test_the_worker_does_not_see_the_course_root(
    worker: RemoteWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COURSE_ROOT", "/somewhere/course")
    module = worker.module("pkgx.mod")
    assert "COURSE_ROOT" not in module.environment()


@needs_namespaces
def test_the_worker_has_no_network(worker: RemoteWorker) -> None:
    import socket

    server = socket.create_server(("127.0.0.1", 0))  # the judge's loopback: reachable from here
    try:
        module = worker.module("pkgx.mod")
        with pytest.raises(OSError):
            module.connect("127.0.0.1", server.getsockname()[1])
    finally:
        server.close()


def test_a_value_kept_in_the_worker_shows_what_the_code_did_to_it(worker: RemoteWorker) -> None:
    module = worker.module("pkgx.mod")
    kept = worker.request("keep", args=(pd.DataFrame({"a": [1, 2]}),))
    assert isinstance(kept, RemoteObject)
    module.scale_in_place(kept)
    assert worker.request("fetch", args=(kept,))["a"].tolist() == [100, 200]


def test_a_frame_s_dtypes_can_be_read_and_the_worker_serves_on(worker: RemoteWorker) -> None:
    frame = worker.module("pandas").DataFrame({"a": [1.5], "b": ["x"]})
    types = frame.dtypes  # a Series of numpy dtype objects
    assert dict(types.astype(str)) == {"a": "float64", "b": "object"}
    assert worker.module("pkgx.mod").Box(2).n == 2, "the worker serves on"


PROBE = """
import sys

EARLY = sorted(name for name in ("numpy", "pytest") if name in sys.modules)
"""


def test_the_worker_imports_installed_libraries_first_never_the_submissions_own(tmp_path: Path) -> None:
    """numpy (installed) is imported before the submission; a learner's ``packaging.py`` is not, and
    neither are the judge's tools (pytest)."""
    (tmp_path / "pkgx").mkdir()
    (tmp_path / "pkgx" / "__init__.py").write_text("")
    (tmp_path / "pkgx" / "probe.py").write_text(PROBE)
    marker = tmp_path / "imported"
    (tmp_path / "packaging.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    remote = RemoteWorker(
        [tmp_path], hide=[], preload=["numpy", "packaging", "pytest", "json", "no_such_lib"]
    )
    try:
        assert remote.module("pkgx.probe").EARLY == ["numpy"]
    finally:
        remote.stop()
    assert not marker.exists(), "the submission's own packaging.py was imported before the submission"


def test_a_lanes_worker_starts_with_the_session_and_grades(tmp_path: Path) -> None:
    """In a grading, the worker has imported what the submission names before the submission's import."""
    from course.grading.runner import Limits, grade_submission

    course = Path(shutil.copytree(SAMPLE, tmp_path / "course"))
    rubric = course / "tests" / "graded" / "p1_baseline" / "rubric.toml"
    rubric.write_text('isolation = "worker"\n' + rubric.read_text())
    mathops = course / "solutions" / "p1_baseline" / "tinypkg" / "mathops.py"
    mathops.write_text(
        mathops.read_text().replace("    return a + b\n", "    return a + b if EARLY else 0\n")
        + "\nimport sys\n\nEARLY = 'numpy' in sys.modules\n\n\ndef _later():\n    import numpy  # noqa\n"
    )
    report = grade_submission("p1", "solutions", root=course, limits=Limits(timeout=20, wall=120))
    add = next(item for item in report.items if item.id == "p1.mathops.add")
    assert add.earned == 2, add


def test_a_lanes_preload_follows_the_modules_its_tests_name(tmp_path: Path) -> None:
    """The modules a lane's tests name, and the submission's modules they import, give the libraries to
    import early; a module no test of the lane reaches gives none."""
    from course.grading.preload import lane_names

    package = tmp_path / "copy" / "pkgx"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("import yaml\n")
    (package / "a.py").write_text(
        "import numpy\nfrom . import b\n\ndef f():\n    from pkgx.sub import deep\n"
    )
    (package / "b.py").write_text("from pandas import DataFrame\n")
    (package / "sub").mkdir()
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "deep.py").write_text("from ..c import g\nimport scipy.stats\n")
    (package / "c.py").write_text("import shap\n")
    (package / "unreached.py").write_text("import torch\n")
    test = tmp_path / "test_a.py"
    test.write_text('import pytest\n\ndef test_f(project_module):\n    project_module("pkgx.a").f()\n')
    names = lane_names([test], tmp_path / "copy")
    assert {"numpy", "pandas", "yaml", "scipy.stats", "shap"} <= set(names), names
    assert not {"torch", "pytest"} & set(names), "a module no test reaches, or the judge's own tool"
    assert not any(n.startswith("pkgx") for n in names), names


def test_a_submission_using_scikit_learn_gets_skops_imported_early_too() -> None:
    """Estimators cross as skops bytes, so skops (seconds to import) is warmed with scikit-learn."""
    from course.grading.preload import with_carriers

    assert with_carriers(["numpy", "sklearn.linear_model"]) == ["numpy", "sklearn.linear_model", "skops.io"]
    assert with_carriers(["numpy", "pandas"]) == ["numpy", "pandas"]


def test_a_source_file_the_parser_chokes_on_costs_only_its_names(tmp_path: Path) -> None:
    """A submission file too deeply nested to parse is skipped when the judge reads names; no crash."""
    from course.grading.preload import lane_names

    (tmp_path / "pkgx").mkdir()
    (tmp_path / "pkgx" / "__init__.py").write_text("")
    (tmp_path / "pkgx" / "deep.py").write_text("import numpy\nx = " + "-" * 200_000 + "1\n")
    test = tmp_path / "test_deep.py"
    test.write_text('def test_it(project_module):\n    project_module("pkgx.deep")\n')
    assert lane_names([test], tmp_path) == []


def test_the_judge_warms_skops_beside_a_notebook() -> None:
    """The judge's daemon thread imports the carrier its decoding of scikit-learn objects will need."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom course.grading.preload import warm_in_background\n"
        "warm_in_background(['sklearn.linear_model']).join()\nprint('skops.io' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "True", result.stderr[-2000:]


def test_a_name_too_long_for_the_file_system_costs_only_itself(tmp_path: Path) -> None:
    """``from pkgx import <300 characters>`` in a named module neither crashes the judge nor names a file."""
    from course.grading.preload import lane_names

    (tmp_path / "pkgx").mkdir()
    (tmp_path / "pkgx" / "__init__.py").write_text("")
    (tmp_path / "pkgx" / "mod.py").write_text(f"import numpy\nfrom pkgx import {'x' * 300}\n")
    test = tmp_path / "test_mod.py"
    test.write_text('def test_it(project_module):\n    project_module("pkgx.mod")\n')
    assert lane_names([test], tmp_path) == ["numpy"]
