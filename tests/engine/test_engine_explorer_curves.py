"""Curves the explorers ask for: exchange ratio and leverage curves, coin collateral, stress.

Expected values are worked by hand (the working is in the comments, exact fractions where the
float is not exact) or come from a different engine path (one call per point of the single-point
function the curve replaces), never from the curve function under test.
"""

from __future__ import annotations

import math
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    BracketTable,
    Collateral,
    TierTable,
    book_minimum_leverage,
    coin_collateral,
    correlation_grid,
    exchange_leverage_curve,
    exchange_ratio_curve,
    get_exchange,
    liquidation_price_in_brackets,
    load_brackets,
    load_tier_table,
    log_grid,
    multi_assets_excess,
    multi_assets_excess_curve,
    multi_assets_stress,
    multi_assets_stress_curve,
    size_curve,
    spot_interest,
    spot_level_price,
    tick_size,
    usdt_equivalent,
)
from margin_widgets.engine.exchanges import isolated_liquidation_price, liquidation_price_in_tiers

BYBIT_BTC = load_tier_table("bybit", "BTCUSDT")  # tier 1: MMR 0.5 %, 100x; tier 2: 0.56 %, 1,200
OKX_ETH = load_tier_table("okx", "ETHUSDT", "2021-06-11")  # tier 1: up to 300 ETH, MMR 0.4 %
BINANCE_2021 = get_exchange("binance").tier_table("BTCUSDT", "2021-03-18")
BINANCE_2021_BRACKETS = load_brackets("BTCUSDT", "2021-03-18")
# Binance 2021: bracket 1 to 50,000 MMR 0.4 % cum 0; bracket 2 to 250,000 MMR 0.5 % cum 50


# --------------------------------------------------------------------------- ratio curve
def test_bybit_ratio_uses_the_entry_value() -> None:
    # 1 BTC long at 20,000, M = 400, MM = 20,000 x 0.005 = 100 at every mark
    # 19,800: 100 / (400 - 200) = 0.5; 19,700: 100 / 100 = 1; 19,500: balance -100 -> inf
    ratios = exchange_ratio_curve(
        "bybit", "long", 1, 20_000, 400, [19_800, 19_700, 19_500], maintenance_margin_rate=0.005
    )
    assert ratios == (0.5, 1.0, math.inf)


def test_binance_ratio_values_the_requirement_at_the_mark() -> None:
    # short 1 at 20,000, M = 400: at 20,200 MM = 101, balance 400 - 200 = 200 -> 0.505
    (ratio,) = exchange_ratio_curve(
        "binance", "short", 1, 20_000, 400, [20_200], maintenance_margin_rate=0.005
    )
    assert ratio == pytest.approx(0.505, rel=1e-12)


def test_okx_ratio_is_balance_over_requirement_plus_fee() -> None:
    # long 1 at 20,000, M = 400, MMR 0.4 % + fee 0.05 %: at 20,000 400 / 90 = 40/9;
    # at 19,700 100 / (19,700 x 0.0045 = 88.65) = 10,000/8,865
    ratios = exchange_ratio_curve(
        "okx",
        "long",
        1,
        20_000,
        400,
        [20_000, 19_700],
        maintenance_margin_rate=0.004,
        fee_rate=0.0005,
    )
    assert ratios[0] == pytest.approx(float(F(40, 9)), rel=1e-12)
    assert ratios[1] == pytest.approx(float(F(10_000, 8_865)), rel=1e-12)


def test_bybit_tier_table_keeps_the_entry_tier() -> None:
    # 100 BTC long at 20,500 (2,050,000: tier 2), M = 205,000: MM = 11,480 - 1,200 = 10,280
    # at 19,000 (1,900,000, tier 1 by value there) still 10,280 / (205,000 - 150,000)
    # at 18,552.8 the balance is 10,280: ratio 1 (the documented liquidation price)
    ratios = exchange_ratio_curve(
        "bybit", "long", 100, 20_500, 205_000, [19_000, 18_552.8], table=BYBIT_BTC
    )
    assert ratios[0] == pytest.approx(float(F(10_280, 55_000)), rel=1e-12)
    assert ratios[1] == pytest.approx(1.0, rel=1e-9)


