"""Hedge mode: a long and a short leg on one symbol, in cross and isolated margin.

In hedge mode (Binance's "two-way" position mode) a symbol can hold a LONG and a SHORT leg at
once. In cross mode both legs draw on one wallet and share **one** liquidation price, from the
exchange's hedge-mode formula::

    LP = [WB − TMM + UPNL + cum_B + cum_L + cum_S − s·Q_B·EP_B − Q_L·EP_L + Q_S·EP_S]
         / [Q_B·MMR_B + Q_L·MMR_L + Q_S·MMR_S − s·Q_B − Q_L + Q_S]

(B is a one-way "both" position on the symbol, L and S the long and short legs, s the side of B).
It is the one-way condition "margin balance = maintenance margin" with every leg's PnL and
maintenance margin added up. In isolated mode each leg is solved alone with its own wallet,
exactly as a one-way position (:func:`~margin_widgets.engine.formulas.liquidation_price`).

Call the numerator N and the denominator D. The margin left above maintenance at price P is
``N − D·P``, so the sign of D says which way the account dies:

* ``D < 0`` (net long: the long legs outweigh the short legs plus maintenance): liquidated on a
  **fall** to ``N / D``; if ``N >= 0`` the root is at or below zero and no positive price
  liquidates (``"never"``).
* ``D > 0`` (net short, *or fully hedged*: with ``Q_L = Q_S`` the PnL cancels and only
  ``Q·P·(MMR_L + MMR_S)`` remains, which grows with the price): liquidated on a **rise** to
  ``N / D``; if ``N <= 0`` the margin is already below maintenance at every positive price
  (``"always"``).
* ``D = 0``: the margin left does not depend on the price: ``"never"`` if ``N > 0``, else
  ``"always"``.

With brackets (:func:`hedge_liquidation_price_in_brackets`) MMR and cum depend on each leg's
notional at the price, so D changes from piece to piece: the margin left is concave in the
price and a near-hedged account can have both a fall price and a rise price.

These functions are pure, so an account in hedge mode can call them with its legs' numbers.
"""

from __future__ import annotations

import bisect
import itertools
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from margin_widgets.engine import _checks
from margin_widgets.engine.brackets import Bracket, BracketTable
from margin_widgets.engine.formulas import liquidation_price_in_brackets

__all__ = [
    "DIRECTIONS",
    "HedgeLiquidation",
    "HedgeOutlook",
    "LegLiquidation",
    "hedge_liquidation_price",
    "hedge_liquidation_price_in_brackets",
    "hedge_outlook",
    "hedge_size_curve",
    "hedge_wallet_curve",
    "isolated_size_curve",
]

_EDGE = 1e-12  # relative slack for a root computed on one side of a bracket edge

DIRECTIONS: tuple[str, ...] = ("fall", "rise", "never", "always")
"""How a hedge-mode account meets its liquidation price (see the module docstring)."""


@dataclass(frozen=True)
class HedgeLiquidation:
    """The shared cross liquidation price of a symbol's legs, and how it is reached.

    Attributes
    ----------
    price : float or None
        ``N / D`` in USDT when it is a positive finite price, else None.
    direction : {"fall", "rise", "never", "always"}
        ``"fall"``: liquidated when the mark falls to ``price``; ``"rise"``: when it rises to
        ``price``; ``"never"``: no positive price liquidates; ``"always"``: the margin is below
        maintenance at every positive price (already liquidatable).
    numerator : float
        N in USDT (the margin left above maintenance at a price of zero).
    denominator : float
        D in base units (how fast maintenance gains on the margin balance per USDT of price).
    brackets : tuple of (Bracket or None)
        The brackets used for the BOTH, LONG and SHORT legs (None for an empty leg or when
        rates were given directly).
    other : HedgeLiquidation or None
        With brackets only: the root on the other side, when the margin left is positive only
        between two prices (a near-hedged account whose brackets' rates outgrow its net gain
        at high prices dies on a fall *and* on a rise). None otherwise.
    """

    price: float | None
    direction: str
    numerator: float
    denominator: float
    brackets: tuple[Bracket | None, Bracket | None, Bracket | None] = (None, None, None)
    other: HedgeLiquidation | None = None

    @property
    def fall_price(self) -> float | None:
        """The price a fall liquidates at (this root or ``other``), USDT, or None."""
        for root in (self, self.other):
            if root is not None and root.direction == "fall":
                return root.price
        return None

    @property
    def rise_price(self) -> float | None:
        """The price a rise liquidates at (this root or ``other``), USDT, or None."""
        for root in (self, self.other):
            if root is not None and root.direction == "rise":
                return root.price
        return None


@dataclass(frozen=True)
class LegLiquidation:
    """Where one leg is liquidated.

    Attributes
    ----------
    side : {"long", "short"}
        The leg.
    fall_price : float or None
        Price in USDT at which a fall liquidates it (None if no fall does).
    rise_price : float or None
        Price in USDT at which a rise liquidates it (None if no rise does).
    already : bool
        True when its margin is below maintenance at every positive price.
    bracket : Bracket
        The leg's maintenance bracket at its (first) liquidation price.
    """

    side: str
    fall_price: float | None
    rise_price: float | None
    already: bool
    bracket: Bracket


@dataclass(frozen=True)
class HedgeOutlook:
    """What liquidates a hedge-mode symbol, leg by leg, and which legs go at which price.

    Attributes
    ----------
    margin_mode : {"cross", "isolated"}
        Cross: the legs share their prices. Isolated: each leg has its own.
    legs : tuple of LegLiquidation
        One entry per open leg, long first.
    """

    margin_mode: str
    legs: tuple[LegLiquidation, ...]

    @property
    def fall_price(self) -> float | None:
        """The highest price at which a fall liquidates a leg, USDT (None if none does)."""
        prices = [leg.fall_price for leg in self.legs if leg.fall_price is not None]
        return max(prices) if prices else None

    @property
    def rise_price(self) -> float | None:
        """The lowest price at which a rise liquidates a leg, USDT (None if none does)."""
        prices = [leg.rise_price for leg in self.legs if leg.rise_price is not None]
        return min(prices) if prices else None

    @property
    def fall_sides(self) -> tuple[str, ...]:
        """The legs a fall liquidates (each at its own price in isolated mode)."""
        return tuple(leg.side for leg in self.legs if leg.fall_price is not None)

    @property
    def rise_sides(self) -> tuple[str, ...]:
        """The legs a rise liquidates."""
        return tuple(leg.side for leg in self.legs if leg.rise_price is not None)

    @property
    def already_sides(self) -> tuple[str, ...]:
        """The legs whose margin is below maintenance at every positive price."""
        return tuple(leg.side for leg in self.legs if leg.already)


def _direction(numerator: float, denominator: float) -> tuple[float | None, str]:
    """The root ``N / D`` (None unless positive and finite) and the direction it is met from."""
    if denominator == 0:
        return None, "never" if numerator > 0 else "always"
    try:
        price = numerator / denominator
    except OverflowError:  # pragma: no cover - ints beyond the float range
        price = math.inf
    if denominator < 0:
        direction = "fall" if numerator < 0 else "never"
    else:
        direction = "rise" if numerator > 0 else "always"
    if price > 0 and math.isfinite(price):
        return float(price), direction
    return None, direction


def _leg(name: str, quantity: object, entry_price: object) -> tuple[float, float]:
    """Check a leg: quantity >= 0 and, when the leg is open, entry price > 0."""
    q = _checks.non_negative(f"{name}_quantity", quantity)
    if q == 0:
        ep = _checks.non_negative(f"{name}_entry_price", entry_price)
        return 0.0, ep
    return q, _checks.positive(f"{name}_entry_price", entry_price)


def _numerator(
    wb: float,
    tmm: float,
    upnl: float,
    cums: tuple[float, float, float],
    s: int,
    legs: tuple[tuple[float, float], tuple[float, float], tuple[float, float]],
) -> float:
    """N, summed in the order of the published formula (so one open leg gives one-way's N)."""
    (qb, epb), (ql, epl), (qs, eps) = legs
    return wb - tmm + upnl + cums[0] + cums[1] + cums[2] - s * qb * epb - ql * epl + qs * eps


def _denominator(
    rates: tuple[float, float, float],
    s: int,
    quantities: tuple[float, float, float],
) -> float:
    """D, summed in the order of the published formula."""
    qb, ql, qs = quantities
    return qb * rates[0] + ql * rates[1] + qs * rates[2] - s * qb - ql + qs


