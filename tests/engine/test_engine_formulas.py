"""The liquidation-price formula and its companions: known truths, identities, properties.

Expected values are worked by hand with exact fractions (shown in the comments), never by calling
the function under test. The formula (Binance, USDⓈ-M, one-way mode)::

    LP = (WB − TMM + UPNL + cum − s·Q·EP) / (Q·MMR − s·Q)

``Fraction("0.005")`` is the exact decimal 0.005, so the comparisons below check the engine's
floating-point answer against the exact rational value.
"""

from __future__ import annotations

import math
from fractions import Fraction as F
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    BracketTable,
    bankruptcy_price,
    effective_leverage,
    funding_payment,
    initial_margin,
    liquidation_price,
    liquidation_price_curve,
    liquidation_price_in_brackets,
    load_brackets,
    maintenance_margin,
    margin_ratio,
    notional,
    return_on_equity,
    unrealized_pnl,
)

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=500, deadline=None)

SIGN = {"long": 1, "short": -1}


def approx_fraction(expected: F, rel: float = 1e-12) -> Any:
    return pytest.approx(float(expected), rel=rel)


# --------------------------------------------------------------------------- worked examples
def test_binance_worked_example_one_btc_long_at_20000() -> None:
    # Worked example: 1 BTC long at 20,000 with 50x (WB = 20,000 / 50 = 400), MMR 0.5 %, cum 0.
    # LP = (400 − 20,000) / (1·0.005 − 1) = −19,600 / −0.995 = 3,920,000 / 199 = 19,698.4924...
    price = liquidation_price("long", 1, 20_000, 400, 0.005, 0)
    assert price is not None
    assert price == approx_fraction(F(3_920_000, 199))
    assert round(price, 2) == 19_698.49
    # Bybit's documented method gives 19,700 on the same inputs (EP − (IM − MM at entry) / Q
    # = 20,000 − (400 − 100)); the engine follows Binance, so it must not give that number.
    assert round(price, 2) != 19_700.00


# --------------------------------------------------------------------------- hand-worked table
# (side, Q, EP, WB, MMR, cum, TMM, UPNL, expected LP as an exact fraction or None)
ISOLATED_CASES = [
    pytest.param(
        # (400 − 20,000) / (0.005 − 1) = 19,600 / 0.995 = 3,920,000 / 199
        ("long", 1, 20_000, 400, "0.005", 0, 0, 0, F(3_920_000, 199)),
        id="isolated-long-50x-binance-example",
    ),
    pytest.param(
        # flagship default: 0.5 BTC at 60,000, 20x -> WB = 30,000 / 20 = 1,500, bracket 1 (0.4 %)
        # (1,500 − 30,000) / (0.5·0.004 − 0.5) = 28,500 / 0.498 = 14,250,000 / 249 = 57,228.92
        ("long", "0.5", 60_000, 1_500, "0.004", 0, 0, 0, F(14_250_000, 249)),
        id="isolated-long-flagship-20x",
    ),
    pytest.param(
        # 2 BTC at 50,000 (notional 100,000: bracket 2, MMR 0.5 %, cum 50), 10x -> WB 10,000
        # (10,000 + 50 − 100,000) / (2·0.005 − 2) = 89,950 / 1.99 = 8,995,000 / 199
        ("long", 2, 50_000, 10_000, "0.005", 50, 0, 0, F(8_995_000, 199)),
        id="isolated-long-bracket-2-with-cum",
    ),
    pytest.param(
        # 1x long: (100 − 100) / (0.004 − 1) = 0 -> the root is 0, no positive price -> None
        ("long", 1, 100, 100, "0.004", 0, 0, 0, None),
        id="isolated-long-1x-root-at-zero",
    ),
    pytest.param(
        # more collateral than notional: (150 − 100) / (−0.996) < 0 -> None
        ("long", 1, 100, 150, "0.004", 0, 0, 0, None),
        id="isolated-long-overcollateralised",
    ),
    pytest.param(
        # (400 + 20,000) / (0.005 + 1) = 20,400 / 1.005 = 4,080,000 / 201 = 20,298.51
        ("short", 1, 20_000, 400, "0.005", 0, 0, 0, F(4_080_000, 201)),
        id="isolated-short-50x",
    ),
    pytest.param(
        # (1,500 + 30,000) / (0.5·0.004 + 0.5) = 31,500 / 0.502 = 15,750,000 / 251 = 62,749.00
        ("short", "0.5", 60_000, 1_500, "0.004", 0, 0, 0, F(15_750_000, 251)),
        id="isolated-short-flagship-20x",
    ),
    pytest.param(
        # MMR 0, cum 0: a short is liquidated when it is bankrupt, EP + WB/Q = 100 + 50/2 = 125
        ("short", 2, 100, 50, 0, 0, 0, 0, F(125)),
        id="isolated-short-no-maintenance",
    ),
    pytest.param(
        # MMR 0, cum 0: the long mirror, EP − WB/Q = 100 − 50/2 = 75
        ("long", 2, 100, 50, 0, 0, 0, 0, F(75)),
        id="isolated-long-no-maintenance",
    ),
]

