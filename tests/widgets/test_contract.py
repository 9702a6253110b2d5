"""The contract every registered explorer keeps, written once and run over the registry.

A new explorer is covered by adding it to :mod:`margin_widgets.registry`: errors reach the status
line and never a traceback; presets, locking and hiding; the JSON state round trip; export
behind the teacher setting; keyboard operability (every control a focusable widget with a
description and a tooltip); every control's bounds; the registry's extreme values; no "nan" or
"-0.00" in any text.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from typing import Any

import ipywidgets as w
import pytest

import margin_widgets
from margin_widgets import registry
from tests.widgets.marks import same_marks, snapshot_marks

NAMES = registry.names()
BAD_TEXT = re.compile(r"\bnan\b|-0\.0*(?!\d*[1-9])\b|\binf\b", re.IGNORECASE)


@pytest.fixture(scope="module", params=NAMES)
def cls(request: pytest.FixtureRequest) -> type:
    return registry.load(request.param)


@pytest.fixture(autouse=True)
def _learner_settings() -> Iterator[None]:
    margin_widgets.settings(teacher=False)
    yield
    margin_widgets.settings(teacher=False)


def _texts(explorer: Any) -> str:
    return " | ".join((explorer.readout.value, explorer.description.value, explorer.status.value))


def _clean(explorer: Any) -> None:
    """No traceback text, no 'nan', no '-0.00' in what the learner reads."""
    text = _texts(explorer)
    assert "Traceback" not in text
    found = BAD_TEXT.search(re.sub(r"<[^>]+>", " ", text))
    assert found is None, f"{type(explorer).__name__} shows {found.group(0)!r} in: {text[:300]}"


def _edges(control: w.Widget) -> list[Any]:
    """Every control's bounds in value units, or its options."""
    if hasattr(control, "options") and not isinstance(control, w.SelectionSlider):
        options = control.options
        return [o[1] if isinstance(o, tuple) else o for o in options]
    low, high = control.min, control.max
    if isinstance(control, w.FloatLogSlider):
        low, high = control.base**low, control.base**high
    return [low, high]


def test_defaults_draw_cleanly(cls: type) -> None:
    explorer = cls()
    assert "mw-status-error" not in explorer.status.value, explorer.status_text
    assert explorer.figures, "an explorer draws at least one figure"
    _clean(explorer)


def test_extreme_values_never_raise_from_observers(cls: type) -> None:
    entry = registry.entry(cls.__name__)
    assert entry.extremes(), "every registry entry gives extreme control values"
    for values in entry.extremes():
        explorer = cls(**values)  # valid values: built without an exception
        for name, value in values.items():
            assert explorer.controls[name].value == pytest.approx(value) or name in (
                explorer.start_values
            )
        _clean(explorer)


def test_every_control_bound_is_reachable_and_shown_cleanly(cls: type) -> None:
    explorer = cls()
    for name in list(explorer.controls):
        control = explorer.controls[name]
        start = control.value
        for edge in _edges(control):
            control.value = edge  # an observer must never raise
            _clean(explorer)
        explorer.reset()
        assert control.value == start


def test_errors_reach_the_status_line_and_never_raise(cls: type) -> None:
    explorer = cls()
    _name, control = next(
        (n, c) for n, c in explorer.controls.items() if hasattr(c, "max") and not c.disabled
    )

    def refuse(changed: Any) -> None:
        raise ValueError("refused for the test")

    def crash(changed: Any) -> None:
        raise RuntimeError("crashed for the test")

    before = snapshot_marks(explorer)
    explorer._update = refuse
    control.value = (
        _edges(control)[0] if control.value != _edges(control)[0] else _edges(control)[1]
    )
    assert "refused for the test" in explorer.status_text
    assert "mw-status-error" in explorer.status.value and 'role="alert"' in explorer.status.value
    assert same_marks(before, snapshot_marks(explorer)), "the last good marks stay"
    explorer._update = crash
    control.value = (
        _edges(control)[1] if control.value != _edges(control)[1] else _edges(control)[0]
    )
    assert "RuntimeError" in explorer.status_text and "crashed for the test" in explorer.status_text
    assert "Traceback" not in explorer.status.value
    del explorer._update
    explorer.refresh()
    assert "mw-status-error" not in explorer.status.value, explorer.status_text