def test_binance_tier_table_reselects_the_bracket_at_the_mark() -> None:
    # 3 BTC long at 20,000 (60,000: bracket 2), M = 15,000
    # at 19,000: notional 57,000, bracket 2: MM = 285 - 50 = 235, balance 12,000 -> 235/12,000
    # at 16,000: notional 48,000, bracket 1: MM = 192, balance 3,000 -> 0.064
    ratios = exchange_ratio_curve(
        "binance", "long", 3, 20_000, 15_000, [19_000, 16_000], table=BINANCE_2021
    )
    assert ratios[0] == pytest.approx(float(F(235, 12_000)), rel=1e-12)
    assert ratios[1] == pytest.approx(0.064, rel=1e-12)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"maintenance_margin_rate": 0.005, "table": BYBIT_BTC}],
)
def test_ratio_curve_needs_exactly_one_maintenance_source(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="exactly one of maintenance_margin_rate and table"):
        exchange_ratio_curve("bybit", "long", 1, 20_000, 400, [20_000], **kwargs)  # type: ignore[arg-type]


def test_ratio_curve_refuses_bad_input_naming_it() -> None:
    with pytest.raises(ValueError, match="exchange must be one of"):
        exchange_ratio_curve("kraken", "long", 1, 20_000, 400, [1.0], maintenance_margin_rate=0)
    with pytest.raises(ValueError, match=r"prices\[1\]"):
        exchange_ratio_curve("okx", "long", 1, 20_000, 400, [1.0, -2.0], maintenance_margin_rate=0)
    with pytest.raises(ValueError, match="margin"):
        exchange_ratio_curve("okx", "long", 1, 20_000, -1, [1.0], maintenance_margin_rate=0)


# --------------------------------------------------------------------------- leverage curve
def test_bybit_leverage_curve_by_hand() -> None:
    # 1 BTC long at 20,000, tier 1 (MMR 0.5 %, max 100x), MM = 100:
    # 50x: M = 400, LP = 20,000 - 300 = 19,700, BP = 19,600
    # 100x: M = 200, LP = 19,900, BP = 19,800; 1x: M = 20,000, LP = 100, BP = 0 -> None
    curve = exchange_leverage_curve("bybit", "long", 1, 20_000, table=BYBIT_BTC)
    assert curve.leverages == tuple(range(1, 101))
    assert curve.liquidation[49] == 19_700.0 and curve.bankruptcy[49] == 19_600.0
    assert curve.liquidation[99] == 19_900.0 and curve.bankruptcy[99] == 19_800.0
    assert curve.liquidation[0] == 100.0 and curve.bankruptcy[0] is None


def test_okx_leverage_curve_by_hand() -> None:
    # 10 ETH long at 3,000 (tier 1: MMR 0.4 %, 125x), no fee; 50x: M = 600,
    # LP = (30,000 - 600) / (10 x 0.996) = 29,400 / 9.96, BP = 3,000 - 60 = 2,940
    curve = exchange_leverage_curve("okx", "long", 10, 3_000, table=OKX_ETH, max_leverage=50)
    assert curve.liquidation[-1] == pytest.approx(float(F(29_400) / F("9.96")), rel=1e-12)
    assert curve.bankruptcy[-1] == pytest.approx(2_940.0, rel=1e-12)


def test_binance_leverage_curve_with_one_rate_is_the_documented_formula() -> None:
    # (400 - 20,000) / (0.005 - 1) = 19,600 / 0.995 at 50x; short at 10x:
    # (2,000 + 20,000) / (0.005 + 1) = 22,000 / 1.005
    long = exchange_leverage_curve(
        "binance", "long", 1, 20_000, maintenance_margin_rate=0.005, max_leverage=50
    )
    short = exchange_leverage_curve(
        "binance", "short", 1, 20_000, maintenance_margin_rate=0.005, max_leverage=10
    )
    assert long.liquidation[-1] == pytest.approx(float(F(19_600) / F("0.995")), rel=1e-12)
    assert short.liquidation[-1] == pytest.approx(float(F(22_000) / F("1.005")), rel=1e-12)
    assert short.bankruptcy[-1] == 22_000.0


