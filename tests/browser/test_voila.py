"""Voila serves the dashboard (``make voila``): explorers render, no code and no error shows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import browser_harness as h
import pytest

from .conftest import _unavailable

pytestmark = pytest.mark.browser

DASHBOARD = h.DASHBOARDS / "margin-modes.ipynb"

#: Voila's own console errors, not this package's: its page template links Font Awesome from a
#: CDN (the test browser is offline; the failed requests are checked below), and Notebook 7's
#: lab extension, installed alongside, fails to load in Voila's page (module federation
#: RUNTIME-012); any other console error (invalid SVG from a mark is one) fails the test
VOILA_OWN_ERRORS = re.compile(
    r"Failed to load resource: net::ERR_NAME_NOT_RESOLVED"
    r"|#RUNTIME-012[\s\S]*/@jupyter-notebook/lab-extension/"
)
VOILA_OWN_REQUESTS = re.compile(r"^https://cdn\.jsdelivr\.net/npm/@fortawesome/")


@pytest.fixture(scope="module")
def voila_server() -> Iterator[h.VoilaServer]:
    if not (h.VENV_BIN / "voila").exists():
        _unavailable('voila is not installed: pip install -e ".[voila]"')
    with h.VoilaServer(DASHBOARD) as server:
        yield server


def test_dashboard_renders(page: Any, voila_server: h.VoilaServer) -> None:
    console_errors = h.collect_console_errors(page)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
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
        assert [e for e in console_errors if not VOILA_OWN_ERRORS.search(e)] == []
        assert [u for u in failed if not VOILA_OWN_REQUESTS.match(u)] == []
    finally:
        h.full_screenshot(page, "voila-margin-modes")
