"""Every registered explorer, by keyboard alone, in JupyterLab, Notebook 7 and Voila.

One notebook holds every explorer of :mod:`margin_widgets.registry` at its defaults, each
followed by a kernel *echo* of its control values written at the end of every update
(``keyboard_notebook.py`` writes it into a temp dir at test time, so a newly registered explorer
is covered with nothing to change). Each front end serves it from one server and shows it in one
page; the three start together and stay open for the module. For every explorer there:

- showing it changes none of its start values (the echo right after the page drew it);
- every enabled slider handle (noUiSlider's ``.noUi-handle``, ipywidgets 8) takes focus and
  answers an arrow key (one step) and then the opposite one, or, in one of the three front ends
  turn about, PageUp / PageDown (five steps) and then the opposite one, so the explorer is back
  at its start afterwards. After each key the kernel echo shows the value the key sends the
  slider to (the kernel saw it and drew it), the slider shows it (its readout or
  ``aria-valuenow`` changed), and the explorer's SVG changed (some element's ``d``, transform,
  position or text) wherever that value changes the figures; which values do is worked out in
  this process from the figures' widget states (``keyboard_notebook.control_specs``);
- a slider inactive at the defaults (it does nothing in that state) is not pressed: it must be
  disabled in the page, with a tooltip that starts "Inactive:";
- Tab from each control reaches the next control below it (or, at the bottom of a column, the
  top of the next column), every enabled control is reached once and no inactive one, and
  then the Reset button;
- the flagship (``MarginModeExplorer``) also takes, on every slider, the other kind of key
  (arrows or page keys), End and Home, each followed by Enter on its Reset button (every
  control back at its start), and Space and Enter on its long / short buttons;
- no key made a page log an error.

Notebook 7 binds the arrow keys in command mode; the explorers' invisible shortcut guard
(``margin_widgets.widgets._keyboard``) keeps them on a focused handle (marked
``data-lm-suppress-shortcuts``), which the Notebook 7 page checks for every slider of every
explorer. Waits poll for conditions (no sleeps); keys go to the three pages in step, so the
three kernels work at the same time.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import browser_harness as h
import keyboard_notebook as kb
import pytest

from margin_widgets import registry
from margin_widgets.widgets._style import css_kebab

from .conftest import _unavailable

pytestmark = pytest.mark.browser

NOTEBOOK = "keyboard-everywhere.ipynb"
FRONT_ENDS = ("lab", "notebook7", "voila")
FLAGSHIP = "MarginModeExplorer"
NAMES = registry.names()

#: what a key may take at most to reach the kernel and the plot (PathStress redraws 2,000 paths)
KEY_TIMEOUT_MS = 15_000

#: how long a server may take to answer (two start at once, beside JupyterLab's)
SERVER_TIMEOUT_S = 120

#: polling interval of the waits (ms): a key's effect is complete when the SVG is the same at
#: two polls in a row with two animation frames or more between them
POLL_MS = 30

#: page-side helpers: an explorer's SVG fingerprint, a control's state as the page shows it
DRIVER_JS = r"""
() => {
  const kb = window.__mwKb = {};
  // frames drawn: bqplot moves marks in d3 transitions, which run on animation frames
  kb.frames = 0;
  const tick = () => { kb.frames++; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  // the SVG is drawn: the same fingerprint as at the previous poll, two frames or more ago
  kb.settled = (sig) => {
    if (kb.lastSig !== sig) { kb.lastSig = sig; kb.lastFrames = kb.frames; return false; }
    return kb.frames >= kb.lastFrames + 2;
  };
  kb.root = (kebab) => document.querySelector(`.mw-kb-case.mw-${kebab}`);
  kb.sig = (kebab) => {
    const root = kb.root(kebab);
    if (!root) return null;
    const names = ['d', 'transform', 'x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'r',
                   'width', 'height', 'points', 'style', 'opacity', 'visibility'];
    let hash = 5381, count = 0;
    const add = (s) => {
      for (let i = 0; i < s.length; i++) hash = ((hash * 33) ^ s.charCodeAt(i)) | 0;
    };
    for (const svg of root.querySelectorAll('svg')) {
      for (const el of svg.querySelectorAll('*')) {
        count++;
        add(el.tagName);
        for (const n of names) { const v = el.getAttribute(n); if (v !== null) add(n + '=' + v); }
        if (el.tagName === 'text' || el.tagName === 'tspan') add('#' + el.textContent);
      }
    }
    return `${count}:${hash}`;
  };
  kb.echo = (kebab) => {
    const el = document.querySelector(`.mw-kb-echo-${kebab}`);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  };
  kb.control = (kebab, name) => {
    const root = kb.root(kebab);
    return root && root.querySelector(`.mw-control-${name}`);
  };
  kb.state = (kebab, name) => {
    const c = kb.control(kebab, name);
    if (!c) return null;
    const handle = c.querySelector('.noUi-handle');
    const target = c.querySelector('.noUi-target');
    const readout = c.querySelector('.widget-readout');
    const echo = kb.echo(kebab);
    const shown = c.checkVisibility();
    const values = echo ? echo.values : null;
    return {
      now: handle ? handle.getAttribute('aria-valuenow') : null,
      readout: readout ? readout.textContent.trim() : null,
      echo: values ? values[name] : null,
      updates: echo ? echo.updates : null,
      sig: kb.sig(kebab),
      disabled: !!(c.querySelector(':disabled, [disabled]') ||
                   (target && target.hasAttribute('disabled')) ||
                   c.classList.contains('mod-disabled')),
      title: c.getAttribute('title') || (c.querySelector('[title]') || {}).title || '',
      shown,
      focused: !!(handle && document.activeElement === handle),
      suppress: handle ? handle.getAttribute('data-lm-suppress-shortcuts') : null,
    };
  };
  // the control under test: a keydown (capture phase, before the slider sees it) records
  // its state, which the waits below compare with
  kb.watch = null;
  document.addEventListener('keydown', () => {
    if (kb.watch) { kb.before = kb.state(kb.watch.kebab, kb.watch.name); kb.lastSig = null; }
  }, true);
  kb.focusHandle = (kebab, name) => {
    const handle = kb.control(kebab, name).querySelector('.noUi-handle');
    kb.watch = {kebab, name};
    handle.scrollIntoView({block: 'center'});
    handle.focus();
    return document.activeElement === handle;
  };
  // (want, tol, log, visible, plot): the last key's effect is complete
  kb.moved = (a) => {
    const before = kb.before, s = kb.state(kb.watch.kebab, kb.watch.name);
    if (!before || !s || s.echo === null || s.echo === undefined) return false;
    const got = a.log ? Math.log10(s.echo) : +s.echo;
    if (!(Math.abs(got - a.want) <= a.tol)) return false;
    if (a.visible && s.readout === before.readout && s.now === before.now) return false;
    if (a.plot && s.sig === before.sig) return false;
    return kb.settled(s.sig);
  };
  // the enabled, shown controls of an explorer, with their boxes, in DOM order
  kb.controls = (kebab) => [...kb.root(kebab).querySelectorAll('.mw-control')]
    .filter(c => c.checkVisibility() && c.getBoundingClientRect().width > 0)
    .map(c => {
      const r = c.getBoundingClientRect();
      const name = [...c.classList].find(k => k.startsWith('mw-control-')).slice(11);
      const focusable = c.querySelector('.noUi-handle, button:not(:disabled), '
        + 'select:not(:disabled), input:not(:disabled), [contenteditable="true"]');
      const disabled = !focusable || !!c.querySelector('.noUi-target[disabled]');
      return {name, left: r.left, right: r.right, top: r.top, bottom: r.bottom, disabled};
    });
  // which control (or other stop) of the explorer holds the focus
  kb.focused = (kebab) => {
    const el = document.activeElement;
    const root = kb.root(kebab);
    if (!el || !root || !root.contains(el)) return {where: 'outside'};
    if (el.closest('.mw-reset')) return {where: 'reset'};
    const c = el.closest('.mw-control');
    if (!c) return {where: 'other', tag: el.tagName, cls: el.className};
    return {where: 'control',
            name: [...c.classList].find(k => k.startsWith('mw-control-')).slice(11)};
  };
  // every focus change inside the page, as (control name | 'reset' | 'other' | 'outside')
  kb.trail = [];
  document.addEventListener('focusin', () => {
    if (kb.tabbing) kb.trail.push(kb.focused(kb.tabbing));
  }, true);
  kb.focusButton = (kebab, selector) => {
    const el = kb.root(kebab).querySelector(selector);
    if (!el) return false;
    kb.watch = null;
    el.scrollIntoView({block: 'center'});
    el.focus();
    return document.activeElement === el;
  };
  // (kebab, values, tol, sig, updates): the echo shows these values after a later update,
  // the SVG changed from sig, and it is the same at two polls in a row
  kb.echoed = (a) => {
    const echo = kb.echo(a.kebab);
    if (!echo || echo.updates <= a.updates) return false;
    for (const [name, want] of Object.entries(a.values)) {
      const got = echo.values[name];
      if (typeof want === 'number' ? !(Math.abs(got - want) <= a.tol * Math.max(1, Math.abs(want)))
                                   : got !== want) return false;
    }
    const sig = kb.sig(a.kebab);
    if (a.sig !== null && sig === a.sig) return false;
    return kb.settled(sig);
  };
  kb.focusFirst = (kebab, name) => {
    const c = kb.control(kebab, name);
    const el = c.querySelector('.noUi-handle, button:not(:disabled), select, input');
    el.scrollIntoView({block: 'center'});
    el.focus();
    return document.activeElement === el;
  };
  return true;
}
"""


@dataclass
class FrontEnd:
    """One front end's page showing the keyboard notebook."""

    name: str
    page: Any
    console: list[str] = field(default_factory=list)
    #: every explorer's echo (values and update count) right after the page showed it
    initial: dict[str, Any] = field(default_factory=dict)
    #: console errors logged while the page loaded (each front end's own test checks those)
    loading_errors: int = 0


KERNEL_IDLE_JS = """
() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle'; }
"""

#: every explorer shown and drawn, and its echo written
ALL_SHOWN_JS = """
(n) => { const all = [...document.querySelectorAll('.mw-kb-case')];
  return all.length >= n && all.every(e => e.querySelector('svg'))
    && document.querySelectorAll('.mw-kb-echo code').length >= n; }
"""

ECHOES_JS = """
() => Object.fromEntries([...document.querySelectorAll('.mw-kb-echo')].map(e => [
  [...e.classList].find(c => c.startsWith('mw-kb-echo-')).slice(11),
  JSON.parse(e.textContent)]))
"""


def _start_server(which: str, workdir: Path, servers: list[Any]) -> Any:
    """Start the Notebook 7 or Voila server of the keyboard notebook; it joins ``servers``
    before it starts, so that it is stopped even if it never answers."""
    workdir.mkdir(parents=True, exist_ok=True)
    server: Any
    if which == "notebook7":
        if not (h.VENV_BIN / "jupyter-notebook").exists():
            _unavailable('Notebook 7 is not installed: pip install -e ".[lab]"')
        server = h.LabServer([], workdir=workdir, app="notebook")
        kb.write_notebook(server.root_dir / NOTEBOOK)
    else:
        if not (h.VENV_BIN / "voila").exists():
            _unavailable('voila is not installed: pip install -e ".[voila]"')
        server = h.VoilaServer(kb.write_notebook(workdir / NOTEBOOK))
    servers.append(server)
    return server.start(timeout=SERVER_TIMEOUT_S)


@pytest.fixture(scope="module")
def specs_future() -> Iterator[Future[dict[str, list[kb.ControlSpec]]]]:
    """Every explorer's controls at their defaults, and where each key changes the figures,
    worked out in a thread while the servers start and the pages load."""
    with ThreadPoolExecutor(1) as pool:
        yield pool.submit(
            lambda: {
                name: kb.control_specs(name, ("Home", "End") if name == FLAGSHIP else ())
                for name in NAMES
            }
        )


@pytest.fixture(scope="module")
def specs(
    specs_future: Future[dict[str, list[kb.ControlSpec]]],
) -> dict[str, list[kb.ControlSpec]]:
    return specs_future.result()


@pytest.fixture(scope="module")
def front_ends(
    request: pytest.FixtureRequest,
    browser: Any,
    tmp_path_factory: pytest.TempPathFactory,
    specs_future: Future[Any],
) -> Iterator[dict[str, FrontEnd]]:
    """The notebook of every explorer in JupyterLab, Notebook 7 and Voila: one server and one
    page each, all started together (servers in threads, then the three pages load and run at
    once) so their kernels start and run in parallel."""
    workdir = tmp_path_factory.mktemp("keyboard")
    # one context (a window of its own) per page: a background tab of a shared window would
    # get no animation frames, so its marks would not be drawn while another page is in front
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in FRONT_ENDS]
    pages = {
        which: FrontEnd(which, c.new_page()) for which, c in zip(FRONT_ENDS, contexts, strict=True)
    }
    for fe in pages.values():
        fe.page.set_default_timeout(30_000)
        fe.console = h.collect_console_errors(fe.page)
    own: dict[str, Any] = {}
    servers: list[Any] = []
    lab: h.LabServer | None = None
    try:
        with ThreadPoolExecutor(2) as pool:
            started = {
                which: pool.submit(_start_server, which, workdir / which, servers)
                for which in ("notebook7", "voila")
            }
            try:
                lab = request.getfixturevalue("lab_server")
                kb.write_notebook(lab.root_dir / NOTEBOOK)
            finally:
                for which, future in started.items():
                    own[which] = future.result()  # raises the first server's failure
        # Voila runs the notebook for the request: start it first, do not wait for the load
        pages["voila"].page.goto(f"{own['voila'].base}/", wait_until="commit")
        for which, server in (("lab", lab), ("notebook7", own["notebook7"])):
            page = pages[which].page
            page.goto(server.url(NOTEBOOK))
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
        for which in ("lab", "notebook7"):
            page = pages[which].page
            page.wait_for_function(KERNEL_IDLE_JS, timeout=60_000)
            h.run_all_cells(page)
        for which in ("lab", "notebook7"):
            state = h.wait_all_executed(pages[which].page, timeout=180_000)
            assert state["errors"] == [], f"{which}: {state['errors']}"
        for fe in pages.values():
            fe.page.wait_for_function(ALL_SHOWN_JS, arg=len(NAMES), timeout=120_000)
            assert h.widget_failures(fe.page) == [], fe.name
            assert fe.page.evaluate("() => document.visibilityState") == "visible", fe.name
            fe.page.evaluate(DRIVER_JS)
            # a value the page changes on display reaches the kernel, then its echo: wait
            # until the echoes stay the same for a poll
            fe.page.wait_for_function(
                f"() => {{ const now = JSON.stringify(({ECHOES_JS})());"
                " const same = window.__mwKb.echoes === now; window.__mwKb.echoes = now;"
                " return same; }",
                polling=200,
            )
            fe.initial = dict(fe.page.evaluate(ECHOES_JS))
            fe.loading_errors = len(fe.console)
        yield pages
    finally:
        for fe in pages.values():
            if not fe.page.is_closed() and request.session.testsfailed:
                with contextlib.suppress(Exception):
                    h.full_screenshot(fe.page, f"keyboard-{fe.name}")
        for context in contexts:
            context.close()
        if lab is not None:
            lab.shutdown_kernels()
        for server in servers:
            server.stop()


