"""Spot margin accounts (exchange rules): margin level, thresholds, liquidation prices, interest."""

from __future__ import annotations

import math
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    CROSS_THRESHOLDS,
    ISOLATED_THRESHOLDS,
    hourly_interest,
    long_liquidation_price,
    margin_level,
    margin_level_status,
    short_liquidation_price,
    spot_threshold,
)

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=500, deadline=None)


# (mode, max leverage, liquidation level, margin-call level), from the exchange's spot margin rules
THRESHOLDS = [
    ("cross", 3, 1.1, 1.3),
    ("cross", 5, 1.1, 1.16),
    ("isolated", 10, 1.05, 1.1),
    ("isolated", 5, 1.15, 1.19),
    ("isolated", 3, 1.18, 1.22),
]


@pytest.mark.parametrize(("mode", "leverage", "liquidation", "call"), THRESHOLDS)
def test_thresholds_match_concepts(
    mode: str, leverage: int, liquidation: float, call: float
) -> None:
    t = spot_threshold(mode, leverage)
    assert (t.mode, t.max_leverage, t.liquidation, t.margin_call) == (
        mode,
        leverage,
        liquidation,
        call,
    )
    # the status flips exactly at the published levels
    assert margin_level_status(liquidation, t) == "liquidation"
    assert margin_level_status(math.nextafter(liquidation, 2), t) == "margin call"
    assert margin_level_status(call, t) == "margin call"
    assert margin_level_status(math.nextafter(call, 2), t) == "ok"


def test_threshold_tables_hold_exactly_the_published_kinds() -> None:
    assert sorted(CROSS_THRESHOLDS) == [3, 5]
    assert sorted(ISOLATED_THRESHOLDS) == [3, 5, 10]
    with pytest.raises(ValueError, match=r"max_leverage must be one of \[3, 5\] for cross spot"):
        spot_threshold("cross", 10)
    with pytest.raises(ValueError, match="mode must be 'cross' or 'isolated'"):
        spot_threshold("portfolio", 3)


@pytest.mark.parametrize(
    ("assets", "debt", "interest", "expected"),
    [
        (1_100, 1_000, 0, 1.1),  # 1,100 / 1,000
        (1_100, 1_000, 100, 1.0),  # 1,100 / (1,000 + 100)
        (0, 1_000, 0, 0.0),
        (500, 0, 0, math.inf),  # nothing owed
    ],
)
def test_margin_level_hand_worked(
    assets: float, debt: float, interest: float, expected: float
) -> None:
    assert margin_level(assets, debt, interest) == pytest.approx(expected)


def test_margin_level_refuses_negative_amounts() -> None:
    with pytest.raises(ValueError, match="total_debt must be >= 0"):
        margin_level(100, -1)
    with pytest.raises(ValueError, match="unpaid_interest must be >= 0"):
        margin_level(100, 1, -1)


# --------------------------------------------------------------------------- liquidation prices
@pytest.mark.parametrize(
    ("q", "c", "debt", "interest", "threshold", "expected"),
    [
        # P = (T·(D + I) − c) / q = 1.1·15,000 / 1 = 16,500
        (1, 0, 15_000, 0, "1.1", F(16_500)),
        # (1.05·(30,000 + 30) − 1,000) / 2 = (31,531.5 − 1,000) / 2 = 15,265.75
        (2, 1_000, 30_000, 30, "1.05", F("15265.75")),
        # the quote held covers the debt: (1.18·1,000 − 2,000) / 1 < 0 -> None
        (1, 2_000, 1_000, 0, "1.18", None),
    ],
)
def test_long_liquidation_price_hand_worked(
    q: float, c: float, debt: float, interest: float, threshold: str, expected: F | None
) -> None:
    price = long_liquidation_price(q, c, debt, interest, float(F(threshold)))
    if expected is None:
        assert price is None
        return
    assert price == pytest.approx(float(expected), rel=1e-12)
    # plugged back: (q·P + c) / (D + I) = T exactly in rationals
    assert (F(q) * expected + F(c)) / (F(debt) + F(interest)) == F(threshold)


