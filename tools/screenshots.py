"""Screenshots of the real tools for the site (``make screenshots``), taken by headless Chromium.

Three pictures, each of a tool the course uses, running for real on 127.0.0.1:

- ``p2_swagger.png``: project 2's FastAPI service (``solutions/p2_serving``), trained by its own command
  line into a temporary folder from its ``train.toml``, served by uvicorn, and its ``/docs`` page (Swagger
  UI) once the operations are drawn. FastAPI's page loads Swagger UI from a CDN; this machine is offline, so
  those two requests are answered with the same files from the npm package ``swagger-ui-dist`` (fetched
  once by ``npm pack`` into ``.cache/``), and every other non-local request is blocked.
- ``p5_mlflow_registry.png``: project 5's registry, built in a temporary folder by project 5's own code
  (``churn_lifecycle.tracking``, ``train`` and ``registry``, as its notebook does: a first model promoted to
  ``champion`` through the gate, a retrained ``challenger``), served by ``mlflow server --workers 1``, and
  the registered model's page in the MLflow UI once its aliases are drawn.
- ``p5_evidently_report.png``: the Evidently drift report that project 5 ships
  (``solutions/p5_lifecycle/reports/*.html``, the file name read from the folder), opened in the browser.

Each run rewrites ``docs/assets/screenshots/provenance.json``: the command, the time, the tool versions,
the source URL path of each picture, its size and SHA-256. Nothing is written into ``solutions/``. Every
server is started by ``course.servers.serve`` on a free loopback port, with a time bound, and stopped by its
pid; Chromium is launched by ``course.browser``.

Run from the repository root: ``python tools/screenshots.py [--only swagger|mlflow|evidently ...]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from course.browser import VIEWPORT, find_chromium, launch_chromium
from course.paths import repo_root
from course.servers import free_port, serve

ROOT = repo_root()
OUT = ROOT / "docs" / "assets" / "screenshots"
PROVENANCE = "provenance.json"
P2 = ROOT / "solutions" / "p2_serving"
P5 = ROOT / "solutions" / "p5_lifecycle"
SWAGGER_UI_DIST = "swagger-ui-dist@5.35.0"  # FastAPI's /docs asks the CDN for swagger-ui-dist@5
SWAGGER_CACHE = ROOT / ".cache" / "swagger-ui-dist"
CDN = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/"
SERVER_TIMEOUT_S = 120
RENDER_TIMEOUT_MS = 60_000
MLFLOW_VIEWPORT = {"width": 1440, "height": 800}  # the registry's table needs the width for its columns
MODEL_NAME = "churn-retention"  # churn_lifecycle.tracking.MODEL_NAME, checked when the registry is built


def _env(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("CHURN_SERVICE_", "MLFLOW_TRACKING"))}
    return {**keep, "MLFLOW_DISABLE_TELEMETRY": "true", "OMP_NUM_THREADS": "1", **extra}


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file, read from its IHDR chunk."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG file")
    return struct.unpack(">II", head[16:24])


def evidently_reports() -> list[Path]:
    """The HTML reports project 5 ships (``solutions/p5_lifecycle/reports/*.html``), sorted by name."""
    return sorted((P5 / "reports").glob("*.html"))


# --- Swagger UI, served offline --------------------------------------------------------------------------


def swagger_ui_dist() -> Path:
    """The unpacked npm package ``swagger-ui-dist`` (``npm pack`` once into ``.cache/``)."""
    folder = SWAGGER_CACHE / SWAGGER_UI_DIST.replace("@", "-")
    if (folder / "package" / "swagger-ui-bundle.js").is_file():
        return folder / "package"
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(f"npm is needed once to fetch {SWAGGER_UI_DIST}, which FastAPI's /docs loads")
    folder.mkdir(parents=True, exist_ok=True)
    packed = subprocess.run(
        [npm, "pack", SWAGGER_UI_DIST, "--silent"], cwd=folder, capture_output=True, text=True, timeout=300
    )
    if packed.returncode != 0:
        raise SystemExit(f"npm pack {SWAGGER_UI_DIST} failed:\n{packed.stderr[-2000:]}")
    with tarfile.open(folder / packed.stdout.strip().splitlines()[-1]) as archive:
        archive.extractall(folder, filter="data")
    return folder / "package"


def offline_routes(context, dist: Path | None) -> list[str]:
    """Answer the CDN's Swagger UI files from ``dist``; block every other request that leaves the machine.

    Returns the list that collects the blocked URLs (for the provenance record)."""
    blocked: list[str] = []

    def handle(route) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "file:", "data:", "blob:")):
            route.continue_()
        elif dist is not None and url.startswith(CDN) and (dist / url.removeprefix(CDN)).is_file():
            route.fulfill(path=str(dist / url.removeprefix(CDN)))
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", handle)
    return blocked


def shoot_swagger(browser, tmp: Path, out: Path) -> dict:
    """Train project 2's model, serve it, and screenshot ``/docs`` once Swagger UI shows the operations."""
    artifacts = tmp / "p2-artifacts"
    env = _env(
        PYTHONPATH=str(P2), CHURN_SERVICE_ARTIFACT_DIR=str(artifacts), CHURN_SERVICE_LOG_LEVEL="WARNING"
    )
    command = [sys.executable, "-m", "churn_service.train", "--config", str(P2 / "train.toml")]
    command += ["--artifact-dir", str(artifacts)]
    subprocess.run(command, cwd=tmp, env=env, check=True, capture_output=True, timeout=600)
    dist = swagger_ui_dist()
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "churn_service.app:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    with serve(command, "/ready", port, cwd=tmp, env=env, log_path=tmp / "uvicorn.log", timeout_s=90) as srv:
        context = browser.new_context(viewport=VIEWPORT)
        blocked = offline_routes(context, dist)
        page = context.new_page()
        page.goto(srv.url + "/docs", timeout=RENDER_TIMEOUT_MS)
        page.wait_for_selector(".opblock-summary-path", timeout=RENDER_TIMEOUT_MS)
        operations = page.locator(".opblock").count()
        predict = page.locator(
            ".opblock-post", has=page.locator(".opblock-summary-path[data-path='/predict']")
        )
        predict.locator(".opblock-summary").first.click()  # open POST /predict: its body and its answers
        predict.locator(".responses-table").first.wait_for(timeout=RENDER_TIMEOUT_MS)
        page.wait_for_load_state("networkidle", timeout=RENDER_TIMEOUT_MS)
        page.screenshot(path=str(out / "p2_swagger.png"), full_page=True)
        context.close()
    return {
        "file": "p2_swagger.png",
        "tool": f"Swagger UI ({SWAGGER_UI_DIST}) of FastAPI {version('fastapi')}, served by uvicorn",
        "source": "solutions/p2_serving: python -m churn_service.train --config train.toml, then "
        "uvicorn --factory churn_service.app:create_app",
        "url_path": "/docs",
        "shows": f"{operations} operations, POST /predict opened",
        "offline": f"CDN requests for {CDN}* answered from the npm package {SWAGGER_UI_DIST}",
        "blocked_requests": sorted(set(blocked)),
    }


# --- MLflow's registry -----------------------------------------------------------------------------------


def build_p5_registry(folder: Path) -> None:
    """Project 5's registry in ``folder`` (``mlflow.db``, ``mlartifacts/``), built by its own code.

    As in ``lifecycle.ipynb``: the default churn world, a first model trained on the months whose labels are
    mature by month 6 and promoted to ``champion`` through the gate, then a model retrained on the months
    mature by month 9, registered as ``challenger`` and put through the gate. Runs in its own process.
    """
    import logging
    import warnings

    os.environ["MLFLOW_LOGGING_LEVEL"] = "ERROR"
    warnings.filterwarnings("ignore")
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    sys.path.insert(0, str(P5))
    from churn_lifecycle import monitor, registry, tracking, train
    from churn_lifecycle.features import ID

    from course.data import churn

    assert tracking.MODEL_NAME == MODEL_NAME, "project 5 renamed its model: update MODEL_NAME"
    os.chdir(folder)
    experiment = tracking.configure_tracking("sqlite:///mlflow.db", artifact_root=Path("mlartifacts"))
    world = churn.load_world(seed=0, n_customers=10_000)
    frame = churn.monthly_snapshot(world).drop(columns=["churned"])
    frame = frame.merge(world.labels[[ID, "month", "churned", "label_known_date"]], on=[ID, "month"])
    months = sorted(frame["month"].unique())

    def rows(first: int, last: int):
        return frame[frame["month"].between(months[first], months[last])].reset_index(drop=True)

    def latest_mature(as_of) -> int:
        known = set(monitor.mature_labels(world.labels, as_of)["month"].unique())
        return max(i for i, m in enumerate(months) if m in known)

    for as_of in (6, 9):
        evaluation = latest_mature(months[as_of])
        result = train.train_and_log(
            rows(0, evaluation - 1),
            rows(evaluation, evaluation),
            experiment_id=experiment,
            window=(str(months[0])[:10], str(months[evaluation - 1])[:10]),
            owner="retention-ml",
            deployment_target="batch:monthly-contact-list",
        )
        decision = registry.promote(rows(evaluation, evaluation))
        print(f"version {result.version}: {decision.summary()}")


def shoot_mlflow(browser, tmp: Path, out: Path) -> dict:
    """Build project 5's registry, serve it with ``mlflow server``, screenshot the registered model's page."""
    folder = tmp / "p5-registry"
    folder.mkdir()
    built = subprocess.run(
        [sys.executable, __file__, "--build-p5-registry", str(folder)],
        env=_env(), capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    if built.returncode != 0:
        raise SystemExit(f"building project 5's registry failed:\n{(built.stdout + built.stderr)[-3000:]}")
    port = free_port()
    mlflow = str(Path(sys.executable).parent / "mlflow")
    command = [mlflow, "server", "--workers", "1", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--backend-store-uri", f"sqlite:///{folder / 'mlflow.db'}"]
    command += ["--default-artifact-root", str(folder / "mlartifacts")]
    url_path = f"/#/models/{MODEL_NAME}"
    log = tmp / "mlflow-server.log"
    with serve(command, "/health", port, env=_env(), log_path=log, timeout_s=SERVER_TIMEOUT_S) as srv:
        context = browser.new_context(viewport=MLFLOW_VIEWPORT)
        blocked = offline_routes(context, None)
        page = context.new_page()
        page.goto(srv.url + "/" + url_path, timeout=RENDER_TIMEOUT_MS)
        page.get_by_text("champion", exact=False).first.wait_for(timeout=RENDER_TIMEOUT_MS)
        page.get_by_text("challenger", exact=False).first.wait_for(timeout=RENDER_TIMEOUT_MS)
        page.wait_for_timeout(1500)  # the UI polls the server, so "network idle" never comes
        assistant = page.locator("button[aria-label='Close']")  # MLflow 3's chat panel hides the table
        if assistant.count():
            assistant.last.click()
            page.wait_for_timeout(800)
        page.screenshot(path=str(out / "p5_mlflow_registry.png"))
        context.close()
        pid = srv.pid
    return {
        "file": "p5_mlflow_registry.png",
        "tool": f"MLflow {version('mlflow')} UI, mlflow server --workers 1 (sqlite backend store)",
        "source": "a temporary registry built by solutions/p5_lifecycle's churn_lifecycle (tracking, train, "
        "registry) as lifecycle.ipynb does: " + "; ".join(built.stdout.strip().splitlines()),
        "url_path": url_path,
        "server_pid_stopped": pid,
        "blocked_requests": sorted(set(blocked)),
    }


# --- Evidently's report ----------------------------------------------------------------------------------


def shoot_evidently(browser, tmp: Path, out: Path) -> dict:
    """Open the Evidently report project 5 ships and screenshot its first screen once it is drawn."""
    reports = evidently_reports()
    if not reports:
        raise SystemExit(f"no Evidently report in {P5 / 'reports'}: run project 5's notebook first")
    report = reports[0]
    context = browser.new_context(viewport=VIEWPORT)
    blocked = offline_routes(context, None)
    page = context.new_page()
    page.goto(report.as_uri(), timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function("document.body.innerText.length > 200", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_selector(".js-plotly-plot, svg", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_timeout(1500)  # plotly draws its figures after the React tree is mounted
    page.screenshot(path=str(out / "p5_evidently_report.png"))
    context.close()
    return {
        "file": "p5_evidently_report.png",
        "tool": f"Evidently {version('evidently')} HTML report (written by project 5's notebook)",
        "source": str(report.relative_to(ROOT)),
        "source_sha256": hashlib.sha256(report.read_bytes()).hexdigest(),
        "url_path": report.name,
        "blocked_requests": sorted(set(blocked)),
    }


SHOTS: dict[str, Callable] = {"swagger": shoot_swagger, "mlflow": shoot_mlflow, "evidently": shoot_evidently}


def chromium_version(path: str) -> str:
    """``Chromium 156.0...`` as the executable reports it."""
    text = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    return re.sub(r"\s+built on.*", "", text.strip().splitlines()[0]) if text.strip() else "unknown"


def git_commit() -> str:
    """The commit the pictures were taken from (``+dirty`` when the tree has changes)."""
    run = {"cwd": ROOT, "capture_output": True, "text": True, "timeout": 30}
    sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], **run).stdout.strip()
    sources = ["solutions", "course", "tools"]
    dirty = subprocess.run(["git", "status", "--porcelain", "--", *sources], **run).stdout
    return sha + ("+dirty" if dirty.strip() else "")


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots and rewrite the provenance record; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(SHOTS), default=list(SHOTS))
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--build-p5-registry", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build_p5_registry:
        build_p5_registry(args.build_p5_registry.resolve())
        return 0
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("chromium is not installed: apt-get install -y --no-install-recommends chromium")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    record_path = args.out / PROVENANCE
    old = json.loads(record_path.read_text()) if record_path.is_file() else {}
    images = {image["file"]: image for image in old.get("images", [])}
    started = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="course-shots-") as tmp, sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium)
        try:
            for name in args.only:
                print(f"screenshot: {name} ...", flush=True)
                entry = SHOTS[name](browser, Path(tmp), args.out)
                image = args.out / entry["file"]
                width, height = png_size(image)
                entry |= {"width": width, "height": height, "bytes": image.stat().st_size}
                entry["sha256"] = hashlib.sha256(image.read_bytes()).hexdigest()
                entry["taken_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
                images[entry["file"]] = entry
                print(f"  {image.relative_to(ROOT)}: {width}x{height}, {entry['bytes']} bytes", flush=True)
        finally:
            browser.close()
    record = {
        "generated_by": "make screenshots",
        "command": "python tools/screenshots.py"
        + ("" if args.only == list(SHOTS) else " --only " + " ".join(args.only)),
        "generated_at": started.isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "versions": {
            "chromium": chromium_version(chromium),
            "playwright": version("playwright"),
            "fastapi": version("fastapi"),
            "uvicorn": version("uvicorn"),
            "swagger-ui-dist": SWAGGER_UI_DIST.split("@")[1],
            "mlflow": version("mlflow"),
            "evidently": version("evidently"),
            "python": sys.version.split()[0],
        },
        "images": [images[name] for name in sorted(images)],
    }
    record_path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {record_path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
