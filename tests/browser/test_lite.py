"""The JupyterLite site: the engine runs in the browser from the site's own files.

The session's Chromium resolves no host but 127.0.0.1, so this also proves that neither the
Pyodide core nor the package needs a CDN or PyPI.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import browser_harness as h
import pytest

pytestmark = pytest.mark.browser

EXPECTED = 19698.49  # liquidation_price(long, 1 @ 20,000, wallet 400, MMR 0.5 %, amount 0)


def h_canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _accept_kernel_dialog(page: Any) -> None:
    """Notebooks saved with the ``python3`` kernelspec ask for a kernel in Lite: accept it."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count() and dialog.is_visible():
        page.click(".jp-Dialog .jp-mod-accept")


def test_site_config_is_offline_first(lite_site: Path) -> None:
    config = json.loads((lite_site / "jupyter-lite.json").read_text())
    kernel = config["jupyter-config-data"]["litePluginSettings"][
        "@jupyterlite/pyodide-kernel-extension:kernel"
    ]
    assert kernel["disablePyPIFallback"] is True
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    names = {e["name"] for e in config["jupyter-config-data"]["federated_extensions"]}
    assert {"@jupyter-widgets/jupyterlab-manager", "bqplot", "bqscales"} <= names
    lock = json.loads((lite_site / "static" / "pyodide" / "pyodide-lock.json").read_text())
    own = lock["packages"]["margin-widgets"]
    assert own["imports"] == ["margin_widgets"]
    assert (lite_site / "static" / "pyodide" / own["file_name"]).is_file()
    for name in ("micropip", "ipython", "jedi", "ipywidgets", "comm", "bqplot"):
        entry = next(v for k, v in lock["packages"].items() if h_canon(k) == name)
        assert not entry["file_name"].startswith("http"), name
        assert (lite_site / "static" / "pyodide" / entry["file_name"]).is_file(), name


def test_engine_runs_in_pyodide(browser: Any, lite_site: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    try:
        with h.static_server(lite_site) as (base, requests):
            page.goto(f"{base}/lab/index.html?path={h.HERE.joinpath('lite_engine.ipynb').name}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
            _accept_kernel_dialog(page)
            # the Pyodide kernel loads micropip, IPython & co. before it reports Idle
            page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=90_000)
            h.run_all_cells(page, clear=False)  # the notebook is saved without outputs
            page.wait_for_function(h.PROMPTS_DONE_JS, timeout=90_000)
            h.full_screenshot(page, "lite-engine")
            tracebacks = page.locator(".jp-OutputArea-output", has_text="Traceback")
            assert tracebacks.count() == 0
            text = page.inner_text(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea")
            match = re.search(r"ENGINE-OK ([\d.]+) on (\w+)", text)
            assert match, text
            assert float(match.group(1)) == pytest.approx(EXPECTED, abs=0.005)
            assert match.group(2) == "emscripten"  # really ran in the browser
            # the package came from the site's own wheel, next to the local Pyodide lock
            assert any(re.search(r"/static/pyodide/margin_widgets-.*\.whl", r) for r in requests)
            # only numpy/pandas (for bqplot, from Pyodide's CDN) may have been out of reach
            outside = [u for u in failed if not u.startswith(base)]
            assert all(
                re.search(r"cdn\.jsdelivr\.net/pyodide/.*/(numpy|pandas)-", u) for u in outside
            ), outside
    finally:
        context.close()
