"""``course doctor``: every check passes here, and a failing check prints its fix and exits 1."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from course import doctor
from course.doctor import Check


def _invoke_doctor() -> object:
    app = typer.Typer()
    app.command()(doctor.doctor_command)
    return CliRunner().invoke(app, [], env={"COLUMNS": "200"})


@pytest.mark.slow
def test_every_check_passes_in_the_course_environment():
    checks = doctor.run_checks()
    failures = {check.name: f"{check.detail} -> {check.fix}" for check in checks if not check.ok}
    assert failures == {}
    assert [check.name for check in checks] == [
        "Python 3.11",
        "Repository layout",
        "Dependencies import",
        "torch CPU build",
        "Jupyter kernel",
        "Data generation",
    ]


def test_data_check_generates_a_small_world():
    assert doctor.check_data().status == "ok"


def test_kernel_check_finds_this_environment():
    assert doctor.check_kernel().status == "ok"


def test_probe_reports_failed_imports_and_the_torch_build():
    probe = doctor.probe_imports(["json", "torch", "no_such_module_for_doctor"])
    assert list(probe["failed"]) == ["no_such_module_for_doctor"]
    assert doctor.check_torch(probe).status == "ok"


def test_wrong_python_fails_with_fix():
    check = doctor.check_python((3, 10, 12))
    assert (check.status, "3.10.12" in check.detail) == ("fail", True)
    assert "Python 3.11" in check.fix and "rm -rf .venv" in check.fix


def test_runtime_imports_cover_the_declared_dependencies():
    names = doctor.runtime_imports()
    assert names["scikit-learn"] == "sklearn"
    assert {"torch", "mlflow", "pandas", "typer"} <= set(names)
    assert "ruff" not in names  # optional (dev) dependencies are not runtime dependencies


def test_failed_import_names_the_distribution_and_the_fix():
    probe = {"failed": {"sklearn": "ModuleNotFoundError: No module named 'sklearn'"}, "slowest": []}
    check = doctor.check_imports(probe, {"scikit-learn": "sklearn", "numpy": "numpy"})
    assert check.status == "fail"
    assert "scikit-learn (sklearn): ModuleNotFoundError" in check.detail
    assert "make start" in check.fix


def test_cuda_build_of_torch_fails_with_fix():
    check = doctor.check_torch({"torch": {"version": "2.13.0+cu121", "cuda": "12.1"}})
    assert (check.status, "CUDA 12.1" in check.detail) == ("fail", True)
    assert "download.pytorch.org/whl/cpu" in check.fix


def test_other_torch_version_fails():
    assert doctor.check_torch({"torch": {"version": "2.5.1", "cuda": None}}).status == "fail"


def test_missing_kernel_fails_with_fix(monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager

    monkeypatch.setattr(KernelSpecManager, "get_all_specs", lambda self: {})
    check = doctor.check_kernel()
    assert (check.status, "ipykernel install --sys-prefix" in check.fix) == ("fail", True)


def test_data_generation_error_is_reported(monkeypatch):
    from course.data import churn

    def broken(**kwargs):
        raise ValueError("months must be positive")

    monkeypatch.setattr(churn, "generate", broken)
    check = doctor.check_data()
    assert (check.status, "ValueError: months must be positive" in check.detail) == ("fail", True)


def test_crashing_check_becomes_a_failure():
    def crash() -> Check:
        raise OSError("disk on fire")

    check = doctor._guarded("Jupyter kernel", crash)
    assert (check.status, "OSError: disk on fire" in check.detail) == ("fail", True)


def test_command_prints_the_fix_and_exits_1_on_failure(monkeypatch):
    failing = Check("Jupyter kernel", "fail", "no kernel uses .venv", "Register one: ipykernel install")
    monkeypatch.setattr(doctor, "run_checks", lambda: [Check("Python 3.11", "ok", "3.11.7"), failing])
    result = _invoke_doctor()
    assert result.exit_code == 1
    assert "Register one: ipykernel install" in result.output
    assert "1 check(s) failed: Jupyter kernel" in result.output


def test_command_exits_0_when_all_pass(monkeypatch):
    monkeypatch.setattr(doctor, "run_checks", lambda: [Check("Python 3.11", "ok", "3.11.7")])
    result = _invoke_doctor()
    assert (result.exit_code, "All checks passed" in result.output) == (0, True)