def hedge_liquidation_price(
    wallet_balance: float,
    long_quantity: float,
    long_entry_price: float,
    long_maintenance_margin_rate: float,
    long_maintenance_amount: float,
    short_quantity: float,
    short_entry_price: float,
    short_maintenance_margin_rate: float,
    short_maintenance_amount: float,
    other_maintenance_margin: float = 0.0,
    other_unrealized_pnl: float = 0.0,
    *,
    both_side: str = "long",
    both_quantity: float = 0.0,
    both_entry_price: float = 0.0,
    both_maintenance_margin_rate: float = 0.0,
    both_maintenance_amount: float = 0.0,
) -> HedgeLiquidation:
    """Cross liquidation price shared by a symbol's hedge-mode legs (Binance's formula).

    Solves "margin balance = maintenance margin" for the one price P at which the LONG leg, the
    SHORT leg and (rarely) a one-way BOTH position on the same symbol are liquidated together::

        LP = [WB − TMM + UPNL + cum_B + cum_L + cum_S − s·Q_B·EP_B − Q_L·EP_L + Q_S·EP_S]
             / [Q_B·MMR_B + Q_L·MMR_L + Q_S·MMR_S − s·Q_B − Q_L + Q_S]

    The sign of the denominator D tells the way in (module docstring): D < 0 a fall, D > 0 a
    rise (a fully hedged pair always has D > 0, so a thin wallet is liquidated on a **rise**:
    the maintenance margin of both legs grows with the price while their PnL cancels). With
    one leg empty this is :func:`~margin_widgets.engine.formulas.liquidation_price` exactly.

    Parameters
    ----------
    wallet_balance : float
        Cross wallet balance WB in USDT, >= 0.
    long_quantity, short_quantity : float
        Absolute sizes Q_L and Q_S of the legs in base units, >= 0 (0 for an empty leg).
    long_entry_price, short_entry_price : float
        Entry prices EP_L, EP_S in USDT per base unit, > 0 for an open leg (ignored, >= 0, for
        an empty one).
    long_maintenance_margin_rate, short_maintenance_margin_rate : float
        MMR_L, MMR_S of each leg's bracket, fractions in [0, 1).
    long_maintenance_amount, short_maintenance_amount : float
        cum_L, cum_S of each leg's bracket in USDT, >= 0.
    other_maintenance_margin : float, default 0.0
        TMM in USDT, >= 0: maintenance margin of every other symbol's cross positions.
    other_unrealized_pnl : float, default 0.0
        UPNL in USDT: unrealised PnL of every other symbol's cross positions.
    both_side : {"long", "short"}, default "long"
        Keyword only: side s of a one-way BOTH position (the exchange's formula keeps its term).
    both_quantity, both_entry_price, both_maintenance_margin_rate, both_maintenance_amount
        Keyword only: Q_B (base units), EP_B (USDT), MMR_B and cum_B (USDT) of that position;
        all 0 when there is none.

    Returns
    -------
    HedgeLiquidation
        The price (None when there is no positive root), the direction it is met from
        (``"fall"``, ``"rise"``, ``"never"``, ``"always"``), N in USDT and D in base units.

    Raises
    ------
    ValueError
        For a negative quantity, wallet, maintenance amount or TMM, a rate outside [0, 1), an
        open leg whose entry price is not > 0, a NaN or infinite value, or an unknown side.
        The message names the parameter.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (the formula and
    its symbols cumB, cumL, cumS, Side1BOTH, Position1BOTH, EP1BOTH, Position1LONG, EP1LONG,
    Position1SHORT, EP1SHORT, MMR_B, MMR_L, MMR_S; "under the cross margin mode, the same
    ticker/symbol, both long and short position share the same liquidation price except in the
    isolated mode").

    Examples
    --------
    1 BTC long and 1 BTC short, both at 20,000, MMR 0.4 %, cum 0, a 100 USDT cross wallet.
    The PnL cancels, so ``N = 100 − 20,000 + 20,000 = 100`` and
    ``D = 0.004 + 0.004 − 1 + 1 = 0.008``: liquidated on a **rise** to 100 / 0.008 = 12,500 —
    already passed, the mark is 20,000, which is why the direction matters:

    >>> result = hedge_liquidation_price(100, 1, 20_000, 0.004, 0, 1, 20_000, 0.004, 0)
    >>> round(result.price, 6), result.direction
    (12500.0, 'rise')

    With 200 USDT the pair survives up to 25,000:

    >>> round(hedge_liquidation_price(200, 1, 20_000, 0.004, 0, 1, 20_000, 0.004, 0).price, 6)
    25000.0
    """
    wb = _checks.non_negative("wallet_balance", wallet_balance)
    return _hedge_root(
        wb,
        (both_side, both_quantity, both_entry_price),
        (long_quantity, long_entry_price),
        (short_quantity, short_entry_price),
        (
            _checks.rate("both_maintenance_margin_rate", both_maintenance_margin_rate),
            _checks.rate("long_maintenance_margin_rate", long_maintenance_margin_rate),
            _checks.rate("short_maintenance_margin_rate", short_maintenance_margin_rate),
        ),
        (
            _checks.non_negative("both_maintenance_amount", both_maintenance_amount),
            _checks.non_negative("long_maintenance_amount", long_maintenance_amount),
            _checks.non_negative("short_maintenance_amount", short_maintenance_amount),
        ),
        _checks.non_negative("other_maintenance_margin", other_maintenance_margin),
        _checks.number("other_unrealized_pnl", other_unrealized_pnl),
    )


def _hedge_root(
    wb: float,
    both: tuple[object, object, object],
    long: tuple[object, object],
    short: tuple[object, object],
    rates: tuple[float, float, float],
    cums: tuple[float, float, float],
    tmm: float,
    upnl: float,
) -> HedgeLiquidation:
    s = _checks.side_sign(both[0], "both_side")
    legs = (_leg("both", both[1], both[2]), _leg("long", *long), _leg("short", *short))
    numerator = _numerator(wb, tmm, upnl, cums, s, legs)
    denominator = _denominator(rates, s, (legs[0][0], legs[1][0], legs[2][0]))
    price, direction = _direction(numerator, denominator)
    return HedgeLiquidation(price, direction, numerator, denominator)


