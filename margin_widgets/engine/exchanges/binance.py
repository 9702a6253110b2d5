"""Binance USDⓈ-M perpetuals, one-way mode: the formulas of :mod:`margin_widgets.engine.formulas`.

The default convention. Maintenance margin on the **mark** notional with the bracket's ``cum``;
margin ratio = maintenance margin / margin balance, liquidation when it reaches 100 %; brackets
chosen by notional, their ``cum`` on the recurrence ``cum_n = floor_n·(MMR_n − MMR_(n−1)) +
cum_(n−1)`` (validated by :func:`margin_widgets.engine.brackets.load_brackets`).

References
----------
Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts"; Binance, "Leverage and
Margin of USDⓈ-M Futures" (brackets).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from margin_widgets.engine import _checks, formulas
from margin_widgets.engine.brackets import BracketTable, load_brackets
from margin_widgets.engine.exchanges import (
    Tier,
    TierTable,
    ratio_maintenance_over_balance,
)

__all__ = ["CONVENTION", "BinanceConvention"]

#: Inside these bounds (quantity, entry price, margin, ``cum``) the formulas' solver takes its
#: float formula (its own bounds are 2**-500 and 2**500); outside, each point goes to it alone.
_PLAIN_LOW, _PLAIN_HIGH = 1e-100, 1e100


def _tier_table_from_brackets(table: BracketTable) -> TierTable:
    """A Binance bracket table as a :class:`TierTable` (notional basis, same numbers)."""
    return TierTable(
        exchange="binance",
        symbol=table.symbol,
        effective_date=table.effective_date,
        source=table.source,
        basis="notional",
        tiers=tuple(
            Tier(
                b.number,
                b.min_notional,
                b.max_notional,
                b.max_leverage,
                b.maintenance_margin_rate,
                b.maintenance_amount,
            )
            for b in table.brackets
        ),
    )


class BinanceConvention:
    """Binance USDⓈ-M, one-way mode (see the module docstring).

    Examples
    --------
    1 BTC long at 20,000 with 400 USDT isolated, MMR 0.5 %, cum 0 (the FAQ's numbers):

    >>> round(CONVENTION.liquidation_price("long", 1, 20_000, 400, 0.005), 2)
    19698.49
    """

    name = "binance"
    title = "Binance USDⓈ-M perpetual (one-way mode)"
    margin_ratio_orientation = "maintenance/balance"
    tier_price = "liquidation"

    def tier_table(self, symbol: str = "BTCUSDT", date: str | None = None) -> TierTable:
        """The bracket table of :func:`load_brackets` as a :class:`TierTable` (notional basis).

        Examples
        --------
        >>> CONVENTION.tier_table("BTCUSDT", "2021-03-18").tiers[2].maintenance_amount
        1300.0
        """
        return _tier_table_from_brackets(load_brackets(symbol, date))

    def maintenance_margin(
        self,
        quantity: float,
        entry_price: float,
        mark_price: float,
        maintenance_margin_rate: float,
        maintenance_amount: float = 0.0,
        fee_rate: float = 0.0,
    ) -> float:
        """``max(Q·mark·MMR − cum, 0)`` in USDT; ``entry_price`` and ``fee_rate`` are unused.

        Examples
        --------
        >>> CONVENTION.maintenance_margin(1, 20_000, 19_000, 0.005)
        95.0
        """
        _checks.positive("entry_price", entry_price)
        _checks.rate("fee_rate", fee_rate)
        notional = _checks.non_negative("quantity", quantity) * _checks.positive(
            "mark_price", mark_price
        )
        return formulas.maintenance_margin(notional, maintenance_margin_rate, maintenance_amount)

    def bankruptcy_price(
        self, side: str, quantity: float, entry_price: float, margin: float
    ) -> float | None:
        """``EP − M/(s·Q)``: :func:`margin_widgets.engine.formulas.bankruptcy_price`.

        Examples
        --------
        >>> CONVENTION.bankruptcy_price("short", 1, 20_000, 400)
        20400.0
        """
        return formulas.bankruptcy_price(side, quantity, entry_price, margin)

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
        """:func:`margin_widgets.engine.formulas.liquidation_price` with ``WB = margin``.

        ``fee_rate`` is checked and ignored: Binance's formula has no fee term.

        Examples
        --------
        >>> round(CONVENTION.liquidation_price("short", 1, 20_000, 400, 0.005), 2)
        20298.51
        """
        _checks.rate("fee_rate", fee_rate)
        return formulas.liquidation_price(
            side, quantity, entry_price, margin, maintenance_margin_rate, maintenance_amount
        )

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
        """:meth:`liquidation_price` on checked values (its own fast path does the rest)."""
        return formulas.liquidation_price(
            side, quantity, entry_price, margin, maintenance_margin_rate, maintenance_amount
        )

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
        """:meth:`solve_unchecked` at each margin, in one pass.

        The float formula of :func:`margin_widgets.engine.formulas.liquidation_price`,
        ``(M + cum − s·Q·EP) / (Q·MMR − s·Q)``, with its numerator and denominator evaluated
        in the same order; inputs outside its plain range go to it one by one.

        References
        ----------
        Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts".

        Examples
        --------
        1 BTC long at 20,000, MMR 0.5 %, cum 0: 50x (M = 400) gives ``19,600 / 0.995``:

        >>> [round(p, 2) for p in CONVENTION.liquidation_prices_unchecked(
        ...     "long", 1, 1.0, 20_000.0, [400.0], 0.005, 0.0, 0.0)]
        [19698.49]
        """
        q, ep, rate, cum = quantity, entry_price, maintenance_margin_rate, maintenance_amount
        denominator = q * rate - s * q
        if (
            margins
            and _PLAIN_LOW < q < _PLAIN_HIGH
            and _PLAIN_LOW < ep < _PLAIN_HIGH
            and 0 <= cum < _PLAIN_HIGH
            and 0 <= rate < 1
            and 0 <= min(margins)
            and max(margins) < _PLAIN_HIGH
            and denominator != 0
        ):
            base = s * q * ep
            inf = math.inf  # a quotient of floats: 0 < price < inf is "> 0 and finite"
            return [
                price if 0 < (price := (m + cum - base) / denominator) < inf else None
                for m in margins
            ]
        return [self.solve_unchecked(side, s, q, ep, m, rate, cum, fee_rate) for m in margins]

    def bankruptcy_prices_unchecked(
        self, s: int, quantity: float, entry_price: float, margins: Sequence[float]
    ) -> list[float | None]:
        """:meth:`bankruptcy_price` at each margin (finite, >= 0), on checked values.

        ``EP − M/(s·Q)``, as :func:`margin_widgets.engine.formulas.bankruptcy_price`.

        References
        ----------
        Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts".

        Examples
        --------
        >>> CONVENTION.bankruptcy_prices_unchecked(-1, 1.0, 20_000.0, [400.0])
        [20400.0]
        """
        ep, sq = entry_price, s * quantity
        return [price if (price := ep - (m + 0.0) / sq) > 0 else None for m in margins]

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

        On checked values, each price with its bracket's rate and ``cum``. None when a point
        would be refused (a ``cum`` above the notional's maintenance beyond rounding, a value
        beyond the float range): the checked calls raise the error.

        References
        ----------
        Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts".

        Examples
        --------
        Short 1 BTC at 20,000 with 400 USDT, MMR 0.5 %: at 20,200 ``101 / 200``:

        >>> CONVENTION.margin_ratios_unchecked(-1, 1.0, 20_000.0, 400.0, [20_200.0], [0.005],
        ...                                    [0.0], 0.0)
        [0.505]
        """
        q, ep, m = quantity, entry_price, margin
        if not prices:
            return []
        if not math.isfinite(m + q * (max(prices) + ep)):
            return None
        inf, sq = math.inf, s * q
        rate, amount = rates[0], amounts[0]
        if (
            rates.count(rate) == len(rates)
            and amounts.count(amount) == len(amounts)
            and q * min(prices) * rate - amount >= 0  # so at every price (it rises with P)
        ):
            # one bracket for every price and no requirement below zero: one comprehension
            return [
                inf
                if (balance := m + sq * (price - ep)) <= 0
                else (q * price * rate - amount) / balance
                for price in prices
            ]
        out: list[float] = []
        for price, rate, amount in zip(prices, rates, amounts, strict=True):
            mm = q * price * rate - amount
            if mm < 0:
                # at a bracket floor the two pieces agree only to rounding (as the formula)
                if mm < -1e-9 * max(1.0, amount):
                    return None
                mm = 0.0
            balance = m + s * q * (price - ep)
            out.append(inf if balance <= 0 else mm / balance)
        return out

    def margin_ratio(self, margin_balance: float, maintenance_margin: float) -> float:
        """``MM / MB``; liquidation when it reaches 1 (``inf`` at a balance <= 0).

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
        >>> CONVENTION.is_liquidated(100, 100), CONVENTION.is_liquidated(101, 100)
        (True, False)
        """
        return self.margin_ratio(margin_balance, maintenance_margin) >= 1


CONVENTION = BinanceConvention()
"""The registered Binance convention."""