def _state(fe: FrontEnd, kebab: str, control: str) -> dict[str, Any]:
    return dict(fe.page.evaluate("([k, n]) => window.__mwKb.state(k, n)", [kebab, control]))


def _focus_handle(fe: FrontEnd, kebab: str, control: str) -> None:
    focused = fe.page.evaluate("([k, n]) => window.__mwKb.focusHandle(k, n)", [kebab, control])
    assert focused, f"{fe.name}: the handle of {control} did not take focus"


def _await(fe: FrontEnd, spec: kb.ControlSpec, key: str, want: float, plot: bool) -> None:
    """After ``key`` on the focused handle: wait until the kernel echo shows ``want`` (slider
    units), the slider shows a new value and, if ``plot``, the explorer's SVG changed."""
    arg = {
        "want": want,
        "tol": spec.step * 1e-3 + 1e-9,
        "log": spec.kind == "log-slider",
        "visible": True,
        "plot": plot,
    }
    try:
        fe.page.wait_for_function(
            "(a) => window.__mwKb.moved(a)", arg=arg, polling=POLL_MS, timeout=KEY_TIMEOUT_MS
        )
    except Exception:
        before, after = fe.page.evaluate(
            "() => [window.__mwKb.before, window.__mwKb.state(window.__mwKb.watch.kebab,"
            " window.__mwKb.watch.name)]"
        )
        raise AssertionError(
            f"{fe.name}: {spec.name} after {key}: wanted {want:g} in the kernel"
            f"{' and a changed plot' if plot else ''}\nbefore: {before}\nafter:  {after}"
        ) from None