def hedge_liquidation_price_in_brackets(
    wallet_balance: float,
    long_quantity: float,
    long_entry_price: float,
    short_quantity: float,
    short_entry_price: float,
    brackets: BracketTable,
    other_maintenance_margin: float = 0.0,
    other_unrealized_pnl: float = 0.0,
    *,
    both_side: str = "long",
    both_quantity: float = 0.0,
    both_entry_price: float = 0.0,
) -> HedgeLiquidation:
    """Shared cross liquidation price with each leg's bracket chosen by its notional at LP.

    Each leg's maintenance margin is ``notional × MMR − cum`` of the bracket its notional at
    the price falls in, so the margin left, ``margin balance − maintenance margin``, is linear
    between the prices where some leg crosses a bracket edge (``cap / Q``) and continuous
    across them (the ``cum`` recurrence). Each piece is solved with
    :func:`hedge_liquidation_price`'s formula and a root is kept when it lies in its own
    piece: the bracket of every leg is then the one of its notional *at* the root, as the
    exchange's "recalculate with the level at the liquidation price" rule asks — without an
    iteration that could cycle.

    Because the maintenance margin is convex in the notional, the margin left is concave in
    the price: it is positive on one interval at most, so there are at most two roots — a
    **fall** root below and a **rise** root above. A one-way position or a clearly net
    position has one; a near-hedged pair with a thin wallet can have both (its net gain
    per USDT of price is outgrown by the brackets' rising rates). The result's ``price`` is
    the root on the side the legs lean to (a fall for a net long, a rise otherwise); the
    other one, if any, is in ``other``.

    Parameters
    ----------
    wallet_balance : float
        Cross wallet balance WB in USDT; may be below zero (a wallet overdrawn by funding).
    long_quantity, long_entry_price, short_quantity, short_entry_price
        As in :func:`hedge_liquidation_price`.
    brackets : BracketTable
        The symbol's maintenance bracket table (``load_brackets``).
    other_maintenance_margin, other_unrealized_pnl : float, default 0.0
        TMM (>= 0) and UPNL of other symbols' cross positions, in USDT.
    both_side, both_quantity, both_entry_price
        Keyword only: a one-way BOTH position on the symbol, as in
        :func:`hedge_liquidation_price`.

    Returns
    -------
    HedgeLiquidation
        As :func:`hedge_liquidation_price`, with ``brackets`` holding the (BOTH, LONG, SHORT)
        brackets used (None for an empty leg).

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (the hedge-mode
    formula; "if your position (calculated at the liquidation price) and the current position
    (calculated at the opening price) are of different levels", recompute with the level at
    the liquidation price).

    Examples
    --------
    BTCUSDT brackets of 2024-10-24. 1 BTC long at 60,000 and 0.5 BTC short at 62,000, cross
    wallet 5,000. The long's notional at entry, 60,000, is in bracket 2 (0.5 %, cum 50), the
    short's, 31,000, in bracket 1 (0.4 %). N = 5,000 + 50 − 60,000 + 31,000 = −23,950,
    D = 0.005 + 0.002 − 1 + 0.5 = −0.493: a fall to 48,580.12; there the long's notional,
    48,580, is in bracket 1, so retry with 0.4 %, cum 0: N = −24,000, D = −0.494,
    LP = 24,000 / 0.494 = 48,583.00, which stays in bracket 1 — the price both legs share:

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> table = load_brackets("BTCUSDT", "2024-10-24")
    >>> result = hedge_liquidation_price_in_brackets(5_000, 1, 60_000, 0.5, 62_000, table)
    >>> round(result.price, 2), result.direction, result.brackets[1].number
    (48583.0, 'fall', 1)
    """
    wb = _checks.number("wallet_balance", wallet_balance)
    tmm = _checks.non_negative("other_maintenance_margin", other_maintenance_margin)
    upnl = _checks.number("other_unrealized_pnl", other_unrealized_pnl)
    s = _checks.side_sign(both_side, "both_side")
    legs = (
        _leg("both", both_quantity, both_entry_price),
        _leg("long", long_quantity, long_entry_price),
        _leg("short", short_quantity, short_entry_price),
    )
    quantities = (legs[0][0], legs[1][0], legs[2][0])
    table = brackets.brackets
    caps, rates, amounts = _columns(brackets)
    top = len(table) - 1
    _Solved = tuple[float | None, str, float, float, tuple[int, int, int]]

    def solve(price: float) -> _Solved:
        """The linear piece of the margin left around ``price``, and its root.

        Each leg's bracket is the one :meth:`BracketTable.bracket_for` picks for its notional
        at ``price`` (the first for an empty leg, without its deduction).
        """
        chosen = (
            min(bisect.bisect_left(caps, quantities[0] * price), top) if quantities[0] else 0,
            min(bisect.bisect_left(caps, quantities[1] * price), top) if quantities[1] else 0,
            min(bisect.bisect_left(caps, quantities[2] * price), top) if quantities[2] else 0,
        )
        cums = (
            amounts[chosen[0]] if quantities[0] else 0.0,
            amounts[chosen[1]] if quantities[1] else 0.0,
            amounts[chosen[2]] if quantities[2] else 0.0,
        )
        n = _numerator(wb, tmm, upnl, cums, s, legs)
        d = _denominator((rates[chosen[0]], rates[chosen[1]], rates[chosen[2]]), s, quantities)
        root, direction = _direction(n, d)
        return root, direction, n, d, chosen

    def result(piece: _Solved, other: HedgeLiquidation | None = None) -> HedgeLiquidation:
        root, direction, n, d, chosen = piece
        used = (
            table[chosen[0]] if quantities[0] else None,
            table[chosen[1]] if quantities[1] else None,
            table[chosen[2]] if quantities[2] else None,
        )
        return HedgeLiquidation(root, direction, n, d, used, other)

    # The margin left is linear between the prices where a leg crosses a bracket edge; solve
    # each piece and keep the roots that fall inside their own piece.
    edges = sorted({cap / q for q in quantities if q for cap in caps[:-1]})
    bounds = [0.0, *edges, math.inf]
    roots: list[_Solved] = []
    for lo, hi in itertools.pairwise(bounds):
        probe = (lo + hi) / 2 if hi < math.inf else (2 * lo if lo > 0 else 1.0)
        piece = solve(probe)
        root = piece[0]
        if root is None or not lo * (1 - _EDGE) <= root <= hi * (1 + _EDGE):
            continue
        if roots and roots[-1][1] == piece[1]:
            last = roots[-1][0]
            if last is not None and abs(root - last) <= _EDGE * root:
                continue  # the same root seen from both sides of an edge
        roots.append(piece)
    if not roots:
        # no root: the margin left has one sign at every positive price
        _, _, n, d, chosen = solve(1.0)
        verdict = "never" if n - d > 0 else "always"
        return result((None, verdict, n, d, chosen))
    falls = [r for r in roots if r[1] == "fall"]
    rises = [r for r in roots if r[1] == "rise"]
    fall = falls[-1] if falls else None  # the highest price a fall reaches first
    rise = rises[0] if rises else None  # the lowest price a rise reaches first
    net_long = s * quantities[0] + quantities[1] - quantities[2] > 0
    primary, other = (fall, rise) if net_long else (rise, fall)
    if primary is None:
        primary, other = other, None
    assert primary is not None
    return result(primary, result(other) if other is not None else None)


def hedge_outlook(
    long_quantity: float,
    long_entry_price: float,
    short_quantity: float,
    short_entry_price: float,
    brackets: BracketTable,
    *,
    margin_mode: str = "cross",
    wallet_balance: float = 0.0,
    long_wallet_balance: float = 0.0,
    short_wallet_balance: float = 0.0,
    other_maintenance_margin: float = 0.0,
    other_unrealized_pnl: float = 0.0,
) -> HedgeOutlook:
    """Which legs of a hedge-mode symbol are liquidated, at which prices, from which side.

    * Cross: both legs share the price of :func:`hedge_liquidation_price_in_brackets` and go
      together (``fall_sides`` or ``rise_sides`` holds both legs).
    * Isolated: each leg is a one-way position on its own wallet
      (:func:`~margin_widgets.engine.formulas.liquidation_price_in_brackets`): the long is
      liquidated on a fall to its price, the short on a rise to its price.

    Parameters
    ----------
    long_quantity, long_entry_price, short_quantity, short_entry_price
        The legs, as in :func:`hedge_liquidation_price` (a quantity of 0 is an empty leg).
    brackets : BracketTable
        The symbol's maintenance bracket table.
    margin_mode : {"cross", "isolated"}, default "cross"
        Keyword only.
    wallet_balance : float, default 0.0
        Cross only: the cross wallet balance in USDT (may be below zero).
    long_wallet_balance, short_wallet_balance : float, default 0.0
        Isolated only: each leg's isolated wallet in USDT.
    other_maintenance_margin, other_unrealized_pnl : float, default 0.0
        Cross only: TMM (>= 0) and UPNL of other symbols' cross positions, USDT.

    Returns
    -------
    HedgeOutlook
        One :class:`LegLiquidation` per open leg, with ``fall_price``/``fall_sides``,
        ``rise_price``/``rise_sides`` and ``already_sides`` summarising them.

    Raises
    ------
    ValueError
        For an unknown margin mode, a mode's wallet given in the other mode, or any input the
        underlying solvers refuse.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" ("under the
    isolated mode, each isolated position will have different liquidation prices depending on
    the margin allocated to the positions").

    Examples
    --------
    A fully hedged pair, 1 BTC each way at 20,000 (bracket 1 of 2024: 0.4 %). Cross with 200
    USDT: both legs go on a rise to 200 / 0.008 = 25,000. Isolated with 200 USDT each: the long
    falls to (200 − 20,000) / (0.004 − 1) = 19,879.52, the short rises to
    (200 + 20,000) / 1.004 = 20,119.52, each alone:

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> table = load_brackets("BTCUSDT", "2024-10-24")
    >>> cross = hedge_outlook(1, 20_000, 1, 20_000, table, wallet_balance=200)
    >>> round(cross.rise_price, 6), cross.rise_sides
    (25000.0, ('long', 'short'))
    >>> iso = hedge_outlook(1, 20_000, 1, 20_000, table, margin_mode="isolated",
    ...                     long_wallet_balance=200, short_wallet_balance=200)
    >>> round(iso.fall_price, 2), iso.fall_sides, round(iso.rise_price, 2), iso.rise_sides
    (19879.52, ('long',), 20119.52, ('short',))
    """
    mode = _checks.margin_mode(margin_mode, "margin_mode")
    long = _leg("long", long_quantity, long_entry_price)
    short = _leg("short", short_quantity, short_entry_price)
    if mode == "cross":
        for name, extra in (
            ("long_wallet_balance", long_wallet_balance),
            ("short_wallet_balance", short_wallet_balance),
        ):
            if _checks.number(name, extra) != 0:
                raise ValueError(f"{name} must be 0 in cross mode (isolated only), got {extra!r}")
        shared = hedge_liquidation_price_in_brackets(
            wallet_balance,
            long[0],
            long[1],
            short[0],
            short[1],
            brackets,
            other_maintenance_margin,
            other_unrealized_pnl,
        )
        legs = tuple(
            LegLiquidation(
                side,
                shared.fall_price,
                shared.rise_price,
                shared.direction == "always",
                bracket,
            )
            for side, bracket in (("long", shared.brackets[1]), ("short", shared.brackets[2]))
            if bracket is not None
        )
        return HedgeOutlook(mode, legs)
    for name, extra in (
        ("wallet_balance", wallet_balance),
        ("other_maintenance_margin", other_maintenance_margin),
        ("other_unrealized_pnl", other_unrealized_pnl),
    ):
        if _checks.number(name, extra) != 0:
            raise ValueError(f"{name} must be 0 in isolated mode (cross only), got {extra!r}")
    out = []
    for side, (q, ep), wallet in (
        ("long", long, long_wallet_balance),
        ("short", short, short_wallet_balance),
    ):
        if not q:
            continue
        wb = _checks.number(f"{side}_wallet_balance", wallet)
        price, bracket = liquidation_price_in_brackets(side, q, ep, wb, brackets)
        # one leg alone: the margin left rises with the price for a long (slope Q·(1 − MMR)),
        # falls for a short, so a long has at most a fall price (none: never liquidated) and a
        # short at most a rise price (none: below maintenance at every price, a wallet < 0)
        already = side == "short" and price is None
        out.append(
            LegLiquidation(
                side,
                price if side == "long" else None,
                price if side == "short" else None,
                already,
                bracket,
            )
        )
    return HedgeOutlook(mode, tuple(out))


