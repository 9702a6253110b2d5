"""Spot margin accounts: the margin level, its thresholds and the prices they imply.

The margin level of a spot margin account is ``total asset value / (total debt + unpaid
interest)``. The single cross margin account has one level; each isolated pair account (holding
only that pair's two assets) has its own, so a liquidation in one isolated pair account leaves
every other account alone. Thresholds are the exchange's published levels (Binance margin
trading): liquidation at or below ``liquidation``, a margin call at or below ``margin_call``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from margin_widgets.engine import _checks

__all__ = [
    "CROSS_THRESHOLDS",
    "ISOLATED_THRESHOLDS",
    "SpotThreshold",
    "hourly_interest",
    "long_liquidation_price",
    "margin_level",
    "margin_level_status",
    "short_liquidation_price",
    "spot_interest",
    "spot_level_price",
    "spot_threshold",
]


@dataclass(frozen=True)
class SpotThreshold:
    """Margin-level thresholds of one kind of spot margin account."""

    mode: str
    max_leverage: int
    liquidation: float
    margin_call: float


CROSS_THRESHOLDS: dict[int, SpotThreshold] = {
    3: SpotThreshold("cross", 3, liquidation=1.1, margin_call=1.3),
    5: SpotThreshold("cross", 5, liquidation=1.1, margin_call=1.16),
}
"""Cross margin accounts (Cross 3x, Cross 5x): liquidation at 1.1, margin call just above."""

ISOLATED_THRESHOLDS: dict[int, SpotThreshold] = {
    10: SpotThreshold("isolated", 10, liquidation=1.05, margin_call=1.1),
    5: SpotThreshold("isolated", 5, liquidation=1.15, margin_call=1.19),
    3: SpotThreshold("isolated", 3, liquidation=1.18, margin_call=1.22),
}
"""Isolated pair accounts by the pair's maximum leverage."""


def spot_threshold(mode: str, max_leverage: int) -> SpotThreshold:
    """Thresholds of a spot margin account kind.

    Examples
    --------
    >>> spot_threshold("isolated", 10).liquidation
    1.05
    """
    table = CROSS_THRESHOLDS if _checks.margin_mode(mode) == "cross" else ISOLATED_THRESHOLDS
    if max_leverage not in table:
        raise ValueError(
            f"max_leverage must be one of {sorted(table)} for {mode} spot margin, "
            f"got {max_leverage!r}"
        )
    return table[max_leverage]


def margin_level(
    total_asset_value: float, total_debt: float, unpaid_interest: float = 0.0
) -> float:
    """Margin level ``assets / (debt + interest)``; ``inf`` with nothing owed.

    Parameters
    ----------
    total_asset_value : float
        Value of everything the account holds, in the quote currency, >= 0.
    total_debt : float
        Borrowed principal, same currency, >= 0.
    unpaid_interest : float, default 0.0
        Interest accrued and not yet repaid, >= 0.

    Examples
    --------
    >>> margin_level(1_100, 1_000)
    1.1
    """
    assets = _checks.non_negative("total_asset_value", total_asset_value)
    owed = _checks.non_negative("total_debt", total_debt) + _checks.non_negative(
        "unpaid_interest", unpaid_interest
    )
    return assets / owed if owed > 0 else math.inf


def margin_level_status(level: float, threshold: SpotThreshold) -> str:
    """``"liquidation"``, ``"margin call"`` or ``"ok"`` for a margin level.

    Examples
    --------
    >>> margin_level_status(1.12, spot_threshold("cross", 3))
    'margin call'
    """
    if level <= threshold.liquidation:
        return "liquidation"
    if level <= threshold.margin_call:
        return "margin call"
    return "ok"


def hourly_interest(principal: float, hourly_rate: float, hours: float) -> float:
    """Simple interest charged hourly; any started hour counts as a full hour.

    Examples
    --------
    >>> round(hourly_interest(1_000, 0.0001, 2.1), 6)
    0.3
    """
    principal = _checks.non_negative("principal", principal)
    rate = _checks.non_negative("hourly_rate", hourly_rate)
    elapsed = _checks.non_negative("hours", hours)
    return principal * rate * math.ceil(elapsed)


def long_liquidation_price(
    base_quantity: float,
    quote_balance: float,
    debt: float,
    interest: float,
    threshold: float,
) -> float | None:
    """Price of the base asset at which a long's margin level reaches ``threshold``.

    The account holds ``q`` base and ``c`` quote and owes ``D`` quote plus interest ``I``:
    ``(q·P + c) / (D + I) = T`` gives ``P = (T·(D + I) − c) / q``.

    Returns None when that price is at or below zero (no liquidation possible).

    Examples
    --------
    >>> round(long_liquidation_price(1, 0, 15_000, 0, 1.1), 2)
    16500.0
    """
    q = _checks.positive("base_quantity", base_quantity)
    c = _checks.non_negative("quote_balance", quote_balance)
    owed = _checks.non_negative("debt", debt) + _checks.non_negative("interest", interest)
    t = _checks.positive("threshold", threshold)
    price = (t * owed - c) / q
    return price if price > 0 else None


