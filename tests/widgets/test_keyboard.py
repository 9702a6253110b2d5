"""The invisible arrow-key fix for Notebook 7 (``margin_widgets.widgets._keyboard``)."""

from __future__ import annotations

import sys

import anywidget
import pytest

from margin_widgets.widgets import MarginModeExplorer, _keyboard


def test_every_explorer_carries_one_invisible_guard() -> None:
    view = MarginModeExplorer()
    guards = [c for c in view.children if isinstance(c, anywidget.AnyWidget)]
    assert len(guards) == 1 and view.children[-1] is guards[0]
    guard = guards[0]
    assert "mw-shortcut-guard" in guard._dom_classes
    assert (guard.layout.width, guard.layout.height) == ("0px", "0px")
    esm = guard._esm
    # one capture-phase focusin listener per page, marking the focused slider handle
    assert 'document.addEventListener("focusin"' in esm and "), true);" in esm
    assert "__marginWidgetsShortcutGuard" in esm
    assert 'setAttribute("data-lm-suppress-shortcuts", "true")' in esm
    assert ".jupyter-widgets .noUi-handle" in esm


def test_without_anywidget_explorers_are_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    with_guard = MarginModeExplorer()
    monkeypatch.setitem(sys.modules, "anywidget", None)  # ``import anywidget`` raises
    monkeypatch.setattr(_keyboard, "_GUARD_CLASS", None)
    assert _keyboard.shortcut_guard() is None
    view = MarginModeExplorer()
    assert not any(isinstance(c, anywidget.AnyWidget) for c in view.children)
    assert [type(c) for c in view.children] == [type(c) for c in with_guard.children[:-1]]
    assert view.readout.value == with_guard.readout.value  # same numbers, same readout


def test_any_failure_building_the_guard_means_no_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("no front end")

    monkeypatch.setattr(_keyboard, "_guard_class", broken)
    assert _keyboard.shortcut_guard() is None
    assert len(MarginModeExplorer().children) > 0
