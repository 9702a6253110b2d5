"""The exchange's margin formulas for USDⓈ-M (linear) perpetuals, one-way mode.

Every formula of the package lives in this module; the account, the scenarios and the widgets
call these functions. Amounts are in the quote currency (USDT), quantities in base units
(BTC, ETH), prices in quote per base, rates as fractions (0.005 is 0.5 %).

Symbols used in the docstrings (Binance's notation, see the liquidation-price FAQ):

======  ==============================================================================
WB      wallet balance (cross wallet, or the position's isolated wallet)
TMM     maintenance margin of every *other* cross position, at its mark price
UPNL    unrealised PnL of every *other* cross position, at its mark price
cum     maintenance amount of the position's bracket
MMR     maintenance margin rate of the position's bracket
s       +1 long, -1 short
Q       absolute position size in base units
EP      entry price
======  ==============================================================================
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from margin_widgets.engine import _checks

if TYPE_CHECKING:
    from margin_widgets.engine.brackets import Bracket, BracketTable

__all__ = [
    "LiquidationOutlook",
    "bankruptcy_price",
    "effective_leverage",
    "funding_payment",
    "initial_margin",
    "is_liquidated",
    "liquidation_outlook",
    "liquidation_outlook_in_brackets",
    "liquidation_price",
    "liquidation_price_curve",
    "liquidation_price_in_brackets",
    "maintenance_margin",
    "margin_ratio",
    "margin_ratio_price",
    "margin_ratio_prices",
    "notional",
    "return_on_equity",
    "unrealized_pnl",
]

_isfinite = math.isfinite
_NUMBER_TYPES = (float, int)


def liquidation_price(
    side: str,
    quantity: float,
    entry_price: float,
    wallet_balance: float,
    maintenance_margin_rate: float,
    maintenance_amount: float,
    other_maintenance_margin: float = 0.0,
    other_unrealized_pnl: float = 0.0,
) -> float | None:
    """Liquidation price of a USDⓈ-M perpetual position, one-way mode (Binance's formula).

    Liquidation happens when the margin balance falls to the maintenance margin::

        WB + UPNL + s·Q·(P − EP) = TMM + Q·P·MMR − cum

    which, solved for the price P, gives::

        LP = (WB − TMM + UPNL + cum − s·Q·EP) / (Q·MMR − s·Q)

    Isolated mode is this call with the position's own isolated wallet as ``wallet_balance``
    and both ``other_*`` at zero. Cross mode passes the cross wallet balance and the
    maintenance margin and signed unrealised PnL of every other cross position.

    Parameters
    ----------
    side : {"long", "short"}
        Direction of the position.
    quantity : float
        Absolute position size Q in base units (BTC for BTCUSDT), > 0.
    entry_price : float
        Average entry price EP in USDT per base unit, > 0.
    wallet_balance : float
        Wallet balance WB in USDT, >= 0: the cross wallet (cross mode) or the position's
        isolated wallet (isolated mode).
    maintenance_margin_rate : float
        Maintenance margin rate MMR of the position's bracket, as a fraction in [0, 1).
    maintenance_amount : float
        Maintenance amount ``cum`` of the position's bracket in USDT, >= 0.
    other_maintenance_margin : float, default 0.0
        TMM in USDT, >= 0: maintenance margin of all other cross positions (0 if isolated).
    other_unrealized_pnl : float, default 0.0
        UPNL in USDT, signed: unrealised PnL of all other cross positions (0 if isolated).

    Returns
    -------
    float or None
        The liquidation price in USDT per base unit, or None when the root is at or below
        zero, i.e. no positive price liquidates the position (the exchange shows "--").

    Raises
    ------
    ValueError
        For an unknown side, a quantity or entry price not > 0, a NaN or infinite value,
        a negative wallet balance, maintenance amount or other maintenance margin, or a
        maintenance margin rate outside [0, 1). The message names the parameter.
    TypeError
        For a value that is not a number.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (one-way mode).

    Examples
    --------
    1 BTC long at 20,000 USDT with 50x (400 USDT of margin), MMR 0.5 %, cum 0:

    >>> round(liquidation_price("long", 1, 20_000, 400, 0.005, 0), 2)
    19698.49
    """
    # Fast path: plain ints/floats inside the range where the float formula is exact to
    # rounding (NaN fails every comparison). Anything else goes to the careful path below,
    # which raises the documented errors and solves subnormal or enormous inputs exactly.
    try:
        fast = (
            type(quantity) in _NUMBER_TYPES
            and type(entry_price) in _NUMBER_TYPES
            and type(wallet_balance) in _NUMBER_TYPES
            and type(maintenance_margin_rate) in _NUMBER_TYPES
            and type(maintenance_amount) in _NUMBER_TYPES
            and type(other_maintenance_margin) in _NUMBER_TYPES
            and type(other_unrealized_pnl) in _NUMBER_TYPES
            and _TINY < quantity < _HUGE
            and _TINY < entry_price < _HUGE
            and 0 <= wallet_balance < _HUGE
            and 0 <= maintenance_margin_rate < 1
            and 0 <= maintenance_amount < _HUGE
            and 0 <= other_maintenance_margin < _HUGE
            and -_HUGE < other_unrealized_pnl < _HUGE
        )
    except OverflowError:  # an int beyond the float range: refused below
        fast = False
    if fast and (side == "long" or side == "short"):
        s = 1 if side == "long" else -1
        try:
            price = (
                wallet_balance
                - other_maintenance_margin
                + other_unrealized_pnl
                + maintenance_amount
                - s * quantity * entry_price
            ) / (quantity * maintenance_margin_rate - s * quantity)
        except ZeroDivisionError:  # Q·MMR rounded to Q: solved exactly below
            pass
        else:
            return float(price) if price > 0 and _isfinite(price) else None
    s = _checks.side_sign(side)
    return _liquidation_root(
        s,
        _checks.positive("quantity", quantity),
        _checks.positive("entry_price", entry_price),
        _checks.non_negative("wallet_balance", wallet_balance),
        _checks.rate("maintenance_margin_rate", maintenance_margin_rate),
        _checks.non_negative("maintenance_amount", maintenance_amount),
        _checks.non_negative("other_maintenance_margin", other_maintenance_margin),
        _checks.number("other_unrealized_pnl", other_unrealized_pnl),
    )


def _solve(
    s: int,
    q: float,
    ep: float,
    wb: float,
    mmr: float,
    cum: float,
    tmm: float,
    upnl: float,
    ratio: float = 1.0,
) -> float | None:
    """The root of ``ratio·(WB + UPNL + s·Q·(P − EP)) = TMM + Q·P·MMR − cum``, unchecked.

    With ``ratio = 1`` this is :func:`liquidation_price` (``wb`` may be negative here); with
    ``ratio = 0.8`` it is the price at which the margin ratio reaches 80 % (an alert level).
    """
    try:
        price = (ratio * (wb + upnl - s * q * ep) - tmm + cum) / (q * mmr - ratio * s * q)
    except ZeroDivisionError:  # a subnormal quantity, or a ratio equal to the MMR
        return None
    return float(price) if price > 0 else None


def _bracketed(
    side: object,
    quantity: object,
    entry_price: object,
    wallet_balance: object,
    brackets: BracketTable,
    other_maintenance_margin: object,
    other_unrealized_pnl: object,
    ratio: float,
) -> tuple[float | None, Bracket]:
    """Check the arguments of the bracketed solvers (WB may be below zero), then solve."""
    return _solve_in_brackets(
        _checks.side_sign(side),
        _checks.positive("quantity", quantity),
        _checks.positive("entry_price", entry_price),
        _checks.number("wallet_balance", wallet_balance),
        brackets,
        _checks.non_negative("other_maintenance_margin", other_maintenance_margin),
        _checks.number("other_unrealized_pnl", other_unrealized_pnl),
        ratio,
    )


def liquidation_price_in_brackets(
    side: str,
    quantity: float,
    entry_price: float,
    wallet_balance: float,
    brackets: BracketTable,
    other_maintenance_margin: float = 0.0,
    other_unrealized_pnl: float = 0.0,
) -> tuple[float | None, Bracket]:
    """Liquidation price with the bracket chosen by the notional *at the liquidation price*.

    Starts from the bracket of the notional at the entry price, solves
    :func:`liquidation_price`, and re-selects the bracket for ``quantity × LP`` until the
    bracket no longer changes. Because the maintenance margin is continuous across bracket
    edges (the ``cum`` recurrence), one bracket is always consistent; if the iteration
    cycles, every bracket is tried in turn and the consistent one is returned.

    Parameters
    ----------
    side, quantity, entry_price, other_maintenance_margin, other_unrealized_pnl
        As in :func:`liquidation_price`.
    wallet_balance : float
        As in :func:`liquidation_price`, but allowed below zero (a wallet that funding
        payments have overdrawn), so an account can always ask.
    brackets : BracketTable
        The symbol's maintenance bracket table.

    Returns
    -------
    (float or None, Bracket)
        The liquidation price (None if there is none) and the bracket it was computed with.

    Examples
    --------
    >>> from margin_widgets.engine.brackets import load_brackets
    >>> price, bracket = liquidation_price_in_brackets(
    ...     "long", 1, 20_000, 400, load_brackets("BTCUSDT", "2021-03-18"))
    >>> round(price, 2), bracket.maintenance_margin_rate
    (19678.71, 0.004)
    """
    return _bracketed(
        side,
        quantity,
        entry_price,
        wallet_balance,
        brackets,
        other_maintenance_margin,
        other_unrealized_pnl,
        1.0,
    )


def _solve_in_brackets(
    s: int,
    q: float,
    ep: float,
    wb: float,
    brackets: BracketTable,
    tmm: float,
    upnl: float,
    ratio: float = 1.0,
) -> tuple[float | None, Bracket]:
    """:func:`liquidation_price_in_brackets` on checked values (any target margin ratio).

    A root beyond the float range (``inf``) selects the top bracket like any huge price and is
    reported as None, as :func:`liquidation_price` does. Inputs outside the float formula's
    range (subnormal or enormous) are solved exactly by :func:`_ratio_roots`.
    """
    if not (
        _TINY < q < _HUGE
        and _TINY < ep < _HUGE
        and -_HUGE < wb < _HUGE
        and tmm < _HUGE
        and -_HUGE < upnl < _HUGE
        and _TINY < ratio
    ):
        exact_roots = _ratio_roots(s, q, ep, wb, brackets, tmm, upnl, ratio)
        if exact_roots:
            return min(exact_roots, key=lambda root: (abs(root[0] - ep), root[0]))
        return None, brackets.bracket_for(min(q * ep, brackets.max_notional))
    bracket = brackets.bracket_for(q * ep)
    seen: set[int] = set()
    for _ in range(len(brackets.brackets) + 1):
        price = _solve(
            s,
            q,
            ep,
            wb,
            bracket.maintenance_margin_rate,
            bracket.maintenance_amount,
            tmm,
            upnl,
            ratio,
        )
        at_liquidation = brackets.bracket_for(q * price) if price else brackets.brackets[0]
        if at_liquidation.number == bracket.number:
            return (price if price is None or _isfinite(price) else None), bracket
        if at_liquidation.number in seen:
            break
        seen.add(bracket.number)
        bracket = at_liquidation
    # A cycle needs a root garbled by overflow or underflow (sizes near the float limits).
    # The maintenance margin is the largest of the brackets' affine pieces (the cum recurrence),
    # so the consistent root is the largest bracket root for a long, the smallest for a short.
    roots = [
        (
            _solve(
                s,
                q,
                ep,
                wb,
                candidate.maintenance_margin_rate,
                candidate.maintenance_amount,
                tmm,
                upnl,
                ratio,
            ),
            candidate,
        )
        for candidate in brackets.brackets
    ]
    pick = max if s > 0 else min
    price, bracket = pick(roots, key=lambda root: -math.inf if root[0] is None else root[0])
    return (price if price is None or _isfinite(price) else None), bracket


def margin_ratio_price(
    side: str,
    quantity: float,
    entry_price: float,
    wallet_balance: float,
    brackets: BracketTable,
    margin_ratio: float,
    other_maintenance_margin: float = 0.0,
    other_unrealized_pnl: float = 0.0,
) -> float | None:
    """Price at which the margin ratio reaches ``margin_ratio`` (an alert level), bracketed.

    Solves ``r·(WB + UPNL + s·Q·(P − EP)) = TMM + Q·P·MMR − cum`` for P::

        P = (r·(WB + UPNL − s·Q·EP) − TMM + cum) / (Q·MMR − r·s·Q)

    on the price range of the bracket that holds the notional ``Q·P`` (see
    :func:`margin_ratio_prices`, which returns every such price). Below 100 % a long can reach
    the target twice (once more at a huge notional whose MMR exceeds the target); this returns
    the price **nearest the entry price** (the lower one on a tie). At ``margin_ratio = 1`` this
    is the liquidation price; an exchange's margin-ratio alert at 80 %
    fires at ``margin_ratio = 0.8``. In isolated mode pass the position's own wallet and zeros
    for the ``other_*`` terms (a per-position alert); in cross mode the cross wallet and the other
    cross positions (one account-wide alert).

    Parameters
    ----------
    side, quantity, entry_price, wallet_balance, other_maintenance_margin, other_unrealized_pnl
        As in :func:`liquidation_price_in_brackets`.
    brackets : BracketTable
        The symbol's maintenance bracket table.
    margin_ratio : float
        Target margin ratio (maintenance margin / margin balance), in (0, 1].

    Returns
    -------
    float or None
        The price in USDT nearest ``entry_price``, or None when the ratio reaches the target at
        no positive price.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" and "Leverage and
    Margin of USDⓈ-M Futures".

    Examples
    --------
    1 BTC long at 20,000 with 1,000 USDT isolated (bracket 1 of 2021: MMR 0.4 %). The 80 %
    alert fires at ``0.8·(1,000 − 20,000) / (0.004 − 0.8) = 19,095.48``; liquidation (100 %)
    comes at ``(1,000 − 20,000) / (0.004 − 1) = 19,076.31``:

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> table = load_brackets("BTCUSDT", "2021-03-18")
    >>> round(margin_ratio_price("long", 1, 20_000, 1_000, table, 0.8), 2)
    19095.48
    >>> round(margin_ratio_price("long", 1, 20_000, 1_000, table, 1.0), 2)
    19076.31
    """
    prices = margin_ratio_prices(
        side,
        quantity,
        entry_price,
        wallet_balance,
        brackets,
        margin_ratio,
        other_maintenance_margin,
        other_unrealized_pnl,
    )
    if not prices:
        return None
    ep = float(entry_price)
    return min(prices, key=lambda price: (abs(price - ep), price))


# --------------------------------------------------------------------------- extreme inputs
_HUGE = 2.0**500
"""Magnitudes below this (and above ``_TINY``) keep every product and quotient of the closed-form
roots inside the normal float range; anything else is solved in exact rational arithmetic."""
_TINY = 2.0**-500


def _tame(*values: float) -> bool:
    """Whether every value is 0 or of a magnitude in ``(_TINY, _HUGE)`` (the floats' safe range)."""
    for value in values:
        size = abs(value)
        if size >= _HUGE or (size and size <= _TINY):
            return False
    return True


def _tame_sums(*values: float) -> bool:
    """Whether amounts that are only added (never multiplied) stay below ``_HUGE`` in magnitude."""
    return all(abs(value) < _HUGE for value in values)


def _to_price(value: Fraction) -> float | None:
    """An exact root as a positive finite float, or None (at or below 0, or beyond the floats)."""
    if value <= 0:
        return None
    try:
        price = float(value)
    except OverflowError:  # beyond the float range
        return None
    return price if 0 < price < math.inf else None


def _exact_root(
    s: int, q: float, ep: float, wb: float, mmr: float, cum: float, tmm: float, upnl: float
) -> Fraction | None:
    """The exact root ``(W/Q − s·EP) / (MMR − s)`` with ``W = WB − TMM + UPNL + cum``, or None."""
    den = Fraction(mmr) - s
    if den == 0:
        return None
    w = Fraction(wb) - Fraction(tmm) + Fraction(upnl) + Fraction(cum)
    return (w / Fraction(q) - s * Fraction(ep)) / den


def _ratio_roots(
    s: int,
    q: float,
    ep: float,
    wb: float,
    table: BracketTable,
    tmm: float,
    upnl: float,
    ratio: float,
) -> list[tuple[float, Bracket]]:
    """Every positive price where ``(TMM + MM(P)) / MB(P) = ratio``, ascending, with its bracket.

    Divided by Q, ``g(P) = ratio·MB(P) − TMM − MM(P)`` is, on the price range of bracket k,
    the affine ``c_k + (ratio·s − MMR_k)·P`` with ``c_k = (ratio·(WB + UPNL) − TMM + cum_k)/Q −
    ratio·s·EP``. ``g`` is evaluated once at each bracket edge ``cap_k / Q`` (with the bracket
    that holds the cap), and each sign change between consecutive edges gives the affine root of
    that bracket, clamped to its range; a zero at an edge is the edge itself. Inputs outside the
    float formulas' range are solved in exact rational arithmetic.
    """
    exact = not _tame(q, ep, wb, tmm, upnl, ratio)
    num: Callable[[float], Any] = Fraction if exact else float
    q_, ep_, r_ = num(q), num(ep), num(ratio)
    rates: Sequence[Any] = table._rates
    amounts: Sequence[Any] = table._amounts
    caps: Sequence[Any] = table._caps
    if exact:
        rates, amounts, caps = ([num(x) for x in column] for column in (rates, amounts, caps))
    base = (r_ * (num(wb) + num(upnl)) - num(tmm)) / q_ - r_ * s * ep_
    drift = r_ * s
    wb_q = (num(wb) + num(upnl)) / q_
    tmm_q = num(tmm) / q_
    last = len(rates) - 1
    found: list[tuple[Any, int]] = []
    lo: Any = num(0)
    left: Any = None
    for k in range(last + 1):
        mmr = rates[k]
        cum_q = amounts[k] / q_
        c = base + cum_q
        slope = drift - mmr
        if left is None:
            left = c  # g at P = 0 (bracket 1)
        hi: Any = caps[k] / q_ if k < last else None
        if hi is not None and not exact and not _isfinite(hi):
            hi = None  # the rest of the table lies beyond the float range
        right = (slope if slope != 0 else c) if hi is None else c + slope * hi
        root: Any = None
        if (left < 0 < right) or (right < 0 < left):
            try:
                root = -c / slope
            except ZeroDivisionError:  # edge values garbled by rounding around a flat piece
                root = lo if abs(left) <= abs(right) or hi is None else hi
            root = max(root, lo) if hi is None else min(max(root, lo), hi)
        elif hi is not None and right == 0:
            root = hi
        # the ratio is defined and positive there: a margin balance and maintenance above 0
        if (
            root is not None
            and root > 0
            and wb_q + s * (root - ep_) > 0
            and tmm_q + root * mmr - cum_q > 0
        ):
            found.append((root, k))
        if hi is None:
            break
        lo, left = hi, right
    prices: list[tuple[float, Bracket]] = []
    for root, k in found:
        price = _to_price(root) if exact else (float(root) if _isfinite(root) else None)
        if price is not None and (not prices or price != prices[-1][0]):
            prices.append((price, table.brackets[k]))
    return prices


def _liquidation_root(
    s: int, q: float, ep: float, wb: float, mmr: float, cum: float, tmm: float, upnl: float
) -> float | None:
    """:func:`liquidation_price` on checked values (WB of any sign).

    The float formula inside its safe range, exact rational arithmetic outside it (subnormal or
    enormous inputs).
    """
    if _TINY < q < _HUGE and _TINY < ep < _HUGE and _tame_sums(wb, cum, tmm, upnl):
        try:
            raw = (wb - tmm + upnl + cum - s * q * ep) / (q * mmr - s * q)
        except ZeroDivisionError:  # Q·MMR rounded to Q (MMR within an ulp of 1): solve exactly
            pass
        else:
            return float(raw) if raw > 0 and _isfinite(raw) else None
    exact = _exact_root(s, q, ep, wb, mmr, cum, tmm, upnl)
    return None if exact is None else _to_price(exact)


def _checked_ratio(margin_ratio: object) -> float:
    ratio = _checks.number("margin_ratio", margin_ratio)
    if not 0 < ratio <= 1:
        raise ValueError(f"margin_ratio must be in (0, 1], got {margin_ratio!r}")
    return ratio


def margin_ratio_prices(
    side: str,
    quantity: float,
    entry_price: float,
    wallet_balance: float,
    brackets: BracketTable,
    margin_ratio: float,
    other_maintenance_margin: float = 0.0,
    other_unrealized_pnl: float = 0.0,
) -> tuple[float, ...]:
    """Every positive price at which the margin ratio equals ``margin_ratio``, ascending.

    The margin ratio at a price P is ``(TMM + MM(P)) / MB(P)``, with the maintenance margin
    ``MM(P) = Q·P·MMR − cum`` of the bracket holding the notional ``Q·P`` and the margin balance
    ``MB(P) = WB + UPNL + s·Q·(P − EP)``. Because of the cum recurrence ``MM`` is the largest of
    the brackets' affine pieces, so ``r·MB(P) − TMM − MM(P)`` is concave in P and the target
    ``r`` is reached at no, one or two prices:

    * a short's ratio rises with the price: at most one price;
    * a long's ratio falls as the price rises while ``MMR < r``, but rises again in brackets whose
      ``MMR`` exceeds ``r`` (a huge notional): up to two prices below 100 %, one at 100 %.

    Parameters
    ----------
    side, quantity, entry_price, wallet_balance, other_maintenance_margin, other_unrealized_pnl
        As in :func:`margin_ratio_price`: side ``"long"``/``"short"``, Q in base units (> 0),
        EP in USDT (> 0), WB in USDT (any sign), TMM in USDT (>= 0), UPNL in USDT.
    brackets : BracketTable
        The symbol's maintenance bracket table.
    margin_ratio : float
        Target margin ratio r (maintenance margin / margin balance), in (0, 1].

    Returns
    -------
    tuple of float
        The prices in USDT per base unit, ascending; empty when no positive price reaches the
        target. Where the ratio equals the target along a whole price range (the target equals a
        bracket's MMR and the constants cancel), the ends of that range are returned.

    Raises
    ------
    ValueError
        For a ``margin_ratio`` outside (0, 1] or any input :func:`margin_ratio_price` refuses.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (the margin balance
    and maintenance margin of the formula) and "Leverage and Margin of USDⓈ-M Futures" (brackets,
    maintenance amount).

    Examples
    --------
    1 BTC long at 20,000 with 1,000 USDT (bracket 1 of 2021: MMR 0.4 %, cum 0). The 80 % level
    comes at ``0.8·(1,000 − 20,000) / (0.004 − 0.8) = 19,095.48`` only:

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> table = load_brackets("BTCUSDT", "2021-03-18")
    >>> [round(p, 2) for p in margin_ratio_prices("long", 1, 20_000, 1_000, table, 0.8)]
    [19095.48]

    A 5 % alert on 10 BTC long at 20,000 with 100,000 USDT, so ``0.05·MB(P) = 0.5·P − 5,000``.
    In bracket 2 (MMR 0.5 %, cum 50) ``0.5·P − 5,000 = 0.05·P − 50`` at P = 11,000 (notional
    110,000, inside the bracket). Once the MMR exceeds 5 % the maintenance margin outruns the
    balance: in bracket 6 (MMR 10 %, cum 1,266,300, notional 20 to 50 million)
    ``0.5·P − 5,000 = P − 1,266,300`` at P = 2,522,600 (notional 25,226,000):

    >>> [round(p, 2) for p in margin_ratio_prices("long", 10, 20_000, 100_000, table, 0.05)]
    [11000.0, 2522600.0]
    """
    prices = _ratio_roots(
        _checks.side_sign(side),
        _checks.positive("quantity", quantity),
        _checks.positive("entry_price", entry_price),
        _checks.number("wallet_balance", wallet_balance),
        brackets,
        _checks.non_negative("other_maintenance_margin", other_maintenance_margin),
        _checks.number("other_unrealized_pnl", other_unrealized_pnl),
        _checked_ratio(margin_ratio),
    )
    return tuple(price for price, _ in prices)


@dataclass(frozen=True)
class LiquidationOutlook:
    """Where, if anywhere, a position is liquidated.

    Attributes
    ----------
    kind : {"at_price", "never", "already"}
        ``"at_price"``: liquidated when the mark reaches ``price``; ``"never"``: no positive
        price liquidates it; ``"already"``: liquidatable now (at the given mark, or at every
        positive price).
    price : float or None
        The liquidation price in USDT per base unit when ``kind == "at_price"``, else None.
    """

    kind: str
    price: float | None = None


def is_liquidated(maintenance_margin_value: float, margin_balance: float) -> bool:
    """Whether the liquidation condition holds: margin balance <= maintenance margin.

    Equality counts as liquidated (the margin ratio has reached 100 %). A margin balance at or
    below zero is always liquidated (past bankruptcy, the ratio is ``inf``), even with no
    maintenance margin; a zero maintenance margin with a positive balance never is.

    Parameters
    ----------
    maintenance_margin_value : float
        Maintenance margin in USDT, >= 0 (the position's, or the whole cross account's).
    margin_balance : float
        Margin balance in USDT (wallet plus unrealised PnL), any sign.

    Returns
    -------
    bool

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (liquidation when
    the margin balance falls to the maintenance margin).

    Examples
    --------
    >>> is_liquidated(100, 400), is_liquidated(400, 400), is_liquidated(0, 0)
    (False, True, True)
    """
    maintenance_margin_value = _checks.non_negative(
        "maintenance_margin_value", maintenance_margin_value
    )
    return _checks.number("margin_balance", margin_balance) <= maintenance_margin_value


def _outlook(
    s: int,
    root: float | None,
    start_sign: int,
    mark: float | None,
    liquidated_at_mark: Callable[[float], bool],
) -> LiquidationOutlook:
    """Classify from the positive root (if any) and the sign of ``MB − MM`` just above P = 0.

    ``MB − MM`` rises with the price for a long and falls for a short. Without a representable
    positive root, a long is never liquidated if ``MB − MM > 0`` near 0, and liquidated at every
    representable price otherwise (its root lies beyond the float range); a short the reverse.
    When ``MB − MM`` is exactly 0 at P = 0 (a long at 1x with no other positions), it grows
    with the price at the slope ``Q·(1 − MMR) > 0``: that long is never liquidated, and the
    short in the same case is liquidated at every positive price.
    """
    if root is None:
        if s > 0:
            return LiquidationOutlook("never" if start_sign >= 0 else "already")
        return LiquidationOutlook("already" if start_sign <= 0 else "never")
    if mark is not None and (s * (mark - root) <= 0 or liquidated_at_mark(mark)):
        return LiquidationOutlook("already")
    return LiquidationOutlook("at_price", root)


def _sign(value: Fraction) -> int:
    return (value > 0) - (value < 0)


def liquidation_outlook(
    side: str,
    quantity: float,
    entry_price: float,
    wallet_balance: float,
    maintenance_margin_rate: float,
    maintenance_amount: float,
    other_maintenance_margin: float = 0.0,
    other_unrealized_pnl: float = 0.0,
    *,
    mark_price: float | None = None,
) -> LiquidationOutlook:
    """Liquidation price, or why there is none: never liquidated, or liquidatable already.

    :func:`liquidation_price` returns None in two opposite cases; this tells them apart. With
    ``h(P) = MB − MM = WB + UPNL + s·Q·(P − EP) − TMM − Q·P·MMR + cum`` the position is
    liquidated where ``h(P) <= 0``. ``h`` rises with P for a long and falls for a short, so:

    * a long is liquidated below its root: ``"never"`` when the root is at or below 0;
    * a short is liquidated above its root: ``"already"`` when the root is at or below 0 (every
      positive price liquidates it, e.g. the other cross positions' losses exceed the wallet);
    * with ``mark_price``, a long whose liquidation price is at or above the mark (a short at or
      below it) is ``"already"``.

    Parameters
    ----------
    side, quantity, entry_price, maintenance_margin_rate, maintenance_amount
        As in :func:`liquidation_price`.
    wallet_balance : float
        WB in USDT; unlike :func:`liquidation_price` it may be below zero (an overdrawn wallet).
    other_maintenance_margin, other_unrealized_pnl : float, default 0.0
        TMM (>= 0) and UPNL of the other cross positions in USDT, as in
        :func:`liquidation_price`.
    mark_price : float, optional
        Current mark price in USDT (> 0). Given, a position liquidatable at the mark is
        ``"already"``.

    Returns
    -------
    LiquidationOutlook
        ``kind`` in ``{"at_price", "never", "already"}``; ``price`` (USDT) for ``"at_price"``.

    Raises
    ------
    ValueError
        For any input :func:`liquidation_price` refuses (except a negative wallet), or a mark
        price that is not > 0.

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (the formula, and
    "--" shown when the price is below zero).

    Examples
    --------
    1 BTC long at 20,000 with 400 USDT, MMR 0.5 %: ``(400 − 20,000)/(0.005 − 1) = 19,698.49``.
    With 25,000 USDT the root ``(25,000 − 20,000)/(0.005 − 1)`` is below zero: never. A short
    whose other positions have lost 30,000 against a 10,000 wallet has the root
    ``(10,000 − 30,000 + 20,000)/(1.005) = 0``: liquidated at every price.

    >>> liquidation_outlook("long", 1, 20_000, 400, 0.005, 0).kind
    'at_price'
    >>> round(liquidation_outlook("long", 1, 20_000, 400, 0.005, 0).price, 2)
    19698.49
    >>> liquidation_outlook("long", 1, 20_000, 25_000, 0.005, 0)
    LiquidationOutlook(kind='never', price=None)
    >>> liquidation_outlook("short", 1, 20_000, 10_000, 0.005, 0, 0, -30_000)
    LiquidationOutlook(kind='already', price=None)
    >>> liquidation_outlook("long", 1, 20_000, 400, 0.005, 0, mark_price=19_500)
    LiquidationOutlook(kind='already', price=None)
    """
    s = _checks.side_sign(side)
    q = _checks.positive("quantity", quantity)
    ep = _checks.positive("entry_price", entry_price)
    wb = _checks.number("wallet_balance", wallet_balance)
    mmr = _checks.rate("maintenance_margin_rate", maintenance_margin_rate)
    cum = _checks.non_negative("maintenance_amount", maintenance_amount)
    tmm = _checks.non_negative("other_maintenance_margin", other_maintenance_margin)
    upnl = _checks.number("other_unrealized_pnl", other_unrealized_pnl)
    mark = None if mark_price is None else _checks.positive("mark_price", mark_price)
    root = _liquidation_root(s, q, ep, wb, mmr, cum, tmm, upnl)
    # h(0+) / Q = (WB − TMM + UPNL + cum)/Q − s·EP, exactly
    start = _sign(
        (Fraction(wb) - Fraction(tmm) + Fraction(upnl) + Fraction(cum)) / Fraction(q)
        - s * Fraction(ep)
    )

    def at_mark(price: float) -> bool:
        balance = wb + upnl + s * q * (price - ep)
        return balance <= tmm + q * price * mmr - cum

    return _outlook(s, root, start, mark, at_mark)


def liquidation_outlook_in_brackets(
    side: str,
    quantity: float,
    entry_price: float,
    wallet_balance: float,
    brackets: BracketTable,
    other_maintenance_margin: float = 0.0,
    other_unrealized_pnl: float = 0.0,
    *,
    mark_price: float | None = None,
) -> LiquidationOutlook:
    """:func:`liquidation_outlook` with the bracket chosen by the notional at each price.

    The price is the one :func:`liquidation_price_in_brackets` returns. With no price, the sign
    of ``MB − MM`` just above P = 0 (bracket 1, where ``MM = TMM``) decides as in
    :func:`liquidation_outlook`; with ``mark_price``, the maintenance margin at the mark uses
    the bracket of the notional at the mark.

    Parameters
    ----------
    side, quantity, entry_price, wallet_balance, brackets, other_maintenance_margin, \
other_unrealized_pnl
        As in :func:`liquidation_price_in_brackets` (WB in USDT may be below zero).
    mark_price : float, optional
        Current mark price in USDT (> 0).

    Returns
    -------
    LiquidationOutlook

    References
    ----------
    Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (re-calculate with
    the bracket of the position at the liquidation price) and "Leverage and Margin of USDⓈ-M
    Futures".

    Examples
    --------
    1 BTC long at 20,000 with 400 USDT, 2021 table (bracket 1: MMR 0.4 %):
    ``(400 − 20,000)/(0.004 − 1) = 19,678.71``; a short with the other legs 30,000 down on a
    10,000 wallet is liquidated at every price:

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> table = load_brackets("BTCUSDT", "2021-03-18")
    >>> outlook = liquidation_outlook_in_brackets("long", 1, 20_000, 400, table)
    >>> outlook.kind, round(outlook.price, 2)
    ('at_price', 19678.71)
    >>> liquidation_outlook_in_brackets("short", 1, 20_000, 10_000, table, 0, -30_000).kind
    'already'
    """
    s = _checks.side_sign(side)
    q = _checks.positive("quantity", quantity)
    ep = _checks.positive("entry_price", entry_price)
    wb = _checks.number("wallet_balance", wallet_balance)
    tmm = _checks.non_negative("other_maintenance_margin", other_maintenance_margin)
    upnl = _checks.number("other_unrealized_pnl", other_unrealized_pnl)
    mark = None if mark_price is None else _checks.positive("mark_price", mark_price)
    root, _ = _solve_in_brackets(s, q, ep, wb, brackets, tmm, upnl)
    start = _sign((Fraction(wb) - Fraction(tmm) + Fraction(upnl)) / Fraction(q) - s * Fraction(ep))

    def at_mark(price: float) -> bool:
        value = q * price
        maintenance = tmm + brackets.bracket_for(value).maintenance_margin(value)
        return wb + upnl + s * q * (price - ep) <= maintenance

    return _outlook(s, root, start, mark, at_mark)


def liquidation_price_curve(
    side: str,
    quantity: float,
    entry_price: float,
    leverages: Sequence[float],
    brackets: BracketTable,
    margin_mode: str = "isolated",
    wallet_balance: float = 0.0,
    other_maintenance_margin: float = 0.0,
    other_unrealized_pnl: float = 0.0,
) -> list[float | None]:
    """Liquidation price of one position opened at each of several leverages (a chart's curve).

    Each point is what an account opening the position at that leverage would report (the
    bracket re-selected at the liquidation price, as in :func:`liquidation_price_in_brackets`):

    * isolated: the position's wallet is its initial margin ``Q·EP / leverage``, the amount
      opening it moves out of the cross wallet, so the price closes in on the entry as leverage
      rises;
    * cross: the position is backed by the cross wallet ``wallet_balance`` (with the other cross
      positions' TMM and UPNL); leverage only sets the initial margin, so every point is the
      same price.

    Parameters
    ----------
    side, quantity, entry_price
        As in :func:`liquidation_price`.
    leverages : sequence of float
        Leverages, each in [1, the maximum leverage of the bracket of the notional ``Q·EP``].
    brackets : BracketTable
        The symbol's maintenance bracket table.
    margin_mode : {"isolated", "cross"}, default "isolated"
        Margin mode of the position.
    wallet_balance : float, default 0.0
        Cross mode only: the cross wallet balance WB in USDT (may be below zero after
        funding). Must stay 0 in isolated mode.
    other_maintenance_margin, other_unrealized_pnl : float, default 0.0
        Cross mode only: TMM (>= 0) and UPNL of the other cross positions, in USDT, as in
        :func:`liquidation_price`. Must stay 0 in isolated mode.

    Returns
    -------
    list of (float or None)
        One liquidation price per leverage, in USDT (None where no positive price exists).

    Raises
    ------
    ValueError
        For a leverage outside the allowed range, cross-mode arguments given in isolated mode,
        or any input :func:`liquidation_price_in_brackets` refuses.

    Examples
    --------
    0.5 BTC long at 60,000 USDT (notional 30,000, bracket 1: MMR 0.4 %, cum 0). Isolated at
    20x the wallet is 1,500, so ``LP = (1,500 − 30,000) / (0.5·0.004 − 0.5) = 57,228.92``; at
    10x it is 3,000 and ``LP = 27,000 / 0.498 = 54,216.87``. Cross with a 5,000 USDT wallet:
    ``25,000 / 0.498 = 50,200.80`` at every leverage.

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> table = load_brackets("BTCUSDT", "2024-10-24")
    >>> [round(p, 2) for p in liquidation_price_curve("long", 0.5, 60_000, [10, 20], table)]
    [54216.87, 57228.92]
    >>> curve = liquidation_price_curve(
    ...     "long", 0.5, 60_000, [10, 20], table, margin_mode="cross", wallet_balance=5_000)
    >>> [round(p, 2) for p in curve]
    [50200.8, 50200.8]
    """
    s = _checks.side_sign(side)
    quantity = _checks.positive("quantity", quantity)
    entry_price = _checks.positive("entry_price", entry_price)
    mode = _checks.margin_mode(margin_mode, "margin_mode")
    value = quantity * entry_price
    top = brackets.bracket_for(value).max_leverage
    checked = [_checks.number("leverages[]", lev) for lev in leverages]
    for index, lev in enumerate(checked):
        if not 1 <= lev <= top:
            raise ValueError(
                f"leverages[{index}] must be in [1, {top:g}] for a notional of {value:,.2f} USDT "
                f"({brackets.symbol} {brackets.effective_date}), got {leverages[index]!r}"
            )
    if mode == "cross":
        price, _ = liquidation_price_in_brackets(
            side,
            quantity,
            entry_price,
            wallet_balance,
            brackets,
            other_maintenance_margin,
            other_unrealized_pnl,
        )
        return [price] * len(checked)
    for name, extra in (
        ("wallet_balance", wallet_balance),
        ("other_maintenance_margin", other_maintenance_margin),
        ("other_unrealized_pnl", other_unrealized_pnl),
    ):
        if _checks.number(name, extra) != 0:
            raise ValueError(f"{name} must be 0 in isolated mode (cross mode only), got {extra!r}")
    return [
        _solve_in_brackets(s, quantity, entry_price, value / lev, brackets, 0.0, 0.0)[0]
        for lev in checked
    ]


def bankruptcy_price(
    side: str,
    quantity: float,
    entry_price: float,
    wallet_balance: float,
    other_unrealized_pnl: float = 0.0,
) -> float | None:
    """Price at which the margin balance is exactly zero (all collateral lost).

    ``WB + UPNL + s·Q·(P − EP) = 0``, so ``P = EP − (WB + UPNL) / (s·Q)``.

    Parameters
    ----------
    side : {"long", "short"}
        Direction of the position.
    quantity : float
        Absolute position size Q in base units, > 0.
    entry_price : float
        Entry price EP in USDT, > 0.
    wallet_balance : float
        Wallet balance WB in USDT, >= 0 (the isolated wallet, or the cross wallet).
    other_unrealized_pnl : float, default 0.0
        UPNL of other cross positions in USDT (0 in isolated mode).

    Returns
    -------
    float or None
        The bankruptcy price in USDT, or None if it is at or below zero.

    Examples
    --------
    >>> bankruptcy_price("long", 1, 20_000, 400)
    19600.0
    """
    s = _checks.side_sign(side)
    quantity = _checks.positive("quantity", quantity)
    entry_price = _checks.positive("entry_price", entry_price)
    wallet_balance = _checks.non_negative("wallet_balance", wallet_balance)
    other_unrealized_pnl = _checks.number("other_unrealized_pnl", other_unrealized_pnl)
    price = entry_price - (wallet_balance + other_unrealized_pnl) / (s * quantity)
    return price if price > 0 else None


def notional(quantity: float, price: float) -> float:
    """Notional value ``Q × price`` in USDT.

    Examples
    --------
    >>> notional(0.5, 60_000)
    30000.0
    """
    return _checks.non_negative("quantity", quantity) * _checks.positive("price", price)


def initial_margin(notional_value: float, leverage: float) -> float:
    """Initial margin ``notional / leverage`` in USDT.

    Parameters
    ----------
    notional_value : float
        Position notional in USDT, >= 0.
    leverage : float
        Leverage, >= 1.

    Examples
    --------
    >>> initial_margin(20_000, 50)
    400.0
    """
    notional_value = _checks.non_negative("notional_value", notional_value)
    leverage = _checks.number("leverage", leverage)
    if leverage < 1:
        raise ValueError(f"leverage must be >= 1, got {leverage!r}")
    return notional_value / leverage


def maintenance_margin(
    notional_value: float,
    maintenance_margin_rate: float,
    maintenance_amount: float,
    *,
    brackets: BracketTable | None = None,
) -> float:
    """Maintenance margin ``notional × MMR − cum`` in USDT.

    The rate and the amount belong to one bracket; a pair that gives a negative maintenance
    margin (a notional below that bracket's floor) is refused rather than clamped to 0. Given
    ``brackets``, the pair must be the bracket of the table that holds the notional.

    Parameters
    ----------
    notional_value : float
        Position notional at the mark price, in USDT, >= 0.
    maintenance_margin_rate : float
        MMR of the bracket the notional falls in, in [0, 1).
    maintenance_amount : float
        ``cum`` of that bracket, in USDT, >= 0.
    brackets : BracketTable, optional
        The symbol's table, to check that the rate and amount are those of the notional's
        bracket.

    Returns
    -------
    float
        The maintenance margin in USDT, >= 0.

    Raises
    ------
    ValueError
        For a rate and amount giving a maintenance margin below 0 (beyond rounding), or not
        those of the bracket of ``brackets`` holding the notional; or any invalid value.

    References
    ----------
    Binance, "Leverage and Margin of USDⓈ-M Futures" (maintenance margin = notional × MMR −
    maintenance amount).

    Examples
    --------
    2021 BTCUSDT table, a 500,000 USDT position (bracket 3: MMR 1 %, cum 1,300):

    >>> maintenance_margin(500_000, 0.01, 1_300)
    3700.0
    """
    notional_value = _checks.non_negative("notional_value", notional_value)
    rate = _checks.rate("maintenance_margin_rate", maintenance_margin_rate)
    amount = _checks.non_negative("maintenance_amount", maintenance_amount)
    if brackets is not None:
        bracket = brackets.bracket_for(notional_value)
        if (rate, amount) != (bracket.maintenance_margin_rate, bracket.maintenance_amount):
            raise ValueError(
                f"maintenance_margin_rate and maintenance_amount must be those of bracket "
                f"{bracket.number} of {brackets.symbol} {brackets.effective_date} for a notional "
                f"of {notional_value!r} USDT ({bracket.maintenance_margin_rate!r}, "
                f"{bracket.maintenance_amount!r}), got ({maintenance_margin_rate!r}, "
                f"{maintenance_amount!r})"
            )
    value = notional_value * rate - amount
    if value < 0:
        # at a bracket floor the two pieces agree only to rounding: allow that much
        if value < -1e-9 * max(1.0, amount):
            raise ValueError(
                f"maintenance_amount {maintenance_amount!r} exceeds notional_value × "
                f"maintenance_margin_rate = {notional_value * rate!r}: the rate and amount are "
                f"not those of the bracket holding a notional of {notional_value!r} USDT"
            )
        return 0.0
    return value


def unrealized_pnl(side: str, quantity: float, entry_price: float, mark_price: float) -> float:
    """Unrealised PnL ``s·Q·(mark − EP)`` in USDT (also the PnL of closing at ``mark_price``).

    Examples
    --------
    >>> unrealized_pnl("short", 2, 3_000, 2_900)
    200.0
    """
    s = _checks.side_sign(side)
    quantity = _checks.non_negative("quantity", quantity)
    entry_price = _checks.positive("entry_price", entry_price)
    mark_price = _checks.positive("mark_price", mark_price)
    return s * quantity * (mark_price - entry_price)


def margin_ratio(maintenance_margin_value: float, margin_balance: float) -> float:
    """Margin ratio ``maintenance margin / margin balance``; liquidation at 1.0 (100 %).

    Returns ``math.inf`` when the margin balance is at or below zero (the position or
    account is past bankruptcy).

    Examples
    --------
    >>> margin_ratio(100, 400)
    0.25
    """
    maintenance_margin_value = _checks.non_negative(
        "maintenance_margin_value", maintenance_margin_value
    )
    margin_balance = _checks.number("margin_balance", margin_balance)
    if margin_balance <= 0:
        return math.inf
    return maintenance_margin_value / margin_balance


def effective_leverage(total_notional: float, margin_balance: float) -> float:
    """Effective leverage ``total notional / margin balance`` (``inf`` if the balance is <= 0).

    In cross mode this is the account-wide leverage that the shared wallet actually carries,
    whatever leverage was chosen when the positions were opened.

    Examples
    --------
    >>> effective_leverage(50_000, 5_000)
    10.0
    """
    total_notional = _checks.non_negative("total_notional", total_notional)
    margin_balance = _checks.number("margin_balance", margin_balance)
    if margin_balance <= 0:
        return math.inf
    return total_notional / margin_balance


def return_on_equity(pnl: float, initial_margin_value: float) -> float:
    """Return on equity ``PnL / initial margin`` as a fraction (0.5 is +50 %).

    Examples
    --------
    >>> return_on_equity(-200, 400)
    -0.5
    """
    pnl = _checks.number("pnl", pnl)
    initial_margin_value = _checks.positive("initial_margin_value", initial_margin_value)
    return pnl / initial_margin_value


def funding_payment(side: str, quantity: float, mark_price: float, funding_rate: float) -> float:
    """Funding received by a position, in USDT (negative when it pays).

    The payment is ``mark × Q × rate``; with a positive rate longs pay shorts. The rate does not
    depend on the margin mode; only where the payment is booked does (isolated wallet versus
    cross wallet).

    Parameters
    ----------
    side : {"long", "short"}
        Direction of the position.
    quantity : float
        Absolute size in base units, >= 0.
    mark_price : float
        Mark price at the funding time, USDT, > 0.
    funding_rate : float
        Funding rate for the interval, as a fraction (0.0001 is 0.01 %); any sign, |rate| < 1.

    Examples
    --------
    >>> funding_payment("long", 1, 20_000, 0.0001)
    -2.0
    """
    s = _checks.side_sign(side)
    quantity = _checks.non_negative("quantity", quantity)
    mark_price = _checks.positive("mark_price", mark_price)
    funding_rate = _checks.number("funding_rate", funding_rate)
    if not -1 < funding_rate < 1:
        raise ValueError(f"funding_rate must be in (-1, 1), got {funding_rate!r}")
    return -s * quantity * mark_price * funding_rate