def short_liquidation_price(
    quote_balance: float, base_debt: float, base_interest: float, threshold: float
) -> float | None:
    """Price of the base asset at which a short's margin level reaches ``threshold``.

    The account holds ``A`` quote and owes ``b`` base plus interest ``i`` (in base):
    ``A / (P·(b + i)) = T`` gives ``P = A / (T·(b + i))``.

    Examples
    --------
    >>> round(short_liquidation_price(33_000, 1, 0, 1.1), 2)
    30000.0
    """
    a = _checks.non_negative("quote_balance", quote_balance)
    owed = _checks.non_negative("base_debt", base_debt) + _checks.non_negative(
        "base_interest", base_interest
    )
    if owed <= 0:
        raise ValueError(f"base_debt must be > 0 when base_interest is 0, got {base_debt!r}")
    t = _checks.positive("threshold", threshold)
    price = a / (t * owed)
    return price if price > 0 else None


def spot_interest(
    side: str, base_quantity: float, debt: float, hourly_rate: float, hours: float
) -> float:
    """Unpaid interest of a spot margin loan: USDT on a long's debt, coins on a short's.

    A long borrowed ``debt`` quote (USDT) to hold the base coin; a short borrowed
    ``base_quantity`` coins and sold them. Interest accrues on what was borrowed, in its unit
    (:func:`hourly_interest`: each started hour in full).

    Parameters
    ----------
    side : {"long", "short"}
        Long: borrowed quote. Short: borrowed base.
    base_quantity : float
        Coins held (long) or owed (short), >= 0.
    debt : float
        Quote owed by a long, USDT, >= 0 (unused for a short).
    hourly_rate : float
        Interest rate per hour, >= 0.
    hours : float
        Hours since borrowing, >= 0.

    Returns
    -------
    float
        Interest in USDT (long) or in coins (short).

    References
    ----------
    Binance, "Margin Trading FAQ" (interest is calculated hourly; a started hour counts in full).

    Examples
    --------
    20,000 USDT owed for 100.5 hours at 0.01 %/h: 101 started hours, ``20,000 × 0.0001 × 101
    = 202`` USDT; 1 BTC owed for 3 hours at 0.01 %/h: 0.0003 BTC.

    >>> round(spot_interest("long", 1, 20_000, 0.0001, 100.5), 6)
    202.0
    >>> round(spot_interest("short", 1, 0, 0.0001, 3), 10)
    0.0003
    """
    long = _checks.side_sign(side) > 0
    owed = _checks.non_negative("debt", debt) if long else base_quantity
    return hourly_interest(owed, hourly_rate, hours)


def spot_level_price(
    side: str,
    base_quantity: float,
    quote_balance: float,
    level: float,
    *,
    debt: float = 0.0,
    interest: float = 0.0,
) -> float | None:
    """Price of the base coin at which a spot margin account's level reaches ``level``.

    :func:`long_liquidation_price` for a long (``debt`` and ``interest`` in quote),
    :func:`short_liquidation_price` for a short (``base_quantity`` owed, ``interest`` in coins).

    Parameters
    ----------
    side : {"long", "short"}
        Long: holds the coin, owes quote. Short: holds quote, owes the coin.
    base_quantity : float
        Coins held (long, > 0) or owed (short).
    quote_balance : float
        Quote held, USDT, >= 0.
    level : float
        The margin level, > 0 (a threshold: margin call, liquidation).
    debt : float, default 0.0
        Quote owed by a long, USDT (a short owes coins: ignored).
    interest : float, default 0.0
        Unpaid interest: USDT for a long, coins for a short.

    Returns
    -------
    float or None
        The price in USDT; None when no positive price reaches the level.

    References
    ----------
    Binance, "Margin Level" and "Liquidation" (Margin Trading FAQ).

    Examples
    --------
    A long of 1 BTC owing 20,000: ``1.1 × 20,000 / 1 = 22,000``; a short holding 40,000 USDT
    owing 1 BTC: ``40,000 / (1.1 × 1) = 36,363.64``.

    >>> spot_level_price("long", 1, 0, 1.1, debt=20_000)
    22000.0
    >>> round(spot_level_price("short", 1, 40_000, 1.1), 2)
    36363.64
    """
    if _checks.side_sign(side) > 0:
        return long_liquidation_price(base_quantity, quote_balance, debt, interest, level)
    return short_liquidation_price(quote_balance, base_quantity, interest, level)
