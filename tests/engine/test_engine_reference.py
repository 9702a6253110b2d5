"""A deliberately naive reference for the clever part: bracket re-selection.

The reference solves the margin equation by bisection,

    gap(P) = WB + UPNL + s·Q·(P − EP) − TMM − MM(Q·P)

where ``MM`` looks the bracket up by a linear scan of the table at every price. ``gap`` is
monotone in P (slope s·Q·(1 − s·MMR), MMR < 1), so the root is unique. The closed form with bracket
re-selection (``liquidation_price_in_brackets``, ``Account.liquidation_price``) must agree with it
over many random positions, including ones large enough to cross bracket edges.
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    Account,
    Bracket,
    BracketTable,
    available_bracket_tables,
    liquidation_price,
    liquidation_price_in_brackets,
    load_brackets,
)

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=500, deadline=None)

SIGN = {"long": 1, "short": -1}
TABLES = [load_brackets(symbol, date) for symbol, date in available_bracket_tables()]


def naive_bracket(table: BracketTable, value: float) -> Bracket:
    """Linear scan: the first bracket with floor < value <= cap (0 counts in bracket 1)."""
    for b in table.brackets:
        if b.min_notional < value <= b.max_notional or (b.number == 1 and value == 0):
            return b
    return table.brackets[-1]


def naive_maintenance(table: BracketTable, value: float) -> float:
    b = naive_bracket(table, value)
    return value * b.maintenance_margin_rate - b.maintenance_amount


def bisect_liquidation_price(
    side: str,
    q: float,
    ep: float,
    wb: float,
    table: BracketTable,
    tmm: float = 0.0,
    upnl: float = 0.0,
) -> float | None:
    """Root of gap(P) by bisection, or None when no positive price liquidates."""
    s = SIGN[side]

    def gap(price: float) -> float:
        return wb + upnl + s * q * (price - ep) - tmm - naive_maintenance(table, q * price)

    # a long is liquidated where gap <= 0 (gap rises with P), a short where gap <= 0 (it falls):
    # a positive root exists iff the position is on its safe side as P -> 0
    if s * gap(0.0) >= 0:
        return None
    lo, hi = 0.0, ep
    while s * gap(hi) < 0:
        lo, hi = hi, hi * 2
    for _ in range(2_000):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if s * gap(mid) < 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def assert_same_price(
    found: float | None, reference: float | None, ep: float, scale: float
) -> None:
    """Equal within 1e-9 of the problem's price scale (EP and the amounts per unit)."""
    tol = 1e-9 * scale
    if found is None or reference is None:
        # a root at (or rounding around) zero may come out as None on one side only
        assert (found or 0.0) <= tol and (reference or 0.0) <= tol, (found, reference)
        return
    assert found == pytest.approx(reference, rel=1e-9, abs=tol)


def random_case(rng: random.Random) -> dict[str, Any]:
    """A position from 10 USDT to 2.5 billion USDT notional: every bracket edge gets crossed."""
    table = rng.choice(TABLES)
    side = rng.choice(["long", "short"])
    value = 10 ** rng.uniform(1, math.log10(2.5e9))
    ep = 10 ** rng.uniform(-1, 5)
    q = value / ep
    if rng.random() < 0.5:  # isolated at an allowed leverage
        top = table.max_leverage(value)
        wb = value / rng.uniform(1, top)
        tmm = upnl = 0.0
    else:  # cross: a wallet, other positions' maintenance margin and PnL
        wb = value * 10 ** rng.uniform(-3, 0.5) * (1 if rng.random() < 0.9 else -0.01)
        tmm = value * rng.uniform(0, 0.05)
        upnl = value * rng.uniform(-0.5, 0.5)
    return {"side": side, "q": q, "ep": ep, "wb": wb, "table": table, "tmm": tmm, "upnl": upnl}


def _scale(case: dict[str, Any]) -> float:
    amounts = abs(case["wb"]) + case["tmm"] + abs(case["upnl"])
    return float(case["ep"] + amounts / case["q"] + case["table"].max_notional / case["q"] * 1e-6)


def test_closed_form_matches_bisection_on_random_positions() -> None:
    rng = random.Random(20_241_024)
    crossed = 0
    for _ in range(2_000):
        case = random_case(rng)
        price, bracket = liquidation_price_in_brackets(
            case["side"],
            case["q"],
            case["ep"],
            case["wb"],
            case["table"],
            case["tmm"],
            case["upnl"],
        )
        reference = bisect_liquidation_price(**case)
        assert_same_price(price, reference, case["ep"], _scale(case))
        if price is not None:
            crossed += case["table"].bracket_for(case["q"] * case["ep"]).number != bracket.number
    # the sample really exercises the re-selection (positions whose bracket changes)
    assert crossed >= 50


