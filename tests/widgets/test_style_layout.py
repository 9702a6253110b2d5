"""Layout arithmetic of the explorers' figures: label spreading and compact tick formats."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as hs

from margin_widgets.widgets import _style as st


def test_spread_three_close_values_all_a_gap_apart() -> None:
    # 19,698.49 / 19,700.00 / 19,700.50, gap 10: one group; its first position is the mean of
    # the wishes less their offsets, (19,698.49 + 19,690.00 + 19,680.50) / 3 = 19,689.663333...
    out = st.spread([19_698.49, 19_700.0, 19_700.5], 10.0)
    assert out == [19_689.663333333, 19_699.663333333, 19_709.663333333]


def test_spread_keeps_input_order_of_equal_values() -> None:
    # three equal wishes of 5, gap 1: 4, 5, 6 in the order given
    assert st.spread([5.0, 5.0, 5.0], 1.0) == [4.0, 5.0, 6.0]


def test_spread_leaves_values_far_apart_alone() -> None:
    assert st.spread([3.0, 1.0, 10.0], 1.0) == [3.0, 1.0, 10.0]


def test_spread_stays_within_bounds_when_they_have_room() -> None:
    # wishes 0.0 and 0.1, gap 1, nothing below 0: 0 and 1
    assert st.spread([0.0, 0.1], 1.0, low=0.0) == [0.0, 1.0]
    # wishes 9.9 and 10.0, gap 1, nothing above 10: 9 and 10
    assert st.spread([9.9, 10.0], 1.0, high=10.0) == [9.0, 10.0]


@given(
    hs.lists(hs.floats(-1e6, 1e6), min_size=1, max_size=8),
    hs.floats(0.001, 1e4),
)
def test_spread_no_two_values_closer_than_the_gap(values: list[float], gap: float) -> None:
    out = st.spread(values, gap)
    order = sorted(range(len(values)), key=lambda i: values[i])
    assert [out[i] for i in order] == sorted(out)  # the order of the wishes is kept
    for a, b in itertools.pairwise(order):
        assert out[b] - out[a] >= gap * (1 - 1e-9) - 1e-6


def test_compact_format_switches_to_si_at_six_digits() -> None:
    assert st.compact_format(99_999.0) == ",.0f"
    assert st.compact_format(100_000.0) == "~s"
    assert st.compact_format(3.7e8) == "~s"
