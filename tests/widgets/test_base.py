"""The Explorer base: presets, validation, locking, status line, export, debounce, styles."""

from __future__ import annotations

import asyncio
import datetime
import json
from typing import Any

import bqplot as bq
import ipywidgets as w
import numpy as np
import pytest
from traitlets import TraitError

from margin_widgets.widgets import _style as st
from margin_widgets.widgets._base import Explorer, parse_preset, set_mark_data
from margin_widgets.widgets._style import _to_json as _style_to_json
from margin_widgets.widgets._style import _write_unobserved


class Demo(Explorer):
    """A minimal explorer: y = leverage × x, with a size-dependent leverage cap."""

    fail_on: float | None = None

    def _build(self) -> list[w.Widget]:
        self.add_control("size", w.FloatSlider(value=1.0, min=0.1, max=10.0))
        self.add_control("leverage", w.IntSlider(value=20, min=1, max=125))
        self.add_control("side", w.ToggleButtons(options=["long", "short"], value="long"))
        sx, sy = bq.LinearScale(), bq.LinearScale()
        self.line = st.mode_line({"x": sx, "y": sy}, "isolated")
        self.label = st.labels({"x": sx, "y": sy})
        self.updates = 0
        fig = st.figure(
            "demo", [self.line, self.label], [st.axis(sx, "x (USDT)"), st.axis(sy, "y (USDT)")], "t"
        )
        self.add_figure("demo", fig)
        return [*self.controls.values(), fig]

    def _sync_bounds(self) -> None:
        self.controls["leverage"].max = 125 if self.controls["size"].value < 5 else 50

    def _bound_reason(self, name: str) -> str:
        return "the bracket's cap" if name == "leverage" else ""

    def _update(self, changed: frozenset[str] | None) -> None:
        if self.fail_on is not None and self.controls["size"].value == self.fail_on:
            raise RuntimeError("boom")
        if self.controls["size"].value == 9.0:
            raise ValueError("size 9 is refused by the engine")
        self.updates += 1
        lev = self.controls["leverage"].value
        set_mark_data(self.line, x=np.arange(5.0), y=np.arange(5.0) * lev)
        set_mark_data(self.label, x=np.array([1.0]), y=np.array([2.0]), text=np.array([f"{lev}"]))
        if self.controls["side"].value == "short":
            self.note("shorts are shown for comparison", "info")

    def _describe(self) -> str:
        return f"leverage {self.controls['leverage'].value}"


def test_builds_with_classes_and_parts() -> None:
    d = Demo()
    assert "mw-explorer" in d._dom_classes and "mw-demo" in d._dom_classes
    assert "mw-control-leverage" in d.controls["leverage"]._dom_classes
    assert "mw-figure-demo" in d.figures[0]._dom_classes
    assert "mw-status" in d.status._dom_classes
    assert "mw-description" in d.description._dom_classes
    assert "mw-readout" in d.readout._dom_classes
    assert d.description_text == "leverage 20"
    assert "leverage 20" in d.description.value
    assert d.figures[0].animation_duration == 0


def test_values_and_preset_forms() -> None:
    assert Demo(leverage=30).values["leverage"] == 30
    assert Demo(preset={"leverage": 31}).values["leverage"] == 31
    assert Demo(preset='{"leverage": 32}').values["leverage"] == 32
    assert Demo(preset={"leverage": 31}, leverage=33).values["leverage"] == 33
    # dependent bounds: size first raises the cap... or lowers it
    assert Demo(size=6.0, leverage=50).values == {"size": 6.0, "leverage": 50, "side": "long"}


