"""Voila serves the dashboard (``make voila``): explorers render, no code and no error shows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import browser_harness as h
import pytest

from .conftest import _unavailable

pytestmark = pytest.mark.browser

DASHBOARD = h.DASHBOARDS / "margin-modes.ipynb"


@pytest.fixture(scope="module")
def voila_server() -> Iterator[h.VoilaServer]:
    if not (h.VENV_BIN / "voila").exists():
        _unavailable('voila is not installed: pip install -e ".[voila]"')
    with h.VoilaServer(DASHBOARD) as server:
        yield server


def test_dashboard_renders(page: Any, voila_server: h.VoilaServer) -> None:
    console_errors: list[str] = []
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    try:
        page.goto(f"{voila_server.base}/", timeout=120_000)
        counts = h.wait_explorers_rendered(page, minimum=1, timeout=120_000)
        assert counts["without_svg"] == 0
        body = page.inner_text("body")
        assert "Traceback" not in body
        assert "There was an error when executing cell" not in body
        assert page.query_selector_all(h.ERROR_OUTPUT) == []
        # no code: Voila strips the sources (markdown cells still render)
        assert page.query_selector_all(".jp-CodeMirrorEditor, .cm-editor, .jp-InputPrompt") == []
        assert "MarginModeExplorer()" not in body
        assert "from margin_widgets import" not in body
        assert h.widget_failures(page) == []
        assert console_errors == []
    finally:
        h.full_screenshot(page, "voila-margin-modes")
