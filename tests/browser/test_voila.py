"""Voila serves the dashboard (``make voila``): explorers render, no code and no error shows.

Nothing is allowed for: any request to a host but 127.0.0.1 and any console error or uncaught
exception fails the test (the test browser resolves no other host). Two used to come from Voila
itself: its stock "lab" page template links Font Awesome from cdn.jsdelivr.net, and Notebook 7's
lab extension (installed alongside for Notebook 7) fails to load in a Voila page (module
federation RUNTIME-012). The package's Voila configuration, installed into the environment
(``jupyter-config/voila.json`` -> ``<env>/etc/jupyter/voila.json``), removes both: the page
template "margin-widgets" (Voila's "lab" without the CDN links; Voila's front end bundles the
font) and ``VoilaConfiguration.extension_denylist``.
"""

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
    console_errors = h.collect_console_errors(page)
    failed: list[str] = []
    outside = h.collect_outside_requests(page)
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
        # the icons still draw: Voila's bundled Font Awesome loads from the Voila server
        faces = page.evaluate(
            """async () => (await document.fonts.load('900 16px "Font Awesome 5 Free"'))
                 .map(f => f.status)"""
        )
        assert faces and set(faces) == {"loaded"}, faces
        assert outside == []
        assert failed == []
        assert console_errors == []
    finally:
        h.full_screenshot(page, "voila-margin-modes")