def test_leverage_curve_needs_a_top_with_one_rate() -> None:
    with pytest.raises(ValueError, match="max_leverage"):
        exchange_leverage_curve("bybit", "long", 1, 20_000, maintenance_margin_rate=0.005)
    with pytest.raises(ValueError, match="max_leverage must be a whole number"):
        exchange_leverage_curve("bybit", "long", 1, 20_000, table=BYBIT_BTC, max_leverage=0)


# --------------------------------------------------------------------------- collateral
def test_coin_collateral_converts_usdt_to_coins_and_clips_beta() -> None:
    # 6,000 USDT of ETH at 3,000 = 2 ETH; counted at 90 %: 5,400; ρ 0.3 -> β 0.3, ρ -0.4 -> 0
    (coin,) = coin_collateral("ETH", 6_000, 3_000, correlation=0.3, haircut=0.1)
    assert (coin.asset, coin.amount, coin.price, coin.beta) == ("ETH", 2.0, 3_000.0, 0.3)
    assert coin.counted_value == pytest.approx(5_400.0, rel=1e-12)
    assert coin_collateral("ETH", 6_000, 3_000, correlation=-0.4)[0].beta == 0.0
    assert coin_collateral("BTC", 0, 60_000) == ()


def test_coin_collateral_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="correlation must be in"):
        coin_collateral("BTC", 1, 1, correlation=1.5)
    with pytest.raises(ValueError, match="value"):
        coin_collateral("BTC", -1, 1)
    with pytest.raises(ValueError, match="price"):
        coin_collateral("BTC", 1, 0)


def test_usdt_equivalent_adds_the_counted_values() -> None:
    # -2,000 + 0.1 BTC x 60,000 x 0.95 (5,700) + 1 BNB x 600 x 0.95 (570) = 4,270
    coins = [Collateral("BTC", 0.1, 60_000), Collateral("BNB", 1, 600)]
    assert usdt_equivalent(-2_000, coins) == pytest.approx(4_270.0, rel=1e-12)
    with pytest.raises(ValueError, match=r"collateral\[0\]"):
        usdt_equivalent(0, ["BTC"])  # type: ignore[list-item]


def test_excess_curve_by_hand_and_against_the_point_function() -> None:
    table = load_brackets("BTCUSDT", "2021-03-18")
    # 1 BTC long at 20,000 with 1,000 USDT: at 19,000 1,000 - 1,000 - 76 = -76
    assert multi_assets_excess_curve("long", 1, 20_000, 20_000, 1_000, [], table, [19_000]) == (
        pytest.approx(-76.0, abs=1e-9),
    )
    coins = list(coin_collateral("ETH", 4_000, 3_000, correlation=0.6))
    prices = [12_000.0 + 500.0 * k for k in range(20)]
    curve = multi_assets_excess_curve("short", 0.7, 20_000, 20_000, -500, coins, table, prices)
    one_by_one = tuple(
        multi_assets_excess("short", 0.7, 20_000, 20_000, -500, coins, table, p) for p in prices
    )
    assert curve == one_by_one


@pytest.mark.parametrize("side", ["long", "short"])
@pytest.mark.parametrize("usdt", [-3_000.0, 0.0, 2_500.0])
def test_stress_curve_counts_as_one_stress_call_per_correlation(side: str, usdt: float) -> None:
    table = load_brackets("BTCUSDT")
    coins = list(coin_collateral("ETH", 6_000, 3_000, haircut=0.1))
    grid = [*correlation_grid(2, 11), 0.37]
    curve = multi_assets_stress_curve(
        side, 1, 60_000, 60_000, usdt, coins, table, grid, 0.1, 800, 5
    )
    reference = tuple(
        multi_assets_stress(side, 1, 60_000, 60_000, usdt, coins, table, r, 0.1, 800, 5)
        for r in grid
    )
    assert curve == reference


