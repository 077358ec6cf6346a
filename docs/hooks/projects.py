"""mkdocs hook: the *Projects* section of the navigation comes from the project manifests.

``mkdocs.yml`` lists the section's index page only; every project with a manifest
(``solutions/<project>/project.toml``) adds its docs page under its navigation title (``1. Baseline``), in
project order. Adding a project therefore never means editing the navigation.
"""

from __future__ import annotations

from typing import Any

from mkdocs.exceptions import PluginError

SECTION = "Projects"
DOCS_PREFIX = "docs/"


def project_entries() -> list[dict[str, str]]:
    """``{nav title: page}`` for every project, in project order."""
    from course.projects import load_projects

    return [{p.nav_title: p.docs_page.removeprefix(DOCS_PREFIX)} for p in load_projects()]


def on_config(config: Any) -> Any:
    """Fill the *Projects* section of ``nav`` from the manifests."""
    for entry in config["nav"] or []:
        if isinstance(entry, dict) and SECTION in entry:
            pages = [page for page in entry[SECTION] if isinstance(page, str)]
            entry[SECTION] = [*pages, *project_entries()]
            return config
    raise PluginError(f"mkdocs.yml has no '{SECTION}' section in nav for the project pages.")