CROSS_CASES = [
    pytest.param(
        # flagship cross: wallet 5,000, other position 5 ETH at 3,000 at its entry:
        # TMM = 15,000·0.004 = 60, UPNL = 0.
        # (5,000 − 60 + 0 − 30,000) / (−0.498) = 25,060 / 0.498 = 12,530,000 / 249 = 50,321.29
        ("long", "0.5", 60_000, 5_000, "0.004", 0, 60, 0, F(12_530_000, 249)),
        id="cross-long-flagship",
    ),
    pytest.param(
        # the ETH leg down 10 %: mark 2,700, UPNL = 5·(2,700 − 3,000) = −1,500,
        # TMM = 13,500·0.004 = 54; (5,000 − 54 − 1,500 − 30,000) / (−0.498)
        # = 26,554 / 0.498 = 13,277,000 / 249 = 53,321.29
        ("long", "0.5", 60_000, 5_000, "0.004", 0, 54, -1_500, F(13_277_000, 249)),
        id="cross-long-other-leg-losing",
    ),
    pytest.param(
        # 1 ETH short at 3,000; wallet 1,000; other: BTC long with TMM 80 and UPNL +200.
        # (1,000 − 80 + 200 + 0 + 3,000) / (0.004 + 1) = 4,120 / 1.004 = 1,030,000 / 251
        ("short", 1, 3_000, 1_000, "0.004", 0, 80, 200, F(1_030_000, 251)),
        id="cross-short-other-leg-winning",
    ),
    pytest.param(
        # 10 units short at 10,000 (notional 100,000: MMR 0.5 %, cum 50); wallet 5,000,
        # TMM 100, UPNL −300: (5,000 − 100 − 300 + 50 + 100,000) / (0.05 + 10)
        # = 104,650 / 10.05 = 2,093,000 / 201
        ("short", 10, 10_000, 5_000, "0.005", 50, 100, -300, F(2_093_000, 201)),
        id="cross-short-bracket-2",
    ),
    pytest.param(
        # wallet 50,000 behind a 20,000 long: (50,000 − 20,000) / (−0.996) < 0 -> None
        ("long", 1, 20_000, 50_000, "0.004", 0, 0, 0, None),
        id="cross-long-cannot-be-liquidated",
    ),
    pytest.param(
        # the other positions have eaten the wallet: (0 − 1,000 − 20,000 + 20,000) < 0 -> None
        ("short", 1, 20_000, 0, "0.004", 0, 1_000, -20_000, None),
        id="cross-short-already-underwater",
    ),
]


def _as_number(value: Any) -> float:
    return float(F(value)) if isinstance(value, str) else value


