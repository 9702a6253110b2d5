"""JupyterLab end to end: every lesson runs clean, the flagship answers the keyboard correctly.

One JupyterLab server (a temp copy of ``notebooks/`` plus ``flagship.ipynb``) serves the whole
session, one Chromium this module; see ``conftest.py``. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import browser_harness as h
import pytest

pytestmark = pytest.mark.browser

LESSONS = sorted(p.name for p in h.NOTEBOOKS.glob("*.ipynb"))
WIDGET_CALL = re.compile(
    r"\b(MarginModeExplorer|CorrelationStress|IsolatedMarginAdjuster|FundingTimeline|"
    r"BracketExplorer|PricePathPlayer)\s*\("
)


def _calls_an_explorer(notebook: Path) -> bool:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return any(WIDGET_CALL.search("".join(c["source"])) for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_runs_clean(page: Any, lab_server: h.LabServer, name: str) -> None:
    # what the browser console shows a learner: no error from JupyterLab's extensions as the
    # package configures them (e.g. JupyterLite's kernel front end, installed alongside for the
    # Lite build, used to fail to load on every page) nor from the widgets
    console = h.collect_console_errors(page)
    outside = h.collect_outside_requests(page)
    try:
        h.open_notebook(page, lab_server.url(name))
        h.run_all_cells(page)
        h.wait_all_executed(page, timeout=180_000)
        errors = h.error_outputs(page)
        assert errors == [], f"{name}: cells raised:\n" + "\n---\n".join(errors)
        # a lesson that builds an explorer must show at least one; every one must have an svg
        minimum = 1 if _calls_an_explorer(h.NOTEBOOKS / name) else 0
        counts = h.wait_explorers_rendered(page, minimum=minimum)
        assert counts["without_svg"] == 0
        assert h.widget_failures(page) == []
        # JupyterLab asks about news once the app is restored, long before Run All is over;
        # the package's settings default (overrides.d) keeps it from asking
        assert h.toasts(page) == []
        assert console == [], f"{name}: browser console errors:\n" + "\n".join(console)
        assert outside == [], f"{name}: requests to outside hosts:\n" + "\n".join(outside)
    finally:
        h.full_screenshot(page, f"lab-{Path(name).stem}")
        lab_server.shutdown_kernels()


def _handle_position(page: Any) -> dict[str, float]:
    return dict(
        page.evaluate(
            f"""() => {{ const h = document.querySelector('{h.LEVERAGE_HANDLE}');
                return {{now: +h.getAttribute('aria-valuenow'),
                         min: +h.getAttribute('aria-valuemin'),
                         max: +h.getAttribute('aria-valuemax')}}; }}"""
        )
    )


def test_flagship_leverage_keyboard(page: Any, lab_server: h.LabServer) -> None:
    oracle = h.EngineOracle()
    try:
        h.open_flagship(page, lab_server)
        before_paths = h.ladder_line_paths(page)
        assert before_paths, "no path.line in the price ladder"
        before = h.readout_value(page)
        pos = _handle_position(page)
        key = "ArrowLeft" if pos["now"] >= pos["max"] else "ArrowRight"  # bounce at the end
        page.focus(h.LEVERAGE_HANDLE)
        page.keyboard.press(key)
        page.wait_for_function(
            f"(old) => document.querySelector('{h.LEVERAGE_READOUT}').textContent.trim() !== old",
            arg=before,
        )
        leverage = h.parse_number(h.readout_value(page))
        want = oracle.labels(leverage)
        h.wait_label(page, "isolated", want["isolated"])
        h.wait_label(page, "cross", want["cross"])
        assert h.ladder_label(page, "isolated").endswith(want["isolated"])  # type: ignore[union-attr]
        # at BTCUSDT's tick size, 0.1: one decimal
        assert re.fullmatch(r"-?[\d,]+\.\d", want["isolated"]), want
        page.wait_for_function(
            f"""(old) => {{ const now = [...document.querySelectorAll(
                   '{h.PRICE_LADDER} svg path.line')].map(p => p.getAttribute('d') || '');
                 return now.some((d, i) => d !== old[i]); }}""",
            arg=before_paths,
        )
    finally:
        h.full_screenshot(page, "lab-flagship-keyboard")
        lab_server.shutdown_kernels()


def test_flagship_no_lost_update(page: Any, lab_server: h.LabServer) -> None:
    """100 key presses as fast as the keyboard sends them: the last one wins, quickly."""
    oracle = h.EngineOracle()
    try:
        h.open_flagship(page, lab_server)
        # waits (at most 2 s after the last key) for the engine's labels of the final position
        # on the ladder with the kernel idle
        result = h.fast_moves(page, oracle, 100, timeout=2_000)
        assert result["readout"] == pytest.approx(result["final"])
        assert result["settle_s"] < 2.0
    finally:
        h.full_screenshot(page, "lab-flagship-fast-moves")
        lab_server.shutdown_kernels()


def test_kernel_websockets_without_nagle(page: Any, lab_server: h.LabServer) -> None:
    """A server started with no nodelay flag (the package's server extension does it) writes
    kernel messages with ``TCP_NODELAY`` set on the websocket's socket, read on the server side
    (``server_probe.py``); ``benchmarks/browser_latency.py`` shows the stock server's 0 and the
    latency each gives."""
    assert "kernel_websocket_connection_class" not in " ".join(lab_server.cmd)
    assert "MarginWidgets" not in " ".join(lab_server.cmd)
    try:
        h.open_notebook(page, lab_server.url("flagship.ipynb"))
        page.wait_for_function(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
            ".connectionStatus === 'connected'"
        )
        sockets = lab_server.kernel_websockets()
        assert sockets, "no kernel websocket open"
        for sock in sockets:
            assert (
                sock["connection_class"] == "margin_widgets.server.NoDelayKernelWebsocketConnection"
            )
            assert sock["tcp_nodelay"] != 0, sock
        log = lab_server.log.read_text(errors="replace")
        assert log.count("margin_widgets: kernel websockets use") == 1
    finally:
        lab_server.shutdown_kernels()