@PROPERTY
@given(
    table=st.sampled_from(TABLES),
    side=st.sampled_from(["long", "short"]),
    log_value=st.floats(0.0, math.log10(3e9)),
    ep=st.floats(0.01, 1e5),
    wallet_ratio=st.floats(-0.05, 2.0),
    tmm_ratio=st.floats(0.0, 0.05),
    upnl_ratio=st.floats(-0.5, 0.5),
)
def test_closed_form_matches_bisection_property(
    table: BracketTable,
    side: str,
    log_value: float,
    ep: float,
    wallet_ratio: float,
    tmm_ratio: float,
    upnl_ratio: float,
) -> None:
    value = 10**log_value
    case: dict[str, Any] = {
        "side": side,
        "q": value / ep,
        "ep": ep,
        "wb": value * wallet_ratio,
        "table": table,
        "tmm": value * tmm_ratio,
        "upnl": value * upnl_ratio,
    }
    price, _ = liquidation_price_in_brackets(
        side, case["q"], ep, case["wb"], table, case["tmm"], case["upnl"]
    )
    assert_same_price(price, bisect_liquidation_price(**case), ep, _scale(case))


@PROPERTY
@given(
    table=st.sampled_from(TABLES),
    side=st.sampled_from(["long", "short"]),
    log_value=st.floats(0.0, math.log10(3e9)),
    ep=st.floats(0.01, 1e5),
    wallet_ratio=st.floats(0.0, 2.0),
)
def test_reselected_price_is_the_envelope_of_bracket_roots(
    table: BracketTable, side: str, log_value: float, ep: float, wallet_ratio: float
) -> None:
    """MM is the largest bracket piece, so the true root is the largest of the per-bracket
    roots for a long and the smallest for a short (None counting as "at or below zero")."""
    q = 10**log_value / ep
    wb = 10**log_value * wallet_ratio
    roots = [
        liquidation_price(side, q, ep, wb, b.maintenance_margin_rate, b.maintenance_amount)
        for b in table.brackets
    ]
    if side == "long":
        envelope = max((r for r in roots if r is not None), default=None)
    else:
        envelope = None if None in roots else min(r for r in roots if r is not None)
    price, _ = liquidation_price_in_brackets(side, q, ep, wb, table)
    assert_same_price(price, envelope, ep, ep + wb / q)


def test_account_matches_bisection_in_both_modes() -> None:
    """Account.liquidation_price, isolated and cross (two cross positions), against bisection."""
    rng = random.Random(7)
    btc, eth = load_brackets("BTCUSDT", "2024-10-24"), load_brackets("ETHUSDT", "2024-10-24")
    checked = 0
    for _ in range(400):
        btc_price, eth_price = 10 ** rng.uniform(3, 5), 10 ** rng.uniform(2, 4)
        btc_value = 10 ** rng.uniform(2, 8.5)
        eth_value = 10 ** rng.uniform(2, 8)
        btc_side, eth_side = rng.choice(["long", "short"]), rng.choice(["long", "short"])
        btc_lev = rng.uniform(1, btc.max_leverage(btc_value))
        eth_lev = rng.uniform(1, eth.max_leverage(eth_value))
        mode = rng.choice(["isolated", "cross"])
        initial = btc_value / btc_lev + eth_value / eth_lev
        account = Account(wallet_balance=initial * rng.uniform(1.0, 3.0))
        account.set_margin_mode(mode, "BTCUSDT")
        account.set_margin_mode("cross", "ETHUSDT")
        account.open_position("ETHUSDT", eth_side, eth_value / eth_price, eth_price, eth_lev)
        account.open_position("BTCUSDT", btc_side, btc_value / btc_price, btc_price, btc_lev)
        move = rng.uniform(-0.3, 0.3)
        account.update_mark("ETHUSDT", eth_price * (1 + move))
        if "ETHUSDT" not in account.positions:  # the cross account was liquidated
            continue
        p, other = account.position("BTCUSDT"), account.position("ETHUSDT")
        mark = account.mark_price("ETHUSDT")
        if mode == "isolated":
            wb, tmm, upnl = p.isolated_wallet, 0.0, 0.0
        else:
            wb = account.wallet_balance
            tmm = naive_maintenance(eth, other.quantity * mark)
            upnl = SIGN[other.side] * other.quantity * (mark - other.entry_price)
        reference = bisect_liquidation_price(p.side, p.quantity, p.entry_price, wb, btc, tmm, upnl)
        found = account.liquidation_price("BTCUSDT")
        scale = p.entry_price + (abs(wb) + tmm + abs(upnl)) / p.quantity
        assert_same_price(found, reference, p.entry_price, scale)
        # and the formula with bracket re-selection, given the same WB, TMM and UPNL, agrees
        formula, _ = liquidation_price_in_brackets(
            p.side, p.quantity, p.entry_price, wb, btc, tmm, upnl
        )
        assert (found is None) == (formula is None)
        if found is not None:
            assert found == pytest.approx(formula, rel=1e-12)
        checked += 1
    assert checked >= 300