@pytest.mark.parametrize("case", ISOLATED_CASES + CROSS_CASES)
def test_liquidation_price_hand_worked(case: tuple[Any, ...]) -> None:
    side, q, ep, wb, mmr, cum, tmm, upnl, expected = case
    args = [_as_number(v) for v in (q, ep, wb, mmr, cum, tmm, upnl)]
    price = liquidation_price(side, *args)
    if expected is None:
        assert price is None
    else:
        assert price == approx_fraction(expected)
        # and the margin equation holds exactly in rational arithmetic at the exact root
        s, qf, epf, wbf = SIGN[side], F(q), F(ep), F(wb)
        balance = wbf + F(upnl) + s * qf * (expected - epf)
        assert balance == F(tmm) + qf * expected * F(mmr) - F(cum)


# Bracket re-selection, 2024-10-24 BTCUSDT table (bracket 2: 0.5 %/50, bracket 3: 0.65 %/950).
BRACKET_CASES = [
    pytest.param(
        # 10 BTC at 60,000: notional 600,000 is bracket 2's cap (inclusive). 20x -> WB 30,000.
        # (30,000 + 50 − 600,000) / (0.05 − 10) = 569,950 / 9.95 = 11,399,000 / 199 = 57,281.41;
        # notional at that price 572,814 is still bracket 2.
        ("long", 10, 60_000, 30_000, 2, F(11_399_000, 199)),
        id="long-stays-in-bracket-2",
    ),
    pytest.param(
        # 10 BTC short at 59,000 (590,000: bracket 2), 20x -> WB 29,500.
        # bracket 2: (29,500 + 50 + 590,000) / 10.05 = 61,646.77 -> 616,468 is bracket 3;
        # bracket 3: (29,500 + 950 + 590,000) / 10.065 = 620,450 / 10.065 = 124,090,000 / 2,013
        # = 61,644.31 -> 616,443 is bracket 3: stable.
        ("short", 10, 59_000, 29_500, 3, F(124_090_000, 2_013)),
        id="short-moves-up-to-bracket-3",
    ),
    pytest.param(
        # 10 BTC long at 62,000 (620,000: bracket 3), 10x -> WB 62,000.
        # bracket 3: (62,000 + 950 − 620,000) / (0.065 − 10) = 557,050 / 9.935 = 56,069.45
        # -> 560,694 is bracket 2; bracket 2: (62,000 + 50 − 620,000) / (0.05 − 10)
        # = 557,950 / 9.95 = 11,159,000 / 199 = 56,075.38 -> 560,754 is bracket 2: stable.
        ("long", 10, 62_000, 62_000, 2, F(11_159_000, 199)),
        id="long-moves-down-to-bracket-2",
    ),
]


@pytest.mark.parametrize("case", BRACKET_CASES)
def test_liquidation_price_in_brackets_hand_worked(
    case: tuple[Any, ...], btc_2024: BracketTable
) -> None:
    side, q, ep, wb, bracket_number, expected = case
    price, bracket = liquidation_price_in_brackets(side, q, ep, wb, btc_2024)
    assert bracket.number == bracket_number
    assert price == approx_fraction(expected)
    assert bracket.contains(q * price)


def test_bracket_example_2021_table(btc_2021: BracketTable) -> None:
    # liquidation_price_in_brackets's doctest, by hand: 1 BTC long at 20,000, WB 400, 2021
    # table bracket 1 (0.4 %, cum 0): 19,600 / 0.996 = 4,900,000 / 249 = 19,678.71
    price, bracket = liquidation_price_in_brackets("long", 1, 20_000, 400, btc_2021)
    assert (bracket.number, price) == (1, approx_fraction(F(4_900_000, 249)))


