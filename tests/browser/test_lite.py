"""The JupyterLite site: a real lesson runs the engine in the browser from the site's own files.

The module's Chromium resolves no host but 127.0.0.1, so the Pyodide core and margin_widgets
must come from the site itself (no CDN, no PyPI), and the lesson's setup cell meets the learner's
offline case: bqplot's numpy and pandas live only on Pyodide's CDN.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import browser_harness as h
import pytest

pytestmark = pytest.mark.browser

LESSON = "01-margin-leverage-liquidation.ipynb"
#: what the setup cell prints when the charts' packages cannot be downloaded
OFFLINE_MESSAGE = (
    "Offline: the engine works, but the charts need numpy and pandas from the internet."
)
#: typed into a new cell of the lesson: the lesson's worked example (1 BTC long at 20,000 with
#: 400 USDT of margin, MMR 0.5 %), through the engine; ``sys`` comes from the setup cell
ENGINE_CELL = (
    "from margin_widgets.engine import liquidation_price\n"
    "lp = liquidation_price(side='long', quantity=1, entry_price=20000, wallet_balance=400, "
    "maintenance_margin_rate=0.005, maintenance_amount=0)\n"
    "print(f'ENGINE {lp:.2f} on {sys.platform} from {margin_widgets.__file__}')"
)
EXPECTED = "19698.49"

NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"

#: the n-th code cell of the visible notebook is done: it shows ``[count]`` and the kernel is Idle
CELL_DONE_JS = f"""
([index, count]) => {{
  const cells = document.querySelectorAll('{NOTEBOOK} .jp-CodeCell');
  const prompt = cells[index] && cells[index].querySelector('.jp-InputArea-prompt');
  const status = document.querySelector('#jp-main-statusbar');
  return !!prompt && prompt.textContent.trim().replace(/:$/, '') === `[${{count}}]`
      && !!status && /Idle/.test(status.textContent);
}}
"""

#: index of the active cell among the visible notebook's code cells (-1: none or not code)
ACTIVE_CODE_CELL_JS = f"""
() => [...document.querySelectorAll('{NOTEBOOK} .jp-CodeCell')]
        .findIndex(c => c.classList.contains('jp-mod-active'))
"""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def first_code_source(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "".join(next(c for c in cells if c["cell_type"] == "code")["source"])


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
        entry = next(v for k, v in lock["packages"].items() if canonical(k) == name)
        assert not entry["file_name"].startswith("http"), name
        assert (lite_site / "static" / "pyodide" / entry["file_name"]).is_file(), name


def test_site_lessons_are_current(lite_site: Path) -> None:
    """The site holds today's lessons (the build noticed every change), with the Lite kernel,
    and each starts with the setup cell that tells an offline learner what is missing."""
    lessons = sorted(h.NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    assert lessons
    for lesson in lessons:
        built = lite_site / "files" / lesson.name
        assert built.is_file(), lesson.name
        setup = first_code_source(built)
        assert setup == first_code_source(lesson), lesson.name
        assert setup.startswith("# Setup."), lesson.name
        assert OFFLINE_MESSAGE in setup, lesson.name
        kernelspec = json.loads(built.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
        assert kernelspec["name"] == "python", lesson.name  # Pyodide's: no kernel dialog


def test_lesson_runs_engine_offline(browser: Any, lite_site: Path) -> None:
    """Open a lesson of the built site, run its setup cell, then engine code in its kernel."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    failed: list[str] = []
    # the kernel fetches from a worker: listen on the context, which sees workers' requests too
    context.on("requestfailed", lambda r: failed.append(r.url))
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        with h.static_server(lite_site) as (base, requests):
            page.goto(f"{base}/lab/index.html?path={LESSON}")
            page.wait_for_selector(f"{NOTEBOOK} .jp-CodeCell", timeout=60_000)
            # the Pyodide kernel loads micropip, IPython & co. before it reports Idle
            h.wait_kernel_idle(page, timeout=90_000)
            setup = page.locator(f"{NOTEBOOK} .jp-CodeCell").nth(0)
            assert "# Setup." in setup.locator(".jp-InputArea-editor").inner_text()

            # 1. the lesson's setup cell, as the learner runs it: select it, Shift+Enter
            setup.locator(".jp-InputArea-prompt").click()
            page.keyboard.press("Shift+Enter")
            page.wait_for_function(CELL_DONE_JS, arg=[0, 1], timeout=60_000)
            out = setup.locator(".jp-OutputArea").inner_text()
            assert OFFLINE_MESSAGE in out, out  # the lesson says what is missing
            assert "Traceback" not in out, out
            # margin_widgets came from the site's own wheel, next to the local Pyodide lock
            assert any(re.search(r"/static/pyodide/margin_widgets-.*\.whl", r) for r in requests)

            # 2. engine code in the same kernel: a new cell below (Escape, B), typed, Shift+Enter
            page.keyboard.press("Escape")
            page.keyboard.press("b")
            page.keyboard.press("Enter")  # edit mode
            page.keyboard.type(ENGINE_CELL)
            index = page.evaluate(ACTIVE_CODE_CELL_JS)
            assert index > 0  # a new cell, not the setup cell
            new = page.locator(f"{NOTEBOOK} .jp-CodeCell").nth(index)
            assert "ENGINE" in new.locator(".jp-InputArea-editor").inner_text()
            page.keyboard.press("Shift+Enter")
            page.wait_for_function(CELL_DONE_JS, arg=[index, 2], timeout=30_000)
            h.full_screenshot(page, "lite-" + LESSON.removesuffix(".ipynb"))
            text = new.locator(".jp-OutputArea").inner_text()
            match = re.search(r"ENGINE ([\d.]+) on (\w+) from (\S+)", text)
            assert match, text
            assert match.group(1) == EXPECTED
            assert match.group(2) == "emscripten"  # really ran in the browser
            assert "site-packages/margin_widgets/" in match.group(3)  # installed from the wheel

            # nothing was fetched from outside but bqplot's binary dependencies (Pyodide's CDN)
            outside = [u for u in failed if not u.startswith(base)]
            assert outside, "bqplot's numpy should have been out of reach"
            assert all(
                re.search(r"cdn\.jsdelivr\.net/pyodide/.*/(numpy|pandas)-", u) for u in outside
            ), outside
    finally:
        context.close()