def hedge_wallet_curve(
    long_quantity: float,
    long_entry_price: float,
    short_quantity: float,
    short_entry_price: float,
    brackets: BracketTable,
    wallet_balances: Sequence[float],
) -> list[tuple[float | None, float | None]]:
    """The cross fall and rise prices of one pair of legs at many cross wallets.

    Number for number ``(r.fall_price, r.rise_price)`` of
    ``r = hedge_liquidation_price_in_brackets(w, long_quantity, long_entry_price,
    short_quantity, short_entry_price, brackets)`` for each wallet ``w``. The pieces of the
    margin left (each leg's bracket between the prices where it crosses an edge) depend on the
    legs only, so they are found once. Over wallets in increasing order a piece's root
    ``N / D`` moves one way only (N grows with the wallet, every rounding step is monotone),
    so the wallets whose root a piece keeps form one run, found by bisection; each run's roots
    are then the solver's arithmetic, wallet by wallet, without its checks and look-ups.

    Parameters
    ----------
    long_quantity, long_entry_price, short_quantity, short_entry_price
        The legs, as in :func:`hedge_liquidation_price` (a quantity of 0 is an empty leg).
    brackets : BracketTable
        The symbol's maintenance bracket table.
    wallet_balances : sequence of float
        Cross wallet balances in USDT (may be below zero).

    Returns
    -------
    list of (float or None, float or None)
        Per wallet, the price in USDT a fall liquidates at and the price a rise liquidates at
        (None where none does).

    Raises
    ------
    ValueError
        For a bad leg or a wallet that is not a finite number.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (hedge mode,
    the level at the liquidation price).

    Examples
    --------
    A fully hedged pair, 1 BTC each way at 20,000 (bracket 1 of 2024: 0.4 %): a rise
    liquidates at wallet / 0.008, so 200 USDT give 25,000 and 400 USDT give 50,000:

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> table = load_brackets("BTCUSDT", "2024-10-24")
    >>> [(f, round(r, 6)) for f, r in hedge_wallet_curve(1, 20_000, 1, 20_000, table, [200, 400])]
    [(None, 25000.0), (None, 50000.0)]
    """
    legs = (
        (0.0, 0.0),
        _leg("long", long_quantity, long_entry_price),
        _leg("short", short_quantity, short_entry_price),
    )
    wallets = _finite_floats("wallet_balances", wallet_balances)
    pieces = _pieces((legs[0][0], legs[1][0], legs[2][0]), brackets)
    count = len(wallets)
    if count < 8 or not all(map(operator.le, wallets, wallets[1:])):
        return [_fall_rise(pieces, wallet, legs) for wallet in wallets]
    (qb, epb), (ql, epl), (qs, eps) = legs
    # _fall_rise's numerator is ``wb - tmm + upnl + c0 + c1 + c2 - s·qb·epb - ql·epl + qs·eps``
    # with tmm = upnl = 0, s = 1: the same operations, in the same order
    tmm = upnl = 0.0
    s = 1
    both, long_cost, short_cost = s * qb * epb, ql * epl, qs * eps
    runs: list[tuple[int, int, int]] = []  # (first wallet, end, piece) of each piece's run
    w_first, w_last = wallets[0], wallets[-1]
    for index, (low, high, c0, c1, c2, d) in enumerate(pieces):
        if d == 0:
            continue
        # the roots at the ends bound all others: most pieces keep none
        first = (w_first - tmm + upnl + c0 + c1 + c2 - both - long_cost + short_cost) / d
        last = (w_last - tmm + upnl + c0 + c1 + c2 - both - long_cost + short_cost) / d
        if max(first, last) < low or min(first, last) > high or max(first, last) <= 0:
            continue

        def root(j: int, c0: float = c0, c1: float = c1, c2: float = c2, d: float = d) -> float:
            n = wallets[j] - tmm + upnl + c0 + c1 + c2 - both - long_cost + short_cost
            return n / d

        start, end = _run(root, count, d > 0, low, high)
        if start < end:
            runs.append((start, end, index))
    return _assemble(count, runs, pieces, wallets, legs)


def _run(
    root: Callable[[int], float], count: int, rising: bool, low: float, high: float
) -> tuple[int, int]:
    """The indices ``[start, end)`` where a monotone ``root(j)`` is kept by its piece.

    Kept: ``0 < root < inf`` and ``low <= root <= high`` (the solver's test); ``rising`` says
    whether ``root`` grows with ``j`` (else it shrinks).
    """
    first, last = root(0), root(count - 1)
    top, bottom = max(first, last), min(first, last)
    if top < low or bottom > high or top <= 0 or bottom == math.inf:
        return 0, 0  # no wallet's root reaches the piece
    # ``key`` grows with j; the kept values are one interval of it
    sign = 1.0 if rising else -1.0

    def key(j: int) -> float:
        return sign * root(j)

    span = range(count)
    if rising:
        start = (
            bisect.bisect_left(span, low, key=key)
            if low > 0
            else bisect.bisect_right(span, 0.0, key=key)
        )
        end = (
            bisect.bisect_left(span, math.inf, key=key)
            if high == math.inf
            else bisect.bisect_right(span, high, key=key)
        )
    else:  # root = -key shrinks: kept while -key <= high, until -key < max(low, 0+)
        start = (
            bisect.bisect_right(span, -math.inf, key=key)
            if high == math.inf
            else bisect.bisect_left(span, -high, key=key)
        )
        end = (
            bisect.bisect_right(span, -low, key=key)
            if low > 0
            else bisect.bisect_left(span, 0.0, key=key)
        )
    return start, max(start, end)