# --------------------------------------------------------------------------- other formulas
@pytest.mark.parametrize(
    ("call", "expected"),
    [
        # P = EP − (WB + UPNL)/(s·Q) = 20,000 − 400 = 19,600
        (lambda: bankruptcy_price("long", 1, 20_000, 400), 19_600),
        # short: 20,000 + 400/2 = 20,200
        (lambda: bankruptcy_price("short", 2, 20_000, 400), 20_200),
        # cross with the other legs' UPNL: 20,000 − (400 − 100)/1 = 19,700
        (lambda: bankruptcy_price("long", 1, 20_000, 400, -100), 19_700),
        (lambda: notional(0.5, 60_000), 30_000),
        (lambda: initial_margin(30_000, 20), 1_500),
        # 2021 table bracket 3: 500,000·1 % − 1,300 = 3,700
        (lambda: maintenance_margin(500_000, 0.01, 1_300), 3_700),
        (lambda: unrealized_pnl("long", 2, 3_000, 2_900), -200),
        (lambda: unrealized_pnl("short", 2, 3_000, 2_900), 200),
        (lambda: margin_ratio(100, 400), 0.25),
        (lambda: margin_ratio(100, 0), math.inf),
        (lambda: effective_leverage(50_000, 5_000), 10),
        (lambda: effective_leverage(50_000, -1), math.inf),
        (lambda: return_on_equity(-200, 400), -0.5),
        # positive rate: longs pay mark·Q·rate = 20,000·1·0.0001 = 2, shorts receive it
        (lambda: funding_payment("long", 1, 20_000, 0.0001), -2),
        (lambda: funding_payment("short", 1, 20_000, 0.0001), 2),
        (lambda: funding_payment("long", 1, 20_000, -0.0001), 2),
    ],
)
def test_companion_formulas_hand_worked(call: Any, expected: float) -> None:
    assert call() == pytest.approx(expected, rel=1e-12)


def test_bankruptcy_price_none_when_not_positive() -> None:
    assert bankruptcy_price("long", 1, 100, 100) is None


# --------------------------------------------------------------------------- strategies
sides = st.sampled_from(["long", "short"])
quantities = st.floats(1e-4, 1e4)
prices = st.floats(1e-2, 1e6)
rates = st.floats(0.0, 0.5)


@st.composite
def margin_inputs(draw: st.DrawFn, cross: bool) -> dict[str, Any]:
    """Realistic inputs: amounts scaled to the position's notional."""
    q = draw(quantities)
    ep = draw(prices)
    value = q * ep
    mmr = draw(rates)
    return {
        "side": draw(sides),
        "quantity": q,
        "entry_price": ep,
        "wallet_balance": value * draw(st.floats(0.0, 2.0)),
        "maintenance_margin_rate": mmr,
        "maintenance_amount": value * mmr * draw(st.floats(0.0, 1.0)),
        "other_maintenance_margin": value * draw(st.floats(0.0, 0.5)) if cross else 0.0,
        "other_unrealized_pnl": value * draw(st.floats(-1.0, 1.0)) if cross else 0.0,
    }


def _margin_gap(args: dict[str, Any], price: float) -> tuple[float, float]:
    """(margin balance − maintenance margin, scale of the terms) at ``price``."""
    s = SIGN[args["side"]]
    q, ep = args["quantity"], args["entry_price"]
    balance = args["wallet_balance"] + args["other_unrealized_pnl"] + s * q * (price - ep)
    maintenance = (
        args["other_maintenance_margin"]
        + q * price * args["maintenance_margin_rate"]
        - args["maintenance_amount"]
    )
    scale = max(
        args["wallet_balance"],
        abs(args["other_unrealized_pnl"]),
        args["other_maintenance_margin"],
        args["maintenance_amount"],
        q * ep,
        q * price,
    )
    return balance - maintenance, scale


# --------------------------------------------------------------------------- identities
@PROPERTY
@given(args=st.one_of(margin_inputs(cross=False), margin_inputs(cross=True)))
def test_margin_balance_equals_maintenance_at_liquidation_price(args: dict[str, Any]) -> None:
    """At LP the margin balance equals the maintenance margin (margin ratio 100 %).

    "Within 1e-9 relative" is relative to the largest term of the equation (the notional, the
    wallet, ...): the two sides are differences of those terms, so that is the scale rounding
    acts on.
    """
    price = liquidation_price(**args)
    if price is None:
        # No positive root. The gap is affine in the price with slope s·Q·(1 − s·MMR), so a
        # long's root is <= 0 iff the gap at price 0 is >= 0, a short's iff it is <= 0.
        gap, scale = _margin_gap(args, 0.0)
        assert SIGN[args["side"]] * gap >= -1e-9 * scale
        return
    gap, scale = _margin_gap(args, price)
    assert abs(gap) <= 1e-9 * scale