def test_bad_values_are_refused_with_the_control_named(cls: type) -> None:
    explorer = cls()
    name = next(n for n, c in explorer.controls.items() if hasattr(c, "max"))
    with pytest.raises(ValueError, match=name):
        cls(**{name: 1e12})
    with pytest.raises(ValueError, match="no_such_control"):
        cls(no_such_control=1)
    with pytest.raises(ValueError, match=name):
        explorer.apply_preset({name: -1e12})
    _clean(explorer)


def test_presets_locking_and_hiding(cls: type) -> None:
    explorer = cls()
    names = list(explorer.controls)
    first, last = names[0], names[-1]
    viewed = cls(preset={first: explorer.controls[first].value}, locked=[first], hidden=[last])
    assert viewed.is_locked(first) and viewed.controls[first].disabled
    assert viewed.is_hidden(last) and viewed.is_locked(last)
    viewed.unlock(first, last)
    assert not viewed.is_hidden(last)
    with pytest.raises(ValueError, match="unknown control"):
        cls(locked=["no_such_control"])


def test_json_state_round_trip_gives_the_same_marks(cls: type) -> None:
    values = registry.entry(cls.__name__).extremes()[0]
    explorer = cls(**values)
    copy = cls()
    copy.load_json(explorer.to_json())
    assert copy.values == explorer.values
    assert same_marks(snapshot_marks(copy), snapshot_marks(explorer))
    assert copy.description.value == explorer.description.value
    with pytest.raises(ValueError, match="belongs to"):
        copy.load_json('{"explorer": "SomethingElse", "values": {}}')


def test_export_and_state_tools_are_for_teachers(cls: type) -> None:
    learner = cls()
    assert not learner.teacher and learner.io_panel.layout.display == "none"
    teacher = cls(teacher=True)
    assert teacher.teacher
    teacher.export_button.click()
    assert teacher.state_text.value.startswith("{")
    margin_widgets.settings(teacher=True)
    assert learner.teacher, "explorers on screen follow the package-wide setting"
    assert cls().teacher
    assert not cls(teacher=False).teacher


def test_every_control_is_keyboard_operable_with_a_description_and_tooltip(cls: type) -> None:
    explorer = cls()
    for name, control in explorer.controls.items():
        assert isinstance(control, w.DOMWidget), name
        assert getattr(control, "tabbable", None) is not False, name
        assert str(control.description).strip(), f"{name} has no description"
        assert str(control.tooltip or "").strip(), f"{name} has no tooltip"
        assert name in type(explorer).HELP, f"{name} has no entry in {cls.__name__}.HELP"


def test_former_control_names_still_work(cls: type) -> None:
    for old, new in cls.ALIASES.items():
        explorer = cls()
        assert old not in explorer.values and new in explorer.values
        assert explorer.controls[old] is explorer.controls[new]
        value = _edges(explorer.controls[new])[0]
        from_kwargs = cls(**{old: value}, locked=[old])
        assert from_kwargs.controls[new].value == value and from_kwargs.is_locked(new)
        from_state = cls()
        from_state.load_json(f'{{"explorer": "{cls.__name__}", "values": {{"{old}": {value}}}}}')
        assert from_state.values == from_kwargs.values


def test_controls_that_do_nothing_now_are_disabled_with_why(cls: type) -> None:
    for values in ({}, *registry.entry(cls.__name__).extremes()):
        explorer = cls(**values)
        for name, control in explorer.controls.items():
            reason = explorer.inactive.get(name)
            assert control.disabled == (reason is not None), name
            if reason:
                assert control.tooltip.startswith(f"Inactive: {reason}"), name


