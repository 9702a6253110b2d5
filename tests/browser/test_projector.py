"""The projector look of every registered explorer on a 1024x768 screen in JupyterLab.

A teacher switches the look on once (``margin_widgets.settings(projector=True)``) and shows the
course on a 1024x768 projector, side bar closed. For every explorer, at its start values and with
every control at its maximum, the explorer is scrolled to the top of the notebook and read as
the class sees it:

- every chart and every control lies inside the 1024x768 viewport, between the notebook's
  toolbar and JupyterLab's status bar (bounding boxes);
- the text is larger than the default look's (tick labels at least 14 px) and the lines use the
  high-contrast palette (no Okabe-Ito orange left on screen);
- the layout checks of :mod:`test_explorer_layout` hold: no overlapping or clipped text, no line
  through a label, every number formatted.

A screenshot of each goes to ``test-artifacts/projector-<explorer>-<state>.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import browser_harness as h
import nbformat
import pytest
from test_explorer_layout import LAYOUT_JS, SETUP, _case_class, text_issues

from margin_widgets import registry
from margin_widgets.widgets._style import css_kebab

pytestmark = pytest.mark.browser

NOTEBOOK = "explorer-projector.ipynb"
VIEWPORT = {"width": 1024, "height": 768}
STATES = ("default", "all-max")

#: where every chart, control, readout and status line of the explorer must be
FIT_JS = r"""
(root) => {
  const issues = [];
  const toolbar = document.querySelector('.jp-NotebookPanel-toolbar');
  const top = toolbar ? toolbar.getBoundingClientRect().bottom : 0;
  const statusbar = document.querySelector('#jp-main-statusbar');
  const width = window.innerWidth;
  const height = statusbar ? statusbar.getBoundingClientRect().top : window.innerHeight;
  const shown = (el) => el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  const parts = [
    ...[...root.querySelectorAll('.bqplot.figure')].map(e => ['chart', e]),
    ...[...root.querySelectorAll('.mw-control')].map(e => ['control', e]),
  ];
  for (const [kind, el] of parts) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    const name = ([...el.classList].find(c => /^mw-(figure|control)-/.test(c)) || kind);
    if (r.left < -0.5 || r.right > width + 0.5 || r.top < top - 0.5 || r.bottom > height + 0.5) {
      issues.push(`${name} at [${r.left.toFixed(0)},${r.top.toFixed(0)} ${r.width.toFixed(0)}x${r.height.toFixed(0)}] is outside the screen (${width} px wide, from the toolbar at ${top.toFixed(0)} to the status bar at ${height.toFixed(0)})`);
    }
  }
  const tick = root.querySelector('g.tick text');
  const tickPx = tick ? parseFloat(getComputedStyle(tick).fontSize) : 0;
  const strokes = [...root.querySelectorAll('path.line')].map(p => getComputedStyle(p).stroke);
  return {issues, tickPx, strokes};
}
"""  # noqa: E501 (JavaScript, one check a line)


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for name in registry.names():
        cases.append((name, "default", f"show({name!r}, 'default')"))
        cases.append((name, "all-max", f"show({name!r}, 'all-max', edge='max')"))
    return cases


CASES = _cases()


def write_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    setup = SETUP + "\nimport margin_widgets\n\nmargin_widgets.settings(projector=True)\n"
    nb.cells = [nbformat.v4.new_code_cell(setup)]
    nb.cells += [nbformat.v4.new_code_cell(code) for _name, _state, code in CASES]
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def projected(browser: Any, lab_server: h.LabServer) -> Iterator[dict[tuple[str, str], Any]]:
    """Run the generated notebook at 1024x768; read and screenshot every explorer."""
    write_notebook(lab_server.root_dir / NOTEBOOK)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    console = h.collect_console_errors(page)
    outside = h.collect_outside_requests(page)
    results: dict[tuple[str, str], Any] = {}
    try:
        h.open_notebook(page, lab_server.url(NOTEBOOK))
        # the side bar closed, as on a projector
        current = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
        if current.count():
            current.first.click()
        h.run_explorer_cases(page, len(CASES))
        for name, state_name, _code in CASES:
            locator = page.locator(f".{_case_class(name, state_name)}")
            locator.evaluate("(e) => e.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(50)
            result = locator.evaluate(LAYOUT_JS)
            fit = locator.evaluate(FIT_JS)
            issues = result["issues"] + text_issues(result.pop("text")) + fit["issues"]
            if fit["tickPx"] < 14:
                issues.append(f"tick labels are {fit['tickPx']} px (projector: 14 px or more)")
            orange = "rgb(230, 159, 0)"  # the default palette's orange, faint on a projector
            if orange in fit["strokes"]:
                issues.append("a line is drawn in the default orange, not its projector variant")
            h.ARTIFACTS.mkdir(exist_ok=True)
            shot = h.ARTIFACTS / f"projector-{css_kebab(name)}-{state_name}.png"
            page.screenshot(path=str(shot))
            results[(name, state_name)] = {"issues": list(dict.fromkeys(issues)), "shot": shot}
        results[("", "console")] = {"issues": [*console, *outside], "shot": None}
        yield results
    finally:
        if not results:
            h.full_screenshot(page, "projector-notebook")
        context.close()
        lab_server.shutdown_kernels()


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", registry.names())
def test_projector_fits_1024x768(projected: dict[tuple[str, str], Any], name: str) -> None:
    report = []
    for state in STATES:
        result = projected[(name, state)]
        report += [f"{state}: {issue}" for issue in result["issues"]]
        if result["issues"]:
            report.append(f"{state}: ({result['shot'].name})")
    assert not report, f"{name}:\n" + "\n".join(report)


def test_projector_console_clean(projected: dict[tuple[str, str], Any]) -> None:
    """No console error, uncaught exception or request to a host but 127.0.0.1."""
    assert projected[("", "console")]["issues"] == []
