"""Every price at a target margin ratio, and the liquidation outlook (a price, never, already).

``margin_ratio_prices`` is checked against a brute-force reference that scans the price axis
(a fine logarithmic grid plus every bracket edge and the entry price), evaluates the margin ratio
with the table's own bracket look-up, and bisects each sign change; thousands of seeded random
cases put a root just either side of a bracket edge, on either side of the entry price.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from fractions import Fraction as F

import pytest

from margin_widgets.engine import (
    BracketTable,
    LiquidationOutlook,
    available_bracket_tables,
    is_liquidated,
    liquidation_outlook,
    liquidation_outlook_in_brackets,
    liquidation_price,
    liquidation_price_in_brackets,
    load_brackets,
    margin_ratio,
    margin_ratio_price,
    margin_ratio_prices,
)

SIGN = {"long": 1, "short": -1}
TABLES = [load_brackets(symbol, date) for symbol, date in available_bracket_tables()]
BTC_2021 = load_brackets("BTCUSDT", "2021-03-18")


# --------------------------------------------------------------------------- brute force
def _gap(
    side: str,
    q: float,
    ep: float,
    wb: float,
    table: BracketTable,
    tmm: float,
    upnl: float,
    r: float,
) -> Callable[[float], float]:
    """``r·MB(P) − TMM − MM(P)``: zero where the margin ratio is r, MM from the table look-up."""
    s = SIGN[side]

    def gap(price: float) -> float:
        value = q * price
        maintenance = tmm + table.bracket_for(value).maintenance_margin(value)
        return r * (wb + upnl + s * q * (price - ep)) - maintenance

    return gap


def brute_force_roots(
    side: str,
    q: float,
    ep: float,
    wb: float,
    table: BracketTable,
    tmm: float,
    upnl: float,
    r: float,
) -> tuple[list[float], float]:
    """Roots found by scanning a grid and bisecting sign changes; also the grid's top price."""
    gap = _gap(side, q, ep, wb, table, tmm, upnl, r)
    low, high = ep * 1e-9, max(ep, table.max_notional / q) * 1e4
    steps = 900
    grid = {low * (high / low) ** (i / steps) for i in range(steps + 1)}
    grid.update(b.max_notional / q for b in table.brackets)
    grid.add(ep)
    points = sorted(p for p in grid if low <= p <= high)
    values = [gap(p) for p in points]
    roots: list[float] = []
    for i in range(len(points) - 1):
        a, ga, b, gb = points[i], values[i], points[i + 1], values[i + 1]
        if ga == 0:
            roots.append(a)
        elif ga * gb < 0:
            for _ in range(200):
                mid = (a + b) / 2
                if mid in (a, b):
                    break
                gm = gap(mid)
                if (gm < 0) == (ga < 0):
                    a, ga = mid, gm
                else:
                    b = mid
            roots.append((a + b) / 2)
    if values[-1] == 0:
        roots.append(points[-1])
    # the ratio must be defined there: a positive margin balance
    s = SIGN[side]
    roots = [p for p in roots if wb + upnl + s * q * (p - ep) > 0]
    return roots, high


def touches_at_an_edge(
    side: str,
    q: float,
    ep: float,
    wb: float,
    table: BracketTable,
    tmm: float,
    upnl: float,
    r: float,
) -> bool:
    """Whether the target is only touched at a bracket edge where the gap peaks (a double root).

    There ``r·MB − MM`` rises to zero and falls again; whether rounding leaves the peak a hair
    above or below zero decides if the price counts, so the comparison skips such cases.
    """
    gap = _gap(side, q, ep, wb, table, tmm, upnl, r)
    s = SIGN[side]
    for below, above in zip(table.brackets, table.brackets[1:], strict=False):
        edge = below.max_notional / q
        scale = abs(wb) + abs(upnl) + tmm + q * edge + q * ep
        rises = r * s - below.maintenance_margin_rate >= 0
        falls = r * s - above.maintenance_margin_rate <= 0
        if rises and falls and abs(gap(edge)) <= 1e-9 * scale:
            return True
    return False


def _ratio_at(
    side: str,
    q: float,
    ep: float,
    wb: float,
    table: BracketTable,
    tmm: float,
    upnl: float,
    p: float,
) -> float:
    value = q * p
    balance = wb + upnl + SIGN[side] * q * (p - ep)
    return margin_ratio(tmm + table.bracket_for(value).maintenance_margin(value), balance)