def test_stress_curve_with_two_coins_and_with_none() -> None:
    table = load_brackets("BTCUSDT")
    two = [Collateral("BTC", 0.05, 60_000), Collateral("ETH", 1, 3_000)]
    for coins in (two, []):
        curve = multi_assets_stress_curve(
            "long", 1, 60_000, 60_000, 1_000, coins, table, [0.0, 0.8], 0.1, 300, 2
        )
        reference = tuple(
            multi_assets_stress("long", 1, 60_000, 60_000, 1_000, coins, table, r, 0.1, 300, 2)
            for r in (0.0, 0.8)
        )
        assert curve == reference


# --------------------------------------------------------------------------- tick sizes
@pytest.mark.parametrize("exchange", ["binance", "bybit", "okx"])
def test_btcusdt_tick_size_is_a_tenth_of_a_usdt(exchange: str) -> None:
    # Binance PRICE_FILTER tickSize "0.10", Bybit priceFilter.tickSize "0.10", OKX tick size 0.1
    assert tick_size(exchange, "BTCUSDT") == 0.1


def test_spot_tick_size() -> None:
    # Binance spot BTCUSDT PRICE_FILTER tickSize "0.01000000"
    assert tick_size("binance", "BTCUSDT", market="spot") == 0.01


def test_tick_size_refuses_what_is_not_stored() -> None:
    with pytest.raises(ValueError, match="market must be one of"):
        tick_size("binance", market="options")
    with pytest.raises(ValueError, match="symbol must be one of \\[\\] for okx spot"):
        tick_size("okx", market="spot")
    with pytest.raises(ValueError, match="symbol must be one of \\['BTCUSDT'\\] for okx"):
        tick_size("okx", "DOGEUSDT")
    with pytest.raises(ValueError, match="exchange must be one of"):
        tick_size("kraken")


# --------------------------------------------------------------------------- feasibility
def test_book_minimum_leverage_by_hand() -> None:
    eth = load_brackets("ETHUSDT")
    # 30,000 + 15,000 from 5,000: 45,000 / L <= 5,000 -> 9; 2,000: 22.5 -> 23
    assert book_minimum_leverage(5_000, 0.5, 60_000, 125, other_quantity=5, other_brackets=eth) == 9
    assert (
        book_minimum_leverage(2_000, 0.5, 60_000, 125, other_quantity=5, other_brackets=eth) == 23
    )
    # the position alone: 30,000 / L <= 5,000 -> 6; capped at 5x it cannot open
    assert book_minimum_leverage(5_000, 0.5, 60_000, 125) == 6
    assert book_minimum_leverage(5_000, 0.5, 60_000, 5) is None


def test_book_minimum_leverage_caps_the_other_leg_at_its_bracket() -> None:
    # 1,000 ETH at 3,000 = 3,000,000 USDT; the newest ETHUSDT table caps it at c x;
    # the book needs 30,000 / L + 3,000,000 / min(L, c) <= wallet
    eth = load_brackets("ETHUSDT")
    cap = eth.max_leverage(3_000_000.0)
    wallet = 30_000.0 / 125 + 3_000_000.0 / cap  # exactly enough at 125x (and at cap and up)
    low = book_minimum_leverage(wallet, 0.5, 60_000, 125, other_quantity=1_000, other_brackets=eth)
    assert low is not None and low <= 125
    # one leverage less is not enough (the brute-force check)
    assert 30_000.0 / (low - 1) + 3_000_000.0 / min(low - 1, cap) > wallet + 1e-9


def test_book_minimum_leverage_refuses_a_missing_table() -> None:
    with pytest.raises(ValueError, match="other_brackets must be a BracketTable"):
        book_minimum_leverage(5_000, 0.5, 60_000, 125, other_quantity=5)


# --------------------------------------------------------------------------- spot margin
def test_spot_interest_is_on_what_was_borrowed() -> None:
    # long: 20,000 USDT for 100.5 h at 0.01 %/h -> 101 started hours, 202 USDT
    assert spot_interest("long", 1, 20_000, 0.0001, 100.5) == pytest.approx(202.0, rel=1e-12)
    # short: 2 BTC for 3 h at 0.01 %/h -> 0.0006 BTC; a USDT debt plays no part
    assert spot_interest("short", 2, 20_000, 0.0001, 3) == pytest.approx(0.0006, rel=1e-12)


