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
from collections.abc import Sequence
from typing import TYPE_CHECKING

from margin_widgets.engine import _checks

if TYPE_CHECKING:
    from margin_widgets.engine.brackets import Bracket, BracketTable

__all__ = [
    "bankruptcy_price",
    "effective_leverage",
    "funding_payment",
    "initial_margin",
    "liquidation_price",
    "liquidation_price_curve",
    "liquidation_price_in_brackets",
    "maintenance_margin",
    "margin_ratio",
    "margin_ratio_price",
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
    # Fast path: plain ints/floats, all finite, all in range. Anything else goes to the
    # careful path below, which raises the documented errors.
    try:
        fast = (
            type(quantity) in _NUMBER_TYPES
            and type(entry_price) in _NUMBER_TYPES
            and type(wallet_balance) in _NUMBER_TYPES
            and type(maintenance_margin_rate) in _NUMBER_TYPES
            and type(maintenance_amount) in _NUMBER_TYPES
            and type(other_maintenance_margin) in _NUMBER_TYPES
            and type(other_unrealized_pnl) in _NUMBER_TYPES
            and _isfinite(
                quantity
                + entry_price
                + wallet_balance
                + maintenance_margin_rate
                + maintenance_amount
                + other_maintenance_margin
                + other_unrealized_pnl
            )
            and quantity > 0
            and entry_price > 0
            and wallet_balance >= 0
            and 0 <= maintenance_margin_rate < 1
            and maintenance_amount >= 0
            and other_maintenance_margin >= 0
        )
    except OverflowError:  # an int beyond the float range: refused below
        fast = False
    if fast:
        if side == "long":
            s = 1
        elif side == "short":
            s = -1
        else:
            s = _checks.side_sign(side)
    else:
        s = _checks.side_sign(side)
        quantity = _checks.positive("quantity", quantity)
        entry_price = _checks.positive("entry_price", entry_price)
        wallet_balance = _checks.non_negative("wallet_balance", wallet_balance)
        maintenance_margin_rate = _checks.rate("maintenance_margin_rate", maintenance_margin_rate)
        maintenance_amount = _checks.non_negative("maintenance_amount", maintenance_amount)
        other_maintenance_margin = _checks.non_negative(
            "other_maintenance_margin", other_maintenance_margin
        )
        other_unrealized_pnl = _checks.number("other_unrealized_pnl", other_unrealized_pnl)
    try:
        price = (
            wallet_balance
            - other_maintenance_margin
            + other_unrealized_pnl
            + maintenance_amount
            - s * quantity * entry_price
        ) / (quantity * maintenance_margin_rate - s * quantity)
    except (ZeroDivisionError, OverflowError):
        # Q·MMR − s·Q underflowed to 0 (a subnormal Q), or an int root beyond the float range
        return None
    if price > 0 and _isfinite(price):
        return float(price)
    return None


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
    reported as None, as :func:`liquidation_price` does.
    """
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

    with the bracket re-selected at P as in :func:`liquidation_price_in_brackets`. At
    ``margin_ratio = 1`` this is the liquidation price; an exchange's margin-ratio alert at 80 %
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
        The price in USDT, or None when no positive price reaches that ratio.

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
    ratio = _checks.number("margin_ratio", margin_ratio)
    if not 0 < ratio <= 1:
        raise ValueError(f"margin_ratio must be in (0, 1], got {margin_ratio!r}")
    price, _ = _bracketed(
        side,
        quantity,
        entry_price,
        wallet_balance,
        brackets,
        other_maintenance_margin,
        other_unrealized_pnl,
        ratio,
    )
    return price


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
    notional_value: float, maintenance_margin_rate: float, maintenance_amount: float
) -> float:
    """Maintenance margin ``notional × MMR − cum`` in USDT.

    Parameters
    ----------
    notional_value : float
        Position notional at the mark price, in USDT, >= 0.
    maintenance_margin_rate : float
        MMR of the bracket the notional falls in, in [0, 1).
    maintenance_amount : float
        ``cum`` of that bracket, in USDT, >= 0.

    Examples
    --------
    2021 BTCUSDT table, a 500,000 USDT position (bracket 3: MMR 1 %, cum 1,300):

    >>> maintenance_margin(500_000, 0.01, 1_300)
    3700.0
    """
    notional_value = _checks.non_negative("notional_value", notional_value)
    rate = _checks.rate("maintenance_margin_rate", maintenance_margin_rate)
    amount = _checks.non_negative("maintenance_amount", maintenance_amount)
    return max(notional_value * rate - amount, 0.0)


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
