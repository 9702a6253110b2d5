"""Arrow keys on a focused slider move the slider, in Notebook 7 too.

Notebook 7 binds ArrowRight / ArrowLeft (and Up / Down) to its own command-mode shortcuts and
runs them for a keydown on a focused slider handle, so the slider does not move. Lumino, the
toolkit under Jupyter's front ends, skips its shortcuts for a keydown whose target carries the
attribute ``data-lm-suppress-shortcuts``. :func:`shortcut_guard` returns a tiny invisible widget
whose front-end code, once per page, marks a slider handle (or its readout, or a number input)
with that attribute when it takes focus. JupyterLab does not bind these keys; there the mark
changes nothing.

The same module names the icon-only buttons of the widgets on the page. ipywidgets' ``Play``
draws Play/Pause, Stop and Repeat as buttons holding only a Font Awesome icon, with no text, no
``title`` and no ``aria-label``: a mouse shows no tooltip and a screen reader reads "button". A
``MutationObserver`` (one per page, like the focus listener) gives every such button inside
``.jupyter-widgets`` a ``title`` and an ``aria-label`` from its icon (:data:`ICON_LABELS`), and
follows the Play/Pause button as its icon changes. A title or label the widget itself set is
kept; buttons with text and icons not listed are left alone.

A disabled slider (a control that does nothing in the current state) keeps its handle in the
Tab order in ipywidgets: ipywidgets marks noUiSlider's element ``disabled`` but leaves the
handle's ``tabindex``. The same observer gives a disabled slider's handles ``tabindex="-1"``
and their own back when the slider is enabled again, so Tab goes from one live control to the
next.

The widget is an ``anywidget.AnyWidget``. Where anywidget cannot be imported (an offline
JupyterLite site without its wheel) or anything else goes wrong, :func:`shortcut_guard` returns
``None`` and the explorers are built without it: arrow keys then behave as before, and nothing
else changes.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["ICON_LABELS", "SHORTCUT_GUARD_ESM", "SUPPRESSED_SELECTOR", "shortcut_guard"]

#: the focused elements marked ``data-lm-suppress-shortcuts``: noUiSlider's handles (ipywidgets
#: 8 sliders), their editable readouts, and ipywidgets' range and number inputs
SUPPRESSED_SELECTOR = (
    ".jupyter-widgets .noUi-handle, .jupyter-widgets .widget-readout, "
    '.jupyter-widgets input[type="range"], .jupyter-widgets input[type="number"]'
)

#: the name of an icon-only button, by its Font Awesome icon class: ipywidgets' ``Play`` draws
#: fa-play / fa-pause (one button, the icon follows the state), fa-stop and fa-retweet (repeat;
#: Font Awesome 4 calls it fa-repeat too)
ICON_LABELS: dict[str, str] = {
    "fa-play": "Play",
    "fa-pause": "Pause",
    "fa-stop": "Stop",
    "fa-retweet": "Repeat: start again at the end",
    "fa-repeat": "Repeat: start again at the end",
}

#: the front-end module, installed once per page however many explorers share it: one
#: capture-phase ``focusin`` listener on ``document`` marking slider handles, and one
#: ``MutationObserver`` naming icon-only buttons (added nodes, and icon class changes; SVG
#: subtrees such as bqplot's figures are skipped at once) and taking disabled sliders' handles
#: out of the Tab order. It renders nothing.
SHORTCUT_GUARD_ESM = """
const KEY = "__marginWidgetsShortcutGuard";
const SELECTOR = __SELECTOR__;
const ICON_LABELS = __ICON_LABELS__;
const NAMED = "data-mw-icon-label";
const KEPT_TABINDEX = "data-mw-enabled-tabindex";

function mark(target) {
  if (target instanceof Element && target.matches(SELECTOR)
      && !target.hasAttribute("data-lm-suppress-shortcuts")) {
    target.setAttribute("data-lm-suppress-shortcuts", "true");
  }
}

function iconLabel(button) {
  const icon = button.querySelector('[class*="fa-"]');
  if (!icon) {
    return null;
  }
  for (const name of icon.classList) {
    if (Object.hasOwn(ICON_LABELS, name)) {
      return ICON_LABELS[name];
    }
  }
  return null;
}

