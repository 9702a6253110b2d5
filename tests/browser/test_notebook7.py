"""Notebook 7 (``jupyter notebook``) end to end: a lesson runs, its explorer renders and answers.

One Notebook 7 server (a temp copy of ``notebooks/``) and one page for the module: the lesson is
opened and run once, then the tests act on it in order.

Arrow keys: Notebook 7 binds ArrowRight / ArrowLeft in command mode ("move to heading
below/above") and would run that command for a keydown on a focused slider handle, so the slider
would not move. Every explorer carries an invisible widget (``margin_widgets.widgets._keyboard``)
that marks a focused handle ``data-lm-suppress-shortcuts``, which Lumino honours:
``test_arrow_key_moves_slider`` checks the arrows move the slider with nothing done by the test
and that the handle got the mark; ``test_arrow_key_moves_slider_with_shortcuts_suppressed`` sets
the mark by hand. JupyterLab does not bind those keys (``test_lab.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import browser_harness as h
import pytest

from .conftest import _unavailable

pytestmark = pytest.mark.browser

LESSON = "00-index.ipynb"  # builds a MarginModeExplorer() with its default inputs

#: Notebook 7's own page error (its shortcuts plugin, on every page, with or without this
#: package's configuration and labextensions); any other console error fails the test
NOTEBOOK7_OWN_ERRORS = re.compile(r"Cannot read properties of undefined \(reading 'schema'\)")

KERNEL_IDLE_JS = """
() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle';
}
"""


@pytest.fixture(scope="module")
def nb7_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[h.LabServer]:
    if not (h.VENV_BIN / "jupyter-notebook").exists():
        _unavailable('Notebook 7 is not installed: pip install -e ".[lab]"')
    server = h.LabServer([h.NOTEBOOKS], workdir=tmp_path_factory.mktemp("nb7"), app="notebook")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def nb7_page(browser: Any, nb7_server: h.LabServer) -> Iterator[tuple[Any, list[str]]]:
    """The lesson open in Notebook 7, every cell run; and the console errors collected."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    console = h.collect_console_errors(page)
    try:
        page.goto(nb7_server.url(LESSON))
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
        page.wait_for_function(KERNEL_IDLE_JS)
        h.run_all_cells(page)  # Run → Run All Cells: Notebook 7 has the same menu
        yield page, console
    finally:
        h.full_screenshot(page, "notebook7-lesson")
        context.close()
        nb7_server.shutdown_kernels()


def _wait_moved(page: Any, oracle: h.EngineOracle, before: str, timeout: float = 5_000) -> None:
    """Wait until the readout left ``before``; then until the ladder shows the engine's labels
    for the new leverage."""
    page.wait_for_function(
        f"(old) => document.querySelector('{h.LEVERAGE_READOUT}').textContent.trim() !== old",
        arg=before,
        timeout=timeout,
    )
    want = oracle.labels(h.parse_number(h.readout_value(page)))
    h.wait_label(page, "isolated", want["isolated"])
    h.wait_label(page, "cross", want["cross"])


def test_lesson_runs_and_renders(nb7_page: tuple[Any, list[str]]) -> None:
    page, console = nb7_page
    state = h.wait_all_executed(page, timeout=180_000)
    assert state["executed"] == state["total"] > 0, state
    assert h.error_outputs(page) == []
    counts = h.wait_explorers_rendered(page, minimum=1)
    assert counts["without_svg"] == 0
    assert h.widget_failures(page) == []
    assert h.ladder_line_paths(page), "no path.line in the price ladder"
    # the lesson's own assert cell checked these values in the kernel; the page shows them too
    h.wait_label(page, "isolated", "57,228.9")  # at BTCUSDT's tick size, 0.1
    h.wait_label(page, "cross", "50,321.3")
    assert [e for e in console if not NOTEBOOK7_OWN_ERRORS.search(e)] == []


def test_mouse_drag_updates_plot(nb7_page: tuple[Any, list[str]]) -> None:
    page, _ = nb7_page
    oracle = h.EngineOracle()
    handle = page.wait_for_selector(h.LEVERAGE_HANDLE)
    handle.scroll_into_view_if_needed()
    before, paths = h.readout_value(page), h.ladder_line_paths(page)
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y, steps=6)
    page.mouse.up()
    _wait_moved(page, oracle, before)
    assert h.ladder_line_paths(page) != paths


def _press_right_or_left(page: Any) -> None:
    at_max = page.evaluate(
        f"""() => {{ const h = document.querySelector('{h.LEVERAGE_HANDLE}');
            return +h.getAttribute('aria-valuenow') >= +h.getAttribute('aria-valuemax'); }}"""
    )
    page.focus(h.LEVERAGE_HANDLE)
    page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")


def test_arrow_key_moves_slider(nb7_page: tuple[Any, list[str]]) -> None:
    page, _ = nb7_page
    oracle = h.EngineOracle()
    handle = page.wait_for_selector(h.LEVERAGE_HANDLE)
    handle.scroll_into_view_if_needed()
    before, paths = h.readout_value(page), h.ladder_line_paths(page)
    active_cell = page.evaluate(
        "() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')]"
        ".findIndex(c => c.classList.contains('jp-mod-active'))"
    )
    _press_right_or_left(page)
    _wait_moved(page, oracle, before, timeout=3_000)
    assert h.ladder_line_paths(page) != paths
    # marked by the explorer's own front-end code on focus (the test never sets it here)
    assert handle.get_attribute("data-lm-suppress-shortcuts") == "true"
    still_active = page.evaluate(
        "() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')]"
        ".findIndex(c => c.classList.contains('jp-mod-active'))"
    )
    assert still_active == active_cell  # Notebook 7 did not move to another cell


def test_arrow_key_moves_slider_with_shortcuts_suppressed(nb7_page: tuple[Any, list[str]]) -> None:
    page, _ = nb7_page
    oracle = h.EngineOracle()
    page.wait_for_selector(h.LEVERAGE_HANDLE).scroll_into_view_if_needed()
    page.evaluate(
        f"""() => document.querySelector('{h.LEVERAGE_HANDLE}')
                .setAttribute('data-lm-suppress-shortcuts', 'true')"""
    )
    before, paths = h.readout_value(page), h.ladder_line_paths(page)
    _press_right_or_left(page)
    _wait_moved(page, oracle, before)
    assert h.ladder_line_paths(page) != paths
