"""Icon-only buttons carry a tooltip and an accessible name in JupyterLab.

ipywidgets' ``Play`` draws Play/Pause, Stop and Repeat as buttons holding only an icon. The
explorers' invisible helper widget (``margin_widgets.widgets._keyboard``) gives each a ``title``
(the tooltip a mouse shows) and an ``aria-label`` (what a screen reader reads), and follows the
Play/Pause button as its icon changes. Checked on every explorer with a Play button, in one
notebook written at test time into the session's JupyterLab root (a temp dir).
"""

from __future__ import annotations

from typing import Any

import browser_harness as h
import nbformat
import pytest

pytestmark = pytest.mark.browser

NOTEBOOK = "icon-buttons.ipynb"
#: the explorers with a Play button (``_controls.play_slider``, class ``mw-play``)
PLAYERS = ("PricePathPlayer", "LiquidationProcess", "FundingTimeline")
REPEAT = "Repeat: start again at the end"

#: for every Play widget: its own title, and per button the icon, title and aria-label
PLAY_BUTTONS_JS = """
() => [...document.querySelectorAll('.mw-play')].map(play => ({
  title: play.getAttribute('title'),
  buttons: [...play.querySelectorAll('button')].map(b => ({
    icon: b.querySelector('i').className,
    title: b.getAttribute('title'),
    label: b.getAttribute('aria-label'),
  })),
}))
"""


def write_notebook(path: Any) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import warnings\n\nwarnings.simplefilter('ignore', DeprecationWarning)\n"
            "from margin_widgets import registry"
        )
    ]
    nb.cells += [nbformat.v4.new_code_cell(f"registry.load({n!r})()") for n in PLAYERS]
    nbformat.write(nb, path)


def test_play_buttons_have_tooltips(page: Any, lab_server: h.LabServer) -> None:
    write_notebook(lab_server.root_dir / NOTEBOOK)
    console = h.collect_console_errors(page)
    try:
        h.open_notebook(page, lab_server.url(NOTEBOOK))
        h.run_all_cells(page)
        h.wait_all_executed(page)
        assert h.error_outputs(page) == []
        h.wait_explorers_rendered(page, minimum=len(PLAYERS))
        page.wait_for_function(
            """(n) => { const b = [...document.querySelectorAll('.mw-play button')];
                        return b.length === 3 * n && b.every(x => x.title); }""",
            arg=len(PLAYERS),
        )
        plays = page.evaluate(PLAY_BUTTONS_JS)
        assert len(plays) == len(PLAYERS)
        for play in plays:
            assert play["buttons"] == [
                {"icon": "fa fa-play", "title": "Play", "label": "Play"},
                {"icon": "fa fa-stop", "title": "Stop", "label": "Stop"},
                {"icon": "fa fa-retweet", "title": REPEAT, "label": REPEAT},
            ]
        # the Play widgets' own tooltips (price_path.py, liquidation_process.py) stay on the widget
        titles = [p["title"] for p in plays]
        assert "Play the price path one step at a time" in titles
        assert "Play the crash one step at a time" in titles

        # what assistive technology reads: the accessible name of each button
        first = page.locator(".mw-play").first
        for name in ("Play", "Stop", REPEAT):
            assert first.get_by_role("button", name=name, exact=True).count() == 1

        # hovering shows the button's own title; playing turns Play into Pause and back
        button = first.locator("button").first
        button.hover()
        assert button.get_attribute("title") == "Play"
        button.click()
        page.wait_for_function(
            """() => { const b = document.querySelector('.mw-play button');
                       return b.querySelector('i').classList.contains('fa-pause')
                              && b.title === 'Pause'
                              && b.getAttribute('aria-label') === 'Pause'; }"""
        )
        button.click()
        page.wait_for_function(
            """() => { const b = document.querySelector('.mw-play button');
                       return b.querySelector('i').classList.contains('fa-play')
                              && b.title === 'Play'
                              && b.getAttribute('aria-label') === 'Play'; }"""
        )
        h.wait_kernel_idle(page)
        assert console == [], "browser console errors:\n" + "\n".join(console)
    finally:
        h.full_screenshot(page, "icon-buttons")
        lab_server.shutdown_kernels()