def _assemble(
    count: int,
    runs: list[tuple[int, int, int]],
    pieces: list[_Piece],
    wallets: list[float],
    legs: tuple[tuple[float, float], tuple[float, float], tuple[float, float]],
) -> list[tuple[float | None, float | None]]:
    """Per wallet, :func:`_fall_rise` over the pieces whose runs hold it.

    The other pieces keep no root at that wallet, so the solver would skip them. Where one
    piece keeps the fall root and one the rise root, their roots are written run by run.
    """
    (qb, epb), (ql, epl), (qs, eps) = legs
    tmm = upnl = 0.0
    s = 1
    both, long_cost, short_cost = s * qb * epb, ql * epl, qs * eps

    def roots(k: int | None, start: int, end: int) -> list[float | None]:
        if k is None:
            return [None] * (end - start)
        _, _, c0, c1, c2, d = pieces[k]
        if tmm == upnl == c0 == both == 0.0 and c1 >= 0:
            # _fall_rise's numerator without its zero terms: adding or taking 0.0 leaves a
            # float as it is, but -0.0, which the next addition of c1 >= 0 makes +0.0 anyway
            return [(w + c1 + c2 - long_cost + short_cost) / d for w in wallets[start:end]]
        # _fall_rise's numerator, the same operations in the same order, over N / D
        return [
            (w - tmm + upnl + c0 + c1 + c2 - both - long_cost + short_cost) / d
            for w in wallets[start:end]
        ]

    out: list[tuple[float | None, float | None]] = [(None, None)] * count
    cuts = sorted({0, count, *(r[0] for r in runs), *(r[1] for r in runs)})
    for start, end in itertools.pairwise(cuts):
        kept = [k for a, b, k in runs if a <= start and end <= b]
        falls = [k for k in kept if pieces[k][5] < 0]
        rises = [k for k in kept if pieces[k][5] > 0]
        if len(falls) > 1 or len(rises) > 1:
            # a root on an edge, kept by two pieces: the solver's order decides, one by one
            chosen = [pieces[k] for k in kept]
            out[start:end] = [_fall_rise(chosen, wallets[j], legs) for j in range(start, end)]
        elif kept:
            fall = roots(falls[0] if falls else None, start, end)
            rise = roots(rises[0] if rises else None, start, end)
            out[start:end] = list(zip(fall, rise, strict=True))
    return out


def _finite_floats(name: str, values: Sequence[float]) -> list[float]:
    """``values`` as a list of finite floats; the first bad one raises naming ``name[i]``."""
    out = list(values)
    if set(map(type, out)) <= {float} and all(map(math.isfinite, out)):
        return out
    return [_checks.number(f"{name}[{index}]", value) for index, value in enumerate(out)]


def hedge_size_curve(
    long_quantity: float,
    long_entry_price: float,
    short_quantities: Sequence[float],
    short_entry_price: float,
    brackets: BracketTable,
    wallet_balance: float,
) -> list[tuple[float | None, float | None]]:
    """The cross fall and rise prices of a long leg hedged by shorts of many sizes.

    Number for number ``(r.fall_price, r.rise_price)`` of
    ``r = hedge_liquidation_price_in_brackets(wallet_balance, long_quantity,
    long_entry_price, q, short_entry_price, brackets)`` for each short size ``q``.

    Each root (fall, rise) keeps its legs' brackets, its "piece", over a run of sizes. The
    root of a piece, ``N / D`` with the solver's operations, is the solver's root wherever it
    lies inside that piece by more than any rounding could move it: the margin left is
    concave in the price (the maintenance margin is convex in the notional), so no other
    piece keeps a root on the same side. Over growing sizes the end of a piece's run (where
    its root meets an edge, or N or D changes sign) is found in closed form and the run is
    checked from its ends (N and D only grow with the size, their ratio is monotone between
    its poles) or size by size; the next run starts in the piece the root moved into, or a
    neighbour. A size where no piece settles it (and every size of a book whose table is not
    concave, or of sizes not in increasing order) is solved piece by piece, as the solver
    does. The kinks where a leg changes bracket are thus the solver's own numbers.

    Parameters
    ----------
    long_quantity, long_entry_price, short_entry_price
        The legs, as in :func:`hedge_liquidation_price`.
    short_quantities : sequence of float
        Sizes of the short leg, base units, >= 0 (0: no short).
    brackets : BracketTable
        The symbol's maintenance bracket table.
    wallet_balance : float
        Cross wallet balance in USDT (may be below zero).

    Returns
    -------
    list of (float or None, float or None)
        Per size, the fall and the rise liquidation price in USDT (None where none).

    Raises
    ------
    ValueError
        For a bad leg, size or wallet.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (hedge mode).

    Examples
    --------
    1 BTC long at 20,000 with 200 USDT (bracket 1 of 2024: 0.4 %). Unhedged it falls to
    (200 − 20,000) / (0.004 − 1) = 19,879.52; fully hedged it rises to 200 / 0.008 = 25,000:

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> table = load_brackets("BTCUSDT", "2024-10-24")
    >>> curve = hedge_size_curve(1, 20_000, [0, 1], 20_000, table, 200)
    >>> [(f and round(f, 2), r and round(r, 6)) for f, r in curve]
    [(19879.52, None), (None, 25000.0)]
    """
    wb = _checks.number("wallet_balance", wallet_balance)
    long = _leg("long", long_quantity, long_entry_price)
    sizes = list(short_quantities)
    if (
        set(map(type, sizes)) <= {float}
        and all(map(math.isfinite, sizes))
        and (not sizes or min(sizes) >= 0)
        and type(short_entry_price) in (float, int)
        and 0 < short_entry_price < math.inf
    ):
        eps = float(short_entry_price)
        sizes = [q if q else 0.0 for q in sizes]
    else:
        shorts = [
            _leg(f"short_quantities[{index}]", size, short_entry_price)
            for index, size in enumerate(sizes)
        ]
        sizes = [q for q, _ in shorts]
        eps = shorts[0][1] if shorts else 0.0
    return _SizeSolver(brackets, wb, long).curve(sizes, eps)


_MARGIN = 1e-9
"""Relative distance from a piece's edges beyond which a root is certainly kept by it alone."""