def test_spot_level_price_by_hand() -> None:
    # long 1 BTC, 1,000 USDT held, 20,000 + 202 owed: (1.1 x 20,202 - 1,000) / 1 = 21,222.2
    assert spot_level_price("long", 1, 1_000, 1.1, debt=20_000, interest=202) == pytest.approx(
        21_222.2, rel=1e-12
    )
    # short: 40,000 USDT held, 1 BTC + 0.0006 owed: 40,000 / (1.3 x 1.0006)
    assert spot_level_price("short", 1, 40_000, 1.3, interest=0.0006) == pytest.approx(
        float(F(40_000) / (F("1.3") * F("1.0006"))), rel=1e-12
    )
    # a long whose USDT covers the debt has no such price
    assert spot_level_price("long", 1, 30_000, 1.1, debt=20_000) is None


# --------------------------------------------------------------------------- one pass vs per point
# The curves evaluate each convention's unchecked solvers in one pass; the references below are
# the public single-point calls the curves replace, one call per point (never the curve).
PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=300, deadline=None)
EXCHANGES = ("binance", "bybit", "okx")
TABLES = {
    "binance": BINANCE_2021,  # caps 50,000 / 250,000 / 1,000,000 USDT of notional
    "bybit": BYBIT_BTC,  # caps 2,000,000 / 2,600,000 USDT
    "okx": OKX_ETH,  # caps 300 / 600 / 1,200 ETH (quantity basis)
}


def _leverage_reference(
    exchange: str,
    side: str,
    q: float,
    ep: float,
    top: int,
    *,
    rate: float | None = None,
    table: TierTable | None = None,
    fee: float = 0.0,
) -> tuple[list[float | None], list[float | None]]:
    convention = get_exchange(exchange)
    liquidation: list[float | None] = []
    bankruptcy: list[float | None] = []
    for lev in range(1, top + 1):
        margin = q * ep / lev
        if table is None:
            assert rate is not None
            liquidation.append(
                isolated_liquidation_price(exchange, side, q, ep, lev, rate, fee_rate=fee)
            )
        else:
            liquidation.append(
                liquidation_price_in_tiers(exchange, side, q, ep, margin, table, fee)[0]
            )
        bankruptcy.append(convention.bankruptcy_price(side, q, ep, margin))
    return liquidation, bankruptcy


def _ratio_reference(
    exchange: str,
    side: str,
    q: float,
    ep: float,
    margin: float,
    prices: list[float],
    *,
    rate: float | None = None,
    table: TierTable | None = None,
    fee: float = 0.0,
) -> list[float]:
    convention = get_exchange(exchange)
    s = 1 if side == "long" else -1
    out = []
    for price in prices:
        if table is None:
            assert rate is not None
            mmr, amount = rate, 0.0
        else:
            tier = table.tier_for(q, ep if convention.tier_price == "entry" else price)
            mmr, amount = tier.maintenance_margin_rate, tier.maintenance_amount
        mm = convention.maintenance_margin(q, ep, price, mmr, amount, fee)
        out.append(convention.margin_ratio(margin + s * q * (price - ep), mm))
    return out


def _same(a: object, b: object) -> bool:
    """Equal floats (NaN never appears), None equal to None."""
    return a == b


# sizes and entries whose notional sits at, just below and just above each tier edge
_EDGE_POSITIONS = [
    (1.0, 50_000.0),
    (1.0, 50_000.000001),
    (1.0, 49_999.99999),
    (5.0, 50_000.0),
    (1.0, 20_000.0),
    (3.0, 20_000.0),
    (13.0, 20_000.0),
    (50.0, 20_000.0),
    (100.0, 20_000.0),
    (100.0, 20_500.0),
    (130.0, 20_000.0),
    (300.0, 3_000.0),
    (300.000001, 3_000.0),
    (601.0, 3_000.0),
    (0.001, 60_000.0),
    (1e-120, 20_000.0),  # outside the plain float range: the solvers' careful paths
]