@PROPERTY
@given(args=st.one_of(margin_inputs(cross=False), margin_inputs(cross=True)))
def test_bracket_price_satisfies_equation_and_lies_in_its_bracket(args: dict[str, Any]) -> None:
    table = load_brackets("BTCUSDT", "2024-10-24")
    q = args["quantity"]  # notionals from 1e-6 to 1e10 USDT: every bracket and past the top
    price, bracket = liquidation_price_in_brackets(
        args["side"],
        q,
        args["entry_price"],
        args["wallet_balance"],
        table,
        args["other_maintenance_margin"],
        args["other_unrealized_pnl"],
    )
    if price is None:
        return
    value = q * price
    rel = 1e-12
    low = bracket.min_notional * (1 - rel)
    assert low <= value <= bracket.max_notional * (1 + rel) or bracket.number == len(table.brackets)
    used = dict(
        args,
        maintenance_margin_rate=bracket.maintenance_margin_rate,
        maintenance_amount=bracket.maintenance_amount,
    )
    gap, scale = _margin_gap(used, price)
    assert abs(gap) <= 1e-9 * scale


# --------------------------------------------------------------------------- mirror
@pytest.mark.parametrize(
    ("q", "ep", "wb", "mmr", "cum"),
    [
        # W = WB + cum; long: LP·(1 − MMR) = EP − W/Q; short: LP·(1 + MMR) = EP + W/Q
        (1, 20_000, 400, "0.005", 0),  # 19,698.49·0.995 = 19,600 ; 20,298.51·1.005 = 20,400
        (2, 50_000, 10_000, "0.005", 50),  # W/Q = 5,025: 44,975 and 55,025
        (2, 100, 50, 0, 0),  # MMR 0: 75 and 125, the bankruptcy prices
    ],
)
def test_long_and_short_mirror_hand_worked(
    q: float, ep: float, wb: float, mmr: Any, cum: float
) -> None:
    rate = F(mmr)
    w_per_q = (F(wb) + F(cum)) / F(q)
    long_price = liquidation_price("long", q, ep, wb, float(rate), cum)
    short_price = liquidation_price("short", q, ep, wb, float(rate), cum)
    assert long_price == approx_fraction((F(ep) - w_per_q) / (1 - rate))
    assert short_price == approx_fraction((F(ep) + w_per_q) / (1 + rate))


@PROPERTY
@given(args=st.one_of(margin_inputs(cross=False), margin_inputs(cross=True)))
def test_long_and_short_mirror(args: dict[str, Any]) -> None:
    """The exact symmetry: with W = WB − TMM + UPNL + cum and the same inputs,

    ``LP_long·(1 − MMR) = EP − W/Q`` and ``LP_short·(1 + MMR) = EP + W/Q``: the two
    maintenance-adjusted prices lie symmetrically about the entry, at distance W/Q (so with
    MMR = 0 and cum = 0, LP_long = EP − WB/Q and LP_short = EP + WB/Q). A side has no price
    (None) exactly when its adjusted price would be at or below zero.
    """
    q, ep, mmr = args["quantity"], args["entry_price"], args["maintenance_margin_rate"]
    w = (
        args["wallet_balance"]
        - args["other_maintenance_margin"]
        + args["other_unrealized_pnl"]
        + args["maintenance_amount"]
    )
    long_price = liquidation_price(**dict(args, side="long"))
    short_price = liquidation_price(**dict(args, side="short"))
    tol = 1e-12 * (ep + abs(w) / q) + 1e-300
    if long_price is None:
        assert ep - w / q <= tol
    else:
        assert long_price * (1 - mmr) == pytest.approx(ep - w / q, rel=1e-12, abs=tol)
    if short_price is None:
        assert ep + w / q <= tol
    else:
        assert short_price * (1 + mmr) == pytest.approx(ep + w / q, rel=1e-12, abs=tol)
    if long_price is not None and short_price is not None:
        assert long_price * (1 - mmr) + short_price * (1 + mmr) == pytest.approx(
            2 * ep, rel=1e-12, abs=tol
        )