class _SizeSolver:
    """:func:`hedge_size_curve`: the solver's roots size by size, the last pieces tried first.

    A root of the piece where the long is in bracket ``i1`` and the short in ``i2`` (its
    "tiers") is the solver's when it lies inside that piece by more than any rounding could
    move it: the margin left is concave in the price (the maintenance margin is convex in the
    notional, the cum recurrence making it continuous), so no other piece keeps a root on the
    same side. Over a run of growing sizes N and D of a piece only grow (each rounding step is
    monotone), which bounds the root over the whole run from its two ends.
    """

    def __init__(self, brackets: BracketTable, wb: float, long: tuple[float, float]) -> None:
        self.brackets = brackets
        self.caps, self.rates, self.amounts = _columns(brackets)
        self.top = len(self.caps) - 1
        self.wb = wb
        self.long = long
        ql, epl = long
        # concave only for rates that grow bracket by bracket and deductions that follow the
        # cum recurrence (every shipped table): else every size is solved piece by piece
        jumps = [
            abs(a1 - (a0 + cap * (r1 - r0)))
            for cap, r0, r1, a0, a1 in zip(
                self.caps, self.rates, self.rates[1:], self.amounts, self.amounts[1:], strict=False
            )
        ]
        self.concave = all(a <= b for a, b in itertools.pairwise(self.rates)) and (
            not jumps or max(jumps) <= 1e-6
        )
        # every rounding of N (terms up to |WB| + 2·cum + Q·EP) stays far below this share
        # of its terms; a table's jumps at its edges count as error too
        self.error = 2.0**-40 * (abs(wb) + 2 * self.amounts[-1] + ql * epl) + 4 * max(
            jumps, default=0.0
        )
        self.edges = [cap / ql for cap in self.caps[:-1]] if ql else []
        # the solver's N and D with tmm = upnl = 0, s = 1 and no BOTH leg: their size-free
        # parts, the same operations in the same order
        tmm = upnl = c0 = qb = epb = 0.0
        s = 1
        r0 = self.rates[0]
        self.sqb = s * qb
        self.base = [
            wb - tmm + upnl + c0 + (a if ql else 0.0) for a in self.amounts
        ]  # + c2 - s·qb·epb - ql·epl, below
        self.both_cost = s * qb * epb
        self.long_cost = ql * epl
        self.slope = [qb * r0 + ql * (r if ql else r0) for r in self.rates]
        self.known: dict[tuple[int, int], tuple[float, ...]] = {}
        self.after: tuple[int, int] | None = None
        self.walked: float | None = None  # the price of the piece the last walk found

    # ------------------------------------------------------------------ one piece
    def piece(self, tiers: tuple[int, int]) -> tuple[float, ...]:
        """Size-free numbers of the piece of ``tiers``, computed once per curve.

        (N without the short's cost, D's size-free part, the short's rate, the long's lower
        and upper edge, the short's lower and upper cap; 0 or inf where there is none).
        """
        found = self.known.get(tiers)
        if found is None:
            i1, i2 = tiers
            i1 = i1 if self.long[0] else 0
            edges, caps, top = self.edges, self.caps, self.top
            found = (
                self.base[i1] + self.amounts[i2] - self.both_cost - self.long_cost,
                self.slope[i1],
                self.rates[i2],
                edges[i1 - 1] if i1 and edges else 0.0,
                edges[i1] if edges and i1 < top else math.inf,
                caps[i2 - 1] if i2 else 0.0,
                caps[i2] if i2 < top else math.inf,
            )
            self.known[tiers] = found
        return found

    def parts(self, tiers: tuple[int, int]) -> tuple[float, float, float]:
        """(N without the short's cost, D's size-free part, the short's rate) of a piece."""
        n0, d0, r2 = self.piece(tiers)[:3]
        return n0, d0, r2

    def bounds(self, tiers: tuple[int, int], q: float) -> tuple[float, float]:
        """The piece's bounds at size ``q`` (the solver's edges, without its slack)."""
        _, _, _, low_edge, high_edge, low_cap, high_cap = self.piece(tiers)
        return max(low_edge, low_cap / q), min(high_edge, high_cap / q)

    def nd(self, tiers: tuple[int, int], q: float, eps: float) -> tuple[float, float]:
        """The solver's N and D of the piece at size ``q``, to the bit."""
        n0, d0, r2 = self.piece(tiers)[:3]
        return n0 + q * eps, d0 + q * r2 - self.sqb - self.long[0] + q

    def prices(
        self, tiers: tuple[int, int] | None, sizes: list[float], eps: float
    ) -> list[float | None]:
        """N / D of the piece at each size (None for no piece), the solver's arithmetic."""
        if tiers is None:
            return [None] * len(sizes)
        n0, d0, r2 = self.piece(tiers)[:3]
        sqb, ql = self.sqb, self.long[0]
        return [(n0 + q * eps) / (d0 + q * r2 - sqb - ql + q) for q in sizes]

    # ------------------------------------------------------------------ certificates
    def holds(self, tiers: tuple[int, int], qa: float, qb: float, eps: float, sign: int) -> bool:
        """Whether the piece certainly gives the solver's root at every size in [qa, qb].

        ``sign`` -1: the fall root (D < 0, N < 0); +1: the rise root (D > 0, N > 0).
        """
        n0, d0, r2, low_edge, high_edge, low_cap, high_cap = self.piece(tiers)
        sqb, ql = self.sqb, self.long[0]
        na, nb = n0 + qa * eps, n0 + qb * eps
        da, db = d0 + qa * r2 - sqb - ql + qa, d0 + qb * r2 - sqb - ql + qb
        # N and D grow with the size: one sign over the run when both ends share it
        if sign < 0:
            if not (db < 0 and nb < 0):
                return False
            least_n, least_d = -nb, -db
        else:
            if not (da > 0 and na > 0):
                return False
            least_n, least_d = na, da
        # N / D is monotone in the size between its poles, so the exact roots lie between
        # those of the ends; each computed root is within ``spread`` of its exact value
        error = self.error + 2.0**-40 * (qb * eps)
        spread = 2 * (error / least_n + 2.0**-40 * (ql + 2 * qb) / least_d + 2.0**-50)
        ra, rb = na / da, nb / db
        slack = error / least_d
        # the piece is narrowest at the run's ends: its lower bound is highest at qa
        return (
            max(low_edge, low_cap / qa) * (1 + _MARGIN) + slack <= min(ra, rb) * (1 - spread)
            and max(ra, rb) * (1 + spread) <= min(high_edge, high_cap / qb) * (1 - _MARGIN) - slack
            and max(ra, rb) < math.inf
        )

    def none_holds(self, qa: float, qb: float, eps: float, sign: int) -> bool:
        """Whether the solver certainly finds no root on that side at any size in [qa, qb].

        No fall root where the margin left at a price of zero is positive (concave: it is
        positive up to the rise root); no rise root where the last piece's D < 0 (every D is
        at most the last); neither where the margin left starts negative and only falls.
        """
        ql = self.long[0]
        error = self.error + 2.0**-40 * (qb * eps)
        first_a = self.nd((0, 0), qa, eps)[0]
        first_b, d_first = self.nd((0, 0), qb, eps)[0], self.nd((0, 0), qa, eps)[1]
        if first_b < -error and d_first > 1e-6 * (ql + qb):
            return True  # "always"
        if sign < 0:
            return first_a > error
        return self.nd((self.top, self.top), qb, eps)[1] < 0

    def side_holds(
        self, tiers: tuple[int, int] | None, qa: float, qb: float, eps: float, sign: int
    ) -> bool:
        if tiers is None:
            return self.none_holds(qa, qb, eps, sign)
        return self.holds(tiers, qa, qb, eps, sign)

    def walk(
        self, tiers: tuple[int, int] | None, q: float, eps: float, sign: int
    ) -> tuple[bool, tuple[int, int] | None]:
        """(found, tiers): from ``tiers``, neighbouring pieces until one certainly holds."""
        if tiers is None:
            if self.none_holds(q, q, eps, sign):
                self.walked = None
                return True, None
            tiers = (0, 0) if sign < 0 else (self.top if self.long[0] else 0, self.top)
        i1, i2 = tiers
        ql, sqb = self.long[0], self.sqb
        error = self.error + 2.0**-40 * (q * eps)
        for _ in range(6):
            n0, d0, r2, low_edge, high_edge, low_cap, high_cap = self.piece((i1, i2))
            n, d = n0 + q * eps, d0 + q * r2 - sqb - ql + q
            low, high = max(low_edge, low_cap / q), min(high_edge, high_cap / q)
            if sign * d > 0 and sign * n > 0:
                # the test of first_miss at this one size
                price, slack = n / d, error / (sign * d)
                if low * (1 + _MARGIN) + slack <= price <= high * (1 - _MARGIN) - slack and (
                    price < math.inf
                ):
                    self.walked = price
                    return True, (i1, i2)
            if sign < 0:
                left = d >= 0 or n >= 0 or n / d < low
                right = not left and n / d > high
            else:
                left = d > 0 and (n <= 0 or n / d < low)
                right = d <= 0 or (not left and n / d > high)
            if left:
                below_long = self.edges[i1 - 1] if i1 and ql else 0.0
                below_short = self.caps[i2 - 1] / q if i2 else 0.0
                if low == 0.0:
                    break
                i1 -= below_long == low
                i2 -= below_short == low
            elif right:
                above_long = self.edges[i1] if ql and i1 < self.top else math.inf
                above_short = self.caps[i2] / q if i2 < self.top else math.inf
                if high == math.inf:
                    break
                i1 += above_long == high
                i2 += above_short == high
            else:
                break
        self.walked = None
        return self.none_holds(q, q, eps, sign), None  # or the root is gone from this side

    # ------------------------------------------------------------------ the curve
    def curve(self, sizes: list[float], eps: float) -> list[tuple[float | None, float | None]]:
        """The solver's (fall, rise) at each short size (entry ``eps``)."""
        self.sizes, self.eps = sizes, eps
        self.solved: dict[int, tuple[Any, ...]] = {}
        if not (self.concave and all(map(operator.le, sizes, sizes[1:]))):
            return [self.exact(j)[:2] for j in range(len(sizes))]
        return list(zip(self.side(-1), self.side(1), strict=True))

    def exact(self, j: int) -> tuple[Any, ...]:
        """The solver's (fall, rise, fall tiers, rise tiers) at size ``j``, piece by piece."""
        if j not in self.solved:
            q = self.sizes[j]
            if not self.long[0] and not q:
                self.solved[j] = (None, None, None, None)
            else:
                legs = ((0.0, 0.0), self.long, (q, self.eps))
                self.solved[j] = _solve_pieces(self.brackets, self.wb, legs)
        return self.solved[j]

    def side(self, sign: int) -> list[float | None]:
        """The fall (``sign`` -1) or rise (+1) price at every size: runs of one piece each."""
        sizes, eps = self.sizes, self.eps
        count = len(sizes)
        column: list[float | None] = [None] * count
        pick = 0 if sign < 0 else 1
        tiers: tuple[int, int] | None = None
        known = ended = False
        stepping = 0  # sizes left to take one by one (where the root changes piece often)
        j = 0
        while j < count:
            q = sizes[j]
            if known and q and stepping:
                # size by size: the piece of the last size, or a neighbour
                found, after = self.walk(tiers, q, eps, sign)
                if found:
                    column[j] = self.walked
                    stepping = stepping - 1 if after == tiers else 4
                    tiers, ended = after, False
                    j += 1
                    continue
                stepping = 0
            elif known and q:
                # the piece's run goes on, or is over: the piece its root moved into, its
                # neighbours, or the solver
                after = self.after if tiers is not None and ended else None
                tries = [tiers] if not ended else []
                if after is not None and 0 <= min(after) and max(after) <= self.top:
                    tries.append(after)
                for attempt in tries:
                    end, prices = self.run_end(attempt, j, sign)
                    if end > j:
                        break
                else:
                    found, attempt = self.walk(tries[-1] if tries else tiers, q, eps, sign)
                    end, prices = self.run_end(attempt, j, sign) if found else (j, None)
                if end > j:  # a run from j
                    tiers = attempt
                    column[j:end] = prices or self.prices(tiers, sizes[j:end], eps)
                    stepping = 4 if end - j <= 2 else 0
                    j, ended = end, True
                    continue
            solved = self.exact(j)
            column[j] = solved[pick]
            tiers, known, ended = solved[2 + pick], True, False
            j += 1
        return column

    def run_end(
        self, tiers: tuple[int, int] | None, j: int, sign: int
    ) -> tuple[int, list[float | None] | None]:
        """The end of the longest run of sizes from ``j`` over which ``tiers`` hold.

        With the run's prices when they were computed on the way (else None).
        """
        sizes, eps = self.sizes, self.eps
        q = sizes[j]
        if tiers is None:
            end = self.none_end(j, sign)
            if self.none_holds(q, sizes[end - 1], eps, sign):
                return end, None
            # a run holds if a longer one does: bisect between one that holds and one that fails
            good, bad = j, end
            while bad - good > 1:
                mid = (good + bad) // 2
                if self.none_holds(q, sizes[mid - 1], eps, sign):
                    good = mid
                else:
                    bad = mid
            return good, None
        end = max(self.predicted_end(tiers, j), j + 1)
        if end - j > 4 and self.holds(tiers, q, sizes[end - 1], eps, sign):
            return end, None
        return self.first_miss(tiers, j, end, sign)

    def none_end(self, j: int, sign: int) -> int:
        """Where the reason for no root on that side is expected to end (closed form)."""
        sizes, eps = self.sizes, self.eps
        q = sizes[j]
        first = self.nd((0, 0), q, eps)[0]
        error = self.error + 2.0**-40 * (q * eps)
        n0 = self.piece((0, 0))[0]
        if sign < 0 and first > error:
            return len(sizes)  # the margin left at zero only grows with the short
        if sign > 0 and self.nd((self.top, self.top), q, eps)[1] < 0:
            _, d0, r2 = self.piece((self.top, self.top))[:3]
            cut = -(d0 - self.sqb - self.long[0]) / (r2 + 1.0)  # the last D reaches 0
        else:
            cut = (-self.error - n0) / eps  # the margin left at zero reaches 0
        if not cut > q:
            return j + 1
        return max(j + 1, bisect.bisect_left(sizes, cut * (1 - 1e-9), lo=j))

    def first_miss(
        self, tiers: tuple[int, int], j: int, end: int, sign: int
    ) -> tuple[int, list[float | None]]:
        """The first size in ``[j, end)`` where the piece's root is not certainly the solver's.

        Size by size, the test of :meth:`holds` on a run of one size; with the prices before.
        """
        n0, d0, r2, low_edge, high_edge, low_cap, high_cap = self.piece(tiers)
        sqb, ql, eps = self.sqb, self.long[0], self.eps
        run = self.sizes[j:end]
        error, share = self.error, 2.0**-40 * eps
        low_margin, high_margin = 1 + _MARGIN, 1 - _MARGIN
        prices: list[float | None] = []
        for q in run:
            d = d0 + q * r2 - sqb - ql + q
            if not sign * d > 0:
                break
            price = (n0 + q * eps) / d
            slack = (error + share * q) / (sign * d)
            if not (
                0 < price < math.inf
                and max(low_edge, low_cap / q) * low_margin + slack
                <= price
                <= min(high_edge, high_cap / q) * high_margin - slack
            ):
                break
            prices.append(price)
        return j + len(prices), prices

    def predicted_end(self, tiers: tuple[int, int], j: int) -> int:
        """Where the piece's root is expected to leave the piece, in closed form.

        Also sets ``self.after``: the neighbouring piece the root moves into (None when its
        N or D changes sign there and the root leaves this side).
        """
        sizes, eps = self.sizes, self.eps
        q = sizes[j]
        n0, d0, r2, low_edge, high_edge, low_cap, high_cap = self.piece(tiers)
        base = d0 - self.sqb - self.long[0]
        k = r2 + 1.0
        i1, i2 = tiers
        # N = 0 and D = 0 end the side's root (no piece after): the first candidates
        cut = math.inf
        for candidate in (-n0 / eps, -base / k):
            if q < candidate < cut:
                cut = candidate
        after: tuple[int, int] | None = None
        for edge, step in ((low_edge, (i1 - 1, i2)), (high_edge, (i1 + 1, i2))):
            if 0 < edge < math.inf and eps != edge * k:
                # root(q) = edge: n0 + eps·q = edge·(base + k·q)
                candidate = (edge * base - n0) / (eps - edge * k)
                if q < candidate < cut:
                    cut, after = candidate, step
        for cap, step in ((low_cap, (i1, i2 - 1)), (high_cap, (i1, i2 + 1))):
            if 0 < cap < math.inf:
                # q·root(q) = cap: eps·q² + (n0 − cap·k)·q − cap·base = 0
                b = n0 - cap * k
                disc = b * b + 4 * eps * cap * base
                if disc >= 0:
                    root = math.sqrt(disc)
                    for candidate in ((-b - root) / (2 * eps), (-b + root) / (2 * eps)):
                        if q < candidate < cut:
                            cut, after = candidate, step
        self.after = after
        if cut == math.inf:
            return len(sizes)
        return max(j, bisect.bisect_left(sizes, cut * (1 - 1e-9), lo=j))


