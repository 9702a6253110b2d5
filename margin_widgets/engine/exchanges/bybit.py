"""Bybit USDT perpetual, classic account (isolated): maintenance margin on the **entry** value.

Bybit values the position at its entry price for the isolated liquidation price::

    position value  PV = Q·EP
    initial margin  IM = PV / leverage
    maintenance     MM = PV·MMR − deduction
    bankruptcy      BP = EP − s·M/Q               (M = IM + extra margin; EP·(1 ∓ 1/leverage))
    liquidation     LP = EP − s·(M − MM)/Q = BP + s·MM/Q

so the liquidation price sits one maintenance margin per unit inside the bankruptcy price. Binance
instead values the maintenance margin at the liquidation price itself; the two are related by
``LP_bybit = LP_binance·(1 − s·MMR) + s·EP·MMR`` (same margin, rate and deduction).

Tiers ("risk limits") are chosen by position value; the deduction follows
``d_n = limit_(n−1)·(MMR_n − MMR_(n−1)) + d_(n−1)``, ``d_1 = 0`` ("Margin Parameters").

Unified trading account (an option, ``BybitConvention(unified=True)``): the page "Liquidation
Price Calculation under Isolated Mode (Unified Trading Account)" adds an estimated fee to close
the position to both IM and MM and notes that small differences from the shown price arise from
fees. The option charges that fee as ``Q·P·fee_rate`` at the price P the position is closed at
(the page charges it on the bankruptcy value), which keeps :meth:`~BybitConvention.
liquidation_price` and :meth:`~BybitConvention.is_liquidated` consistent; the two readings differ
by ``Q·|LP − BP|·fee_rate`` (0.06 USDT in the worked example at a 0.055 % fee). Not used by
:func:`~margin_widgets.engine.exchanges.isolated_liquidation_price`, which is the classic formula.

References
----------
Bybit, "Liquidation Price (USDT Contract)"; Bybit, "What is Bankruptcy Price? (USDT Contract)";
Bybit, "Margin Parameters"; Bybit, "Liquidation Price Calculation under Isolated Mode (Unified
Trading Account)".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from margin_widgets.engine import _checks
from margin_widgets.engine.exchanges import (
    Tier,
    TierTable,
    TierTableError,
    bankruptcy_price_of_margin,
    bankruptcy_prices_of_margins,
    ratio_maintenance_over_balance,
    read_table_file,
    validate_rows,
)

__all__ = ["CONVENTION", "BybitConvention", "tier_table_from_data"]

_DEDUCTION_TOLERANCE = 1e-6  # USDT, relative to the deduction's size


def _check_deduction(tier: Tier, previous: Tier | None, label: str) -> None:
    if previous is None:
        expected = 0.0
    else:
        if tier.maintenance_margin_rate <= previous.maintenance_margin_rate:
            raise TierTableError(f"{label}: maintenance_margin_rate must rise")
        expected = (
            previous.cap * (tier.maintenance_margin_rate - previous.maintenance_margin_rate)
            + previous.maintenance_amount
        )
    if abs(tier.maintenance_amount - expected) > _DEDUCTION_TOLERANCE * max(1.0, expected):
        raise TierTableError(
            f"{label}: deduction {tier.maintenance_amount:g} breaks the recurrence "
            f"d_n = limit_(n−1)·(MMR_n − MMR_(n−1)) + d_(n−1), which gives {expected:g}"
        )


def tier_table_from_data(data: dict[str, Any]) -> TierTable:
    """Build and validate a Bybit table from data shaped like ``data/bybit/*.json``.

    References
    ----------
    Bybit, "Margin Parameters" (the deduction formula).

    Raises
    ------
    TierTableError
        For missing fields, gaps, rates that do not rise, or a deduction off the recurrence.

    Examples
    --------
    >>> rows = [{"tier": 1, "risk_limit": 100, "max_leverage": 10,
    ...          "maintenance_margin_rate": 0.01, "maintenance_margin_deduction": 0},
    ...         {"tier": 2, "risk_limit": 200, "max_leverage": 5,
    ...          "maintenance_margin_rate": 0.02, "maintenance_margin_deduction": 1}]
    >>> data = {"symbol": "X", "effective_date": "2024-01-01", "tiers": rows}
    >>> tier_table_from_data(data).tiers[1]
    Tier(number=2, floor=100.0, cap=200.0, max_leverage=5.0, maintenance_margin_rate=0.02, \
maintenance_amount=1.0)
    """
    try:
        tiers = []
        floor = 0.0
        for row in data["tiers"]:
            cap = float(row["risk_limit"])
            tiers.append(
                Tier(
                    int(row["tier"]),
                    floor,
                    cap,
                    float(row["max_leverage"]),
                    float(row["maintenance_margin_rate"]),
                    float(row["maintenance_margin_deduction"]),
                )
            )
            floor = cap
        table = TierTable(
            exchange="bybit",
            symbol=str(data["symbol"]),
            effective_date=str(data["effective_date"]),
            source=str(data.get("source", "")),
            basis="notional",
            tiers=tuple(tiers),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, TierTableError):
            raise
        raise TierTableError(f"bybit tier table data is malformed: {exc!r}") from exc
    validate_rows(table, _check_deduction)
    return table


class BybitConvention:
    """Bybit USDT perpetual (see the module docstring); ``unified=True`` adds the closing fee.

    Examples
    --------
    The page's example 1: 1 BTC long at 20,000 with 50x (IM 400), MMR 0.5 % (MM 100):

    >>> CONVENTION.bankruptcy_price("long", 1, 20_000, 400)
    19600.0
    >>> CONVENTION.liquidation_price("long", 1, 20_000, 400, 0.005)
    19700.0
    """

    margin_ratio_orientation = "maintenance/balance"
    tier_price = "entry"

    def __init__(self, unified: bool = False) -> None:
        self.unified = bool(unified)
        self.name = "bybit-unified" if self.unified else "bybit"
        self.title = "Bybit USDT perpetual (" + (
            "unified account)" if self.unified else "classic account)"
        )

    def tier_table(self, symbol: str = "BTCUSDT", date: str | None = None) -> TierTable:
        """The shipped ``data/bybit/`` table, validated (deduction recurrence, rising MMR).

        Examples
        --------
        >>> CONVENTION.tier_table().tiers[0].cap
        2000000.0
        """
        return tier_table_from_data(read_table_file("bybit", symbol, date))

    def maintenance_margin(
        self,
        quantity: float,
        entry_price: float,
        mark_price: float,
        maintenance_margin_rate: float,
        maintenance_amount: float = 0.0,
        fee_rate: float = 0.0,
    ) -> float:
        """``Q·EP·MMR − deduction`` (entry value), plus ``Q·mark·fee_rate`` if unified.

        Examples
        --------
        >>> CONVENTION.maintenance_margin(1, 20_000, 15_000, 0.005)
        100.0
        """
        q = _checks.non_negative("quantity", quantity)
        ep = _checks.positive("entry_price", entry_price)
        mark = _checks.positive("mark_price", mark_price)
        mmr = _checks.rate("maintenance_margin_rate", maintenance_margin_rate)
        amount = _checks.non_negative("maintenance_amount", maintenance_amount)
        fee = _checks.rate("fee_rate", fee_rate)
        closing = q * mark * fee if self.unified else 0.0
        if q == 0:
            return closing
        value = q * ep * mmr - amount
        if value < 0:
            raise ValueError(
                f"maintenance_amount {amount!r} exceeds the entry value's maintenance "
                f"{q * ep * mmr!r}: that rate and deduction do not belong to one tier"
            )
        return value + closing

    def bankruptcy_price(
        self, side: str, quantity: float, entry_price: float, margin: float
    ) -> float | None:
        """``EP − s·M/Q`` (``EP·(1 ∓ 1/leverage)`` with no extra margin); None if <= 0.

        Examples
        --------
        >>> CONVENTION.bankruptcy_price("short", 1, 20_000, 400)
        20400.0
        """
        return bankruptcy_price_of_margin(side, quantity, entry_price, margin)

    def liquidation_price(
        self,
        side: str,
        quantity: float,
        entry_price: float,
        margin: float,
        maintenance_margin_rate: float,
        maintenance_amount: float = 0.0,
        fee_rate: float = 0.0,
    ) -> float | None:
        """``EP − s·(M − MM)/Q`` with ``MM = Q·EP·MMR − deduction`` (classic account).

        Unified: the fee to close ``Q·P·fee_rate`` joins the requirement, so
        ``M + s·Q·(P − EP) = MM + Q·P·fee`` gives ``P = (MM − M + s·Q·EP) / (Q·(s − fee))``.
        ``fee_rate`` is ignored by the classic account.

        Examples
        --------
        Short of 1 BTC at 20,000 with 50x: ``20,000 + (400 − 100) = 20,300``.

        >>> CONVENTION.liquidation_price("short", 1, 20_000, 400, 0.005)
        20300.0
        """
        s = _checks.side_sign(side)
        q = _checks.positive("quantity", quantity)
        ep = _checks.positive("entry_price", entry_price)
        m = _checks.non_negative("margin", margin)
        mmr = _checks.rate("maintenance_margin_rate", maintenance_margin_rate)
        amount = _checks.non_negative("maintenance_amount", maintenance_amount)
        fee = _checks.rate("fee_rate", fee_rate)
        return self.solve_unchecked(side, s, q, ep, m, mmr, amount, fee)

    def solve_unchecked(
        self,
        side: str,
        s: int,
        quantity: float,
        entry_price: float,
        margin: float,
        maintenance_margin_rate: float,
        maintenance_amount: float,
        fee_rate: float,
    ) -> float | None:
        """:meth:`liquidation_price` on checked values (``s`` = +1 long, −1 short)."""
        q, ep = quantity, entry_price
        mm = q * ep * maintenance_margin_rate - maintenance_amount
        try:
            if self.unified:
                price = (mm - margin + s * q * ep) / (q * (s - fee_rate))
            else:
                price = ep - s * (margin - mm) / q
        except (ZeroDivisionError, OverflowError):
            return None
        return float(price) if price > 0 and math.isfinite(price) else None

    def liquidation_prices_unchecked(
        self,
        side: str,
        s: int,
        quantity: float,
        entry_price: float,
        margins: Sequence[float],
        maintenance_margin_rate: float,
        maintenance_amount: float,
        fee_rate: float,
    ) -> list[float | None]:
        """:meth:`solve_unchecked` at each margin, in one pass (the same expression).

        References
        ----------
        Bybit, "Liquidation Price (USDT Contract)" and "What is Bankruptcy Price? (USDT Contract)".

        Examples
        --------
        1 BTC long at 20,000, MMR 0.5 %: 50x (M = 400) and 20x (M = 1,000):

        >>> CONVENTION.liquidation_prices_unchecked("long", 1, 1.0, 20_000.0, [400.0, 1_000.0],
        ...                                         0.005, 0.0, 0.0)
        [19700.0, 19100.0]
        """
        q, ep = quantity, entry_price
        if self.unified:
            return [
                self.solve_unchecked(
                    side, s, q, ep, m, maintenance_margin_rate, maintenance_amount, fee_rate
                )
                for m in margins
            ]
        mm = q * ep * maintenance_margin_rate - maintenance_amount
        inf = math.inf  # a quotient of floats is a float: 0 < price < inf is "> 0 and finite"
        return [price if 0 < (price := ep - s * (m - mm) / q) < inf else None for m in margins]

    def bankruptcy_prices_unchecked(
        self, s: int, quantity: float, entry_price: float, margins: Sequence[float]
    ) -> list[float | None]:
        """:meth:`bankruptcy_price` at each margin (finite, >= 0), on checked values.

        References
        ----------
        Bybit, "Liquidation Price (USDT Contract)" and "What is Bankruptcy Price? (USDT Contract)".

        Examples
        --------
        >>> CONVENTION.bankruptcy_prices_unchecked(-1, 1.0, 20_000.0, [400.0])
        [20400.0]
        """
        return bankruptcy_prices_of_margins(s, quantity, entry_price, margins)

    def margin_ratios_unchecked(
        self,
        s: int,
        quantity: float,
        entry_price: float,
        margin: float,
        prices: Sequence[float],
        rates: Sequence[float],
        amounts: Sequence[float],
        fee_rate: float,
    ) -> list[float] | None:
        """:meth:`margin_ratio` of ``M + s·Q·(P − EP)`` over :meth:`maintenance_margin` at each P.

        On checked values; each price has its own rate and deduction. None when a point would
        be refused (a deduction above the entry value's maintenance, a value beyond the float
        range): the checked calls raise the error.

        References
        ----------
        Bybit, "Liquidation Price (USDT Contract)" and "What is Bankruptcy Price? (USDT Contract)".

        Examples
        --------
        1 BTC long at 20,000 with 400 USDT, MMR 0.5 %: ``MM = 100`` at every mark, so 0.5 at
        19,800 (balance 200) and ``inf`` at 19,500 (balance −100):

        >>> CONVENTION.margin_ratios_unchecked(1, 1.0, 20_000.0, 400.0, [19_800.0, 19_500.0],
        ...                                    [0.005, 0.005], [0.0, 0.0], 0.0)
        [0.5, inf]
        """
        q, ep, m = quantity, entry_price, margin
        if not prices:
            return []
        if not math.isfinite(m + q * (max(prices) + ep)):
            return None
        inf, unified, sq = math.inf, self.unified, s * q
        one_tier = rates.count(rates[0]) == len(rates) and amounts.count(amounts[0]) == len(amounts)
        if not unified and one_tier:
            # one tier for every price: one requirement, valued at entry
            value = q * ep * rates[0] - amounts[0]
            if value < 0:
                return None
            mm = value + 0.0
            return [
                inf if (balance := m + sq * (price - ep)) <= 0 else mm / balance for price in prices
            ]
        out: list[float] = []
        for price, rate, amount in zip(prices, rates, amounts, strict=True):
            value = q * ep * rate - amount
            if value < 0:
                return None
            mm = value + (q * price * fee_rate if unified else 0.0)
            balance = m + s * q * (price - ep)
            out.append(inf if balance <= 0 else mm / balance)
        return out

    def margin_ratio(self, margin_balance: float, maintenance_margin: float) -> float:
        """``MM / (position margin + unrealised PnL)``; liquidation when it reaches 1.

        Examples
        --------
        >>> CONVENTION.margin_ratio(400, 100)
        0.25
        """
        return ratio_maintenance_over_balance(margin_balance, maintenance_margin)

    def is_liquidated(self, margin_balance: float, maintenance_margin: float) -> bool:
        """Margin ratio at or above 100 %, i.e. ``MB <= MM``.

        Examples
        --------
        >>> CONVENTION.is_liquidated(100, 100)
        True
        """
        return self.margin_ratio(margin_balance, maintenance_margin) >= 1


CONVENTION = BybitConvention()
"""The registered Bybit convention (classic account)."""

UNIFIED = BybitConvention(unified=True)
"""The unified-account option (estimated fee to close counted), not registered by default."""