@pytest.mark.parametrize("exchange", EXCHANGES)
@pytest.mark.parametrize("side", ["long", "short"])
@pytest.mark.parametrize(("q", "ep"), _EDGE_POSITIONS)
def test_leverage_curve_with_a_table_is_the_per_leverage_solver(
    exchange: str, side: str, q: float, ep: float
) -> None:
    table = TABLES[exchange]
    for fee in (0.0, 0.0005):
        curve = exchange_leverage_curve(
            exchange, side, q, ep, table=table, max_leverage=125, fee_rate=fee
        )
        liquidation, bankruptcy = _leverage_reference(
            exchange, side, q, ep, 125, table=table, fee=fee
        )
        assert curve.leverages == tuple(range(1, 126))
        assert all(map(_same, curve.liquidation, liquidation)), (exchange, side, q, ep, fee)
        assert all(map(_same, curve.bankruptcy, bankruptcy))


@pytest.mark.parametrize("exchange", EXCHANGES)
@pytest.mark.parametrize("side", ["long", "short"])
@pytest.mark.parametrize(
    ("rate", "fee"), [(0.0, 0.0), (0.005, 0.0005), (0.1, 0.002), (0.5, 0.5), (0.999, 0.0)]
)
def test_leverage_curve_with_one_rate_is_the_per_leverage_solver(
    exchange: str, side: str, rate: float, fee: float
) -> None:
    # (0.5, 0.5): OKX's long denominator 1 - (MMR + fee) is 0, no price at any leverage
    for q, ep in _EDGE_POSITIONS[::3]:
        curve = exchange_leverage_curve(
            exchange, side, q, ep, maintenance_margin_rate=rate, max_leverage=125, fee_rate=fee
        )
        liquidation, bankruptcy = _leverage_reference(
            exchange, side, q, ep, 125, rate=rate, fee=fee
        )
        assert all(map(_same, curve.liquidation, liquidation)), (exchange, side, q, ep)
        assert all(map(_same, curve.bankruptcy, bankruptcy))


def test_binance_leverage_curve_reselects_the_bracket_at_the_root() -> None:
    # 1 BTC long at 50,000.01 (bracket 2 by a cent): at 1x the root is far below 50,000, in
    # bracket 1 (MMR 0.4 %, cum 0): (50,000.01 - 50,000.01) / (0.004 - 1) -> no price, None;
    # at 2x: (25,000.005 - 50,000.01) / -0.996 = 25,100.406..., in bracket 1 (not bracket 2)
    curve = exchange_leverage_curve("binance", "long", 1, 50_000.01, table=BINANCE_2021)
    assert curve.liquidation[0] is None
    assert curve.liquidation[1] == pytest.approx(float(F("25000.005") / F("0.996")), rel=1e-12)


@pytest.mark.parametrize("exchange", EXCHANGES)
@pytest.mark.parametrize("side", ["long", "short"])
@pytest.mark.parametrize(("q", "ep"), _EDGE_POSITIONS)
def test_ratio_curve_is_the_per_price_requirement_and_ratio(
    exchange: str, side: str, q: float, ep: float
) -> None:
    table = TABLES[exchange]
    # marks across every tier edge of the position (caps / Q), and the edges themselves
    edges = [t.cap / q for t in table.tiers if table.basis == "notional"]
    marks = [ep * (0.5 + k / 100) for k in range(101)] + [e for e in edges if 0 < e < 1e300]
    for margin in (0.0, q * ep / 50, q * ep / 3, q * ep * 2):
        for fee in (0.0, 0.0005):
            with_table = exchange_ratio_curve(
                exchange, side, q, ep, margin, marks, table=table, fee_rate=fee
            )
            assert all(
                map(
                    _same,
                    with_table,
                    _ratio_reference(exchange, side, q, ep, margin, marks, table=table, fee=fee),
                )
            ), (exchange, side, q, ep, margin, fee)
            one_rate = exchange_ratio_curve(
                exchange, side, q, ep, margin, marks, maintenance_margin_rate=0.007, fee_rate=fee
            )
            assert all(
                map(
                    _same,
                    one_rate,
                    _ratio_reference(exchange, side, q, ep, margin, marks, rate=0.007, fee=fee),
                )
            )