def _solve_pieces(
    brackets: BracketTable,
    wb: float,
    legs: tuple[tuple[float, float], tuple[float, float], tuple[float, float]],
) -> tuple[float | None, float | None, tuple[int, int] | None, tuple[int, int] | None]:
    """:func:`_fall_rise` over :func:`_pieces` in one pass (no list of pieces built).

    Also returns the brackets (long, short) of the pieces that gave the fall and rise roots.
    """
    caps, rates, amounts = _columns(brackets)
    first_rate = rates[0]
    (qb, epb), (ql, epl), (qs, eps) = legs
    edges = sorted({cap / q for q in (ql, qs) if q for cap in caps[:-1]})
    edges.append(math.inf)
    tmm = upnl = c0 = 0.0
    s = 1
    r0 = first_rate
    fall: float | None = None
    rise: float | None = None
    fall_tiers: tuple[int, int] | None = None
    rise_tiers: tuple[int, int] | None = None
    last_root = 0.0
    last_direction = ""
    lo = 0.0
    for hi in edges:
        probe = (lo + hi) / 2 if hi < math.inf else (2 * lo if lo > 0 else 1.0)
        i1, r1, c1 = _leg_tier(ql, probe, caps, rates, amounts)
        i2, r2, c2 = _leg_tier(qs, probe, caps, rates, amounts)
        # the operations of _denominator, _numerator and _direction, in their order
        d = qb * r0 + ql * r1 + qs * r2 - s * qb - ql + qs
        n = wb - tmm + upnl + c0 + c1 + c2 - s * qb * epb - ql * epl + qs * eps
        low, high = lo * (1 - _EDGE), hi * (1 + _EDGE)
        lo = hi
        if d == 0:
            continue
        root = n / d
        if not (root > 0 and math.isfinite(root)) or not low <= root <= high:
            continue
        if d < 0:
            if n >= 0:
                continue  # "never": no root met from this side
            direction = "fall"
        else:
            if n <= 0:
                continue
            direction = "rise"
        if last_direction == direction and abs(root - last_root) <= _EDGE * root:
            continue  # the same root seen from both sides of an edge
        last_root, last_direction = root, direction
        if direction == "fall":
            fall, fall_tiers = root, (i1, i2)
        elif rise is None:
            rise, rise_tiers = root, (i1, i2)
    return fall, rise, fall_tiers, rise_tiers


