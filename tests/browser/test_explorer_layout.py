"""Layout of every registered explorer in JupyterLab, at its defaults and its extreme values.

One notebook, written at test time into the session's JupyterLab root (a temp dir), holds one
cell per explorer and state: the defaults, each of the registry's extreme value sets
(:attr:`margin_widgets.registry.Entry.extremes`), every control at its minimum and every
control at its maximum (set one by one in registration order, so dynamic bounds follow).
One Run All, then each explorer's DOM is read as the learner's browser laid it out:

- no two visible SVG texts of a figure overlap (titles, axis labels, tick labels, legend
  entries, value labels);
- no line strikes through a text it does not belong to (a line belongs to a text drawn in
  its colour);
- nothing is clipped: every text lies inside its figure's SVG viewport, every figure and
  control inside the explorer, no readout, description, status or control label overflows
  its box;
- every number is formatted: no "nan", "inf", "None", "undefined", "-0.00" or raw float
  (``0.30000000000000004``, ``1e-05``) in any visible text;
- axes stay meaningful: a probability axis within 0-100 %, a price axis never below zero.

A screenshot of every explorer in every state goes to
``test-artifacts/layout-<explorer>-<state>.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import browser_harness as h
import nbformat
import pytest

from margin_widgets import registry
from margin_widgets.widgets._style import css_kebab

pytestmark = pytest.mark.browser

NOTEBOOK = "explorer-layout.ipynb"

SETUP = '''\
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import ipywidgets as w

from margin_widgets import registry


def _edge(control, high):
    """The control's maximum (``high``) or minimum value, or its last or first option."""
    if hasattr(control, "options"):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return options[-1] if high else options[0]
    if isinstance(control, (w.Checkbox, w.ToggleButton)):
        return high
    low, top = control.min, control.max
    if isinstance(control, w.FloatLogSlider):
        low, top = control.base**low, control.base**top
    return top if high else low


def show(name, state, values=None, edge=None):
    explorer = registry.load(name)(**(values or {}))
    if edge is not None:
        for key in list(explorer.controls):
            control = explorer.controls[key]
            if not control.disabled:
                control.value = _edge(control, edge == "max")
    explorer.add_class("mw-layout-case")
    explorer.add_class(f"mw-layout-{state}")
    return explorer