def test_ratio_curve_takes_ints_and_fractions_as_the_per_price_calls_do() -> None:
    # 1 BTC long at 20,000, M = 400, MMR 0.5 %: Bybit 100 / 200 at 19,800 whatever the type
    for marks in ([19_800], [F(19_800)], [19_800.0]):
        assert exchange_ratio_curve(
            "bybit", "long", 1, 20_000, 400, marks, maintenance_margin_rate=0.005
        ) == (0.5,)


def test_ratio_curve_beyond_the_float_range_raises_as_the_per_price_calls() -> None:
    # Q·P overflows: the checked requirement refuses it, with or without the one-pass path
    with pytest.raises(ValueError):
        _ratio_reference("binance", "long", 1e200, 1e200, 1.0, [1e200], rate=0.005)
    for exchange in EXCHANGES:
        with pytest.raises(ValueError):
            exchange_ratio_curve(
                exchange, "long", 1e200, 1e200, 1.0, [1e200], maintenance_margin_rate=0.005
            )


@PROPERTY
@given(
    exchange=st.sampled_from(EXCHANGES),
    side=st.sampled_from(["long", "short"]),
    q=st.floats(1e-6, 1e4),
    ep=st.floats(1.0, 1e6),
    use_table=st.booleans(),
    rate=st.floats(0.0, 0.2),
    fee=st.sampled_from([0.0, 0.0002, 0.0005, 0.002]),
    top=st.integers(1, 150),
)
def test_leverage_curve_property(
    exchange: str,
    side: str,
    q: float,
    ep: float,
    use_table: bool,
    rate: float,
    fee: float,
    top: int,
) -> None:
    table = TABLES[exchange] if use_table else None
    source = {"table": table} if table else {"maintenance_margin_rate": rate}
    curve = exchange_leverage_curve(
        exchange,
        side,
        q,
        ep,
        max_leverage=top,
        fee_rate=fee,
        **source,  # type: ignore[arg-type]
    )
    liquidation, bankruptcy = _leverage_reference(
        exchange, side, q, ep, top, rate=rate, table=table, fee=fee
    )
    assert list(curve.liquidation) == liquidation
    assert list(curve.bankruptcy) == bankruptcy


@PROPERTY
@given(
    exchange=st.sampled_from(EXCHANGES),
    side=st.sampled_from(["long", "short"]),
    q=st.floats(1e-6, 1e4),
    ep=st.floats(1.0, 1e6),
    leverage=st.floats(1.0, 150.0),
    use_table=st.booleans(),
    rate=st.floats(0.0, 0.2),
    fee=st.sampled_from([0.0, 0.0005]),
    moves=st.lists(st.floats(-0.99, 3.0), min_size=1, max_size=30),
)
def test_ratio_curve_property(
    exchange: str,
    side: str,
    q: float,
    ep: float,
    leverage: float,
    use_table: bool,
    rate: float,
    fee: float,
    moves: list[float],
) -> None:
    table = TABLES[exchange] if use_table else None
    source = {"table": table} if table else {"maintenance_margin_rate": rate}
    margin = q * ep / leverage
    marks = [ep * (1 + move) for move in moves]
    ratios = exchange_ratio_curve(
        exchange,
        side,
        q,
        ep,
        margin,
        marks,
        fee_rate=fee,
        **source,  # type: ignore[arg-type]
    )
    reference = _ratio_reference(
        exchange, side, q, ep, margin, marks, rate=rate, table=table, fee=fee
    )
    assert list(ratios) == reference


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_tiers_at_is_tier_for_at_each_price(exchange: str) -> None:
    table = TABLES[exchange]
    for q in (0.0, 1.0, 3.0, 300.0, 300.5, 1_000.0):
        prices = [1.0, 3_000.0, 16_666.66, 50_000.0, 83_333.33, 250_000.0, 2e6, 1e9]
        prices += [t.cap / q for t in table.tiers if q]
        assert table.tiers_at(q, prices) == tuple(table.tier_for(q, p) for p in prices)
    with pytest.raises(ValueError, match=r"prices\[1\] must be > 0"):
        table.tiers_at(1.0, [1.0, 0.0])
    with pytest.raises(ValueError, match="quantity"):
        table.tiers_at(-1.0, [1.0])