_Piece = tuple[float, float, float, float, float, float]


def _columns(brackets: BracketTable) -> tuple[list[float], list[float], list[float]]:
    """The table's caps, maintenance margin rates and deductions, bracket by bracket."""
    table = brackets.brackets
    return (
        [b.max_notional for b in table],
        [b.maintenance_margin_rate for b in table],
        [b.maintenance_amount for b in table],
    )


def _leg_tier(
    quantity: float, price: float, caps: list[float], rates: list[float], amounts: list[float]
) -> tuple[int, float, float]:
    """(index, rate, deduction) of the bracket of a leg of ``quantity`` at ``price``.

    As :meth:`BracketTable.bracket_for` picks it; no leg counts the first rate, no deduction.
    """
    if not quantity:
        return 0, rates[0], 0.0
    i = min(bisect.bisect_left(caps, quantity * price), len(caps) - 1)
    return i, rates[i], amounts[i]


def _pieces(quantities: tuple[float, float, float], brackets: BracketTable) -> list[_Piece]:
    """The linear pieces of the margin left: (low, high, cum_B, cum_L, cum_S, D) each.

    The bounds carry the solver's slack; the pieces, their brackets (chosen at the middle of
    each piece, as :meth:`BracketTable.bracket_for` does) and their D are those of
    :func:`hedge_liquidation_price_in_brackets` for a book without a BOTH position.
    """
    caps, rates, amounts = _columns(brackets)
    first_rate = rates[0]
    qb, ql, qs = quantities
    edges = sorted({cap / q for q in quantities if q for cap in caps[:-1]})
    bounds = [0.0, *edges, math.inf]
    pieces: list[_Piece] = []
    lo = bounds[0]
    top = len(caps) - 1
    for hi in bounds[1:]:
        probe = (lo + hi) / 2 if hi < math.inf else (2 * lo if lo > 0 else 1.0)
        r0, c0 = first_rate, 0.0  # no BOTH position
        # _leg_tier's choice: the bracket bracket_for picks, none for an empty leg
        i1 = min(bisect.bisect_left(caps, ql * probe), top) if ql else 0
        i2 = min(bisect.bisect_left(caps, qs * probe), top) if qs else 0
        r1, c1 = (rates[i1], amounts[i1]) if ql else (first_rate, 0.0)
        r2, c2 = (rates[i2], amounts[i2]) if qs else (first_rate, 0.0)
        # _denominator's order of operations (s = 1)
        d = qb * r0 + ql * r1 + qs * r2 - 1 * qb - ql + qs
        pieces.append((lo * (1 - _EDGE), hi * (1 + _EDGE), c0, c1, c2, d))
        lo = hi
    return pieces


def _fall_rise(
    pieces: list[_Piece],
    wb: float,
    legs: tuple[tuple[float, float], tuple[float, float], tuple[float, float]],
) -> tuple[float | None, float | None]:
    """The solver's fall and rise roots over ``pieces`` at wallet ``wb``."""
    (qb, epb), (ql, epl), (qs, eps) = legs
    tmm = upnl = 0.0
    s = 1
    fall: float | None = None
    rise: float | None = None
    last: tuple[float, str] | None = None
    for lo, hi, c0, c1, c2, d in pieces:
        # _numerator's order of operations, so the roots are the solver's to the bit
        n = wb - tmm + upnl + c0 + c1 + c2 - s * qb * epb - ql * epl + qs * eps
        root, direction = _direction(n, d)
        if root is None or not lo <= root <= hi:
            continue
        if last is not None and last[1] == direction and abs(root - last[0]) <= _EDGE * root:
            continue  # the same root seen from both sides of an edge
        last = (root, direction)
        if direction == "fall":
            fall = root  # the highest fall root
        elif rise is None:
            rise = root  # the lowest rise root
    return fall, rise


def isolated_size_curve(
    side: str,
    quantities: Sequence[float],
    entry_price: float,
    wallet_balance: float,
    brackets: BracketTable,
) -> list[float | None]:
    """One isolated leg's liquidation price at many sizes, on one wallet.

    Number for number ``liquidation_price_in_brackets(side, q, entry_price, wallet_balance,
    brackets)[0]`` for each size ``q > 0`` (None for ``q = 0``, no leg). Each size starts, as
    that solver does, from the bracket of its notional at entry; where the price found there
    keeps the leg in that bracket (nearly always) the price is written at once, with the
    solver's arithmetic, and any other size is left to the solver.

    Parameters
    ----------
    side : {"long", "short"}
        The leg.
    quantities : sequence of float
        Sizes of the leg, base units, >= 0.
    entry_price : float
        Entry price in USDT, > 0.
    wallet_balance : float
        The leg's isolated wallet in USDT (may be below zero).
    brackets : BracketTable
        The symbol's maintenance bracket table.

    Returns
    -------
    list of (float or None)
        Per size, the liquidation price in USDT (None where there is none, or no leg).

    Raises
    ------
    ValueError
        For an unknown side, a size below zero or not finite, an entry price not > 0 or a
        wallet that is not a finite number.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" ("under the
    isolated mode, each isolated position will have different liquidation prices depending on
    the margin allocated to the positions").

    Examples
    --------
    A short at 20,000 with 200 USDT (bracket 1 of 2024: 0.4 %, cum 0): 1 BTC rises to
    (200 + 20,000) / 1.004 = 20,119.52; 2 BTC to (200 + 40,000) / 2.008 = 20,019.92:

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> table = load_brackets("BTCUSDT", "2024-10-24")
    >>> [p and round(p, 2) for p in isolated_size_curve("short", [0, 1, 2], 20_000, 200, table)]
    [None, 20119.52, 20019.92]
    """
    s = _checks.side_sign(side)
    ep = _checks.positive("entry_price", entry_price)
    wb = _checks.number("wallet_balance", wallet_balance)
    sizes = _finite_floats("quantities", quantities)
    if sizes and min(sizes) < 0:
        for index, size in enumerate(sizes):
            _checks.non_negative(f"quantities[{index}]", size)
    caps, rates, amounts = _columns(brackets)
    inner = caps[:-1]  # bisect_left on it: the index bracket_for picks
    upnl = 0.0  # no other position: the leg alone on its wallet
    ratio = 1.0
    tame = _TAME_LOW < ep < _TAME_HIGH and abs(wb) < _TAME_HIGH
    nonzero = list(filter(None, sizes))
    if not (tame and (not nonzero or (_TAME_LOW < min(nonzero) and max(nonzero) < _TAME_HIGH))):
        return [
            liquidation_price_in_brackets(side, q, ep, wb, brackets)[0] if q else None
            for q in sizes
        ]
    # the solver's first bracket, that of the notional at entry, and its price there
    # (formulas._solve's operations, in its order)
    firsts = [bisect.bisect_left(inner, q * ep) for q in sizes]
    # formulas._solve with ratio = 1 and TMM = 0, a factor and a term that leave each float as
    # it is: (WB + UPNL − s·Q·EP + cum) / (Q·MMR − s·Q), rounded as _solve rounds it
    balance, sign = wb + upnl, ratio * s
    prices = [
        (balance - s * q * ep + amounts[b]) / (q * rates[b] - sign * q) if q else 0.0
        for q, b in zip(sizes, firsts, strict=True)
    ]
    # kept where the price leaves the leg in that bracket (no price: the solver checks the
    # first bracket), else the solver's next rounds decide
    out: list[float | None] = [
        None
        if not q
        else (price if price < math.inf else None)
        if price > 0 and bisect.bisect_left(inner, q * price) == b
        else None
        if b == 0 and not price > 0
        else math.nan
        for q, b, price in zip(sizes, firsts, prices, strict=True)
    ]
    if math.nan in out:  # the very object written above: not settled in the first bracket
        for index, price in enumerate(out):
            if price is math.nan:
                out[index] = liquidation_price_in_brackets(side, sizes[index], ep, wb, brackets)[0]
    return out


_TAME_LOW, _TAME_HIGH = 2.0**-400, 2.0**400
"""Sizes, prices and wallets between these keep the closed form's products in float range."""
