"""What the browser receives is drawable: no curve without a finite point, no NaN position.

bqplot draws ``d="null"`` for a ``Lines`` curve with no finite point and
``translate(x,undefined)`` for a curve that ends on NaN (its end-of-curve label), for a marker
at NaN and for a ``Scatter``/``Label`` entry at NaN: each is a console error in the browser.
The marks of ``_style`` keep the explorers' data (NaN where the engine has no value) in their
traits and send a cleaned copy; these tests read the state as it is sent.
"""

from __future__ import annotations

import math
from typing import Any

import bqplot as bq
import ipywidgets as w
import numpy as np
import pytest
from bqplot.traits import array_from_json

from margin_widgets.widgets import _style as st
from margin_widgets.widgets._base import set_mark_data
from margin_widgets.widgets.margin_mode import MarginModeExplorer
from margin_widgets.widgets.price_path import PricePathPlayer

NAN = math.nan


def _scales() -> dict[str, bq.Scale]:
    return {"x": bq.LinearScale(min=0.0, max=10.0), "y": bq.LinearScale(min=0.0, max=10.0)}


def _decode(mark: bq.Mark, name: str, value: Any) -> Any:
    if isinstance(value, dict) and "value" in value:
        return array_from_json(value, mark)
    return value


def sent(mark: bq.Mark, *names: str) -> dict[str, Any]:
    """The traits ``names`` as ``send_state`` sends them (its ``get_state``), decoded."""
    state = mark.get_state(list(names) if names else None)
    return {name: _decode(mark, name, value) for name, value in state.items()}


def _all_sent_marks(figures: Any) -> list[tuple[bq.Mark, dict[str, Any]]]:
    return [(m, sent(m)) for fig in figures for m in fig.marks]


def assert_drawable(mark: bq.Mark, state: dict[str, Any]) -> None:
    """The rules bqplot needs, checked on the sent state."""
    x, y = np.asarray(state["x"]), np.asarray(state["y"])
    if x.dtype.kind not in "fiu" and y.dtype.kind not in "fiu":
        return  # an ordinal axis
    if isinstance(mark, bq.Lines):
        if y.ndim == 1 and y.size:
            assert np.isfinite(x[-1]) and np.isfinite(y[-1]), "a curve ends on a finite point"
            assert np.isfinite(x[0]) and np.isfinite(y[0]), "a curve starts on a finite point"
            if mark.marker is not None:
                assert np.isfinite(y).all() and np.isfinite(x).all(), "a marker at every point"
    else:
        numeric = [a for a in (x, y) if a.dtype.kind in "fiu"]
        assert all(np.isfinite(a).all() for a in numeric), f"a NaN position in {mark}"
        assert x.size == y.size


# --------------------------------------------------------------------------- lines


def test_an_all_nan_line_is_sent_empty_and_keeps_its_data() -> None:
    line = st.line(_scales(), "red", x=[1.0, 2.0, 3.0], y=[NAN, NAN, NAN])
    state = sent(line, "y")
    # x goes with y, so the browser's x and y stay the same length
    assert state["x"].tolist() == [] and state["y"].tolist() == []
    assert np.isnan(line.y).all() and line.x.tolist() == [1.0, 2.0, 3.0]


def test_a_line_is_trimmed_to_its_finite_span_with_its_gaps() -> None:
    line = st.line(_scales(), "red", x=[1.0, 2.0, 3.0, 4.0, 5.0], y=[NAN, 4.0, NAN, 6.0, NAN])
    state = sent(line, "x", "y")
    assert state["x"].tolist() == [2.0, 3.0, 4.0]
    assert state["y"].tolist() == pytest.approx([4.0, NAN, 6.0], nan_ok=True)


def test_a_finite_line_is_sent_as_it_is() -> None:
    line = st.line(_scales(), "red", x=[1.0, 2.0], y=[3.0, 4.0])
    state = sent(line, "x", "y")
    assert state["x"].tolist() == [1.0, 2.0] and state["y"].tolist() == [3.0, 4.0]


def test_a_nan_x_inside_a_line_becomes_a_gap() -> None:
    line = st.line(_scales(), "red", x=[1.0, NAN, 3.0], y=[1.0, 2.0, 3.0])
    state = sent(line, "y")
    assert state["y"].tolist() == pytest.approx([1.0, NAN, 3.0], nan_ok=True)


def test_a_line_with_markers_sends_only_its_finite_points() -> None:
    line = st.line(_scales(), "red", marker="circle", x=[1.0, 2.0, 3.0], y=[1.0, NAN, 3.0])
    state = sent(line, "x", "y")
    assert state["x"].tolist() == [1.0, 3.0] and state["y"].tolist() == [1.0, 3.0]


def test_curves_without_a_finite_point_are_dropped_with_their_colours() -> None:
    line = st.line(_scales(), "red")
    line.colors = ["red", "blue"]
    line.x = np.array([1.0, 2.0, 3.0])
    line.y = np.array([[NAN, NAN, NAN], [1.0, 2.0, NAN]])
    state = sent(line, "y")
    assert state["y"].tolist() == [[1.0, 2.0]] and state["x"].tolist() == [1.0, 2.0]
    assert state["colors"] == ["blue"]


