"""Arrow keys on a focused slider move the slider, in Notebook 7 too.

Notebook 7 binds ArrowRight / ArrowLeft (and Up / Down) to its own command-mode shortcuts and
runs them for a keydown on a focused slider handle, so the slider does not move. Lumino, the
toolkit under Jupyter's front ends, skips its shortcuts for a keydown whose target carries the
attribute ``data-lm-suppress-shortcuts``. :func:`shortcut_guard` returns a tiny invisible widget
whose front-end code, once per page, marks a slider handle (or its readout, or a number input)
with that attribute when it takes focus. JupyterLab does not bind these keys; there the mark
changes nothing.

The widget is an ``anywidget.AnyWidget``. Where anywidget cannot be imported (an offline
JupyterLite site without its wheel) or anything else goes wrong, :func:`shortcut_guard` returns
``None`` and the explorers are built without it: arrow keys then behave as before, and nothing
else changes.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["SHORTCUT_GUARD_ESM", "SUPPRESSED_SELECTOR", "shortcut_guard"]

#: the focused elements marked ``data-lm-suppress-shortcuts``: noUiSlider's handles (ipywidgets
#: 8 sliders), their editable readouts, and ipywidgets' range and number inputs
SUPPRESSED_SELECTOR = (
    ".jupyter-widgets .noUi-handle, .jupyter-widgets .widget-readout, "
    '.jupyter-widgets input[type="range"], .jupyter-widgets input[type="number"]'
)

#: the front-end module: adds one capture-phase ``focusin`` listener on ``document`` per page
#: (however many explorers share the page) and renders nothing
SHORTCUT_GUARD_ESM = """
const KEY = "__marginWidgetsShortcutGuard";
const SELECTOR = __SELECTOR__;

function mark(target) {
  if (target instanceof Element && target.matches(SELECTOR)
      && !target.hasAttribute("data-lm-suppress-shortcuts")) {
    target.setAttribute("data-lm-suppress-shortcuts", "true");
  }
}

function install() {
  if (globalThis[KEY] || typeof document === "undefined") {
    return;
  }
  globalThis[KEY] = true;
  document.addEventListener("focusin", (event) => mark(event.target), true);
  mark(document.activeElement);
}

export default {
  initialize() {
    install();
  },
  render({ el }) {
    install();
    el.setAttribute("aria-hidden", "true");
  },
};
""".replace("__SELECTOR__", json.dumps(SUPPRESSED_SELECTOR))

_GUARD_CLASS: Any = None


def _guard_class() -> Any:
    """The ``AnyWidget`` subclass (defined on first use; raises ImportError without anywidget)."""
    global _GUARD_CLASS
    if _GUARD_CLASS is None:
        import anywidget

        class ShortcutGuard(anywidget.AnyWidget):
            """Invisible widget: focused slider handles keep arrow keys from page shortcuts."""

            _esm = SHORTCUT_GUARD_ESM

        _GUARD_CLASS = ShortcutGuard
    return _GUARD_CLASS


def shortcut_guard() -> Any:
    """An invisible, zero-size widget keeping arrow keys on focused sliders; or ``None``.

    ``None`` where anywidget is not importable or the widget cannot be built: the caller then
    leaves it out (it never breaks an explorer).

    Examples
    --------
    >>> guard = shortcut_guard()
    >>> guard is None or (guard.layout.width, guard.layout.height)
    ('0px', '0px')
    """
    try:
        guard = _guard_class()(
            layout={
                "width": "0px",
                "height": "0px",
                "margin": "0px",
                "padding": "0px",
                "overflow": "hidden",
                "border": "0px",
            }
        )
        guard.add_class("mw-shortcut-guard")
        return guard
    except Exception:  # an optional fix: any failure means "no fix widget"
        return None