def _press(fe: FrontEnd, spec: kb.ControlSpec, key: str, want: float, plot: bool) -> None:
    """Press ``key`` on the focused handle and wait for its effect (see :func:`_await`)."""
    fe.page.keyboard.press(key)
    _await(fe, spec, key, want, plot)


Step = tuple[str, float, bool]


def _there_and_back(spec: kb.ControlSpec, first: str) -> list[Step]:
    """``first``, then the opposite key (back where the slider started): (key, want, plot)."""
    target = spec.targets()[first]
    plot = spec.moves_plot[target]
    return [(first, target, plot), (OPPOSITE[first], spec.position, plot)]


def _press_and_back(fe: FrontEnd, spec: kb.ControlSpec, first: str) -> None:
    for step in _there_and_back(spec, first):
        _press(fe, spec, *step)


OPPOSITE = {"ArrowRight": "ArrowLeft", "ArrowLeft": "ArrowRight", "PageUp": "PageDown",
            "PageDown": "PageUp"}  # fmt: skip


def _family_key(spec: kb.ControlSpec, explorer: str, index: int, which: str) -> str:
    """The first key :func:`test_sliders_follow_keys` presses on ``spec`` in front end
    ``which`` (``index``: the slider's place among the explorer's sliders): a page key in one
    front end, turn about, an arrow in the two others; so every slider meets both kinds of key,
    and every front end meets both on every explorer, with two presses per slider and page."""
    arrow, page_key = kb.first_keys(spec)
    turn = (NAMES.index(explorer) + index) % len(FRONT_ENDS)
    return page_key if FRONT_ENDS[turn] == which else arrow