@pytest.mark.parametrize(
    ("preset", "message"),
    [
        ("{bad", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ("", "empty"),
        ('{"nope": 1}', "unknown control(s) 'nope'"),
        ('{"leverage": 200}', "leverage must be between 1 and 125"),
        ('{"leverage": 2.5}', "whole number"),
        ('{"leverage": "x"}', "must be a number"),
        ('{"leverage": true}', "must be a number"),
        ('{"side": "up"}', "side must be one of 'long', 'short'"),
        ('{"size": 6, "leverage": 100}', "leverage must be between 1 and 50 (the bracket's cap)"),
        ('{"explorer": "Other", "values": {}}', "belongs to 'Other'"),
    ],
)
def test_bad_input_raises_and_changes_nothing(preset: str, message: str) -> None:
    d = Demo(leverage=40)
    before, y_before = d.values, d.line.y.copy()
    with pytest.raises(ValueError) as info:
        d.load_json(preset)
    assert message in str(info.value)
    assert d.values == before
    assert np.array_equal(d.line.y, y_before)
    with pytest.raises(ValueError):
        Demo(preset=preset)


def test_import_box_shows_message_instead_of_raising() -> None:
    d = Demo()
    d.state_text.value = '{"leverage": 999}'
    d.import_button.click()
    assert "nothing changed" in d.status_text and "999" in d.status_text
    assert d.values["leverage"] == 20
    upload = {"name": "s.json", "type": "", "size": 2, "content": memoryview(b"{x")}
    upload["last_modified"] = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    d.upload.value = (upload,)
    assert "not valid JSON" in d.status_text


def test_export_import_round_trip_through_the_ui() -> None:
    d = Demo(size=6.0, leverage=45, side="short")
    d.export_button.click()
    text = d.state_text.value
    assert json.loads(text) == {"explorer": "Demo", "values": d.values}
    e = Demo()
    e.state_text.value = text
    e.import_button.click()
    assert e.values == d.values
    assert np.array_equal(e.line.y, d.line.y)
    assert "State loaded" in e.status_text or "shorts" in e.status_text


def test_clamped_value_is_reported_not_silent() -> None:
    d = Demo(leverage=100)
    d.controls["size"].value = 6.0
    assert d.values["leverage"] == 50
    assert "leverage changed from 100 to 50" in d.status_text
    assert "bracket's cap" in d.status_text
    assert d.line.y[1] == 50


def test_handler_errors_go_to_status_line() -> None:
    d = Demo()
    d.fail_on = 7.0
    y = d.line.y.copy()
    d.controls["size"].value = 7.0  # must not raise
    assert d.status_text == "Unexpected error in update: RuntimeError: boom"
    assert np.array_equal(d.line.y, y)
    d.controls["size"].value = 9.0
    assert d.status_text == "size 9 is refused by the engine"
    assert 'role="alert"' in d.status.value
    d.controls["size"].value = 2.0
    assert d.status_text == ""


def test_notes_show_after_update() -> None:
    d = Demo()
    d.controls["side"].value = "short"
    assert d.status_text == "shorts are shown for comparison"
    d.controls["side"].value = "long"
    assert d.status_text == ""


def test_lock_hide_unlock() -> None:
    d = Demo(locked=["side"], hidden=("size",))
    assert d.is_locked("side") and not d.is_hidden("side")
    assert d.is_locked("size") and d.is_hidden("size")
    assert d.controls["size"].layout.display == "none"
    d.unlock("size")
    assert not d.is_locked("size") and not d.is_hidden("size")
    d.lock("leverage", hide=True)
    assert d.controls["leverage"].disabled
    with pytest.raises(ValueError, match="unknown control"):
        d.lock("nope")
    with pytest.raises(ValueError, match="unknown control"):
        Demo(locked=["nope"])


def test_reset_returns_to_start_values() -> None:
    d = Demo(leverage=33)
    d.controls["leverage"].value = 80
    d.controls["side"].value = "short"
    d.reset_button.click()
    assert d.values == {"size": 1.0, "leverage": 33, "side": "long"}
    assert d.line.y[1] == 33
    assert d.start_values == d.values


def test_export_buttons_call_figure_save(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(
        bq.Figure, "save_png", lambda self, name, scale=None: calls.append(("png", name))
    )
    monkeypatch.setattr(bq.Figure, "save_svg", lambda self, name: calls.append(("svg", name)))
    d = Demo()
    d.png_button.click()
    d.svg_button.click()
    assert calls == [("png", "demo-demo.png"), ("svg", "demo-demo.svg")]


def test_set_mark_data_skips_unchanged() -> None:
    line = st.line({"x": bq.LinearScale(), "y": bq.LinearScale()}, st.COLORS["blue"])
    assert set_mark_data(line, x=np.arange(3.0), y=np.array([1.0, np.nan, 2.0]))
    assert not set_mark_data(line, x=np.arange(3.0), y=np.array([1.0, np.nan, 2.0]))
    assert set_mark_data(line, y=np.array([1.0, 2.0, 2.0]))


def _sent_messages(mark: Any) -> list[tuple[Any, ...]]:
    """Capture what ``mark`` sends: (state, {buffer path: bytes}) per message."""
    sent: list[tuple[Any, ...]] = []

    def capture(msg: dict[str, Any], buffers: Any = None) -> None:
        # the order of the traits in a message is not part of it (hold_sync keeps a set)
        binary = {
            tuple(path): bytes(b)
            for path, b in zip(msg["buffer_paths"], buffers or [], strict=True)
        }
        sent.append((msg["state"], binary))

    mark._send = capture
    return sent


@pytest.mark.parametrize("kind", ["line", "label"])
def test_set_mark_data_short_path_sends_what_setattr_sends(kind: str) -> None:
    """The unobserved-mark path stores and sends exactly what hold_sync + setattr would."""
    scales = {"x": bq.LinearScale(), "y": bq.LinearScale()}
    marks = [
        st.line(scales, st.COLORS["blue"]) if kind == "line" else st.labels(scales)
        for _ in range(2)
    ]
    fast, slow = marks
    slow.observe(lambda change: None)  # an observer: set_mark_data takes the usual path
    assert _write_unobserved(fast, {}) and not _write_unobserved(slow, {})
    sent_fast, sent_slow = _sent_messages(fast), _sent_messages(slow)
    steps: list[dict[str, Any]] = [
        {"x": np.arange(3.0), "y": np.array([1.0, np.nan, 2.0])},  # NaN: cleaned on send
        {"y": np.array([1.0, 2.0, 3.0])},  # drawable again: every data trait realigned
        {"y": np.array([1.0, 2.0, 4.0])},
        {"x": np.arange(4.0), "y": np.arange(4.0) * 2},
    ]
    if kind == "label":
        steps = [
            {**step, "text": [f"t{i}" for i in range(len(step.get("x", fast.x)))]} for step in steps
        ]
    for step in steps:
        assert set_mark_data(fast, **step) == set_mark_data(slow, **step)
        for name in step:
            np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name))
            assert type(getattr(fast, name)) is type(getattr(slow, name))
    assert sent_fast == sent_slow and len(sent_fast) == len(steps)
    with fast.hold_sync():  # inside the caller's hold: one message at its end
        set_mark_data(fast, y=np.arange(4.0))
        set_mark_data(fast, x=np.arange(4.0) + 1)
        assert len(sent_fast) == len(steps)
    assert len(sent_fast) == len(steps) + 1 and set(sent_fast[-1][0]) >= {"x", "y"}


