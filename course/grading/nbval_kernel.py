"""nbval, patched to notice a dead kernel: a cell whose kernel died fails at once with the reason."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course.grading import messages

if TYPE_CHECKING:
    from course.grading.confine import Cover


class KernelDiedError(RuntimeError):
    """The notebook's kernel process ended while a cell was running."""


def patch_nbval_kernel_death() -> None:
    """Make nbval notice a dead kernel within a second instead of waiting for the cell timeout."""
    try:
        from queue import Empty

        from nbval.kernel import RunningKernel
    except ImportError:
        return
    if getattr(RunningKernel, "_course_patched", False):
        return

    def await_reply(self: Any, msg_id: str, timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            step = 1.0 if deadline is None else min(1.0, deadline - time.monotonic())
            if step <= 0:
                raise Empty
            try:
                msg = self.get_message(stream="shell", timeout=step)
            except Empty:
                if not self.is_alive():
                    raise KernelDiedError(_kernel_death(self)) from None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                if msg["content"]["status"] == "aborted":
                    raise RuntimeError("Kernel aborted execution request")
                return

    RunningKernel.await_reply = await_reply
    RunningKernel._course_patched = True


def _kernel_death(kernel: Any) -> str:
    code = None
    with contextlib.suppress(AttributeError):
        code = kernel.km.provisioner.process.poll()
    how = messages.describe_exit(code) if code is not None else "died"
    return (
        f"the notebook's kernel {how} while running this cell: does the code call os._exit or sys.exit, "
        "or run out of memory?"
    )


def confine_kernels(hide: list[Path], cover: Cover | None = None) -> str:
    """Start every notebook kernel like a worker: the judge's files in ``hide`` are out of its sight.

    Returns the note to report when the machine cannot confine it (the kernel then starts as it is).
    """
    try:
        from nbval.kernel import NbvalKernelspecManager
    except ImportError:
        return ""
    from course.grading.confine import worker_command

    if getattr(NbvalKernelspecManager, "_course_confined", False):
        return ""
    _, note = worker_command(["true"], hide, cover, network=True)
    if note:
        return note
    original = NbvalKernelspecManager.get_kernel_spec

    def get_kernel_spec(self: Any, kernel_name: str) -> Any:
        spec = original(self, kernel_name)
        spec.argv = worker_command(list(spec.argv), hide, cover, network=True)[0]
        return spec

    NbvalKernelspecManager.get_kernel_spec = get_kernel_spec
    NbvalKernelspecManager._course_confined = True
    return ""