def _sliders(specs: dict[str, list[kb.ControlSpec]], name: str) -> list[kb.ControlSpec]:
    sliders = [s for s in specs[name] if s.is_slider]
    assert sliders, f"{name} has no slider"
    return sliders


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("which", FRONT_ENDS)
def test_display_keeps_the_start_values(
    front_ends: dict[str, FrontEnd], specs: dict[str, list[kb.ControlSpec]], which: str
) -> None:
    """Showing an explorer changes none of its values: the kernel echo right after the page
    drew every explorer equals the values the explorers were built with."""
    changed = []
    for name in NAMES:
        echo = front_ends[which].initial[css_kebab(name)]["values"]
        for spec in specs[name]:
            got = echo[spec.name]
            same = (
                math.isclose(float(got), float(spec.value), rel_tol=1e-9, abs_tol=1e-12)
                if isinstance(spec.value, int | float) and not isinstance(spec.value, bool)
                else got == spec.value
            )
            if not same:
                changed.append(f"{name}.{spec.name}: {spec.value!r} -> {got!r}")
    assert not changed, f"{which}: the page changed start values:\n" + "\n".join(changed)


@pytest.mark.parametrize("name", NAMES)
def test_sliders_follow_keys(
    front_ends: dict[str, FrontEnd], specs: dict[str, list[kb.ControlSpec]], name: str
) -> None:
    """Every enabled slider, in every front end: an arrow and then the other, or (in one front
    end, turn about: :func:`_family_key`) a page key and then the other; the kernel sees each
    value, the slider shows it, the plot follows where the value changes it. An inactive
    slider is disabled in the page, with a tooltip saying why.

    The front ends go in step: a key is pressed in each page, then each page is waited for, so
    the three kernels work at the same time.
    """
    kebab = css_kebab(name)
    failed: dict[str, str] = {}
    for index, spec in enumerate(_sliders(specs, name)):
        live = [fe for fe in front_ends.values() if fe.name not in failed]
        for fe in live:
            state = _state(fe, kebab, spec.name)
            if not state["shown"]:
                failed[fe.name] = f"{spec.name} is not shown: {state}"
            elif spec.disabled:
                if not (state["disabled"] and state["title"].startswith("Inactive:")):
                    failed[fe.name] = f"{spec.name}: inactive at the defaults, shown as {state}"
            elif state["disabled"]:
                failed[fe.name] = f"{spec.name} is disabled in the page: {state}"
            else:
                _focus_handle(fe, kebab, spec.name)
        if spec.disabled:
            continue
        steps = {
            fe.name: _there_and_back(spec, _family_key(spec, name, index, fe.name)) for fe in live
        }
        for i in range(max(len(s) for s in steps.values())):
            now = [fe for fe in live if fe.name not in failed and i < len(steps[fe.name])]
            for fe in now:
                fe.page.keyboard.press(steps[fe.name][i][0])
            for fe in now:
                try:
                    _await(fe, spec, *steps[fe.name][i])
                except AssertionError as exc:
                    failed[fe.name] = str(exc)
        nb7 = front_ends["notebook7"]
        if "notebook7" not in failed:  # the shortcut guard marked the handle on focus
            mark = _state(nb7, kebab, spec.name)["suppress"]
            if mark != "true":
                failed["notebook7"] = f"{spec.name}: data-lm-suppress-shortcuts is {mark!r}"
    assert not failed, "\n".join(f"{which}: {text}" for which, text in failed.items())