def test_a_scale_written_by_set_mark_data_keeps_its_axis_on_round_ticks() -> None:
    """The scale takes the short path; its axis follows once, as a direct assignment does."""
    fast, slow = bq.LinearScale(min=0.0, max=1.0), bq.LinearScale(min=0.0, max=1.0)
    axes = st.axis(fast, "price (USDT)"), st.axis(slow, "price (USDT)")
    assert _write_unobserved(fast, {})  # only the round-tick follower observes min and max
    sent = _sent_messages(fast), _sent_messages(axes[0])
    assert set_mark_data(fast, min=48_991.0, max=64_654.0)
    slow.min, slow.max = 48_991.0, 64_654.0
    assert (fast.min, fast.max) == (48_991.0, 64_654.0)
    # nice_ticks' doctest: round steps of 5,000 between the ends
    assert axes[0].tick_values.tolist() == [50_000.0, 55_000.0, 60_000.0]
    assert axes[1].tick_values.tolist() == axes[0].tick_values.tolist()
    assert [set(state) for state, _ in sent[0]] == [{"min", "max"}]
    assert [set(state) for state, _ in sent[1]] == [{"tick_values"}]
    assert not set_mark_data(fast, min=48_991.0, max=64_654.0)  # nothing new: nothing sent
    assert len(sent[0]) == 1 and len(sent[1]) == 1