@pytest.mark.parametrize(
    ("quote", "base_debt", "base_interest", "threshold", "expected"),
    [
        # P = A / (T·(b + i)) = 33,000 / (1.1·1) = 30,000
        (33_000, 1, 0, "1.1", F(30_000)),
        # 63,000 / (1.18·2.002) = 63,000 / 2.36236
        (63_000, 2, "0.002", "1.18", F(63_000) / (F("1.18") * F("2.002"))),
    ],
)
def test_short_liquidation_price_hand_worked(
    quote: float, base_debt: float, base_interest: str | int, threshold: str, expected: F
) -> None:
    price = short_liquidation_price(quote, base_debt, float(F(base_interest)), float(F(threshold)))
    assert price == pytest.approx(float(expected), rel=1e-12)
    # plugged back: A / (P·(b + i)) = T
    assert F(quote) / (expected * (F(base_debt) + F(base_interest))) == F(threshold)


def test_short_liquidation_price_needs_a_debt() -> None:
    with pytest.raises(ValueError, match="base_debt must be > 0 when base_interest is 0"):
        short_liquidation_price(1_000, 0, 0, 1.1)


def amounts(top: float) -> st.SearchStrategy[float]:
    """0, or a realistic amount from a millionth up (no subnormal debts)."""
    return st.one_of(st.just(0.0), st.floats(1e-6, top))


thresholds = st.sampled_from([t[2] for t in THRESHOLDS] + [t[3] for t in THRESHOLDS])


@PROPERTY
@given(
    q=st.floats(1e-6, 1e6),
    c=amounts(1e9),
    debt=amounts(1e9),
    interest=amounts(1e6),
    threshold=thresholds,
)
def test_long_liquidation_price_plugs_back(
    q: float, c: float, debt: float, interest: float, threshold: float
) -> None:
    price = long_liquidation_price(q, c, debt, interest, threshold)
    if price is None:  # even a price of 0 leaves the level at or above T
        assert c >= threshold * (debt + interest) * (1 - 1e-12)
        return
    level = margin_level(q * price + c, debt, interest)
    assert level == pytest.approx(threshold, rel=1e-9)


@PROPERTY
@given(
    quote=st.floats(1e-3, 1e9),
    base_debt=st.floats(1e-6, 1e6),
    base_interest=amounts(1e3),
    threshold=thresholds,
)
def test_short_liquidation_price_plugs_back(
    quote: float, base_debt: float, base_interest: float, threshold: float
) -> None:
    price = short_liquidation_price(quote, base_debt, base_interest, threshold)
    assert price is not None
    # debt and interest are in base: valued at the price in quote
    level = margin_level(quote, price * (base_debt + base_interest))
    assert level == pytest.approx(threshold, rel=1e-9)


# --------------------------------------------------------------------------- interest
@pytest.mark.parametrize(
    ("hours", "charged_hours"),
    [(0, 0), (0.01, 1), (1, 1), (1.0001, 2), (2.1, 3), (24, 24)],
)
def test_hourly_interest_counts_started_hours(hours: float, charged_hours: int) -> None:
    # 1,000 borrowed at 0.01 % an hour: 0.1 per started hour
    assert hourly_interest(1_000, 0.0001, hours) == pytest.approx(0.1 * charged_hours)


@PROPERTY
@given(
    principal=st.floats(0.0, 1e9),
    rate=st.floats(0.0, 0.01),
    hours=st.floats(0.0, 10_000.0),
)
def test_hourly_interest_is_simple_and_rounds_hours_up(
    principal: float, rate: float, hours: float
) -> None:
    charged = hourly_interest(principal, rate, hours)
    assert charged == hourly_interest(principal, rate, math.ceil(hours))
    assert charged >= principal * rate * hours * (1 - 1e-12)
    assert charged == pytest.approx(principal * rate * math.ceil(hours), rel=1e-12)
