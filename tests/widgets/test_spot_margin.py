"""SpotMarginLevel: margin level, thresholds and prices are the engine's spot functions."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from margin_widgets.engine import (
    hourly_interest,
    long_liquidation_price,
    margin_level,
    short_liquidation_price,
    spot_threshold,
)
from margin_widgets.widgets.spot_margin import ACCOUNTS, CHART_NAMES, SpotMarginLevel


def test_lesson_long_by_hand() -> None:
    # 1 BTC held, 20,000 USDT owed, BTC at 30,000: level 30,000 / 20,000 = 1.5.
    # Cross 3x: liquidation at 1.1 -> 1.1 x 20,000 / 1 = 22,000; margin call 1.3 -> 26,000.
    explorer = SpotMarginLevel()
    assert explorer.level() == pytest.approx(1.5)
    prices = explorer.prices()
    assert prices["liquidation"] == pytest.approx(22_000.0)
    assert prices["margin call"] == pytest.approx(26_000.0)
    assert list(explorer.liq_line.y) == [1.1, 1.1]
    assert list(explorer.call_line.y) == [1.3, 1.3]
    assert sorted(explorer.price_points.x) == pytest.approx([22_000.0, 26_000.0])
    assert "1.500" in explorer.readout.value and "22,000.00" in explorer.readout.value
    assert explorer.status_text == ""


def test_level_curve_is_engine_margin_level_with_interest() -> None:
    explorer = SpotMarginLevel(hours=100.5, hourly_rate=0.0001, quote=1_000.0)
    interest = hourly_interest(20_000.0, 0.0001, 100.5)  # 101 started hours: 202 USDT
    assert interest == pytest.approx(202.0)
    for price, level in list(zip(explorer.level_line.x, explorer.level_line.y, strict=True))[::30]:
        want = margin_level(1.0 * price + 1_000.0, 20_000.0, interest)
        assert np.array_equal([level], [want if want <= 3 else math.nan], equal_nan=True)
    t = spot_threshold("cross", 3)
    assert explorer.prices()["liquidation"] == long_liquidation_price(
        1.0, 1_000.0, 20_000.0, interest, t.liquidation
    )


def test_short_and_every_kind_of_account() -> None:
    # Lesson 09's short: 40,000 USDT held, 1 BTC owed: liquidation at 40,000 / 1.1 = 36,363.64
    explorer = SpotMarginLevel(side="short", quote=40_000.0)
    assert explorer.prices()["liquidation"] == pytest.approx(36_363.636, abs=1e-3)
    assert explorer.level() == pytest.approx(40_000.0 / 30_000.0)
    drawn = {}
    for mode in ("isolated", "cross"):
        mark = explorer.kind_points["liquidation"][mode]
        drawn.update(dict(zip(mark.x, mark.y, strict=True)))
    assert set(drawn) == set(CHART_NAMES.values())
    for label, mode, lev in ACCOUNTS:
        want = short_liquidation_price(40_000.0, 1.0, 0.0, spot_threshold(mode, lev).liquidation)
        assert drawn[CHART_NAMES[label]] == want


def test_margin_call_note_and_refused_state() -> None:
    explorer = SpotMarginLevel(account="isolated 3", price=24_000.0)
    assert "margin call" in explorer.status_text
    explorer.controls["debt"].value = 0.0
    assert "owes nothing" in explorer.status_text
    for text in (explorer.readout.value, explorer.description.value):
        assert not re.search(r"\bnan\b|\binf\b|-0\.0+\b", text)


def test_readout_says_already_past_a_threshold_instead_of_a_move_to_it() -> None:
    # Cross 3x long, 1 BTC owing 20,000: margin call at 1.3 x 20,000 = 26,000, liquidation at
    # 22,000. At 24,000 (level 1.2) the margin call is behind, liquidation 2,000 below.
    explorer = SpotMarginLevel(price=24_000.0)
    text = explorer.readout_plain()
    assert "already past the margin call level 1.3 (reached at 26,000.00)" in text
    assert "on a fall to" not in text
    assert "liquidation at 1.1 at 22,000.00" in text
    # at 21,000 (level 1.05) both are behind
    explorer.controls["price"].value = 21_000.0
    text = explorer.readout_plain()
    assert "already past liquidation at 1.1 (reached at 22,000.00)" in text
    # a short: 40,000 USDT owing 1 BTC, call at 40,000 / 1.3 = 30,769.23; at 31,000 past it
    short = SpotMarginLevel(side="short", quote=40_000.0, price=31_000.0)
    assert "already past the margin call level 1.3 (reached at 30,769.23)" in short.readout_plain()
    # below the call price nothing is passed: the move is still ahead
    assert "on a fall to 26,000.00" in SpotMarginLevel().readout_plain()


def test_readout_prices_carry_the_exact_value_on_hover() -> None:
    explorer = SpotMarginLevel(side="short", quote=40_000.0)
    # 40,000 / 1.1 = 36,363.6363...: shown at the spot tick (0.01), exact in the title
    assert '<span title="36,363.63636364 USDT">36,363.64</span>' in explorer.readout.value


def test_account_names_on_the_axis_are_short_enough_not_to_touch() -> None:
    # five categories share about 330 px: at most 8 characters each ("iso. 10x")
    assert all(len(name) <= 8 for name in CHART_NAMES.values())
    assert len(set(CHART_NAMES.values())) == len(ACCOUNTS)
    explorer = SpotMarginLevel()
    assert list(explorer.kind_scales["x"].domain) == [CHART_NAMES[a] for a, _, _ in ACCOUNTS]
