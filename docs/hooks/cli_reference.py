"""mkdocs hook: the line ``<!-- cli-reference -->`` becomes the ``--help`` of every ``course`` command.

The help is produced at build time by the typer app itself, so the reference never drifts from the code.
"""

from __future__ import annotations

import copy
import re

from mkdocs.exceptions import PluginError

MARKER = re.compile(r"^<!--\s*cli-reference\s*-->[ \t]*$", re.MULTILINE)
WIDTH = 92


def command_names(app) -> list[str]:
    """The names of the app's commands, in registration order; a group, then each of its commands."""
    names = [info.name or info.callback.__name__.replace("_", "-") for info in app.registered_commands]
    for group in app.registered_groups:
        if group.name:
            names.append(group.name)
            names += [f"{group.name} {name}" for name in command_names(group.typer_instance)]
    return names


def help_text(app, args: list[str]) -> str:
    """The plain-text ``--help`` output of ``course <args>``."""
    from typer.testing import CliRunner

    env = {"COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"}
    result = CliRunner().invoke(app, [*args, "--help"], prog_name="course", env=env, terminal_width=WIDTH)
    if result.exit_code != 0:
        raise PluginError(f"`course {' '.join(args)} --help` failed: {result.output or result.exception}")
    lines = [line.rstrip() for line in result.output.splitlines()]
    return "\n".join(lines).strip("\n")


def render_reference(app) -> str:
    """Markdown: the app's overview, then one section per command with its full help."""
    parts = ["```text", help_text(app, []), "```"]
    for name in command_names(app):
        parts += ["", f"## `course {name}`", "", "```text", help_text(app, name.split()), "```"]
    return "\n".join(parts)


def on_page_markdown(markdown: str, *, page, config, files) -> str:
    """mkdocs event: fill the CLI reference marker."""
    if not MARKER.search(markdown):
        return markdown
    try:
        from course.cli import app
    except Exception as error:
        raise PluginError(
            f"docs/{page.file.src_uri}: cannot import the `course` app to document it: "
            f"{type(error).__name__}: {error}"
        ) from None
    plain = copy.copy(app)
    plain.rich_markup_mode = None  # click's plain help: reflowed paragraphs, no box drawing
    return MARKER.sub(lambda _match: render_reference(plain), markdown)
