"""The projector look: one switch per explorer or package-wide; only what is drawn changes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import ipywidgets as w
import numpy as np
import pytest

import margin_widgets
from margin_widgets import registry
from margin_widgets.widgets import MarginModeExplorer
from margin_widgets.widgets import _style as st
from tests.widgets.marks import same_marks

NAMES = registry.names()


@pytest.fixture(autouse=True)
def _default_look() -> Iterator[None]:
    margin_widgets.settings(projector=False)
    yield
    margin_widgets.settings(projector=False)


def _contrast_on_white(color: str) -> float:
    """WCAG 2 contrast ratio of an sRGB hex colour against white."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(color[i : i + 2], 16) / 255) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


def test_contrast_formula_on_known_colours() -> None:
    # WCAG: black on white 21:1, white on white 1:1, #767676 the lightest AA grey (4.54:1)
    assert _contrast_on_white("#000000") == pytest.approx(21.0)
    assert _contrast_on_white("#FFFFFF") == pytest.approx(1.0)
    assert _contrast_on_white("#767676") == pytest.approx(4.54, abs=0.01)


def test_high_contrast_palette_reaches_aa_on_white_and_keeps_hues_apart() -> None:
    assert set(st.HIGH_CONTRAST) == {c for n, c in st.COLORS.items() if n != "black"}
    for normal, strong in st.HIGH_CONTRAST.items():
        assert _contrast_on_white(strong) >= 4.5, (normal, strong)
        assert _contrast_on_white(strong) > _contrast_on_white(normal)
    assert len(set(st.HIGH_CONTRAST.values())) == len(st.HIGH_CONTRAST)
    # the faint "liquidation at 100 %" orange of a projector: 2.2:1 before, AA after
    assert (
        _contrast_on_white(st.LIMIT_COLOR)
        < 3
        <= 4.5
        <= _contrast_on_white(st.high_contrast(st.LIMIT_COLOR))
    )


def test_mark_traits_stay_and_the_browser_gets_the_projector_look() -> None:
    scales = {"x": st.bq.LinearScale(), "y": st.bq.LinearScale()}
    line = st.line(scales, st.LIMIT_COLOR, width=2.0, x=[1.0, 2.0], y=[3.0, 4.0])
    label = st.labels(scales, colors=[st.COLORS["blue"]], size=13.0)
    dots = st.points(scales, st.COLORS["vermillion"], size=80.0)
    for mark in (line, label, dots):
        mark.set_projector(True)
    assert line.colors == [st.LIMIT_COLOR] and line.stroke_width == 2.0  # traits unchanged
    sent = line.get_state()
    assert sent["colors"] == ["#A85F00"] and sent["stroke_width"] == pytest.approx(3.2)  # 2 x 1.6
    assert label.get_state()["default_size"] == pytest.approx(16.25)  # 13 px x 1.25
    assert label.get_state()["colors"] == ["#004E7C"]
    assert dots.get_state()["default_size"] == pytest.approx(88.0)  # area 80 x 1.1
    line.set_projector(False)
    assert line.get_state()["colors"] == [st.LIMIT_COLOR]
    assert line.get_state()["stroke_width"] == 2.0


def test_one_explorer_or_every_explorer_switches() -> None:
    follower, fixed = MarginModeExplorer(), MarginModeExplorer(projector=False)
    assert not follower.projector and "mw-projector" not in follower._dom_classes
    margin_widgets.settings(projector=True)
    assert follower.projector and "mw-projector" in follower._dom_classes
    assert "<style>" in follower._look_style.value
    assert not fixed.projector, "an explorer built with projector=False keeps its look"
    assert MarginModeExplorer().projector
    margin_widgets.settings(projector=False)
    assert not follower.projector and follower._look_style.value == ""
    fixed.set_projector(True)
    assert fixed.projector
    with pytest.raises(ValueError, match="projector must be True or False, got 'yes'"):
        fixed.set_projector("yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="projector must be True, False or None, got 1"):
        MarginModeExplorer(projector=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="setting projector must be a bool"):
        margin_widgets.settings(projector="on")


def _curves(explorer: Any) -> list[np.ndarray]:
    """Every data array of every mark but the text labels."""
    return [
        np.asarray(getattr(m, name)).copy()
        for f in explorer.figures
        for m in f.marks
        if not isinstance(m, st.bq.Label)
        for name in ("x", "y")
    ]


def _label_numbers(explorer: Any) -> list[list[str]]:
    """The numbers (and '--') each label mark writes."""
    return [
        re.findall(r"--|[\d,.]*\d", " ".join(str(t) for t in m.text))
        for f in explorer.figures
        for m in f.marks
        if isinstance(m, st.bq.Label)
    ]


def _figure_rows(explorer: Any) -> list[list[Any]]:
    rows = []
    stack = [explorer]
    while stack:
        box = stack.pop()
        if "mw-figures" in box._dom_classes:
            rows.append([c for c in box.children if isinstance(c, st.bq.Figure)])
        stack += [c for c in box.children if isinstance(c, w.Box)]
    return rows


@pytest.mark.parametrize("name", NAMES)
def test_projector_changes_only_the_look(name: str) -> None:
    cls = registry.load(name)
    plain, shown = cls(), cls(projector=True)
    assert same_marks(_curves(plain), _curves(shown)), "same curves and points in both looks"
    # labels may be worded shorter, or left to the readout, in a narrow figure: never another
    # number
    for default, projected in zip(_label_numbers(plain), _label_numbers(shown), strict=True):
        assert set(projected) <= set(default)
        assert set(default) - set(projected) <= set(
            re.findall(r"--|[\d,.]*\d", shown.readout.value)
        )
    assert plain.values == shown.values and plain.readout.value == shown.readout.value
    # every chart in rows that fit the projector's width, tick text enlarged
    rows = _figure_rows(shown)
    assert sum(len(r) for r in rows) == len(shown.figures) >= 1
    for row in rows:
        widths = [float(f.layout.width.removesuffix("px")) for f in row]
        assert sum(widths) + st.FIGURE_GAP_PX * (len(row) - 1) <= st.PROJECTOR_WIDTH_PX
    for f in shown.figures:
        for ax in f.axes:
            category = isinstance(ax.scale, st.bq.OrdinalScale)
            size = st.PROJECTOR_CATEGORY_TICK_PX if category else st.PROJECTOR_TICK_PX
            assert ax.tick_style == {"font-size": f"{size}px"} and size > 11  # default 11 px
    # and back: the default widths and ticks again
    shown.set_projector(False)
    for a, b in zip(plain.figures, shown.figures, strict=True):
        assert a.layout.width == b.layout.width
        for ax_a, ax_b in zip(a.axes, b.axes, strict=True):
            assert np.array_equal(
                np.asarray(ax_a.tick_values, dtype=float), np.asarray(ax_b.tick_values, dtype=float)
            ) or (ax_a.tick_values is None and ax_b.tick_values is None)


def test_default_layout_puts_controls_and_charts_in_one_wrapping_row() -> None:
    explorer = MarginModeExplorer()
    body = explorer.children[0]
    assert "mw-body" in body._dom_classes and body.layout.flex_flow == "row wrap"
    controls, charts = body.children
    assert "mw-controls" in controls._dom_classes and "mw-figures" in charts._dom_classes
    assert charts.layout.flex_flow == "row wrap"
    assert list(charts.children) == explorer.figures
