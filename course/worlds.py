"""A learner's own world: one learner id, one seed, and the world parameters derived from it.

``course init`` writes ``learner.toml`` at the repository root (``id = "..."``); every generator that takes
world parameters reads them from :func:`current` (the ``COURSE_LEARNER`` variable, which the grader sets,
then ``learner.toml``, then the default world). The *default* world is the one the reference solutions,
their stored outputs and the site use; a learner's world varies what matters in the lessons, within ranges
that keep every lesson planted (each generator's sampler says how), not only the noise.

Which generators take world parameters so far: the churn world (``churn``: the base rate, the drift month
and price rise, which CRM fields of the monthly export leak and under which names; see
:mod:`course.data._churn_world`), the retention offers of project 7 built on it (``offers``: each
offer's effect on the customers it persuades, the sleeping dogs' reaction, the base effects) and the fraud
world of project 4 (``fraud``: the base fraud rate, the two merchant categories fraud peaks in, the
chargeback delay, the fraud amounts; see :mod:`course.data._fraud_world`) and the tickets world of
project 6 (``tickets``: the categories' balance before the launch, the new category's share after it, the
casual share of the shifted categories; see :mod:`course.data._tickets_world`).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from course.errors import CourseError

if TYPE_CHECKING:
    import numpy as np

LEARNER_FILE = "learner.toml"
ENV_VAR = "COURSE_LEARNER"
DEFAULT_ID = "default"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class WorldError(CourseError):
    """A learner id or ``learner.toml`` is malformed; the message names the file or the value."""


def _samplers() -> dict[str, Callable[[np.random.Generator], dict[str, Any]]]:
    """Each parametrised generator's sampler: a seeded generator in, that generator's parameters out."""
    from course.data._churn_world import sample_churn
    from course.data._fraud_world import sample_fraud
    from course.data._offers_laws import sample_laws
    from course.data._tickets_world import sample_tickets

    return {"churn": sample_churn, "offers": sample_laws, "fraud": sample_fraud, "tickets": sample_tickets}


@dataclass(frozen=True)
class World:
    """One learner's world: ``learner`` (the id), ``seed`` (derived from it) and each generator's
    parameters (``params("offers")``; empty for the default world, meaning the generator's defaults)."""

    learner: str

    @property
    def is_default(self) -> bool:
        """Whether this is the default world (the solutions' stored outputs, the site)."""
        return self.learner == DEFAULT_ID

    @property
    def seed(self) -> int:
        """A 32-bit seed from the id (0 for the default world)."""
        if self.is_default:
            return 0
        return int.from_bytes(hashlib.sha256(self.learner.encode()).digest()[:4], "big")

    def params(self, generator: str) -> dict[str, Any]:
        """``generator``'s world parameters: ``{}`` for the default world, else drawn from the seed."""
        samplers = _samplers()
        if generator not in samplers:
            raise WorldError(f"no generator {generator!r} takes world parameters; known: {sorted(samplers)}.")
        if self.is_default:
            return {}
        import numpy as np

        digest = hashlib.sha256(generator.encode()).digest()[:4]
        return samplers[generator](np.random.default_rng([self.seed, int.from_bytes(digest, "big")]))

    def churn(self, **kw: Any) -> Any:
        """The churn world of this learner (``course.data.churn.ChurnWorld``), generated with the world
        parameters ``params("churn")`` and carrying those of the layers built on it (``params["offers"]``).
        ``kw`` go to ``churn.load_world`` (``seed`` 0 unless given, ``n_customers``, ``months``, ...)."""
        import dataclasses

        from course.data import churn

        base = churn.load_world(**{"seed": 0, **kw}, world=self.params("churn"))
        if self.is_default:
            return base
        extra = {"learner": self.learner, "learner_seed": self.seed, "offers": self.params("offers")}
        return dataclasses.replace(base, params={**base.params, **extra})

    def fraud(self, **kw: Any) -> Any:
        """The fraud world of this learner (``course.data.fraud.FraudWorld``), generated with the world
        parameters ``params("fraud")``; its ``params`` rebuild it (``fraud.load_world(**params)``).
        ``kw`` go to ``fraud.load_world`` (``seed`` 0 unless given, ``n_transactions``, ``days``, ...)."""
        from course.data import fraud

        return fraud.load_world(**{"seed": 0, **kw}, world=self.params("fraud"))

    def tickets(self, **kw: Any) -> Any:
        """The tickets world of this learner (``course.data.tickets.TicketsWorld``), generated with the
        world parameters ``params("tickets")``; its ``params`` rebuild it (``tickets.load_world(**params)``).
        ``kw`` go to ``tickets.load_world`` (``seed`` 0 unless given, ``n_tickets``, ``months``, ...)."""
        from course.data import tickets

        return tickets.load_world(**{"seed": 0, **kw}, world=self.params("tickets"))

    @property
    def label(self) -> str:
        """How reports name the world: ``default`` or ``learner alice (seed 123456789)``."""
        return "default" if self.is_default else f"learner {self.learner} (seed {self.seed})"


def check_id(value: str, where: str) -> str:
    """``value`` as a learner id, or a ``WorldError`` naming ``where`` it came from."""
    text = str(value).strip().lower()
    if not ID_PATTERN.match(text):
        raise WorldError(
            f"{where}: learner id {value!r} must be 1-64 characters of a-z, 0-9, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    return text


def read_learner(root: Path) -> World | None:
    """The world named by ``root/learner.toml``, or ``None`` when there is no such file."""
    path = root / LEARNER_FILE
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise WorldError(f"{path}: cannot read it ({exc}).") from None
    if "id" not in data:
        raise WorldError(f'{path}: it has no id; write id = "your-id" or run `course init`.')
    return World(check_id(data["id"], str(path)))


def current(root: Path | None = None) -> World:
    """The world to work in: ``COURSE_LEARNER``, else ``learner.toml`` at the repository root, else the
    default world."""
    from course.paths import LayoutError, repo_root

    override = os.environ.get(ENV_VAR)
    if override:
        return World(check_id(override, ENV_VAR))
    try:
        root = root or repo_root()
    except LayoutError:
        return World(DEFAULT_ID)
    return read_learner(root) or World(DEFAULT_ID)


def derived_id(root: Path) -> str | None:
    """A learner id derived from ``git config user.email`` (a hash: the address is not stored), if any."""
    try:
        email = subprocess.run(
            ["git", "-C", str(root), "config", "user.email"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return None
    if not email:
        return None
    return "u-" + hashlib.sha256(email.lower().encode()).hexdigest()[:10]


def init(root: Path, learner_id: str | None = None, *, force: bool = False) -> World:
    """Write ``learner.toml`` at ``root`` and return its world; an existing file is kept unless
    ``force`` (changing worlds mid-course changes every number the learner has written). Without an id,
    one is derived from ``git config user.email`` (or, without it, from the user and host names)."""
    path = root / LEARNER_FILE
    existing = read_learner(root)
    if existing is not None and not force and (learner_id is None or existing.learner == learner_id):
        return existing
    if existing is not None and not force:
        raise WorldError(
            f"{path} already names learner {existing.learner!r}: pass --force to switch worlds (every "
            "number your notebooks wrote changes)."
        )
    chosen = check_id(learner_id, "--id") if learner_id else (derived_id(root) or fallback_id())
    path.write_text(
        "# Your world's id (written by `course init`): your data, and so your numbers, follow from it.\n"
        f'id = "{chosen}"\n',
        encoding="utf-8",
    )
    return World(chosen)


def learner_of(folder: Path) -> World:
    """The world of the submission at ``folder`` (a project folder or a clone): the ``learner.toml`` of
    the folder or of one of its two parents (a clone's ``projects/<project>``), else the default world."""
    folder = folder.resolve()
    for candidate in (folder, folder.parent, folder.parent.parent):
        world = read_learner(candidate)
        if world is not None:
            return world
    return World(DEFAULT_ID)


def fallback_id() -> str:
    """An id for a machine without ``git config user.email``: a hash of the user and host names."""
    import getpass
    import socket

    return "h-" + hashlib.sha256(f"{getpass.getuser()}@{socket.gethostname()}".encode()).hexdigest()[:10]


def init_command(
    learner_id: Annotated[
        str | None, typer.Option("--id", help="Your learner id (default: derived from git's user.email).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing learner.toml.")] = False,
) -> None:
    """Choose your world: write learner.toml (run by `make start` on first use).

    Your data, and so every number your notebooks write, follow from the id. Keep it for the whole course.
    """
    from course.paths import repo_root

    root = repo_root()
    world = init(root, learner_id, force=force)
    typer.echo(f"{root / LEARNER_FILE}: your world is {world.label}.")