'''


def _cases() -> list[tuple[str, str, str]]:
    """(explorer name, state, code of its cell) for every registered explorer."""
    cases = []
    for name in registry.names():
        cases.append((name, "default", f"show({name!r}, 'default')"))
        for i, values in enumerate(registry.entry(name).extremes(), start=1):
            state = f"extreme-{i}"
            cases.append((name, state, f"show({name!r}, {state!r}, {dict(values)!r})"))
        for edge in ("min", "max"):
            cases.append((name, f"all-{edge}", f"show({name!r}, 'all-{edge}', edge={edge!r})"))
    return cases


CASES = _cases()


def _case_class(name: str, state: str) -> str:
    return f"mw-layout-{state}.mw-{css_kebab(name)}"


def write_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(SETUP)]
    nb.cells += [nbformat.v4.new_code_cell(code) for _name, _state, code in CASES]
    nbformat.write(nb, path)


#: every text of an explorer as the learner sees it, and what is wrong with its layout
LAYOUT_JS = r"""
(root) => {
  const issues = [];
  const shown = (el) => el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  const box = (el) => el.getBoundingClientRect();
  const slack = 0.5;
  const inside = (r, o) => r.left >= o.left - slack && r.right <= o.right + slack
                        && r.top >= o.top - slack && r.bottom <= o.bottom + slack;
  const fmt = (r) => `[${r.left.toFixed(0)},${r.top.toFixed(0)} ${r.width.toFixed(0)}x${r.height.toFixed(0)}]`;
  // does the polyline of a path (screen coordinates), clipped to the plot, enter box b?
  const clipSeg = (p, q, r) => {  // Liang-Barsky: the part of segment pq inside rect r
    let t0 = 0, t1 = 1;
    const dx = q.x - p.x, dy = q.y - p.y;
    for (const [num, den] of [[p.x - r.left, -dx], [r.right - p.x, dx],
                              [p.y - r.top, -dy], [r.bottom - p.y, dy]]) {
      if (den === 0) { if (num < 0) return null; continue; }
      const t = num / den;
      if (den < 0) { if (t > t1) return null; if (t > t0) t0 = t; }
      else { if (t < t0) return null; if (t < t1) t1 = t; }
    }
    return [{x: p.x + t0 * dx, y: p.y + t0 * dy}, {x: p.x + t1 * dx, y: p.y + t1 * dy}];
  };
  const crosses = (path, plot, b) => {
    const m = path.getScreenCTM();
    const d = path.getAttribute('d') || '';
    let pts;
    if (/^[ML\d\s,.eE+-]+$/.test(d)) {
      const nums = d.match(/-?\d*\.?\d+(?:e[-+]?\d+)?/gi).map(Number);
      pts = [];
      for (let i = 0; i + 1 < nums.length; i += 2) pts.push(new DOMPoint(nums[i], nums[i + 1]));
    } else {  // curves: 2000 points along the path
      const length = path.getTotalLength();
      pts = Array.from({length: 2001}, (_, i) => path.getPointAtLength(length * i / 2000));
    }
    const moves = (d.match(/[ML]/g) || []);
    pts = pts.map(p => new DOMPoint(p.x, p.y).matrixTransform(m));
    for (let i = 0; i + 1 < pts.length; i++) {
      if (moves.length === pts.length && moves[i + 1] === 'M') continue;  // a gap
      const [p, q] = [pts[i], pts[i + 1]];
      if (![p.x, p.y, q.x, q.y].every(Number.isFinite)) continue;
      const seen = clipSeg(p, q, plot);
      if (seen && clipSeg(seen[0], seen[1], b)) return true;
    }
    return false;
  };
  const rootBox = box(root);
  const texts = [];

  const figures = [...root.querySelectorAll('.bqplot.figure')].filter(shown);
  figures.forEach((fig, fi) => {
    const key = ([...fig.classList].find(c => c.startsWith('mw-figure-')) || `figure-${fi}`)
      .replace('mw-figure-', '');
    const figBox = box(fig);
    if (!inside(figBox, rootBox)) issues.push(`${key}: figure ${fmt(figBox)} sticks out of the explorer ${fmt(rootBox)}`);
    const view = box(fig.querySelector('svg.svg-figure') || fig);
    const plotRect = fig.querySelector('rect.plotarea_events, rect.plotarea_background');
    const plot = plotRect ? box(plotRect) : view;
    const items = [...fig.querySelectorAll('svg text')]
      .filter(t => t.textContent.trim() !== '' && shown(t))
      .map(t => {
        const r = box(t);
        const kind = t.closest('.g_legend, .legend') ? 'legend'
          : t.closest('g.tick') ? 'tick'
          : t.classList.contains('axislabel') ? 'axis label'
          : t.classList.contains('mainheading') ? 'title'
          : 'label';
        return {el: t, text: t.textContent.trim(), kind, r,
                fill: getComputedStyle(t).fill};
      })
      .filter(t => t.r.width > 0 && t.r.height > 0);
    items.forEach(t => texts.push(t.text));

    // clipped: outside the SVG viewport of the figure
    for (const t of items) {
      if (!inside(t.r, view)) issues.push(`${key}: ${t.kind} "${t.text}" ${fmt(t.r)} is clipped by the figure ${fmt(view)}`);
    }
    // overlaps: the em boxes, less a sixth of their height above and below (line spacing)
    const core = (r) => { const p = r.height / 6;
      return {left: r.left, right: r.right, top: r.top + p, bottom: r.bottom - p}; };
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        const a = core(items[i].r), b = core(items[j].r);
        const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (dx > 1 && dy > 1) issues.push(`${key}: ${items[i].kind} "${items[i].text}" overlaps ${items[j].kind} "${items[j].text}" (${dx.toFixed(0)}x${dy.toFixed(0)} px)`);
      }
    }
    // struck through: a drawn line (not the legend's samples) through the middle half of a
    // label or legend entry, unless the text is drawn in the line's colour
    const lines = [...fig.querySelectorAll('path.line')]
      .filter(p => !p.closest('.g_legend, .legend') && shown(p) && (p.getAttribute('d') || '').length > 1)
      .map(p => ({el: p, r: box(p), stroke: getComputedStyle(p).stroke}));
    for (const t of items.filter(t => t.kind === 'label' || t.kind === 'legend')) {
      const mid = {left: t.r.left + 1, right: t.r.right - 1,
                   top: t.r.top + t.r.height / 4, bottom: t.r.bottom - t.r.height / 4};
      for (const line of lines) {
        if (line.stroke === t.fill) continue;
        const lr = line.r;
        if (lr.right < mid.left || lr.left > mid.right || lr.bottom < mid.top - 1 || lr.top > mid.bottom + 1) continue;
        if (crosses(line.el, plot, mid)) {
          issues.push(`${key}: ${t.kind} "${t.text}" is struck through by a line (stroke ${line.stroke})`);
        }
      }
    }
    // axes: probability within 0-100 %, price never below zero, at the ticks and at the ends
    const plotW = plotRect ? +plotRect.getAttribute('width') : 0;
    const plotH = plotRect ? +plotRect.getAttribute('height') : 0;
    for (const axis of fig.querySelectorAll('g.axis')) {
      const labelEl = axis.querySelector('text.axislabel');
      const label = labelEl ? labelEl.textContent.trim() : '';
      const probability = /probabilit|chance/i.test(label);
      const price = /\bprice\b/i.test(label);
      if (!probability && !price) continue;
      const vertical = axis.getAttribute('text-anchor') !== 'middle';
      const ticks = [...axis.querySelectorAll('g.tick')].filter(shown).map(g => {
        const raw = g.textContent.trim();
        const text = raw.replace(/\u2212/g, '-').replace(/,/g, '').replace(/\s/g, '');
        const m = text.match(/^(-?\d*\.?\d+)([kMGT%]?)$/);
        const tr = (g.getAttribute('transform') || '').match(/translate\(\s*([-\d.e]+)[ ,]+([-\d.e]+)/);
        if (!m || !tr) return null;
        const mult = {k: 1e3, M: 1e6, G: 1e9, T: 1e12}[m[2]] || 1;
        return {raw, value: +m[1] * mult, percent: m[2] === '%' || /%/.test(label),
                pos: vertical ? +tr[2] : +tr[1]};
      }).filter(Boolean);
      if (!ticks.length) continue;
      const top = probability ? (ticks.some(t => t.percent) ? 100 : 1) : Infinity;
      for (const t of ticks) {
        if (t.value < 0 || t.value > top) issues.push(`${key}: axis "${label}" has tick ${t.raw}`);
      }
      // the axis ends, by linear interpolation between the ticks (evenly spaced ones only)
      const [a, b] = [ticks[0], ticks[ticks.length - 1]];
      if (ticks.length >= 2 && a.pos !== b.pos && a.value !== b.value) {
        const per = (b.value - a.value) / (b.pos - a.pos);
        const extent = vertical ? plotH : plotW;
        const span = Math.abs(b.value - a.value);
        const evenly = ticks.every(t => Math.abs(a.value + per * (t.pos - a.pos) - t.value) <= 1e-3 * span);
        // bqplot pads the y range (padding_y) and headroom adds a little: allow 6 % of the range
        const allow = 0.06 * Math.abs(per) * extent;
        if (evenly) {
          for (const end of [0, extent]) {
            const v = a.value + per * (end - a.pos);
            if (v < -allow || v > top + allow) issues.push(`${key}: axis "${label}" runs to ${+v.toPrecision(4)}`);
          }
        }
      }
    }
  });

  // HTML text: nothing overflowing its box, nothing outside the explorer
  const boxes = root.querySelectorAll('.widget-label, .widget-readout, .mw-readout, .mw-description, '
    + '.mw-status, .jupyter-button, .widget-toggle-button, .widget-dropdown > select, .widget-html-content');
  for (const el of boxes) {
    if (!shown(el) || el.closest('.mw-io')) continue;
    const text = (el.innerText || el.value || '').trim();
    if (!text) continue;
    if (el.scrollWidth > el.clientWidth + 1) issues.push(`"${text.slice(0, 80)}" overflows its box (${el.scrollWidth} > ${el.clientWidth} px)`);
    if (!inside(box(el), rootBox)) issues.push(`"${text.slice(0, 80)}" ${fmt(box(el))} sticks out of the explorer ${fmt(rootBox)}`);
    texts.push(text);
  }
  const area = root.closest('.jp-OutputArea-output');
  if (area && area.scrollWidth > area.clientWidth + 1) issues.push(`the output area scrolls sideways (${area.scrollWidth} > ${area.clientWidth} px)`);
  for (const el of root.querySelectorAll('select')) {
    if (shown(el)) texts.push(el.options[el.selectedIndex] ? el.options[el.selectedIndex].text : '');
  }
  return {issues, text: texts.join(' | ') + ' | ' + root.innerText, figures: figures.length};
}
"""  # noqa: E501 (JavaScript, one check a line)

BAD_TEXT = {
    "nan": re.compile(r"\bnan\b", re.IGNORECASE),
    "inf": re.compile(r"\binf(inity)?\b|∞", re.IGNORECASE),
    "None": re.compile(r"\bNone\b"),
    "undefined": re.compile(r"\bundefined\b"),
    "negative zero": re.compile(r"[-\u2212]0(?:[.,]0+)?(?![\d.,]*[1-9])(?!\d)"),
    "raw float": re.compile(r"\d\.\d{9,}"),
    "exponent": re.compile(r"\d(?:\.\d+)?e[-+]?\d", re.IGNORECASE),
}


def text_issues(text: str) -> list[str]:
    """Unformatted numbers in ``text``.

    >>> text_issues("liq. -0.00 | 0.30000000000000004 | nan % | -0.05 | 2021-03-18 | 1e-05")
    ['nan: nan', 'negative zero: -0.00', 'raw float: 0.30000000000000004', 'exponent: 1e-0']
    """
    found = []
    for what, pattern in BAD_TEXT.items():
        for match in pattern.finditer(text):
            found.append(f"{what}: {match.group(0)}")
    return found


#: the layout page's console errors and uncaught exceptions, and its requests to outside hosts
PAGE_PROBLEMS: dict[str, list[str]] = {}


@pytest.fixture(scope="module")
def layout(browser: Any, lab_server: h.LabServer) -> Iterator[dict[tuple[str, str], Any]]:
    """Run the generated notebook once; read every explorer's layout; screenshot each."""
    write_notebook(lab_server.root_dir / NOTEBOOK)
    context = browser.new_context(viewport={"width": 1280, "height": 1800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    PAGE_PROBLEMS["console"] = h.collect_console_errors(page)
    PAGE_PROBLEMS["outside"] = h.collect_outside_requests(page)
    results: dict[tuple[str, str], Any] = {}
    try:
        h.open_notebook(page, lab_server.url(NOTEBOOK))
        h.run_explorer_cases(page, len(CASES))
        for name, state_name, _code in CASES:
            locator = page.locator(f".{_case_class(name, state_name)}")
            # centred in a tall viewport: the whole explorer shows, clear of the toolbar
            locator.evaluate("(e) => e.scrollIntoView({block: 'center'})")
            result = locator.evaluate(LAYOUT_JS)
            # SVG texts count twice (in the figure and in the explorer's innerText): once each
            issues = result["issues"] + text_issues(result.pop("text"))
            result["issues"] = list(dict.fromkeys(issues))
            h.ARTIFACTS.mkdir(exist_ok=True)
            shot = h.ARTIFACTS / f"layout-{css_kebab(name)}-{state_name}.png"
            locator.screenshot(path=str(shot))
            result["screenshot"] = shot
            results[(name, state_name)] = result
        yield results
    finally:
        if not results:
            h.full_screenshot(page, "layout-notebook")
        context.close()
        lab_server.shutdown_kernels()


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", registry.names())
def test_explorer_layout(layout: dict[tuple[str, str], Any], name: str) -> None:
    report = []
    for (explorer, state), result in layout.items():
        if explorer != name:
            continue
        assert result["figures"] >= 1, f"{name} {state}: no figure shown"
        report += [f"{state}: {issue}" for issue in result["issues"]]
        report += [f"{state}: ({result['screenshot'].name})"] if result["issues"] else []
    assert not report, f"{name}:\n" + "\n".join(report)


@pytest.mark.timeout(900)
def test_no_console_error_at_any_value(layout: dict[tuple[str, str], Any]) -> None:
    """Every explorer at its defaults and extreme values: no console error, no uncaught
    exception (bqplot logs invalid SVG, e.g. a NaN in a path, as a console error), nothing
    requested from outside 127.0.0.1."""
    assert len(layout) == len(CASES)
    console, outside = PAGE_PROBLEMS["console"], PAGE_PROBLEMS["outside"]
    assert console == [], "browser console errors:\n" + "\n".join(console)
    assert outside == [], "requests to outside hosts:\n" + "\n".join(outside)