def test_description_shows_one_sentence_and_folds_the_rest(cls: type) -> None:
    explorer = cls()
    html = explorer.description.value
    shown = re.sub(r'<span class="mw-sr-only".*?</span>|<details.*?</details>', "", html)
    assert re.sub(r"<[^>]+>", "", shown).count(". ") == 0, "one sentence shown"
    assert 'class="mw-sr-only"' in html, "the full text is kept for screen readers"


def test_nothing_is_sent_for_what_did_not_change(
    cls: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    from margin_widgets.widgets import _base

    monkeypatch.setattr(_base, "SLOW_UPDATE_SECONDS", 60.0)  # no "computing…" after a slow draw
    explorer = cls()
    sent: list[str] = []
    original = w.Widget._send

    def counting(self: Any, msg: Any, buffers: Any = None) -> None:
        sent.append(f"{type(self).__name__} {sorted(msg.get('state', {}))}")
        original(self, msg, buffers)

    monkeypatch.setattr(w.Widget, "_send", counting)
    explorer.refresh()
    assert sent == [], "a refresh with nothing changed sends nothing"
    for control in explorer.controls.values():
        control.value = control.value
    assert sent == [], "setting a control to its own value sends nothing"


def test_the_control_that_caused_an_error_is_outlined_with_the_message(cls: type) -> None:
    explorer = cls()
    name, control = next(
        (n, c) for n, c in explorer.controls.items() if hasattr(c, "max") and not c.disabled
    )
    help_text = control.tooltip

    def refuse(changed: Any) -> None:
        raise ValueError("refused for the test")

    explorer._update = refuse
    edges = _edges(control)
    control.value = edges[0] if control.value != edges[0] else edges[1]
    assert explorer.error_control == name
    assert control.layout.border and "refused for the test" in control.tooltip
    del explorer._update
    explorer.reset()
    assert explorer.error_control is None
    assert not control.layout.border and control.tooltip == help_text


def test_every_slider_starts_on_its_step_grid(cls: type) -> None:
    """A slider's start value lies on its grid of steps: the browser moves a value between two
    steps to the nearest one as soon as it shows the slider and sends that back, so the
    explorer would change its own start (5,000 on a log slider of 10^0.01 steps became
    5,011.87)."""
    explorer = cls()
    for name, control in explorer.controls.items():
        if not isinstance(control, w.IntSlider | w.FloatSlider | w.FloatLogSlider):
            continue
        position = control.value
        if isinstance(control, w.FloatLogSlider):
            position = math.log(control.value, control.base)
        steps = (position - control.min) / control.step
        assert abs(steps - round(steps)) < 1e-6, (
            f"{cls.__name__}.{name} starts at {control.value!r}, between two steps of its slider"
        )


def _ticks_told_apart(explorer: Any) -> None:
    """Every round-tick axis steps by at least what its format prints differently."""
    from margin_widgets.widgets._style import format_step

    for key, figure in explorer.figure_keys.items():
        for axis in figure.axes:
            if getattr(axis, "mw_follow", None) is None or axis.tick_values is None:
                continue
            ticks = [float(t) for t in axis.tick_values]
            step = format_step(axis.tick_format)
            gaps = [b - a for a, b in itertools.pairwise(ticks)]
            assert all(g >= step * (1 - 1e-9) for g in gaps), (
                f"{type(explorer).__name__} {key} {axis.label!r}: ticks {ticks} printed with "
                f"{axis.tick_format!r} (which tells apart steps of {step:g})"
            )


def test_tick_labels_are_told_apart_at_the_defaults_and_extremes(cls: type) -> None:
    _ticks_told_apart(cls())
    for values in registry.entry(cls.__name__).extremes():
        _ticks_told_apart(cls(**values))
    explorer = cls()
    for name in list(explorer.controls):
        control = explorer.controls[name]
        for edge in _edges(control):
            control.value = edge
            _ticks_told_apart(explorer)
        explorer.reset()