# --------------------------------------------------------------------------- size curve
def _size_reference(
    side: str, ep: float, notionals: list[float], table: BracketTable, lev: float, wallet: float
) -> tuple[list[float | None], list[float | None]]:
    """One bracketed solver call per size and mode (the calls size_curve replaces)."""
    cap = table.max_notional_for_leverage(lev)
    isolated: list[float | None] = []
    cross: list[float | None] = []
    for n in notionals:
        if n > cap:
            isolated.append(None)
            cross.append(None)
            continue
        q = n / ep
        isolated.append(liquidation_price_in_brackets(side, q, ep, n / lev, table)[0])
        cross.append(
            liquidation_price_in_brackets(side, q, ep, wallet, table)[0]
            if n / lev <= wallet
            else None
        )
    return isolated, cross


@pytest.mark.parametrize("side", ["long", "short"])
def test_size_curve_is_the_bracketed_solver_at_each_size(
    side: str, shipped_table: BracketTable
) -> None:
    # every cap of the table, a hair either side of it, and a log grid over the table
    caps = [b.max_notional for b in shipped_table.brackets]
    sizes = sorted(
        {c * f for c in caps for f in (1 - 1e-12, 1.0, 1 + 1e-12)}
        | set(log_grid(100, shipped_table.max_notional, 120))
    )
    for ep in (3_000.0, 60_000.0, 60_000.123):
        for lev in (1, 2, 7, 20, 50, 75, 100, 125):
            if lev > shipped_table.brackets[0].max_leverage:
                continue
            for wallet in (0.0, 1_000.0, 10_000.0, 1e7, 1e9):
                curve = size_curve(side, ep, sizes, shipped_table, lev, wallet)
                isolated, cross = _size_reference(side, ep, sizes, shipped_table, lev, wallet)
                assert list(curve.isolated) == isolated, (side, ep, lev, wallet)
                assert list(curve.cross) == cross, (side, ep, lev, wallet)


def test_size_curve_outside_the_plain_float_range_is_the_solver() -> None:
    # sizes so small that Q = N / EP is below 1e-100: the bracketed solver's own paths
    sizes = [1e-95, 1e-60, 1.0]
    curve = size_curve("long", 1e40, sizes, BINANCE_2021_BRACKETS, 10, 5.0)
    isolated, cross = _size_reference("long", 1e40, sizes, BINANCE_2021_BRACKETS, 10, 5.0)
    assert list(curve.isolated) == isolated and list(curve.cross) == cross


def test_size_curve_checks_each_size_naming_it() -> None:
    with pytest.raises(ValueError, match=r"notionals\[1\] must be > 0"):
        size_curve("long", 20_000, [1.0, -5.0], BINANCE_2021_BRACKETS, 10, 1_000)
    with pytest.raises(ValueError, match=r"notionals\[0\] must be a finite number"):
        size_curve("long", 20_000, [math.inf], BINANCE_2021_BRACKETS, 10, 1_000)
    # ints and fractions are sizes too (taken as floats)
    assert size_curve("long", 20_000, [20_000], BINANCE_2021_BRACKETS, 50, 1_000) == size_curve(
        "long", 20_000, [F(20_000)], BINANCE_2021_BRACKETS, 50, 1_000
    )


@PROPERTY
@given(
    side=st.sampled_from(["long", "short"]),
    ep=st.floats(1.0, 1e6),
    sizes=st.lists(st.floats(1.0, 1.2e7), min_size=1, max_size=20),
    lev=st.integers(1, 125),
    wallet=st.floats(0.0, 1e8),
)
def test_size_curve_property(
    side: str, ep: float, sizes: list[float], lev: int, wallet: float
) -> None:
    table = BINANCE_2021_BRACKETS
    curve = size_curve(side, ep, sizes, table, lev, wallet)
    isolated, cross = _size_reference(side, ep, sizes, table, lev, wallet)
    assert list(curve.isolated) == isolated
    assert list(curve.cross) == cross
