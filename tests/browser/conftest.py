"""Fixtures for the browser tests: one JupyterLab server per session, one Chromium per module.

Chromium is Debian's (``apt-get install -y chromium fonts-dejavu-core``); without it the browser
tests are skipped locally and fail on CI (``CI=true``), so CI can never pass by skipping them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser_harness as h

#: the notebooks here are inputs of the browser tests, not nbval tests of their own
collect_ignore_glob = ["*.ipynb"]

FLAGSHIP = h.HERE / "flagship.ipynb"
#: the course's own site (what ``make lite`` builds into ``_output/lite``), built apart so a test
#: run never rewrites a site being served or published
LITE_TEST_SITE = h.ROOT / "build" / "lite-test"


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> NoReturn:
    if _on_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must run on CI)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = h.find_chromium()
    if path is None:
        _unavailable(h.INSTALL_HINT)
    return str(path)


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    """One Chromium per test module.

    Not per session: while Playwright's sync API is started, its asyncio loop counts as the
    thread's running loop, so ``asyncio.run()`` in any later test (the widget tests) would fail
    with "cannot be called from a running event loop". Module scope stops it after the browser
    modules (three launches of about a second each).
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable('Python Playwright is missing: pip install -e ".[test]"')
    with sync_playwright() as playwright:
        # it cannot resolve any host but 127.0.0.1, which proves
        # that JupyterLab, Voila and the JupyterLite site need nothing from outside
        browser = h.launch_chromium(playwright, offline=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[h.LabServer]:
    if not (h.VENV_BIN / "jupyter-lab").exists():
        _unavailable(f"jupyter-lab is not installed next to {sys.executable}")
    sources = [h.NOTEBOOKS, FLAGSHIP]
    server = h.LabServer(sources, workdir=tmp_path_factory.mktemp("lab"))
    try:
        server.start()
    except BaseException:  # a server that never answered is still running: stop it
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def lite_site() -> Path:
    """The JupyterLite site of the course, exactly as published (lessons only, nothing added for
    the tests); rebuilt whenever an input changed (the lessons, the package, ``lite/``, the build
    script, the Jupyter package versions: see ``scripts/build_lite.py --if-stale``)."""
    if not (h.VENV_BIN / "jupyter-lite").exists():
        _unavailable('jupyterlite-core is not installed: pip install -e ".[lite]"')
    cached_core = any((h.ROOT / "build" / "lite-cache").glob("pyodide-*/pyodide.mjs"))
    if shutil.which("npm") is None and not cached_core:
        _unavailable("npm is needed once to fetch the Pyodide core for the JupyterLite site")
    cmd = [
        sys.executable, str(h.ROOT / "scripts" / "build_lite.py"), "--if-stale",
        "--output-dir", str(LITE_TEST_SITE),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=h.ROOT)
    if proc.returncode != 0:
        pytest.fail(f"JupyterLite build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return LITE_TEST_SITE