@pytest.mark.parametrize(
    "value",
    [
        np.linspace(0.0, 1.0, 7),
        np.array([1.0, np.nan, 2.0]),
        np.arange(12.0).reshape(3, 4),
        np.arange(12.0)[::2],  # not contiguous
        np.arange(5),  # int64: bqplot sends int32
        np.zeros(0),
    ],
)
def test_marks_serialize_arrays_as_bqplot_does(value: np.ndarray) -> None:
    from bqplot.traits import array_to_json

    line = st.line({"x": bq.LinearScale(), "y": bq.LinearScale()}, st.COLORS["blue"])
    ours, theirs = _style_to_json(line, "y", value), array_to_json(value)
    assert ours.keys() == theirs.keys()
    assert {k: v for k, v in ours.items() if k != "value"} == {
        k: v for k, v in theirs.items() if k != "value"
    }
    assert bytes(ours["value"]) == bytes(theirs["value"])


def test_set_mark_data_rejects_what_the_trait_rejects() -> None:
    line = st.line({"x": bq.LinearScale(), "y": bq.LinearScale()}, st.COLORS["blue"])
    with pytest.raises(TraitError):
        set_mark_data(line, y=np.zeros((2, 2, 2)))


def test_values_set_from_python_are_synchronous_even_with_debounce() -> None:
    async def scenario() -> None:
        d = Demo()
        d.enable_debounce(0.01)
        d.controls["leverage"].value = 77  # from Python: at once
        assert d.line.y[1] == 77 and not d.pending
        control = d.controls["leverage"]
        with control._lock_property(value=88):  # what ipywidgets does for a browser change
            control.value = 88
        assert d.pending and d.line.y[1] == 77
        await asyncio.sleep(0.05)
        assert not d.pending and d.line.y[1] == 88
        with control._lock_property(value=66):
            control.value = 66
        d.flush()
        assert d.line.y[1] == 66
        with control._lock_property(value=55):
            control.value = 55
        assert d.values["leverage"] == 55 and d.line.y[1] == 55  # values flushes
        d.disable_debounce()

    asyncio.run(scenario())


def test_debounce_without_a_loop_is_synchronous() -> None:
    d = Demo()
    d.enable_debounce(10.0)
    control = d.controls["leverage"]
    with control._lock_property(value=88):
        control.value = 88
    assert d.line.y[1] == 88
    with pytest.raises(ValueError):
        d.enable_debounce(-1)


def test_parse_preset() -> None:
    assert parse_preset(None) == {}
    assert parse_preset(b'{"a": 1}') == {"a": 1}
    assert parse_preset({"a": 1}) == {"a": 1}


@pytest.mark.parametrize(
    ("value", "text"),
    [(57228.9156, "57,228.92"), (None, "--"), (float("inf"), "--"), (1e6, "1,000,000.00")],
)
def test_format_price(value: Any, text: str) -> None:
    assert st.format_price(value) == text


def test_modes_differ_by_more_than_colour() -> None:
    iso, cross = st.MODE_STYLES["isolated"], st.MODE_STYLES["cross"]
    assert iso.line_style != cross.line_style and iso.marker != cross.marker
    assert {iso.color, cross.color} <= set(st.COLORS.values())
    assert st.css_kebab("MarginModeExplorer") == "margin-mode-explorer"
    assert st.css_kebab("price_ladder") == "price-ladder"