# --------------------------------------------------------------------------- labels, points


def test_a_label_at_nan_is_dropped_with_its_text_and_colour() -> None:
    label = st.labels(_scales(), colors=["red", "blue", "green"])
    set_mark_data(
        label,
        x=np.array([1.0, 2.0, 3.0]),
        y=np.array([5.0, NAN, 7.0]),
        text=np.array(["isolated", "cross", "entry"]),
    )
    state = sent(label, "x", "y", "text")
    assert state["x"].tolist() == [1.0, 3.0] and state["y"].tolist() == [5.0, 7.0]
    assert list(state["text"]) == ["isolated", "entry"]
    assert state["colors"] == ["red", "green"]
    assert label.text.tolist() == ["isolated", "cross", "entry"]  # the traits keep all three


def test_a_label_takes_its_cycled_colour_when_an_earlier_one_is_dropped() -> None:
    # two colours cycle over four labels: red, blue, red, blue; the second is dropped
    label = st.labels(_scales(), colors=["red", "blue"])
    set_mark_data(
        label,
        x=np.array([1.0, 2.0, 3.0, 4.0]),
        y=np.array([1.0, NAN, 3.0, 4.0]),
        text=np.array(["a", "b", "c", "d"]),
    )
    assert sent(label, "x")["colors"] == ["red", "red", "blue"]


def test_a_point_at_nan_is_dropped_with_its_size() -> None:
    pts = st.points(_scales(), "blue", x=[1.0, 2.0, NAN], y=[NAN, 2.0, 3.0])
    pts.size = np.array([10.0, 20.0, 30.0])
    state = sent(pts, "x", "size")
    assert state["x"].tolist() == [2.0] and state["y"].tolist() == [2.0]
    assert state["size"].tolist() == [20.0]


def test_set_mark_data_sends_the_cleaned_data_in_one_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    line = st.line(_scales(), "red", x=[1.0, 2.0, 3.0], y=[1.0, 2.0, 3.0])
    messages: list[dict[str, Any]] = []
    original = w.Widget._send

    def capture(self: Any, msg: Any, buffers: Any = None) -> None:
        if self is line:
            messages.append(msg)
        original(self, msg, buffers)

    monkeypatch.setattr(w.Widget, "_send", capture)
    assert set_mark_data(line, y=np.array([NAN, NAN, NAN]))
    assert len(messages) == 1
    state = messages[0]["state"]
    assert {"x", "y"} <= set(state)
    # the arrays travel as binary buffers; both are empty
    assert state["x"]["shape"] == [0] or tuple(state["x"]["shape"]) == (0,)
    assert tuple(state["y"]["shape"]) == (0,)


# --------------------------------------------------------------------------- explorers


def test_a_liquidated_cross_account_draws_no_cross_path() -> None:
    # lesson 04: ETH falls 35 %, the shared cross wallet is liquidated; the engine has no cross
    # liquidation price at any leverage nor a cross margin ratio at any BTC price
    explorer = MarginModeExplorer(leverage=20, collateral=5_000, other_quantity=5, other_move=-0.35)
    assert explorer.liquidation_prices()["cross"] is None
    for line in (explorer.lev_lines["cross"], explorer.ratio_lines["cross"]):
        assert np.isnan(line.y).all()  # the explorer's data: no value anywhere
        state = sent(line, "x", "y")
        assert state["x"].size == 0 and state["y"].size == 0  # nothing drawn, no d="null"
    for mark, state in _all_sent_marks(explorer.figures):
        if isinstance(mark, bq.Label):
            # the ladder names the missing price at a finite place; nothing sits at NaN
            assert len(state["text"]) == np.asarray(state["y"]).size
        assert_drawable(mark, state)


def test_a_price_path_with_a_liquidated_account_ends_its_lines_on_finite_points() -> None:
    # lesson 04's dip: the isolated BTC position is liquidated at step 12, after which its
    # liquidation price no longer exists
    player = PricePathPlayer(scenario="dip in A", dip=0.08, leverage=20, collateral=1_500)
    for step in (0, 12, 13, int(player.controls["step"].max)):
        player.controls["step"].value = step
        for mark, state in _all_sent_marks(player.figures):
            assert_drawable(mark, state)
    iso = player.liquidation_lines["isolated"][0]
    assert math.isnan(iso.y[-1])  # the explorer's data: the line stops after the liquidation
    assert np.isfinite(sent(iso, "y")["y"][-1])


@pytest.mark.parametrize("move", [-0.35, -0.9, 0.0, 0.5])
def test_every_mark_of_the_mode_explorer_is_drawable(move: float) -> None:
    explorer = MarginModeExplorer(leverage=125, collateral=5_000, other_quantity=5)
    explorer.controls["other_move"].value = move
    for mark, state in _all_sent_marks(explorer.figures):
        assert_drawable(mark, state)


def test_drawable_leaves_other_marks_alone() -> None:
    bars = bq.Bars(x=np.array([1.0]), y=np.array([NAN]), scales=_scales())
    assert st.drawable(bars) == {}
