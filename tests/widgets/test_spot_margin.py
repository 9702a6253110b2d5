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
from margin_widgets.widgets.spot_margin import ACCOUNTS, SpotMarginLevel


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
    assert set(drawn) == {label for label, _, _ in ACCOUNTS}
    for label, mode, lev in ACCOUNTS:
        want = short_liquidation_price(40_000.0, 1.0, 0.0, spot_threshold(mode, lev).liquidation)
        assert drawn[label] == want


def test_margin_call_note_and_refused_state() -> None:
    explorer = SpotMarginLevel(account="isolated 3", price=24_000.0)
    assert "margin call" in explorer.status_text
    explorer.controls["debt"].value = 0.0
    assert "owes nothing" in explorer.status_text
    for text in (explorer.readout.value, explorer.description.value):
        assert not re.search(r"\bnan\b|\binf\b|-0\.0+\b", text)