def _tab_trail(fe: FrontEnd, kebab: str, first: str, presses: int) -> list[dict[str, Any]]:
    """Focus control ``first``, press Tab until the Reset button (at most ``presses`` times);
    return where the focus went, in order."""
    page = fe.page
    page.evaluate(
        "([k, n]) => { const kb = window.__mwKb; kb.watch = null; kb.tabbing = null;"
        " const ok = kb.focusFirst(k, n); kb.trail = [kb.focused(k)]; kb.tabbing = k;"
        " return ok; }",
        [kebab, first],
    )
    for _ in range(presses):
        page.keyboard.press("Tab")
        last = page.evaluate("() => window.__mwKb.trail[window.__mwKb.trail.length - 1]")
        if last["where"] in {"reset", "outside"}:
            break
    return list(
        page.evaluate("() => { window.__mwKb.tabbing = null; return window.__mwKb.trail; }")
    )


def reading_order(boxes: list[dict[str, Any]]) -> list[str]:
    """Control names in reading order: down each column, columns left to right (a control
    starts a new column when it lies wholly right of the previous column).

    >>> reading_order([
    ...     {"name": "b", "left": 0, "right": 100, "top": 40, "bottom": 60},
    ...     {"name": "c", "left": 120, "right": 220, "top": 0, "bottom": 20},
    ...     {"name": "a", "left": 0, "right": 100, "top": 0, "bottom": 20},
    ... ])
    ['a', 'b', 'c']
    """
    columns: list[list[dict[str, Any]]] = []
    for box in sorted(boxes, key=lambda b: (b["left"], b["top"])):
        if columns and box["left"] < max(b["right"] for b in columns[-1]) - 2:
            columns[-1].append(box)
        else:
            columns.append([box])
    return [b["name"] for column in columns for b in sorted(column, key=lambda b: b["top"])]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("which", FRONT_ENDS)