function name(button) {
  if (!(button instanceof HTMLButtonElement) || button.textContent.trim() !== ""
      || !button.closest(".jupyter-widgets")) {
    return;
  }
  const text = iconLabel(button);
  if (text === null) {
    return;
  }
  // a title or label set by the widget itself is kept; one set here follows the icon
  const ours = button.getAttribute(NAMED);
  if (!button.title || button.title === ours) {
    button.title = text;
  }
  const label = button.getAttribute("aria-label");
  if (!label || label === ours) {
    button.setAttribute("aria-label", text);
  }
  button.setAttribute(NAMED, text);
}

function nameWithin(node) {
  if (!(node instanceof HTMLElement)) {
    return;
  }
  if (node instanceof HTMLButtonElement) {
    name(node);
  } else if (node.parentElement instanceof HTMLButtonElement) {
    name(node.parentElement);
  } else if (node.firstElementChild !== null) {
    node.querySelectorAll("button").forEach(name);
  }
}

// a disabled slider (ipywidgets sets ``disabled`` on noUiSlider's target) leaves the Tab
// order: its handles get tabindex -1, and their own tabindex back when it is enabled again
function tabOrder(target) {
  const off = target.hasAttribute("disabled");
  target.querySelectorAll(".noUi-handle").forEach((handle) => {
    if (off && !handle.hasAttribute(KEPT_TABINDEX)) {
      handle.setAttribute(KEPT_TABINDEX, handle.getAttribute("tabindex") ?? "");
      handle.setAttribute("tabindex", "-1");
    } else if (!off && handle.hasAttribute(KEPT_TABINDEX)) {
      const kept = handle.getAttribute(KEPT_TABINDEX);
      if (kept === "") {
        handle.removeAttribute("tabindex");
      } else {
        handle.setAttribute("tabindex", kept);
      }
      handle.removeAttribute(KEPT_TABINDEX);
    }
  });
}

function slidersWithin(node) {
  if (!(node instanceof Element)) {
    return;
  }
  if (node.matches(".noUi-target")) {
    tabOrder(node);
  } else if (node.firstElementChild !== null) {
    node.querySelectorAll(".noUi-target").forEach(tabOrder);
  }
}

function install() {
  if (globalThis[KEY] || typeof document === "undefined") {
    return;
  }
  globalThis[KEY] = true;
  document.addEventListener("focusin", (event) => {
    mark(event.target);
    nameWithin(event.target);
  }, true);
  mark(document.activeElement);
  nameWithin(document.body);
  slidersWithin(document.body);
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "attributes" && record.attributeName === "disabled") {
        slidersWithin(record.target);  // a slider was disabled or enabled
      } else if (record.type === "attributes") {
        nameWithin(record.target);  // an icon changed (Play <-> Pause)
      } else {
        record.addedNodes.forEach((node) => {
          nameWithin(node);
          slidersWithin(node);
        });
      }
    }
  }).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["class", "disabled"],
  });
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
""".replace("__SELECTOR__", json.dumps(SUPPRESSED_SELECTOR)).replace(
    "__ICON_LABELS__", json.dumps(ICON_LABELS)
)

_GUARD_CLASS: Any = None


def _guard_class() -> Any:
    """The ``AnyWidget`` subclass (defined on first use; raises ImportError without anywidget)."""
    global _GUARD_CLASS
    if _GUARD_CLASS is None:
        import anywidget

        class ShortcutGuard(anywidget.AnyWidget):
            """Invisible widget: arrow keys for focused sliders, names for icon buttons."""

            _esm = SHORTCUT_GUARD_ESM

        _GUARD_CLASS = ShortcutGuard
    return _GUARD_CLASS


def shortcut_guard() -> Any:
    """An invisible, zero-size widget for sliders' arrow keys and icon buttons' names; or None.

    It keeps arrow keys on focused slider handles and gives icon-only buttons a ``title`` and
    an ``aria-label`` (see the module docstring).

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