# --------------------------------------------------------------------------- monotonicity
def _distance_from_entry(side: str, entry: float, price: float | None) -> float:
    """s·(EP − LP): how far the price must move against the position. None counts as price 0."""
    return SIGN[side] * (entry - (price if price is not None else 0.0))


@PROPERTY
@given(
    side=sides,
    q=quantities,
    ep=prices,
    mmr=st.floats(0.0, 0.005),
    leverages=st.lists(st.floats(1.0, 125.0), min_size=2, max_size=2).map(sorted),
)
def test_liquidation_price_approaches_entry_as_leverage_rises(
    side: str, q: float, ep: float, mmr: float, leverages: list[float]
) -> None:
    low, high = leverages
    value = q * ep
    # isolated, fixed bracket: the wallet is the initial margin notional / leverage
    far = liquidation_price(side, q, ep, value / low, mmr, 0.0)
    near = liquidation_price(side, q, ep, value / high, mmr, 0.0)
    assert _distance_from_entry(side, ep, near) <= _distance_from_entry(side, ep, far)
    # below the bracket's maximum leverage the position is not liquidated at its entry
    assert _distance_from_entry(side, ep, near) >= 0
    # with the bracket table, through the curve builder (bracket re-selected at each point)
    table = load_brackets("BTCUSDT", "2024-10-24")
    top = table.max_leverage(value)
    lev = [min(low, top), min(high, top)]
    curve = liquidation_price_curve(side, q, ep, lev, table)
    d_far, d_near = (_distance_from_entry(side, ep, p) for p in curve)
    assert d_near <= d_far + 1e-9 * ep


@PROPERTY
@given(args=margin_inputs(cross=True), extra=st.floats(0.0, 1e6))
def test_liquidation_price_moves_away_as_collateral_grows(
    args: dict[str, Any], extra: float
) -> None:
    before = liquidation_price(**args)
    after = liquidation_price(**dict(args, wallet_balance=args["wallet_balance"] + extra))
    side, ep = args["side"], args["entry_price"]
    assert _distance_from_entry(side, ep, after) >= _distance_from_entry(side, ep, before)
    if extra > 0 and before is not None and after is not None:
        # strictly, by extra / (Q·(1 ∓ MMR)) (up to rounding)
        s, q, mmr = SIGN[side], args["quantity"], args["maintenance_margin_rate"]
        shift = extra / (q * (1 - s * mmr))
        assert s * (before - after) == pytest.approx(shift, rel=1e-6, abs=1e-9 * (before + after))


# --------------------------------------------------------------------------- robustness
any_positive = st.one_of(
    st.floats(min_value=0.0, exclude_min=True, allow_infinity=False),
    st.integers(min_value=1, max_value=2**1000),
)
any_non_negative = st.one_of(
    st.floats(min_value=0.0, allow_infinity=False), st.integers(0, 2**1000)
)
any_real = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**1000), 2**1000)
)
any_rate = st.one_of(st.floats(0.0, 1.0, exclude_max=True), st.just(0))


@PROPERTY
@given(
    side=sides,
    q=any_positive,
    ep=any_positive,
    wb=any_non_negative,
    mmr=any_rate,
    cum=any_non_negative,
    tmm=any_non_negative,
    upnl=any_real,
)
def test_valid_input_never_gives_nan_or_infinity(
    side: str, q: float, ep: float, wb: float, mmr: float, cum: float, tmm: float, upnl: float
) -> None:
    """Any valid input over the whole float range (subnormals, 1e308, big ints): a finite
    positive float or None, never NaN, infinity or an exception."""
    price = liquidation_price(side, q, ep, wb, mmr, cum, tmm, upnl)
    assert price is None or (type(price) is float and math.isfinite(price) and price > 0)


