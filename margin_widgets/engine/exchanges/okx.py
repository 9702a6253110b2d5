"""OKX USDT-margined perpetual swaps: margin ratio = equity / (maintenance margin + fee).

OKX turns the ratio upside down. For an isolated USDT-margined position::

    margin ratio = (margin + UPL) / (Q·mark·(MMR + fee rate))

and the position is liquidated when it falls to 100 %. The denominator is the maintenance margin
plus the liquidation (taker) fee of closing at the mark. Tiers are chosen by position **size**
(contracts), not notional, and have **no deduction term**: the maintenance margin jumps at tier
edges. Setting margin + UPL = Q·P·(MMR + fee) with ``M`` the position's margin gives::

    LP(long)  = (Q·EP − M) / (Q·(1 − MMR − fee))
    LP(short) = (Q·EP + M) / (Q·(1 + MMR + fee))

With no fee this is Binance's equation with ``cum = 0``, so the two coincide on a first tier.
OKX's pages quote the ratio and the liquidation condition, not a closed-form liquidation price;
the closed forms above are solved from that condition.

References
----------
OKX, "Tiered maintenance margin ratio rules" (margin ratio, liquidation at 100 %, isolated
USDT-margined formula); OKEx, "OKEx position tiers to be adjusted" (the shipped ETHUSDT tiers).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from margin_widgets.engine import _checks
from margin_widgets.engine.exchanges import (
    ExchangeConventionError,
    Tier,
    TierTable,
    TierTableError,
    bankruptcy_price_of_margin,
    bankruptcy_prices_of_margins,
    read_table_file,
    validate_rows,
)

__all__ = ["CONVENTION", "OkxConvention", "tier_table_from_data"]


def _no_deduction(amount: object) -> float:
    value = _checks.non_negative("maintenance_amount", amount)
    if value != 0:
        raise ExchangeConventionError(
            f"maintenance_amount must be 0 for okx (OKX tiers have no deduction), got {amount!r}"
        )
    return value


def _check_rates(tier: Tier, previous: Tier | None, label: str) -> None:
    if tier.maintenance_amount != 0:
        raise TierTableError(f"{label}: OKX tiers have no deduction, got {tier.maintenance_amount}")
    if previous is not None and tier.maintenance_margin_rate <= previous.maintenance_margin_rate:
        raise TierTableError(f"{label}: maintenance margin ratio must rise")


def tier_table_from_data(data: dict[str, Any]) -> TierTable:
    """Build and validate an OKX table from data shaped like ``data/okx/*.json``.

    Sizes are given in contracts (``min_contracts``–``max_contracts``, whole contracts, the next
    tier starting one contract above the previous maximum) and converted to base units with
    ``contract_value``.

    References
    ----------
    OKX, "Tiered maintenance margin ratio rules"; OKEx, "OKEx position tiers to be adjusted".

    Raises
    ------
    TierTableError
        For gaps or overlaps in contracts, a ratio that does not rise, or any deduction.

    Examples
    --------
    >>> rows = [{"tier": 1, "min_contracts": 0, "max_contracts": 10,
    ...          "maintenance_margin_ratio": 0.01, "max_leverage": 50},
    ...         {"tier": 2, "min_contracts": 12, "max_contracts": 20,
    ...          "maintenance_margin_ratio": 0.02, "max_leverage": 25}]
    >>> tier_table_from_data({"symbol": "X", "effective_date": "2024-01-01",
    ...                       "contract_value": 0.1, "tiers": rows})
    Traceback (most recent call last):
    ...
    margin_widgets.engine.exchanges.TierTableError: okx X 2024-01-01, tier 2: starts at 12 \
contracts, expected 11 (one above the previous maximum)
    """
    where = f"okx {data.get('symbol')} {data.get('effective_date')}"
    try:
        contract_value = float(data["contract_value"])
        if not contract_value > 0:
            raise TierTableError(f"{where}: contract_value must be > 0")
        tiers = []
        previous_max: int | None = None
        floor = 0.0
        for row in data["tiers"]:
            number = int(row["tier"])
            low, high = int(row["min_contracts"]), int(row["max_contracts"])
            expected = 0 if previous_max is None else previous_max + 1
            if low != expected:
                raise TierTableError(
                    f"{where}, tier {number}: starts at {low} contracts, expected {expected} "
                    "(one above the previous maximum)"
                )
            deduction = float(row.get("maintenance_amount", 0.0))
            cap = high * contract_value
            tiers.append(
                Tier(
                    number,
                    floor,
                    cap,
                    float(row["max_leverage"]),
                    float(row["maintenance_margin_ratio"]),
                    deduction,
                )
            )
            floor, previous_max = cap, high
        table = TierTable(
            exchange="okx",
            symbol=str(data["symbol"]),
            effective_date=str(data["effective_date"]),
            source=str(data.get("source", "")),
            basis="quantity",
            tiers=tuple(tiers),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, TierTableError):
            raise
        raise TierTableError(f"okx tier table data is malformed: {exc!r}") from exc
    validate_rows(table, _check_rates)
    return table


class OkxConvention:
    """OKX USDT-margined swaps, isolated (see the module docstring).

    Examples
    --------
    1 BTC long at 20,000 with 400 USDT, MMR 0.4 %, taker fee 0.05 %:
    ``(20,000 − 400) / (1 − 0.004 − 0.0005) = 19,600 / 0.9955 = 19,688.60``.

    >>> round(CONVENTION.liquidation_price("long", 1, 20_000, 400, 0.004, 0.0, 0.0005), 2)
    19688.6
    """

    name = "okx"
    title = "OKX USDT-margined perpetual swap"
    margin_ratio_orientation = "balance/maintenance"
    tier_price = "entry"

    def tier_table(self, symbol: str = "ETHUSDT", date: str | None = None) -> TierTable:
        """The shipped ``data/okx/`` table (no BTCUSDT table ships: see its README).

        Examples
        --------
        >>> CONVENTION.tier_table("ETHUSDT").tier_for(350, 3_000).maintenance_margin_rate
        0.005
        """
        return tier_table_from_data(read_table_file("okx", symbol, date))

    def maintenance_margin(
        self,
        quantity: float,
        entry_price: float,
        mark_price: float,
        maintenance_margin_rate: float,
        maintenance_amount: float = 0.0,
        fee_rate: float = 0.0,
    ) -> float:
        """``Q·mark·(MMR + fee)``: maintenance margin plus liquidation fee (the ratio's base).

        Examples
        --------
        >>> round(CONVENTION.maintenance_margin(1, 20_000, 20_000, 0.004, 0.0, 0.0005), 6)
        90.0
        """
        q = _checks.non_negative("quantity", quantity)
        _checks.positive("entry_price", entry_price)
        mark = _checks.positive("mark_price", mark_price)
        mmr = _checks.rate("maintenance_margin_rate", maintenance_margin_rate)
        _no_deduction(maintenance_amount)
        fee = _checks.rate("fee_rate", fee_rate)
        return q * mark * (mmr + fee)

    def bankruptcy_price(
        self, side: str, quantity: float, entry_price: float, margin: float
    ) -> float | None:
        """``EP − s·M/Q``; None if <= 0.

        Examples
        --------
        >>> CONVENTION.bankruptcy_price("long", 2, 3_000, 600)
        2700.0
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
        """``(Q·EP − s·M) / (Q·(1 − s·(MMR + fee)))``; None when no positive price solves it.

        Raises
        ------
        ExchangeConventionError
            For a non-zero ``maintenance_amount`` (OKX tiers have no deduction).

        Examples
        --------
        Short: ``(20,000 + 400) / (1 + 0.004 + 0.0005) = 20,400 / 1.0045 = 20,308.61``.

        >>> round(CONVENTION.liquidation_price("short", 1, 20_000, 400, 0.004, 0.0, 0.0005), 2)
        20308.61
        """
        s = _checks.side_sign(side)
        q = _checks.positive("quantity", quantity)
        ep = _checks.positive("entry_price", entry_price)
        m = _checks.non_negative("margin", margin)
        mmr = _checks.rate("maintenance_margin_rate", maintenance_margin_rate)
        amount = _no_deduction(maintenance_amount)
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
        """:meth:`liquidation_price` on checked values; still refuses a deduction."""
        if maintenance_amount != 0:
            _no_deduction(maintenance_amount)
        q = quantity
        try:
            price = (q * entry_price - s * margin) / (
                q * (1 - s * (maintenance_margin_rate + fee_rate))
            )
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
        OKX, "Tiered maintenance margin ratio rules".

        Examples
        --------
        1 BTC long at 20,000 with 400 USDT, MMR 0.4 %, fee 0.05 %: ``19,600 / 0.9955``:

        >>> [round(p, 2) for p in CONVENTION.liquidation_prices_unchecked(
        ...     "long", 1, 1.0, 20_000.0, [400.0], 0.004, 0.0, 0.0005)]
        [19688.6]
        """
        if maintenance_amount != 0:
            _no_deduction(maintenance_amount)
        q = quantity
        base = q * entry_price
        denominator = q * (1 - s * (maintenance_margin_rate + fee_rate))
        if denominator == 0:
            return [None] * len(margins)
        inf = math.inf  # a quotient of floats is a float: 0 < price < inf is "> 0 and finite"
        return [
            price if 0 < (price := (base - s * m) / denominator) < inf else None for m in margins
        ]

    def bankruptcy_prices_unchecked(
        self, s: int, quantity: float, entry_price: float, margins: Sequence[float]
    ) -> list[float | None]:
        """:meth:`bankruptcy_price` at each margin (finite, >= 0), on checked values.

        References
        ----------
        OKX, "Tiered maintenance margin ratio rules".

        Examples
        --------
        >>> CONVENTION.bankruptcy_prices_unchecked(1, 2.0, 3_000.0, [600.0])
        [2700.0]
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

        On checked values; None when a point would be refused (a deduction, a value beyond the
        float range): the checked calls raise the error.

        References
        ----------
        OKX, "Tiered maintenance margin ratio rules".

        Examples
        --------
        1 BTC long at 20,000 with 400 USDT, MMR 0.4 %, fee 0.05 %: at 20,000 ``400 / 90``:

        >>> [round(r, 6) for r in CONVENTION.margin_ratios_unchecked(
        ...     1, 1.0, 20_000.0, 400.0, [20_000.0], [0.004], [0.0], 0.0005)]
        [4.444444]
        """
        q, ep, m = quantity, entry_price, margin
        if not prices:
            return []
        if any(amounts) or not math.isfinite(m + q * (max(prices) + ep)):
            return None
        inf, sq = math.inf, s * q
        if rates.count(rates[0]) == len(rates):  # one tier for every price (fixed at entry)
            rate_fee = rates[0] + fee_rate
            if q * min(prices) * rate_fee > 0:  # so at every price (it rises with P)
                return [(m + sq * (price - ep)) / (q * price * rate_fee) for price in prices]
            balances = [m + sq * (price - ep) for price in prices]
            return [
                balance / mm if (mm := q * price * rate_fee) != 0 else (inf if balance > 0 else 0.0)
                for price, balance in zip(prices, balances, strict=True)
            ]
        out: list[float] = []
        for price, rate in zip(prices, rates, strict=True):
            mm = q * price * (rate + fee_rate)
            balance = m + s * q * (price - ep)
            if mm == 0:
                out.append(inf if balance > 0 else 0.0)
            else:
                out.append(balance / mm)
        return out

    def margin_ratio(self, margin_balance: float, maintenance_margin: float) -> float:
        """``MB / (MM + fee)``; liquidation when it falls to 1 (``inf`` with no requirement).

        Examples
        --------
        >>> CONVENTION.margin_ratio(400, 100)
        4.0
        """
        mm = _checks.non_negative("maintenance_margin", maintenance_margin)
        mb = _checks.number("margin_balance", margin_balance)
        if mm == 0:
            return math.inf if mb > 0 else 0.0
        return mb / mm

    def is_liquidated(self, margin_balance: float, maintenance_margin: float) -> bool:
        """Margin ratio at or below 100 %, i.e. ``MB <= MM + fee``.

        Examples
        --------
        >>> CONVENTION.is_liquidated(100, 100), CONVENTION.is_liquidated(101, 100)
        (True, False)
        """
        return self.margin_ratio(margin_balance, maintenance_margin) <= 1


CONVENTION = OkxConvention()
"""The registered OKX convention."""
