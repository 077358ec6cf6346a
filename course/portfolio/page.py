"""``course portfolio``: a static, self-contained page built from the learner's own results.

The output folder holds ``index.html`` (headline numbers with their intervals per project, the plots, the
five interview stories, the projects without results yet), ``portfolio.html`` (``PORTFOLIO.md`` rendered,
with the requirements checked against the results), one page per project (its brief with the learner's
answers, its plots, every number of its results file) and ``plots/``. Nothing is fetched: the CSS is
inline, the plots are copied, and a relative link that would not resolve inside the folder is dropped
(its text kept), so the folder can be published as it is.
"""

from __future__ import annotations

import html
import re
import shutil
import tomllib
from pathlib import Path

from course.files import atomic_write
from course.portfolio.evidence import Evidence, EvidenceSet, PortfolioError, collect_evidence

PORTFOLIO_PROJECT = "p8_portfolio"
PORTFOLIO_FILE = "PORTFOLIO.md"
PLOT_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg")
#: The headline numbers of each project: (dotted key in its results file, what it is).
HEADLINES: dict[str, tuple[tuple[str, str], ...]] = {
    "p1_baseline": (("headline.value", "PR-AUC of the chosen model"), ("expected_profit", "expected profit")),
    "p2_serving": (("batch.rows_scored", "batch rows scored"), ("batch.rows_rejected", "rows quarantined")),
    "p3_pipeline": (
        ("auc_point_in_time", "ROC AUC, point-in-time features"),
        ("auc_leaky_offline", "ROC AUC, leaky features offline"),
    ),
    "p4_design": (
        ("saving_vs_rule_per_day.usd", "saving per day against today's rule"),
        ("reviews_per_day", "reviews per day"),
    ),
    "p5_lifecycle": (
        ("detection_delay_months", "months from drift onset to the alarm"),
        ("gates.0.difference", "challenger minus champion at the gate"),
    ),
    "p6_triage": (
        ("injection.success_naive", "prompt-injection success, unguarded"),
        ("injection.success_guarded", "prompt-injection success, guarded"),
    ),
    "p7_online": (
        ("experiment.arms.discount.retention.estimate", "discount's effect on 90-day retention"),
        ("peeking.fpr_naive", "false positives with daily peeking"),
    ),
}
CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1b1b1b;line-height:1.5}h1,h2,h3{line-height:1.2}a{color:#1a56b0}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
.project{border-top:2px solid #ddd;margin-top:2rem}.headline{font-size:1.4rem;font-weight:600}
.interval{color:#555;font-size:1rem}.missing{color:#8a4b00}img{max-width:min(100%,36rem);height:auto}
blockquote{border-left:4px solid #ddd;margin:0;padding:0 1rem;color:#444}nav a{margin-right:1rem}
.ok{color:#176c2e}.bad{color:#a1161b}
"""


def format_value(value: float) -> str:
    """A number as the page shows it: whole numbers with separators, others with three decimals."""
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3f}"


def render_markdown(text: str) -> str:
    """Markdown as HTML (the ``markdown`` package that mkdocs installs); escaped text without it."""
    try:
        import markdown
    except ImportError:  # the docs extra is not installed: the text, readable and safe
        return f"<pre>{html.escape(text)}</pre>"
    return markdown.markdown(text, extensions=["tables", "fenced_code"], output_format="html")


def _page(title: str, body: str, nav: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head>\n"
        f"<body><nav>{nav}</nav>\n{body}\n</body></html>\n"
    )


_LINK = re.compile(r'<a\s+href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
_IMAGE = re.compile(r'<img\s[^>]*src="([^"]*)"[^>]*>')


def keep_resolving_links(page: str, here: Path, out: Path) -> str:
    """``page`` without relative links or images that do not resolve to a file in ``out`` (text kept)."""

    def resolves(target: str) -> bool:
        if re.match(r"^(?:https?:|mailto:|#)", target):
            return True
        path = target.split("#", 1)[0]
        if not path:
            return True
        resolved = (here / html.unescape(path)).resolve()
        return resolved.is_relative_to(out.resolve()) and resolved.is_file()

    page = _LINK.sub(lambda m: m.group(0) if resolves(m.group(1)) else f"<span>{m.group(2)}</span>", page)
    return _IMAGE.sub(lambda m: m.group(0) if resolves(m.group(1)) else "", page)


def headlines(evidence: EvidenceSet, project: str) -> list[tuple[str, Evidence]]:
    """The project's headline numbers with their labels (the first numbers with an interval otherwise)."""
    chosen = [(label, evidence.get(project, key)) for key, label in HEADLINES.get(project, ())]
    found = [(label, item) for label, item in chosen if item is not None]
    if not found:
        items = evidence.of(project)
        found = [(item.name, item) for item in ([i for i in items if i.interval] or items)[:2]]
    return found


def _headline_html(label: str, item: Evidence) -> str:
    interval = ""
    if item.interval is not None:
        low, high = item.interval
        interval = f' <span class="interval">[{format_value(low)}, {format_value(high)}]</span>'
    return (
        f'<p><span class="headline" data-key="{html.escape(item.name)}">{format_value(item.value)}</span>'
        f"{interval} {html.escape(label)}</p>"
    )


def _title(folder: Path) -> str:
    try:
        manifest = tomllib.loads((folder / "project.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return folder.name
    number, title = manifest.get("number"), manifest.get("title")
    return f"{number}. {title}" if number and title else folder.name


def copy_plots(folder: Path, out: Path) -> list[str]:
    """Copy the project's plots (``reports/*.png`` and the like) into ``out/plots/<project>/``."""
    reports = folder / "reports"
    plots = sorted(p for p in reports.glob("*") if p.suffix.lower() in PLOT_SUFFIXES and p.is_file())
    copied = []
    for plot in plots:
        target = out / "plots" / folder.name / plot.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(plot, target)
        copied.append(f"plots/{folder.name}/{plot.name}")
    return copied


def story_sections(root: Path, evidence: EvidenceSet) -> list[tuple[str, str, str]]:
    """``(title, project, Markdown)`` of each of the five stories, told by the first project with results.

    A story whose projects have no results yet has an empty project and a sentence saying so.
    """
    from course.stories.projects import project_specs
    from course.stories.render import render_story
    from course.stories.results import StoriesError
    from course.stories.templates import TEMPLATES

    specs = project_specs()
    told = []
    for key, template in TEMPLATES.items():
        tellers = [p for p, spec in specs.items() if key in {s.story for s in spec.stories}]
        text, teller = "", ""
        for project in tellers:
            if (root / project).is_dir() and project not in evidence.missing:
                try:
                    text, teller = render_story(root / project, project, key, level=4), project
                    break
                except StoriesError as error:
                    text = f"_{error}_"
        if not teller and not text:
            names = ", ".join(tellers)
            text = f"_No results yet from the projects that tell this story ({names})._"
        told.append((template.title, teller, text))
    return told


def _project_page(folder: Path, evidence: EvidenceSet, plots: list[str], nav: str) -> str:
    parts = [f"<h1>{html.escape(_title(folder))}</h1>"]
    if folder.name in evidence.missing:
        parts.append(f'<p class="missing">{html.escape(evidence.missing[folder.name])}</p>')
    parts += [f'<p><img src="../{src}" alt="{html.escape(Path(src).stem)} plot"></p>' for src in plots]
    readme = folder / "README.md"
    if readme.is_file():
        parts.append(render_markdown(readme.read_text(encoding="utf-8")))
    rows = evidence.of(folder.name)
    if rows:
        parts.append(f"<h2>Every number in {html.escape(evidence.projects[folder.name])}</h2>")
        parts.append("<table><tr><th>key</th><th>value</th><th>interval</th></tr>")
        for item in rows:
            interval = "" if item.interval is None else ", ".join(map(format_value, item.interval))
            parts.append(
                f"<tr><td>{html.escape(item.name)}</td><td>{format_value(item.value)}</td>"
                f"<td>{interval}</td></tr>"
            )
        parts.append("</table>")
    return _page(_title(folder), "\n".join(parts), nav)


def _portfolio_page(folder: Path, evidence: EvidenceSet, nav: str) -> str:
    from course.portfolio import doc

    path = folder / PORTFOLIO_FILE
    if not path.is_file():
        body = f'<h1>Portfolio</h1><p class="missing">{PORTFOLIO_FILE} is not written yet.</p>'
        return _page("Portfolio", body, nav)
    text = path.read_text(encoding="utf-8")
    findings = [*doc.check_requirements(text, evidence), *doc.check_bullets(text, evidence)]
    if findings:
        items = "".join(f"<li>{html.escape(f.message)}</li>" for f in findings)
        check = f'<div class="bad"><p>Numbers not found in your results:</p><ul>{items}</ul></div>'
    else:
        check = '<p class="ok">Every requirement and CV bullet quotes a number from your own results.</p>'
    return _page("Portfolio", check + render_markdown(text), nav)


def build_page(root: Path, out: Path, *, portfolio: str = PORTFOLIO_PROJECT) -> Path:
    """Write the portfolio site for the projects under ``root`` into ``out``; return ``out/index.html``."""
    if not root.is_dir():
        raise PortfolioError(f"{root} does not exist: give the folder that holds your projects.")
    evidence = collect_evidence(root, exclude=(portfolio,))
    if not evidence.projects:
        raise PortfolioError(f"{root} holds no project folders (p1_baseline, ...) with a project.toml.")
    out.mkdir(parents=True, exist_ok=True)
    folders = [root / project for project in evidence.projects]
    links = [(f"projects/{f.name}.html", _title(f)) for f in folders]
    has_portfolio = (root / portfolio).is_dir()

    def nav(prefix: str) -> str:
        items = [(f"{prefix}index.html", "Overview")]
        items += [(f"{prefix}portfolio.html", "Portfolio")] if has_portfolio else []
        return "".join(f'<a href="{href}">{html.escape(text)}</a>' for href, text in items)

    pages: dict[str, str] = {}
    parts = ["<h1>Portfolio</h1>"]
    worlds = sorted(set(evidence.worlds().values()))
    if worlds:
        parts.append(f"<p>Numbers from the world{'s' if len(worlds) > 1 else ''}: {', '.join(worlds)}.</p>")
    if evidence.missing:
        items = "".join(
            f"<li>{html.escape(p)}: {html.escape(why)}</li>" for p, why in evidence.missing.items()
        )
        parts.append(f'<div class="missing"><h2>No results yet</h2><ul>{items}</ul></div>')
    for folder, (href, title) in zip(folders, links, strict=True):
        plots = copy_plots(folder, out)
        parts.append(
            f'<section class="project" id="{folder.name}"><h2><a href="{href}">{html.escape(title)}</a></h2>'
        )
        if folder.name in evidence.missing:
            parts.append(f'<p class="missing">{html.escape(evidence.missing[folder.name])}</p>')
        parts += [_headline_html(label, item) for label, item in headlines(evidence, folder.name)]
        parts += [f'<p><img src="{src}" alt="{html.escape(Path(src).stem)} plot"></p>' for src in plots]
        parts.append("</section>")
        pages[href] = _project_page(folder, evidence, plots, nav("../"))
    parts.append('<section class="project"><h2>Five interview stories</h2>')
    for title, teller, text in story_sections(root, evidence):
        told = f" (from {html.escape(teller)})" if teller else ""
        parts.append(f"<h3>{html.escape(title)}{told}</h3>{render_markdown(text)}")
    parts.append("</section>")
    if has_portfolio:
        pages["portfolio.html"] = _portfolio_page(root / portfolio, evidence, nav(""))
    pages["index.html"] = _page("Portfolio", "\n".join(parts), nav(""))
    write_pages(out, pages)
    return out / "index.html"


def write_pages(out: Path, pages: dict[str, str]) -> None:
    """Write each page (name relative to ``out``) atomically, its links that do not resolve dropped."""
    for name in pages:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).touch()  # every page exists before any link is checked
    for name, page in pages.items():
        atomic_write(out / name, keep_resolving_links(page, (out / name).parent, out))