def _random_case(
    rng: random.Random,
) -> tuple[str, float, float, float, BracketTable, float, float, float]:
    table = rng.choice(TABLES)
    side = rng.choice(("long", "short"))
    q = 10 ** rng.uniform(-2, 2)
    r = 1.0 if rng.random() < 0.25 else rng.uniform(0.02, 1.0)
    tmm = 0.0 if rng.random() < 0.5 else rng.uniform(0, 5e4)
    upnl = 0.0 if rng.random() < 0.5 else rng.uniform(-5e4, 5e4)
    edge = rng.choice(table.brackets[:-1]).max_notional / q
    # a root just below or just above a bracket edge (or on it), on either side of the entry
    offset = rng.choice((0.0, 1.0)) * rng.choice((-1, 1)) * 10 ** rng.uniform(-9, -1)
    target = edge * (1 + offset)
    ep = target * (1 + rng.choice((-1, 1)) * rng.uniform(0.001, 0.5))
    s = SIGN[side]
    value = q * target
    maintenance = tmm + table.bracket_for(value).maintenance_margin(value)
    wb = maintenance / r - upnl - s * q * (target - ep)
    if rng.random() < 0.2:  # and some cases with no root placed on purpose
        wb *= rng.uniform(0.1, 3)
    return side, q, ep, wb, table, tmm, upnl, r


def test_margin_ratio_prices_match_brute_force_on_random_cases() -> None:
    rng = random.Random(20_240_601)
    two_roots = touching = 0
    for _ in range(2_500):
        side, q, ep, wb, table, tmm, upnl, r = case = _random_case(rng)
        prices = margin_ratio_prices(side, q, ep, wb, table, r, tmm, upnl)
        reference, top = brute_force_roots(*case[:5], tmm, upnl, r)
        assert list(prices) == sorted(prices)
        for price in prices:
            ratio = _ratio_at(side, q, ep, wb, table, tmm, upnl, price)
            assert ratio == pytest.approx(r, rel=1e-7), (case, price)
        if touches_at_an_edge(*case):
            touching += 1
            continue
        inside = [p for p in prices if p <= top]
        assert len(inside) == len(reference), (case, prices, reference)
        for got, want in zip(inside, reference, strict=True):
            assert got == pytest.approx(want, rel=1e-9), (case, prices, reference)
        if len(prices) == 2:
            two_roots += 1
            assert side == "long" and r < 1  # a short's ratio only rises; at 100 % one root
        nearest = margin_ratio_price(side, q, ep, wb, table, r, tmm, upnl)
        if prices:
            assert nearest == min(prices, key=lambda p: abs(p - ep))
        else:
            assert nearest is None
    assert two_roots > 20  # the reference really exercised the second, high-notional root
    assert touching < 50  # tangent cases stay the exception


def test_two_prices_worked_by_hand() -> None:
    # 10 BTC long at 20,000, 100,000 USDT, 2021 table, target 5 %: 0.05·MB = 0.5·P − 5,000.
    # bracket 2 (MMR 0.5 %, cum 50): 0.5·P − 5,000 = 0.05·P − 50  → P = 4,950 / 0.45 = 11,000
    # bracket 6 (MMR 10 %, cum 1,266,300): 0.5·P − 5,000 = P − 1,266,300 → P = 2,522,600
    low, high = margin_ratio_prices("long", 10, 20_000, 100_000, BTC_2021, 0.05)
    assert low == pytest.approx(11_000, rel=1e-14)
    assert high == pytest.approx(2_522_600, rel=1e-14)
    # the single-price function picks the one nearest the entry
    assert margin_ratio_price("long", 10, 20_000, 100_000, BTC_2021, 0.05) == low
    # entry far up: 10 BTC at 2,000,000 with a wallet making both roots as before — the nearer
    # is now the high one (0.05·(WB + 10·P − 20,000,000) = 0.5·P − 5,000 when WB = 19,900,000)
    near = margin_ratio_price("long", 10, 2_000_000, 19_900_000, BTC_2021, 0.05)
    assert near == pytest.approx(2_522_600, rel=1e-14)


