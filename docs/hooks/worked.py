"""mkdocs hook: the solution notebooks become the site's *Worked solutions* pages, without a copy in docs/.

``solutions/<project>/<notebook>.ipynb`` is added to the site as ``worked/<project>/<notebook>.ipynb`` (URL
``worked/<project>/<notebook>/``). The mkdocs-jupyter plugin renders it from its stored outputs: its
``include`` pattern matches the file's real path (``solutions/p*/*.ipynb``), and this hook's ``on_files``
runs before the plugin's (a higher event priority), so the plugin sees the added files and wraps them.
The plugin's wrapper recomputes the source path from the docs folder, so ``on_nav`` (after every
``on_files``) points it back at the notebook.

A learner repository (``course export``) has no ``solutions/``: ``on_config`` then drops the *Worked
solutions* section from the navigation, and the export leaves out ``docs/worked/``.

Each rendered page gets a spoiler banner under its title, with a link to download the notebook (the plugin's
``include_source`` copies it next to the page) and one back to the section's index. Rendered plots get
alt text: nbconvert's placeholder ("No description has been provided for this image") is replaced with the
description in ``ALT_TEXT``, or with one naming the notebook and the figure.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

WORKED = "worked"
SECTION = "Worked solutions"
INDEX = f"{WORKED}/index.md"
NOTEBOOK_GLOB = "p[0-9]_*/*.ipynb"
PLACEHOLDER_ALT = 'alt="No description has been provided for this image"'

# The figures of each notebook, in the order they appear. A notebook that gains a figure falls back to a
# generic description until its text is added here.
ALT_TEXT: dict[str, list[str]] = {
    "p1_baseline/baseline.ipynb": [
        "Profit on the test months against the percentage of customers contacted, highest scores first, "
        "for the model and for the team's hand rule, with the 5 % contact capacity marked by a dashed line.",
        "Reliability diagram: observed churn rate against predicted probability for gradient boosting, "
        "for boosting trained with balanced class weights, and for the same model after sigmoid "
        "calibration, with the diagonal of perfect calibration.",
        "Profit on the test months against the recall gap between age bands, one point per contact "
        "policy (unmitigated, and Fairlearn's equal-opportunity thresholds at four tolerances), each gap "
        "with its 95 % bootstrap interval as a horizontal bar.",
    ],
    "p2_serving/serving.ipynb": [
        "Histogram of the churn probabilities written by the batch scoring job, with the decision "
        "threshold marked by a dashed line.",
    ],
    "p3_pipeline/pipeline.ipynb": [
        "Horizontal bars of ROC AUC on the April snapshot for three settings: point-in-time features, "
        "features that may see 30 days into the future evaluated offline (the highest bar), and the same "
        "leaky model served with point-in-time features (the lowest bar).",
    ],
    "p4_design/cost_and_capacity.ipynb": [
        "Two panels against the review threshold: the expected cost per day stacked by missed fraud, "
        "reviews and false-decline friction, with the total, the chosen threshold and the unconstrained "
        "minimum marked; below, reviews per day on a log scale with the daily review capacity.",
    ],
    "p5_lifecycle/lifecycle.ipynb": [
        "Three panels over the simulated year: feature and prediction drift (PSI) against the validated "
        "reference with the alarm level, the contact rate with its allowed band, and the realized PR-AUC "
        "of the serving model version.",
    ],
}


def solutions_dir(config) -> Path:
    """The repository's ``solutions/`` folder (mkdocs.yml sits at the repository root)."""
    return Path(config.config_file_path).resolve().parent / "solutions"


def worked_notebooks(solutions: Path) -> list[tuple[str, Path]]:
    """``(src_uri, notebook path)`` for every solution notebook, ``src_uri`` under ``worked/``."""
    found = []
    for path in sorted(solutions.glob(NOTEBOOK_GLOB)):
        if ".ipynb_checkpoints" in path.parts:
            continue
        found.append((f"{WORKED}/{path.parent.name}/{path.name}", path))
    return found


def on_config(config):
    """mkdocs event: without ``solutions/`` (a learner repository), no *Worked solutions* section."""
    if not solutions_dir(config).is_dir():
        config["nav"] = [e for e in config["nav"] or [] if not (isinstance(e, dict) and SECTION in e)]
    return config


@event_priority(100)  # before mkdocs-jupyter's on_files (priority 0), which wraps the notebooks it renders
def on_files(files: Files, *, config) -> Files:
    """mkdocs event: add each solution notebook as a page under ``worked/``."""
    for src_uri, path in worked_notebooks(solutions_dir(config)):
        if files.get_file_from_path(src_uri) is None:
            files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    return files


def on_nav(nav, *, config, files):
    """mkdocs event: make every worked-solution page read its notebook from ``solutions/``."""
    for src_uri, path in worked_notebooks(solutions_dir(config)):
        file = files.get_file_from_path(src_uri)
        if file is not None and file.abs_src_path != str(path):
            file.abs_src_path = str(path)
    return nav


def on_serve(server, *, config, builder):
    """mkdocs event: ``mkdocs serve`` rebuilds when a solution notebook changes."""
    for _src_uri, path in worked_notebooks(solutions_dir(config)):
        server.watch(str(path))
    return server


def describe_figures(html_text: str, key: str, title: str) -> str:
    """Replace nbconvert's placeholder alt text with the figure's description."""
    known = ALT_TEXT.get(key, [])
    counter = iter(range(1, 1000))

    def alt(_match: re.Match) -> str:
        number = next(counter)
        text = known[number - 1] if number <= len(known) else f"Figure {number} of the notebook “{title}”."
        return f'alt="{html.escape(text, quote=True)}"'

    return re.sub(re.escape(PLACEHOLDER_ALT), alt, html_text)


def banner(project: str, notebook: str, index_url: str | None) -> str:
    """The spoiler warning shown under a worked solution's title (HTML, in material's admonition style)."""
    links = [f'<a href="{html.escape(notebook)}" download>Download {html.escape(notebook)}</a>']
    if index_url is not None:
        links.append(f'<a href="{html.escape(index_url)}">All worked solutions</a>')
    return (
        '<div class="admonition warning">'
        '<p class="admonition-title">Spoiler: a worked solution</p>'
        f"<p>The reference solution of <code>{html.escape(project)}</code>, rendered from "
        f"<code>solutions/{html.escape(project)}/{html.escape(notebook)}</code> with its stored outputs. "
        "Try the project yourself first.</p>"
        f"<p>{' · '.join(links)}</p>"
        "</div>"
    )


def on_page_content(html_text: str, *, page, config, files) -> str:
    """mkdocs event: a spoiler banner and descriptive alt text on a worked-solution page."""
    src_uri = page.file.src_uri
    if not (src_uri.startswith(f"{WORKED}/") and src_uri.endswith(".ipynb")):
        return html_text
    key = src_uri.removeprefix(f"{WORKED}/")
    project, notebook = key.split("/", 1)
    index = files.get_file_from_path(INDEX)
    warning = banner(project, notebook, index.url_relative_to(page.file) if index is not None else None)
    title_end = html_text.find("</h1>")
    if title_end == -1:
        html_text = warning + html_text
    else:
        title_end += len("</h1>")
        html_text = html_text[:title_end] + warning + html_text[title_end:]
    return describe_figures(html_text, key, page.title or key)