@PROPERTY
@given(
    side=sides,
    q=st.floats(min_value=0.0, exclude_min=True, allow_infinity=False),
    ep=st.floats(min_value=0.0, exclude_min=True, allow_infinity=False),
    wb=st.floats(allow_nan=False, allow_infinity=False),
    tmm=st.floats(min_value=0.0, allow_infinity=False),
    upnl=st.floats(allow_nan=False, allow_infinity=False),
)
def test_valid_input_in_brackets_never_gives_nan_or_infinity(
    side: str, q: float, ep: float, wb: float, tmm: float, upnl: float
) -> None:
    """Bracket re-selection over the whole float range: a finite price or None, never an error
    (a root beyond the float range, or one garbled by overflow near 1e308, is None)."""
    table = load_brackets("ETHUSDT", "2024-10-24")
    price, bracket = liquidation_price_in_brackets(side, q, ep, wb, table, tmm, upnl)
    assert price is None or (math.isfinite(price) and price > 0)
    assert bracket in table.brackets


# One parameter at a time is made invalid; the error type and the parameter's name are checked,
# and the message shows the value (repr) and what is allowed.
VALID = ("long", 1.0, 20_000.0, 400.0, 0.005, 0.0, 0.0, 0.0)
NAMES = (
    "side",
    "quantity",
    "entry_price",
    "wallet_balance",
    "maintenance_margin_rate",
    "maintenance_amount",
    "other_maintenance_margin",
    "other_unrealized_pnl",
)
not_finite = st.sampled_from([math.nan, math.inf, -math.inf, 2**1100])
not_numbers = st.one_of(
    st.text(max_size=5),
    st.none(),
    st.booleans(),
    st.just([1.0]),
    st.just(1 + 0j),
    st.just({"value": 1}),
)
below_zero = st.floats(max_value=0.0, exclude_max=True, allow_infinity=False)


def _bad_values(name: str) -> st.SearchStrategy[tuple[Any, type[Exception], str]]:
    """(bad value, expected error type, a phrase of the rule the message must state)."""
    finite = not_finite.map(lambda v: (v, ValueError, "finite"))
    typed = not_numbers.map(lambda v: (v, TypeError, "real number"))
    if name == "side":
        return st.one_of(
            st.text(max_size=8).filter(lambda t: t not in ("long", "short")),
            st.sampled_from(["LONG", "Short", " long", "buy", None, 1, -1, 1.0]),
        ).map(lambda v: (v, ValueError, "'long' or 'short'"))
    if name in ("quantity", "entry_price"):
        non_positive = st.one_of(below_zero, st.just(0.0), st.just(0), st.just(-0.0))
        return st.one_of(finite, typed, non_positive.map(lambda v: (v, ValueError, "> 0")))
    if name == "maintenance_margin_rate":
        outside = st.one_of(below_zero, st.floats(1.0, 1e300), st.just(1))
        return st.one_of(finite, typed, outside.map(lambda v: (v, ValueError, "[0, 1)")))
    if name == "other_unrealized_pnl":
        return st.one_of(finite, typed)
    return st.one_of(finite, typed, below_zero.map(lambda v: (v, ValueError, ">= 0")))


@st.composite
def one_bad_argument(draw: st.DrawFn) -> tuple[int, Any, type[Exception], str]:
    index = draw(st.integers(0, len(NAMES) - 1))
    value, error, rule = draw(_bad_values(NAMES[index]))
    return index, value, error, rule


@PROPERTY
@given(bad=one_bad_argument())
def test_bad_input_raises_documented_error_naming_the_parameter(
    bad: tuple[int, Any, type[Exception], str],
) -> None:
    index, value, error, rule = bad
    args: list[Any] = list(VALID)
    args[index] = value
    with pytest.raises(error) as caught:
        liquidation_price(*args)
    assert type(caught.value) is error  # exactly the documented type, not a subclass surprise
    message = str(caught.value)
    assert message.startswith(NAMES[index] + " ")
    assert rule in message
    assert repr(value) in message