def test_tab_follows_the_layout(front_ends: dict[str, FrontEnd], which: str, name: str) -> None:
    """Tab from the first control visits every enabled control once, each the next one below
    (or the top of the next column), never an inactive one, and then reaches the Reset
    button."""
    fe = front_ends[which]
    kebab = css_kebab(name)
    boxes = fe.page.evaluate("(k) => window.__mwKb.controls(k)", kebab)
    enabled = [b for b in boxes if not b["disabled"]]
    want = reading_order(enabled)
    trail = _tab_trail(fe, kebab, want[0], presses=8 * len(boxes) + 10)
    seen: list[str] = []
    for stop in trail:
        if stop["where"] == "control" and (not seen or seen[-1] != stop["name"]):
            seen.append(stop["name"])
    assert seen == want, f"{which}: Tab went {seen}, the layout reads {want}"
    assert trail[-1]["where"] == "reset", f"{which}: Tab never reached Reset: {trail}"


def _wait_echo(
    fe: FrontEnd, kebab: str, values: dict[str, Any], before: dict[str, Any], what: str
) -> None:
    """Wait until the kernel echo shows ``values`` after an update later than ``before``'s
    and the SVG changed from ``before['sig']`` (and settled)."""
    arg = {
        "kebab": kebab,
        "values": values,
        "tol": 1e-9,
        "sig": before["sig"],
        "updates": before["updates"],
    }
    try:
        fe.page.evaluate("() => { window.__mwKb.lastSig = null; }")
        fe.page.wait_for_function(
            "(a) => window.__mwKb.echoed(a)", arg=arg, polling=POLL_MS, timeout=KEY_TIMEOUT_MS
        )
    except Exception:
        echo = fe.page.evaluate("(k) => window.__mwKb.echo(k)", kebab)
        raise AssertionError(f"{fe.name}: {what}: wanted {values}, echo {echo}") from None


