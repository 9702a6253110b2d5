"""The invisible arrow-key fix for Notebook 7 and the names of icon-only buttons
(``margin_widgets.widgets._keyboard``); the browser side is in ``tests/browser``."""

from __future__ import annotations

import json
import re
import sys

import anywidget
import ipywidgets as w
import pytest

from margin_widgets.widgets import (
    LiquidationProcess,
    MarginModeExplorer,
    PricePathPlayer,
    _keyboard,
)


def test_every_explorer_carries_one_invisible_guard() -> None:
    view = MarginModeExplorer()
    guards = [c for c in view.children if isinstance(c, anywidget.AnyWidget)]
    assert len(guards) == 1
    guard = guards[0]
    assert "mw-shortcut-guard" in guard._dom_classes
    assert (guard.layout.width, guard.layout.height) == ("0px", "0px")
    esm = guard._esm
    # one capture-phase focusin listener per page, marking the focused slider handle
    assert re.search(r'addEventListener\("focusin", \(event\) => \{[^}]*\}, true\);', esm)
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
    others = [c for c in with_guard.children if not isinstance(c, anywidget.AnyWidget)]
    assert [type(c) for c in view.children] == [type(c) for c in others]
    assert view.readout.value == with_guard.readout.value  # same numbers, same readout


def test_any_failure_building_the_guard_means_no_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("no front end")

    monkeypatch.setattr(_keyboard, "_guard_class", broken)
    assert _keyboard.shortcut_guard() is None
    assert len(MarginModeExplorer().children) > 0


def test_icon_buttons_are_named_once_per_page() -> None:
    (guard,) = [c for c in MarginModeExplorer().children if isinstance(c, anywidget.AnyWidget)]
    esm = guard._esm
    # the names, as the module reads them: Play's four icons (ipywidgets 8 draws fa-play,
    # fa-pause, fa-stop and fa-retweet), and Font Awesome 4's other name for repeat
    table = re.search(r"const ICON_LABELS = (\{.*?\});", esm)
    assert table is not None
    assert json.loads(table.group(1)) == {
        "fa-play": "Play",
        "fa-pause": "Pause",
        "fa-stop": "Stop",
        "fa-retweet": "Repeat: start again at the end",
        "fa-repeat": "Repeat: start again at the end",
    }
    # one observer, started by the same once-per-page install as the focus listener; it follows
    # icon class changes (Play <-> Pause) and sets both the tooltip and the accessible name
    assert esm.count("new MutationObserver(") == 1
    # (and ``disabled``: a disabled slider's handles leave the Tab order)
    assert 'attributeFilter: ["class", "disabled"]' in esm
    assert 'handle.setAttribute("tabindex", "-1")' in esm
    assert "button.title = text" in esm and 'setAttribute("aria-label", text)' in esm
    # only buttons without text inside ipywidgets' views
    assert 'button.textContent.trim() !== ""' in esm and '.closest(".jupyter-widgets")' in esm


@pytest.mark.parametrize("cls", [PricePathPlayer, LiquidationProcess])
def test_play_buttons_carry_a_tooltip(cls: type) -> None:
    view = cls()
    play = view.play
    assert isinstance(play, w.Play)
    assert play.tooltip and play.tooltip.startswith("Play ")
    # ipywidgets' front end shows a widget's tooltip only while its description is empty
    assert play.description == ""