# --------------------------------------------------------------------------- the curve builder
@PROPERTY
@given(
    side=sides,
    q=st.floats(1e-3, 5e3),
    ep=st.floats(10.0, 2e5),
    fractions=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8),
    mode=st.sampled_from(["isolated", "cross"]),
    wallet=st.floats(0.0, 1e7),
)
def test_curve_matches_point_by_point_calls(
    side: str, q: float, ep: float, fractions: list[float], mode: str, wallet: float
) -> None:
    table = load_brackets("BTCUSDT", "2024-10-24")
    top = table.max_leverage(q * ep)
    leverages = [1 + f * (top - 1) for f in fractions]
    if mode == "isolated":
        curve = liquidation_price_curve(side, q, ep, leverages, table)
        expected = [
            liquidation_price_in_brackets(side, q, ep, q * ep / lev, table)[0] for lev in leverages
        ]
    else:
        curve = liquidation_price_curve(
            side, q, ep, leverages, table, margin_mode="cross", wallet_balance=wallet
        )
        expected = [liquidation_price_in_brackets(side, q, ep, wallet, table)[0]] * len(leverages)
    assert curve == expected


def test_curve_refuses_bad_leverage_and_cross_arguments_in_isolated_mode(
    btc_2024: BracketTable,
) -> None:
    # 0.5 BTC at 60,000 = 30,000 USDT: bracket 1, leverage up to 125
    with pytest.raises(ValueError, match=r"leverages\[1\] must be in \[1, 125\]"):
        liquidation_price_curve("long", 0.5, 60_000, [10, 126], btc_2024)
    with pytest.raises(ValueError, match=r"leverages\[0\] must be in \[1, 125\]"):
        liquidation_price_curve("long", 0.5, 60_000, [0.5], btc_2024)
    with pytest.raises(ValueError, match="wallet_balance must be 0 in isolated mode"):
        liquidation_price_curve("long", 0.5, 60_000, [10], btc_2024, wallet_balance=5_000)
    with pytest.raises(ValueError, match="margin_mode must be 'cross' or 'isolated'"):
        liquidation_price_curve("long", 0.5, 60_000, [10], btc_2024, margin_mode="portfolio")
    with pytest.raises(TypeError, match="leverages"):
        liquidation_price_curve("long", 0.5, 60_000, ["10"], btc_2024)  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("side", "q", "ep", "wb", "tmm"),
    [
        # the bracket-1 root overflows to inf (-> top bracket) while the top bracket's is -inf
        ("long", 5e-324, 1.0, 0.0, 1.0),
        ("long", 1.0, 1.0, 0.0, 8.98846567431158e307),
    ],
)
def test_bracket_reselection_near_float_limits_returns_none(
    side: str, q: float, ep: float, wb: float, tmm: float
) -> None:
    table = load_brackets("ETHUSDT", "2024-10-24")
    price, _ = liquidation_price_in_brackets(side, q, ep, wb, table, tmm)
    assert price is None


def test_enormous_short_is_solved_exactly_not_dropped() -> None:
    # Q·EP and Q·(1 + MMR) overflow in floats, but the root does not: with WB = TMM = UPNL = 0 a
    # short's root is EP / (1 + MMR), in the top ETHUSDT 2024 bracket (MMR 50 %, the notional
    # about 0.8e308): 1 / 1.5 = 2/3.
    table = load_brackets("ETHUSDT", "2024-10-24")
    price, bracket = liquidation_price_in_brackets("short", 1.1984620899082105e308, 1.0, 0.0, table)
    assert price == pytest.approx(2 / 3, rel=1e-15)
    assert bracket.maintenance_margin_rate == 0.5


def test_subnormal_quantity_gives_none_not_zero_division() -> None:
    # Q·MMR rounds up to Q for Q = 5e-324 and MMR = 0.75, so Q·MMR − Q underflows to 0.
    assert liquidation_price("long", 5e-324, 1.0, 0.0, 0.75, 0.0, 1.0) is None
    # ints beyond the float range are refused like infinity, not with an OverflowError
    with pytest.raises(ValueError, match="quantity must be a finite number"):
        liquidation_price("long", 10**400, 1.0, 0.0, 0.005, 0.0)