def _snapshot(fe: FrontEnd, kebab: str) -> dict[str, Any]:
    echo = fe.page.evaluate("(k) => window.__mwKb.echo(k)", kebab)
    return {"sig": fe.page.evaluate("(k) => window.__mwKb.sig(k)", kebab), **echo}


@pytest.mark.parametrize("which", FRONT_ENDS)
def test_flagship_buttons_and_ends(
    front_ends: dict[str, FrontEnd], specs: dict[str, list[kb.ControlSpec]], which: str
) -> None:
    """The flagship by keyboard: Space and Enter on the long / short buttons; on every slider
    the kind of key (arrows, page keys) :func:`test_sliders_follow_keys` did not press there,
    End and Home, then Enter on Reset: every control back at its start value."""
    fe = front_ends[which]
    kebab = css_kebab(FLAGSHIP)
    start = {s.name: s.value for s in specs[FLAGSHIP]}
    side = ".mw-control-side button"
    for key, value in (("Space", "short"), ("Enter", "long")):
        before = _snapshot(fe, kebab)
        assert fe.page.evaluate(
            "([k, s, v]) => window.__mwKb.focusButton(k, `${s}[data-value='${v}'], "
            "${s}:nth-child(${v === 'long' ? 1 : 2})`)",
            [kebab, side, value],
        ), f"{which}: the {value} button did not take focus"
        fe.page.keyboard.press(key)
        _wait_echo(fe, kebab, {"side": value}, before, f"{key} on the {value} button")
    reset = 0
    for index, spec in enumerate(_sliders(specs, FLAGSHIP)):
        _focus_handle(fe, kebab, spec.name)
        # the kind of key test_sliders_follow_keys did not press on this slider here
        arrow, page_key = kb.first_keys(spec)
        done = _family_key(spec, FLAGSHIP, index, which)
        _press_and_back(fe, spec, page_key if done == arrow else arrow)
        targets = spec.targets()
        for key in ("End", "Home"):
            if abs(targets[key] - (spec.position if key == "End" else targets["End"])) > 1e-12:
                plot = spec.moves_plot[targets[key]] or key == "Home"
                _press(fe, spec, key, targets[key], plot)
        before = _snapshot(fe, kebab)
        assert fe.page.evaluate("(k) => window.__mwKb.focusButton(k, 'button.mw-reset')", kebab)
        fe.page.keyboard.press("Enter")
        _wait_echo(fe, kebab, start, before, f"Enter on Reset after {spec.name} End/Home")
        reset += 1
    assert reset == len(_sliders(specs, FLAGSHIP))


@pytest.mark.parametrize("which", FRONT_ENDS)
def test_no_console_errors(front_ends: dict[str, FrontEnd], which: str) -> None:
    """No key of the tests above (they run first) made the page log an error or raise (errors
    while the page loaded are the concern of each front end's own test module)."""
    fe = front_ends[which]
    errors = fe.console[fe.loading_errors :]
    assert errors == [], f"{which}: browser console errors:\n" + "\n".join(errors)