def test_no_price_reaches_the_target() -> None:
    # 1 BTC long at 20,000 fully backed (WB 20,000), target 50 %: 0.5·MB = 0.5·P, and
    # 0.5·P − (P·MMR − cum) = P·(0.5 − MMR) + cum > 0 in every bracket (MMR <= 50 %, cum >= 0,
    # cum > 0 where MMR = 50 %): never equal.
    assert margin_ratio_prices("long", 1, 20_000, 20_000, BTC_2021, 0.5) == ()
    assert margin_ratio_price("long", 1, 20_000, 20_000, BTC_2021, 0.5) is None


def test_a_short_reaches_the_target_once() -> None:
    # 1 BTC short at 20,000, 1,000 USDT, 80 %: 0.8·(1,000 + 20,000) / (0.004 + 0.8) = 20,895.52
    prices = margin_ratio_prices("short", 1, 20_000, 1_000, BTC_2021, 0.8)
    assert prices == (pytest.approx(16_800 / 0.804, rel=1e-14),)


@pytest.mark.parametrize("bad", [0, -0.5, 1.5, math.nan])
def test_margin_ratio_prices_refuses_a_bad_target(bad: float) -> None:
    with pytest.raises(ValueError, match="margin_ratio must"):
        margin_ratio_prices("long", 1, 20_000, 1_000, BTC_2021, bad)


# --------------------------------------------------------------------------- outlook
def test_outlook_worked_examples() -> None:
    # Binance's example: 1 BTC long at 20,000 with 400 USDT, MMR 0.5 %:
    # (400 − 20,000)/(0.005 − 1) = 3,920,000/199 = 19,698.49...
    outlook = liquidation_outlook("long", 1, 20_000, 400, 0.005, 0)
    assert outlook.kind == "at_price"
    assert outlook.price == pytest.approx(float(F(3_920_000, 199)), rel=1e-14)
    # over-collateralised long: (25,000 − 20,000)/(0.005 − 1) < 0 → never
    assert liquidation_outlook("long", 1, 20_000, 25_000, 0.005, 0) == LiquidationOutlook("never")
    # short whose other legs lost 30,000 on a 10,000 wallet: (10,000 − 30,000 + 20,000)/1.005
    # = 0 → liquidated at every positive price
    already = liquidation_outlook("short", 1, 20_000, 10_000, 0.005, 0, 0, -30_000)
    assert already == LiquidationOutlook("already")
    # the price function says None for both of the last two
    assert liquidation_price("long", 1, 20_000, 25_000, 0.005, 0) is None
    assert liquidation_price("short", 1, 20_000, 10_000, 0.005, 0, 0, -30_000) is None


def test_outlook_at_the_mark() -> None:
    # long LP 19,698.49: a mark at 19,500 is already past it, 19,700 not yet
    assert liquidation_outlook("long", 1, 20_000, 400, 0.005, 0, mark_price=19_500).kind == (
        "already"
    )
    assert liquidation_outlook("long", 1, 20_000, 400, 0.005, 0, mark_price=19_700).kind == (
        "at_price"
    )
    # short: (400 + 20,000)/(1.005) = 20,298.51; mark 20,300 is past it
    short = liquidation_outlook("short", 1, 20_000, 400, 0.005, 0, mark_price=20_300)
    assert short.kind == "already" and short.price is None
    # exactly at the liquidation price counts as liquidated: MMR 0, 1 BTC long at 100 with 10
    # USDT → LP = 90; at mark 90 MB = 0 = MM
    assert liquidation_outlook("long", 1, 100, 10, 0.0, 0, mark_price=90).kind == "already"
    with pytest.raises(ValueError, match="mark_price must be > 0"):
        liquidation_outlook("long", 1, 100, 10, 0.0, 0, mark_price=0)


def test_outlook_agrees_with_liquidation_price_on_random_cases() -> None:
    rng = random.Random(7)
    for _ in range(3_000):
        side = rng.choice(("long", "short"))
        q, ep = 10 ** rng.uniform(-3, 3), 10 ** rng.uniform(0, 5)
        wb = rng.uniform(0, 2) * q * ep
        mmr, cum = rng.uniform(0, 0.2), rng.uniform(0, 1_000)
        tmm, upnl = rng.uniform(0, 0.5) * q * ep, rng.uniform(-2, 1) * q * ep
        args = (side, q, ep, wb, mmr, cum, tmm, upnl)
        outlook = liquidation_outlook(*args)
        price = liquidation_price(*args)
        s = SIGN[side]

        def gap(p: float, args: tuple[float, ...] = (s, q, ep, wb, mmr, cum, tmm, upnl)) -> float:
            s, q, ep, wb, mmr, cum, tmm, upnl = args  # MB − MM at price p (<= 0: liquidated)
            return (wb + upnl + s * q * (p - ep)) - (tmm + q * p * mmr - cum)

        if price is not None:
            assert outlook == LiquidationOutlook("at_price", price)
        elif outlook.kind == "never":
            assert all(gap(ep * k) > 0 for k in (1e-6, 0.5, 1, 2, 1e3) if s > 0 or k < 1e3)
        else:
            assert outlook.kind == "already"
            assert all(gap(ep * k) <= 1e-9 * q * ep for k in (1e-6, 0.5, 1, 2))


def test_outlook_in_brackets_matches_the_bracketed_price() -> None:
    table = load_brackets("BTCUSDT", "2024-10-24")
    rng = random.Random(11)
    for _ in range(1_000):
        side = rng.choice(("long", "short"))
        q, ep = 10 ** rng.uniform(-2, 2), 10 ** rng.uniform(3, 5)
        wb = rng.uniform(-0.1, 1.5) * q * ep
        tmm, upnl = rng.uniform(0, 0.2) * q * ep, rng.uniform(-1.5, 0.5) * q * ep
        outlook = liquidation_outlook_in_brackets(side, q, ep, wb, table, tmm, upnl)
        price, _ = liquidation_price_in_brackets(side, q, ep, wb, table, tmm, upnl)
        if price is not None:
            assert outlook == LiquidationOutlook("at_price", price)
            mark = price * (0.99 if side == "long" else 1.01)
            late = liquidation_outlook_in_brackets(
                side, q, ep, wb, table, tmm, upnl, mark_price=mark
            )
            assert late.kind == "already"
        else:
            s = SIGN[side]
            # h = MB − MM near P = 0 decides: WB + UPNL − s·Q·EP − TMM. A long has no root when
            # h > 0 there (never); a short has none when h <= 0 there (already, at every price).
            start = wb + upnl - s * q * ep - tmm
            assert outlook.kind == ("never" if start > 0 else "already")
    # hand-worked: 2021 table, 1 BTC long at 20,000, 400 USDT: 19,600/0.996 = 19,678.71
    outlook = liquidation_outlook_in_brackets("long", 1, 20_000, 400, BTC_2021)
    assert outlook.price == pytest.approx(19_600 / 0.996, rel=1e-14)
    already = liquidation_outlook_in_brackets("short", 1, 20_000, 10_000, BTC_2021, 0, -30_000)
    assert already.kind == "already"


# --------------------------------------------------------------------------- is_liquidated
@pytest.mark.parametrize(
    ("maintenance", "balance", "expected"),
    [
        (100, 400, False),  # ratio 25 %
        (400, 400, True),  # ratio exactly 100 %: liquidated
        (400.0000001, 400, True),
        (0, 0.01, False),  # nothing to maintain, money left
        (0, 0, True),  # past bankruptcy (the ratio is inf)
        (10, -5, True),
    ],
)
def test_is_liquidated(maintenance: float, balance: float, expected: bool) -> None:
    assert is_liquidated(maintenance, balance) is expected
    if balance > 0:  # the same verdict as the margin ratio reaching 1
        assert (margin_ratio(maintenance, balance) >= 1) is expected


def test_is_liquidated_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="maintenance_margin_value must be >= 0"):
        is_liquidated(-1, 100)
    with pytest.raises(ValueError, match="margin_balance must be a finite number"):
        is_liquidated(1, math.nan)


def test_a_long_at_1x_is_never_liquidated() -> None:
    # WB = Q·EP: MB − MM = Q·P·(1 − MMR) > 0 at every positive price
    from margin_widgets.engine import (
        liquidation_outlook,
        liquidation_outlook_in_brackets,
        load_brackets,
    )

    assert liquidation_outlook("long", 1, 20_000, 20_000, 0.005, 0).kind == "never"
    table = load_brackets("BTCUSDT", "2024-10-24")
    assert liquidation_outlook_in_brackets("long", 1, 20_000, 20_000, table).kind == "never"
    # the short at 1x is liquidated when the price doubles (minus the maintenance margin)
    short = liquidation_outlook("short", 1, 20_000, 20_000, 0.005, 0)
    assert short.kind == "at_price" and round(short.price, 2) == round(40_000 / 1.005, 2)
