"""A USDⓈ-M futures account with a cross wallet and cross or isolated positions.

:class:`Account` is the one mutable object of the engine. Every operation either succeeds
completely or raises a :class:`MarginError` (a ``ValueError``) and changes nothing. Updating a
mark price (or settling funding) liquidates whatever must be liquidated, and the liquidations are
appended to :attr:`Account.events` in the order they happen.

Rules implemented (Binance USDⓈ-M, one-way mode):

* the margin mode is chosen per symbol and can be switched only while the symbol has no open
  position;
* an isolated position has its own wallet (its collateral); a cross position shares the cross
  wallet with every other cross position;
* isolated margin may be removed down to what the position needs (its maintenance margin in its
  wallet, its initial margin in its margin balance); a position in profit may remove more
  (:meth:`Account.max_removable_margin`);
* three balances govern the cross wallet: the available balance (new orders, counts cross
  unrealised PnL), the addable margin (isolated top-ups) and the withdrawable amount (what may
  leave the futures wallet; unrealised profit never leaves);
* the leverage of an open isolated position can only be raised (API error -4161 refuses a
  reduction); a new leverage applies to the open position at once, and adding to a position
  needs the position's leverage;
* funding is booked to the isolated wallet in isolated mode and to the cross wallet in cross mode;
* an isolated liquidation loses only that position's collateral (a deficit beyond it is absorbed
  by the insurance fund); a cross liquidation closes every cross position and takes the cross
  wallet; a wallet left below zero is brought back to zero by the insurance fund.

Exchanges (``Account(..., exchange=...)``, default ``"binance"``): every rule above is
Binance's. ``"bybit"`` (USDT perpetual, classic account) and ``"okx"`` (USDT-margined swaps) run
the same account through their own convention (:mod:`margin_widgets.engine.exchanges`): the
maintenance margin of a position, its tier (the exchange's tier table, fixed at entry: Bybit by
entry value, OKX by size), the isolated liquidation and bankruptcy prices, the margin ratio in the
exchange's own orientation (OKX's is equity / (maintenance margin + fee) and liquidates at or
below 100 %) and the liquidation test of :meth:`Account.check_liquidations`. Cross margin goes
only as far as the exchange documents it: OKX documents the cross margin ratio and its liquidation
test but no cross liquidation price; Bybit's classic formulas are for isolated margin only. What
is not documented is refused with :class:`UnsupportedModeError`, naming the exchange and the
mode. The wallet rules (available balance, addable and removable margin, withdrawals) are
Binance's and are kept as they are on every exchange.

Position modes (Binance): ``"one_way"`` (the default: one position per symbol) and ``"hedge"``
(:meth:`Account.set_position_mode`): a symbol holds a long and a short leg at once, kept in
:attr:`Account.hedge_positions`; ``open_position`` adds to the leg of its side, and
``reduce_position``, ``close_position`` and the per-position look-ups take ``side=`` (required in
hedge mode). In cross mode both legs share one liquidation price
(:func:`~margin_widgets.engine.hedge.hedge_liquidation_price_in_brackets`); in isolated mode each
leg has its own wallet and price. The position mode can be changed only with no open position
(Binance API error -4068; -4067 refuses it with open orders, which the account does not model).

Argument order: a method CCXT also has keeps CCXT's order (``set_leverage(leverage, symbol)``,
``set_margin_mode(mode, symbol)``, ``add_margin(symbol, amount)``, ``reduce_margin(symbol,
amount)``, ``transfer(amount, source, destination)``); every other method takes the symbol
first. Parameters added later are keyword-only.

References
----------
Binance FAQ, "How to Adjust Margin Balance in Cross/Isolated Margin Mode?" (formerly "How to
Adjust Margin Balance in Isolated Margin Mode"): maximum addable and removable isolated margin,
maximum withdrawal in cross mode.
Binance FAQ, "How to Check Futures Wallet Balance": Available for Order.
Binance USDⓈ-M Futures API, "Error Codes": -4161 ``LEVERAGE_REDUCTION_NOT_SUPPORTED``.
Binance FAQ, "How to Use the Binance Futures Calculator": initial margin and ROE at the entry.
Binance USDⓈ-M Futures API, "Error Codes": -4067 ``POSITION_SIDE_CHANGE_EXISTS_OPEN_ORDERS``,
-4068 ``POSITION_SIDE_CHANGE_EXISTS_QUANTITY``.
Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts": the hedge-mode formula.
Bybit, "Liquidation Price (USDT Contract)" and "Margin Parameters"; OKX, "Tiered maintenance
margin ratio rules".
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, NoReturn

from margin_widgets.engine import _checks
from margin_widgets.engine.brackets import BracketTable, load_brackets
from margin_widgets.engine.exchanges import (
    ExchangeConvention,
    Tier,
    TierTable,
    get_exchange,
    liquidation_price_in_tiers,
    load_tier_table,
)
from margin_widgets.engine.exchanges.binance import _tier_table_from_brackets
from margin_widgets.engine.formulas import (
    LiquidationOutlook,
    _solve_in_brackets,
    bankruptcy_price,
    effective_leverage,
    funding_payment,
    initial_margin,
    is_liquidated,
    liquidation_outlook_in_brackets,
    margin_ratio,
    margin_ratio_price,
    return_on_equity,
    unrealized_pnl,
)
from margin_widgets.engine.hedge import (
    HedgeLiquidation,
    HedgeOutlook,
    hedge_liquidation_price,
    hedge_liquidation_price_in_brackets,
    hedge_outlook,
)

__all__ = [
    "POSITION_MODES",
    "Account",
    "AccountSummary",
    "InsufficientMarginError",
    "LeverageError",
    "LiquidationEvent",
    "MarginError",
    "ModeSwitchError",
    "NoPositionError",
    "Position",
    "PositionSummary",
    "UnsupportedModeError",
    "account_is_liquidated",
]

POSITION_MODES: tuple[str, ...] = ("one_way", "hedge")
"""Position modes: one position per symbol, or a long and a short leg per symbol (Binance)."""

_LEG_SIDES: tuple[str, ...] = ("long", "short")

_UNDOCUMENTED_CROSS = {
    "bybit": (
        'Bybit\'s classic USDT-perpetual documents ("Liquidation Price (USDT Contract)") give '
        "the isolated-margin formulas only; use set_margin_mode('isolated', symbol)"
    ),
    "okx": (
        'OKX\'s "Tiered maintenance margin ratio rules" document the cross margin ratio '
        "(equity / (maintenance margin + fee)) and its liquidation test, not a cross "
        "liquidation price"
    ),
}
"""Why a cross figure is refused on an exchange whose documents do not give it."""


def account_is_liquidated(maintenance_margin_value: float, margin_balance: float) -> bool:
    """Whether a margin balance is at or past liquidation: ``margin balance <= maintenance margin``.

    :func:`~margin_widgets.engine.formulas.is_liquidated` under the name the account and the
    scenarios use (margin ratio ``>= 100 %``, and any margin balance at or below zero). Used by
    :meth:`Account.is_liquidated`, by :meth:`Account.check_liquidations` and by the scenarios.

    Parameters
    ----------
    maintenance_margin_value : float
        Maintenance margin in USDT, >= 0 (of one isolated position, or of every cross position).
    margin_balance : float
        Wallet balance plus unrealised PnL in USDT (any sign).

    Returns
    -------
    bool
        True when the position (isolated) or the account (cross) is liquidated.

    References
    ----------
    Binance FAQ, "How to Check Futures Wallet Balance": positions are liquidated once the margin
    balance is at or below the maintenance margin.

    Examples
    --------
    >>> account_is_liquidated(79.2, 200)  # margin ratio 39.6 %
    False
    >>> account_is_liquidated(80, 80), account_is_liquidated(0, -1)
    (True, True)
    """
    return is_liquidated(maintenance_margin_value, margin_balance)


class MarginError(ValueError):
    """An operation the exchange's rules refuse; the account is left unchanged."""


class InsufficientMarginError(MarginError):
    """Not enough available balance or removable margin for the operation."""


class ModeSwitchError(MarginError):
    """The margin mode of a symbol cannot change while it has an open position."""


class NoPositionError(MarginError):
    """The operation needs an open position on the symbol and there is none."""


class LeverageError(MarginError):
    """The leverage is above the bracket's maximum or below 1."""


class UnsupportedModeError(MarginError):
    """The exchange's documents give no rule for this mode; the account refuses to invent one."""


@dataclass(frozen=True)
class Position:
    """An open position: one per symbol in one-way mode, one per symbol and side in hedge mode.

    Attributes
    ----------
    symbol : str
        Exchange symbol, e.g. ``"BTCUSDT"``.
    side : {"long", "short"}
        Direction.
    quantity : float
        Absolute size in base units.
    entry_price : float
        Average entry price, USDT.
    leverage : float
        Leverage the position was opened with (sets its initial margin).
    margin_mode : {"cross", "isolated"}
        Margin mode of the symbol when the position was opened.
    isolated_wallet : float
        Collateral of an isolated position in USDT (initial margin + added − removed + funding);
        0 for a cross position.
    """

    symbol: str
    side: str
    quantity: float
    entry_price: float
    leverage: float
    margin_mode: str
    isolated_wallet: float = 0.0

    @property
    def sign(self) -> int:
        """+1 for a long, -1 for a short."""
        return _checks.SIDES[self.side]

    def unrealized_pnl(self, mark_price: float) -> float:
        """Unrealised PnL ``s·Q·(mark − EP)`` in USDT (:func:`~.formulas.unrealized_pnl`)."""
        return unrealized_pnl(self.side, self.quantity, self.entry_price, mark_price)

    def initial_margin_at_entry(self) -> float:
        """Initial margin at the entry price, ``Q·EP / leverage`` in USDT (the ROE divisor)."""
        return initial_margin(self.quantity * self.entry_price, self.leverage)


@dataclass(frozen=True)
class PositionSummary:
    """Everything a trading screen shows for one position (CCXT's unified position fields).

    ``margin_ratio`` and ``margin_balance`` are account-wide for a cross position and the
    position's own for an isolated one; ``collateral`` is the isolated wallet or the cross wallet.

    Two initial margins are shown. ``initial_margin`` is at the **mark** (``notional / leverage``,
    what the position needs now; it sets the removable margin and the available balance).
    ``initial_margin_at_entry`` is at the **entry** (``Q·EP / leverage``, what opening cost);
    ``return_on_equity`` divides the unrealised PnL by it, as the exchange's calculator does
    (Binance FAQ "How to Use the Binance Futures Calculator": ROE = PnL / initial margin,
    initial margin = quantity × entry price × IMR).
    """

    symbol: str
    side: str
    margin_mode: str
    quantity: float
    entry_price: float
    mark_price: float
    leverage: float
    notional: float
    collateral: float
    initial_margin: float
    maintenance_margin: float
    maintenance_margin_rate: float
    maintenance_amount: float
    unrealized_pnl: float
    margin_balance: float
    margin_ratio: float
    effective_leverage: float
    return_on_equity: float
    liquidation_price: float | None
    bankruptcy_price: float | None
    initial_margin_at_entry: float = 0.0


@dataclass(frozen=True)
class AccountSummary:
    """Account-wide figures: the cross side, the isolated wallets and the totals (USDT)."""

    cross_wallet_balance: float
    cross_unrealized_pnl: float
    cross_margin_balance: float
    cross_maintenance_margin: float
    cross_initial_margin: float
    cross_margin_ratio: float
    cross_notional: float
    effective_leverage: float
    isolated_wallet_balance: float
    available_balance: float
    total_wallet_balance: float
    total_margin_balance: float


@dataclass(frozen=True)
class LiquidationEvent:
    """One liquidation, in the order it happened.

    Attributes
    ----------
    sequence : int
        0 for the first liquidation of the account, then 1, 2, ...
    step : object
        The caller's label for the moment (a path step, a time); None if not given.
    margin_mode : {"isolated", "cross"}
        Isolated: one position. Cross: every cross position at once, with the cross wallet.
    symbols : tuple of str
        Positions closed by this liquidation.
    mark_prices : tuple of float
        Mark price of each closed position, USDT.
    realized_pnl : tuple of float
        PnL of each closed position at its mark, USDT.
    collateral_lost : float
        What the trader lost: the isolated wallet, or the cross wallet (USDT, >= 0; a wallet
        already below zero loses nothing more).
    deficit_absorbed : float
        What the insurance fund paid to bring the closed margin back to zero (USDT, >= 0): the
        loss beyond the collateral, plus a wallet already below zero. Same as
        ``insurance_fund_cover``.
    surplus_to_insurance_fund : float
        Margin left at liquidation that goes to the insurance fund (USDT, >= 0).
    margin_ratio : float
        Margin ratio that triggered the liquidation, in the exchange's orientation (>= 1 on
        Binance and Bybit; <= 1 on OKX, whose ratio is equity / requirement).
    wallet_overdraft : float
        How far below zero the wallet stood before the liquidation (USDT, >= 0; funding or a
        realised loss can overdraw it while other positions carry unrealised profit).
    insurance_fund_cover : float
        What the insurance fund paid (USDT, >= 0); equal to ``deficit_absorbed``.
    sides : tuple of str
        Hedge mode only: the side of each closed leg, in the order of ``symbols`` (empty in
        one-way mode, where a symbol has one position).

    The fields add up: ``collateral_lost − wallet_overdraft + sum(realized_pnl) +
    insurance_fund_cover = surplus_to_insurance_fund`` (see :meth:`balance_error`).
    """

    sequence: int
    step: Any
    margin_mode: str
    symbols: tuple[str, ...]
    mark_prices: tuple[float, ...]
    realized_pnl: tuple[float, ...]
    collateral_lost: float
    deficit_absorbed: float
    surplus_to_insurance_fund: float
    margin_ratio: float
    wallet_overdraft: float = 0.0
    insurance_fund_cover: float = 0.0
    sides: tuple[str, ...] = ()

    def balance_error(self) -> float:
        """What the fields fail to add up by, USDT (0 up to rounding).

        ``collateral_lost − wallet_overdraft + sum(realized_pnl) + insurance_fund_cover −
        surplus_to_insurance_fund``: the margin that was there, plus what the fund paid, minus
        what the fund received.
        """
        return (
            self.collateral_lost
            - self.wallet_overdraft
            + math.fsum(self.realized_pnl)
            + self.insurance_fund_cover
            - self.surplus_to_insurance_fund
        )

    def describe(self, price_text: Callable[[str, float], str] | None = None) -> str:
        """One line for an event log: ``"#0: isolated liquidation of BTCUSDT at 19,650.00; ..."``.

        Parameters
        ----------
        price_text : callable, optional
            ``price_text(symbol, price)`` writes each mark price (a view shows it at the
            symbol's tick size); default: two decimals with thousands separators.

        Examples
        --------
        >>> account = Account(wallet_balance=1_000)
        >>> account.open_position("BTCUSDT", "long", 0.1, price=20_000, leverage=20)
        []
        >>> event = account.update_mark("BTCUSDT", 9_876.543)[0]
        >>> event.describe().split(";")[0]
        '#0: cross liquidation of BTCUSDT at 9,876.54'
        >>> event.describe(lambda symbol, p: f"{p:,.1f}").split(";")[0]
        '#0: cross liquidation of BTCUSDT at 9,876.5'
        """
        names = (
            tuple(f"{s} {side}" for s, side in zip(self.symbols, self.sides, strict=True))
            if self.sides
            else self.symbols
        )
        write = price_text or (lambda _symbol, p: f"{p:,.2f}")
        closed = ", ".join(
            f"{name} at {write(symbol, p)}"
            for name, symbol, p in zip(names, self.symbols, self.mark_prices, strict=True)
        )
        where = f" (step {self.step})" if self.step is not None else ""
        text = (
            f"#{self.sequence}{where}: {self.margin_mode} liquidation of {closed}; "
            f"collateral lost {self.collateral_lost:,.2f} USDT"
        )
        if self.deficit_absorbed > 0:
            text += f"; insurance fund absorbed {self.deficit_absorbed:,.2f} USDT"
        return text


@dataclass
class Account:
    """A futures account: a cross wallet, a margin mode per symbol, positions and marks.

    Parameters
    ----------
    wallet_balance : float, default 0.0
        Cross wallet balance in USDT (the free collateral; isolated margin is held apart).
    brackets : dict of str to BracketTable, optional
        Bracket table per symbol; a symbol not given uses the newest shipped table (Binance).
    exchange : {"binance", "bybit", "okx"}, default "binance"
        Keyword only: whose rules the account runs under (see the module docstring).
    tier_tables : dict of str to TierTable, optional
        Keyword only, Bybit and OKX: tier table per symbol (the exchange's own); a symbol not
        given uses the newest shipped table (:func:`~margin_widgets.engine.exchanges.
        load_tier_table`).
    fee_rate : float, default 0.0
        Keyword only, OKX: the liquidation (taker) fee rate in [0, 1) that OKX adds to the
        maintenance margin; must be 0 on the other exchanges.
    position_mode : {"one_way", "hedge"}, default "one_way"
        Keyword only: one position per symbol, or a long and a short leg (Binance only).

    Examples
    --------
    >>> account = Account(wallet_balance=1_000)
    >>> account.set_margin_mode("isolated", "BTCUSDT")
    >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=50)
    []
    >>> account.wallet_balance, account.position("BTCUSDT").isolated_wallet
    (600.0, 400.0)
    >>> round(account.liquidation_price("BTCUSDT"), 2)
    19678.71
    """

    wallet_balance: float = 0.0
    brackets: dict[str, BracketTable] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)
    margin_modes: dict[str, str] = field(default_factory=dict)
    leverages: dict[str, float] = field(default_factory=dict)
    marks: dict[str, float] = field(default_factory=dict)
    events: list[LiquidationEvent] = field(default_factory=list)
    insurance_fund_absorbed: float = 0.0
    insurance_fund_received: float = 0.0
    default_leverage: float = 20.0
    exchange: str = field(default="binance", kw_only=True)
    tier_tables: dict[str, TierTable] = field(default_factory=dict, kw_only=True)
    fee_rate: float = field(default=0.0, kw_only=True)
    position_mode: str = field(default="one_way", kw_only=True)
    hedge_positions: dict[str, dict[str, Position]] = field(default_factory=dict, kw_only=True)

    def __post_init__(self) -> None:
        self.wallet_balance = _checks.non_negative("wallet_balance", self.wallet_balance)
        get_exchange(self.exchange)  # a ValueError naming the exchanges for an unknown one
        self.fee_rate = _checks.rate("fee_rate", self.fee_rate)
        if self.fee_rate != 0 and self.exchange != "okx":
            raise ValueError(
                f"fee_rate must be 0 for {self.exchange} (only OKX adds a liquidation fee to the "
                f"maintenance margin), got {self.fee_rate!r}"
            )
        if self.exchange == "binance" and self.tier_tables:
            raise ValueError("tier_tables must be empty for binance; pass brackets instead")
        if self.exchange != "binance" and self.brackets:
            raise ValueError(
                f"brackets must be empty for {self.exchange} (Binance's tables); pass "
                "tier_tables instead"
            )
        for symbol, table in self.tier_tables.items():
            if not isinstance(table, TierTable) or table.exchange != self.exchange:
                raise ValueError(
                    f"tier_tables[{symbol!r}] must be a {self.exchange} TierTable, got {table!r}"
                )
        if self.position_mode not in POSITION_MODES:
            raise ValueError(
                f"position_mode must be one of {POSITION_MODES}, got {self.position_mode!r}"
            )
        if self.position_mode == "hedge":
            self._check_hedge_supported()
            if self.positions:
                raise ValueError("positions must be empty in hedge mode (legs: hedge_positions)")
        elif self.hedge_positions:
            raise ValueError("hedge_positions must be empty in one-way mode")

    # ------------------------------------------------------------------ exchange rules
    def _convention(self) -> ExchangeConvention:
        return get_exchange(self.exchange)

    def _check_hedge_supported(self) -> None:
        if self.exchange != "binance":
            raise UnsupportedModeError(
                f"position_mode 'hedge' is not available for {self.exchange}: the account "
                "implements Binance's hedge mode only (its shared cross liquidation price)"
            )

    def _refuse_cross(self, what: str) -> NoReturn:
        raise UnsupportedModeError(
            f"{what} is not available for {self.exchange} in cross margin mode: "
            f"{_UNDOCUMENTED_CROSS.get(self.exchange, 'no documented formula')}"
        )

    def _check_mode_supported(self, mode: str) -> None:
        """Refuse cross margin on an exchange whose documents give no cross rules at all."""
        if mode == "cross" and self.exchange == "bybit":
            self._refuse_cross("a cross position")

    def tier_table(self, symbol: str) -> TierTable:
        """The exchange's tier table for ``symbol`` (Binance: :meth:`table` as tiers).

        Bybit and OKX: the table given in ``tier_tables``, else the newest shipped one
        (:func:`~margin_widgets.engine.exchanges.load_tier_table`).

        Returns
        -------
        TierTable
            Tiers with their caps (USDT of notional, or base units on OKX), maximum leverage,
            maintenance margin rate and deduction (USDT).

        References
        ----------
        Binance, "Leverage and Margin of USDⓈ-M Futures"; Bybit, "Margin Parameters"; OKEx,
        "OKEx position tiers to be adjusted".

        Examples
        --------
        >>> Account(exchange="bybit").tier_table("BTCUSDT").tiers[0].maintenance_margin_rate
        0.005
        >>> Account().tier_table("BTCUSDT").exchange
        'binance'
        """
        if self.exchange == "binance":
            return _tier_table_from_brackets(self.table(symbol))
        table = self.tier_tables.get(symbol)
        return table if table is not None else load_tier_table(self.exchange, symbol)

    def _tier(self, p: Position) -> Tier:
        """The tier of a Bybit or OKX position: fixed at entry (entry value, or size)."""
        convention = self._convention()
        price = p.entry_price if convention.tier_price == "entry" else self.marks[p.symbol]
        return self.tier_table(p.symbol).tier_for(p.quantity, price)

    def _exchange_maintenance(self, p: Position, mark: float) -> tuple[float, float, float]:
        tier = self._tier(p)
        value = self._convention().maintenance_margin(
            p.quantity,
            p.entry_price,
            mark,
            tier.maintenance_margin_rate,
            tier.maintenance_amount,
            self.fee_rate,
        )
        return value, tier.maintenance_margin_rate, tier.maintenance_amount

    def _is_liquidated(self, maintenance: float, balance: float) -> bool:
        """The exchange's liquidation test on a margin balance and its requirement (USDT)."""
        if self.exchange == "binance":
            return account_is_liquidated(maintenance, balance)
        return self._convention().is_liquidated(balance, maintenance)

    def _ratio(self, maintenance: float, balance: float) -> float:
        """The exchange's margin ratio, in its own orientation."""
        if self.exchange == "binance":
            return margin_ratio(maintenance, balance)
        return self._convention().margin_ratio(balance, maintenance)

    # ------------------------------------------------------------------ look-ups
    def table(self, symbol: str) -> BracketTable:
        """Bracket table used for ``symbol``: the one given, else the newest shipped table.

        A look-up never changes the account (a refused operation must leave it as it was).
        Binance only: other exchanges' tables are :meth:`tier_table`.
        """
        if self.exchange != "binance":
            raise MarginError(
                f"bracket tables are Binance's; this account runs under {self.exchange}: use "
                f"tier_table({symbol!r})"
            )
        table = self.brackets.get(symbol)
        return table if table is not None else load_brackets(symbol)

    def margin_mode(self, symbol: str) -> str:
        """Margin mode of ``symbol`` (``"cross"`` unless set otherwise)."""
        return self.margin_modes.get(symbol, "cross")

    def leverage(self, symbol: str) -> float:
        """Leverage set for ``symbol`` (the default until set)."""
        return self.leverages.get(symbol, self.default_leverage)

    def position(self, symbol: str, *, side: str | None = None) -> Position:
        """The open position on ``symbol``; raises :class:`NoPositionError` if there is none.

        In hedge mode ``side`` (keyword) names the leg and is required; in one-way mode it is
        optional and, when given, must be the open position's side.
        """
        if self.position_mode == "hedge":
            if side is None:
                raise MarginError(
                    f"side is required in hedge mode ({symbol} can hold a long and a short "
                    "leg): pass side='long' or side='short'"
                )
            _checks.side_sign(side)
            leg = self.hedge_positions.get(symbol, {}).get(side)
            if leg is None:
                raise NoPositionError(f"symbol {symbol!r} has no open {side} leg")
            return leg
        try:
            p = self.positions[symbol]
        except KeyError:
            raise NoPositionError(f"symbol {symbol!r} has no open position") from None
        if side is not None and side != p.side:
            _checks.side_sign(side)
            raise NoPositionError(f"symbol {symbol!r} has an open {p.side} position, not a {side}")
        return p

    def legs(self, symbol: str) -> list[Position]:
        """Every open position on ``symbol``, long leg first; empty if there is none.

        Hedge mode: the long leg, then the short leg. One-way mode: the one position.

        Returns
        -------
        list of Position
            Quantities in base units, prices and wallets in USDT.

        Examples
        --------
        >>> account = Account(wallet_balance=5_000, position_mode="hedge")
        >>> account.open_position("BTCUSDT", "short", 0.5, price=20_000, leverage=10)
        []
        >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)
        []
        >>> [(p.side, p.quantity) for p in account.legs("BTCUSDT")]
        [('long', 1.0), ('short', 0.5)]
        >>> _ = account.close_position("BTCUSDT", side="short")
        >>> len(account.legs("BTCUSDT")), account.legs("ETHUSDT")
        (1, [])
        """
        if self.position_mode == "hedge":
            legs = self.hedge_positions.get(symbol, {})
            return [legs[side] for side in _LEG_SIDES if side in legs]
        p = self.positions.get(symbol)
        return [p] if p is not None else []

    def _all_positions(self) -> list[Position]:
        if not self.hedge_positions:
            return list(self.positions.values())
        return [leg for symbol in self.hedge_positions for leg in self.legs(symbol)]

    def _put(self, p: Position) -> None:
        """Store ``p`` as the position (one-way) or the leg of its side (hedge)."""
        if self.position_mode == "hedge":
            self.hedge_positions.setdefault(p.symbol, {})[p.side] = p
        else:
            self.positions[p.symbol] = p

    def _drop(self, p: Position) -> None:
        if self.position_mode == "hedge":
            legs = self.hedge_positions[p.symbol]
            del legs[p.side]
            if not legs:
                del self.hedge_positions[p.symbol]
        else:
            del self.positions[p.symbol]

    def _one_way_only(self, name: str) -> None:
        if self.position_mode == "hedge":
            raise MarginError(
                f"{name} is for one-way mode; in hedge mode use liquidation_price(symbol, "
                "side=...) or hedge_outlook(symbol)"
            )

    def mark_price(self, symbol: str) -> float:
        """Current mark price of ``symbol`` in USDT."""
        try:
            return self.marks[symbol]
        except KeyError:
            raise ValueError(f"symbol {symbol!r} has no mark price; call update_mark") from None

    def _cross_positions(self) -> list[Position]:
        if not self.hedge_positions:
            return [p for p in self.positions.values() if p.margin_mode == "cross"]
        return [p for p in self._all_positions() if p.margin_mode == "cross"]

    def _maintenance(self, position: Position) -> tuple[float, float, float]:
        """(maintenance margin, MMR, cum) of a position at its mark, bracket by notional."""
        if self.exchange != "binance":
            return self._exchange_maintenance(position, self.marks[position.symbol])
        value = position.quantity * self.marks[position.symbol]
        bracket = self.table(position.symbol).bracket_for(value)
        return (
            bracket.maintenance_margin(value),
            bracket.maintenance_margin_rate,
            bracket.maintenance_amount,
        )

    def _initial_margin(self, position: Position) -> float:
        """Initial margin of a position at its mark, ``Q·mark / leverage`` (USDT)."""
        return initial_margin(position.quantity * self.marks[position.symbol], position.leverage)

    def _cross_initial_margin(self) -> float:
        return sum((self._initial_margin(p) for p in self._cross_positions()), 0.0)

    # ------------------------------------------------------------------ account figures
    def cross_unrealized_pnl(self) -> float:
        """Signed unrealised PnL of all cross positions, USDT."""
        return sum((p.unrealized_pnl(self.marks[p.symbol]) for p in self._cross_positions()), 0.0)

    def cross_margin_balance(self) -> float:
        """Cross wallet + cross unrealised PnL, USDT."""
        return self.wallet_balance + self.cross_unrealized_pnl()

    def cross_maintenance_margin(self) -> float:
        """Total maintenance margin of all cross positions at their marks, USDT."""
        return sum((self._maintenance(p)[0] for p in self._cross_positions()), 0.0)

    def cross_margin_ratio(self) -> float:
        """Account margin ratio = cross maintenance margin / cross margin balance (1.0 = liq.).

        0 when there is no cross position; ``inf`` when the margin balance is at or below 0.
        On OKX the exchange's own ratio, equity / (maintenance margin + fee), liquidated at or
        below 1 (``inf`` when there is no cross position).
        """
        if self.exchange != "binance":
            if not self._cross_positions():
                rising = self._convention().margin_ratio_orientation == "maintenance/balance"
                return 0.0 if rising else math.inf
            return self._ratio(self.cross_maintenance_margin(), self.cross_margin_balance())
        maintenance = self.cross_maintenance_margin()
        if maintenance == 0:
            return 0.0
        return margin_ratio(maintenance, self.cross_margin_balance())

    def available_balance(self) -> float:
        """What a new order (and an isolated top-up) may use: Binance's "Available for Order".

        ``max(0, cross wallet + Σ cross unrealised PnL − Σ cross initial margin)``, with the
        cross initial margin at the marks. Cross unrealised profit counts (and a loss reduces
        it); isolated margin is already outside the cross wallet. Open orders are not modelled,
        so their initial-margin term is zero.

        Returns
        -------
        float
            USDT, >= 0.

        References
        ----------
        Binance FAQ, "How to Check Futures Wallet Balance" (Available for Order); the
        ``availableBalance`` field of the USDⓈ-M "Account Information" endpoint.

        Examples
        --------
        5,000 USDT, 1 BTC long at 20,000 with 10x (cross), mark 21,000: 5,000 + 1,000 − 2,100:

        >>> account = Account(wallet_balance=5_000)
        >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)
        []
        >>> account.update_mark("BTCUSDT", 21_000)
        []
        >>> account.available_balance()
        3900.0
        """
        available = self.wallet_balance + self.cross_unrealized_pnl() - self._cross_initial_margin()
        return max(0.0, available)

    def max_withdrawable(self) -> float:
        """Most USDT that may leave the futures wallet (Binance's ``maxWithdrawAmount``).

        ``max(0, min(cross wallet − Σ cross maintenance margin, cross wallet + Σ cross
        unrealised PnL − Σ cross initial margin))``. The second term is the available balance;
        the first keeps the result within the wallet itself, so unrealised profit may cover the
        initial margin but is never withdrawn.

        Returns
        -------
        float
            USDT, >= 0.

        References
        ----------
        Binance FAQ, "How to Adjust Margin Balance in Cross/Isolated Margin Mode?" (maximum
        withdrawal amount in cross margin mode).

        Examples
        --------
        1,000 USDT, 1 BTC long at 20,000 with 20x (cross), mark 24,000: available 1,000 + 4,000
        − 1,200 = 3,800, but the wallet less the maintenance margin 24,000 × 0.4 % = 96 caps
        the withdrawal at 904:

        >>> account = Account(wallet_balance=1_000)
        >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=20)
        []
        >>> account.update_mark("BTCUSDT", 24_000)
        []
        >>> account.available_balance(), round(account.max_withdrawable(), 2)
        (3800.0, 904.0)
        """
        within_wallet = self.wallet_balance - self.cross_maintenance_margin()
        return max(0.0, min(within_wallet, self.available_balance()))

    def max_addable_margin(self, symbol: str, *, side: str | None = None) -> float:
        """Most USDT that may be added to the isolated position on ``symbol``.

        ``max(0, min(cross wallet − Σ cross maintenance margin, available balance))``: a
        top-up may neither use more than a new order could nor leave the cross positions
        without their maintenance margin in the wallet.

        Returns
        -------
        float
            USDT, >= 0.

        Raises
        ------
        NoPositionError, MarginError
            If ``symbol`` has no open position, or it is in cross mode.

        References
        ----------
        Binance FAQ, "How to Adjust Margin Balance in Cross/Isolated Margin Mode?" (max addable
        amount to isolated position).

        Examples
        --------
        >>> account = Account(wallet_balance=1_000)
        >>> account.set_margin_mode("isolated", "BTCUSDT")
        >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=50)
        []
        >>> account.max_addable_margin("BTCUSDT")
        600.0
        """
        self._isolated(symbol, side)
        within_wallet = self.wallet_balance - self.cross_maintenance_margin()
        return max(0.0, min(within_wallet, self.available_balance()))

    def isolated_margin_balance(self, symbol: str, *, side: str | None = None) -> float:
        """Isolated wallet + unrealised PnL of an isolated position (or leg), USDT."""
        p = self._isolated(symbol, side)
        return p.isolated_wallet + p.unrealized_pnl(self.marks[symbol])

    def isolated_margin_ratio(self, symbol: str, *, side: str | None = None) -> float:
        """Margin ratio of one isolated position (its maintenance margin / its margin balance).

        In the exchange's orientation: on OKX its margin balance / (maintenance margin + fee).
        """
        p = self._isolated(symbol, side)
        return self._ratio(self._maintenance(p)[0], self.isolated_margin_balance(symbol, side=side))

    def margin_ratio(self, symbol: str, *, side: str | None = None) -> float:
        """The margin ratio that governs ``symbol``: its own if isolated, the account's if cross.

        ``side`` (keyword) names the leg in hedge mode. The ratio is in the exchange's own
        orientation (OKX: equity / (maintenance margin + fee), liquidated at or below 1).

        References
        ----------
        Binance FAQ, "How to Check Futures Wallet Balance"; OKX, "Tiered maintenance margin
        ratio rules".

        Examples
        --------
        OKX, 10 ETH long at 3,000 with 50x isolated (600 USDT), MMR 0.4 %, fee 0.05 %:
        600 / (30,000 × 0.45 %) = 600 / 135:

        >>> account = Account(wallet_balance=1_000, exchange="okx", fee_rate=0.0005)
        >>> account.set_margin_mode("isolated", "ETHUSDT")
        >>> account.open_position("ETHUSDT", "long", 10, price=3_000, leverage=50)
        []
        >>> round(account.margin_ratio("ETHUSDT"), 4)
        4.4444
        """
        p = self.position(symbol, side=side)
        if p.margin_mode == "isolated":
            return self.isolated_margin_ratio(symbol, side=side)
        return self.cross_margin_ratio()

    def effective_leverage(self) -> float:
        """Cross notional / cross margin balance: the leverage the shared wallet carries."""
        total = sum((p.quantity * self.marks[p.symbol] for p in self._cross_positions()), 0.0)
        if total == 0:
            return 0.0
        return effective_leverage(total, self.cross_margin_balance())

    def max_removable_margin(self, symbol: str, *, side: str | None = None) -> float:
        """Largest amount of isolated margin that may be removed from ``symbol`` (USDT).

        ``max(0, min(isolated wallet − maintenance margin, isolated wallet + size·(mark − entry)
        − mark·|size| / leverage))``: the wallet must keep the position's maintenance margin,
        and the margin balance (wallet + unrealised PnL) must keep its initial margin at the
        mark. Unrealised profit counts in the second term, so a position in profit may remove
        more than its initial-margin surplus (but never its maintenance margin).

        Returns
        -------
        float
            USDT, >= 0.

        Raises
        ------
        NoPositionError, MarginError
            If ``symbol`` has no open position, or it is in cross mode.

        References
        ----------
        Binance FAQ, "How to Adjust Margin Balance in Cross/Isolated Margin Mode?" (max
        removable amount from isolated position; the page's current wording, whose first term
        subtracts the position's maintenance margin from the isolated wallet).

        Examples
        --------
        1 BTC long at 20,000, 10x, 2,000 USDT isolated. At the entry: min(2,000 − 80, 2,000 −
        2,000) = 0. At a mark of 21,000: min(2,000 − 84, 2,000 + 1,000 − 2,100) = 900:

        >>> account = Account(wallet_balance=5_000)
        >>> account.set_margin_mode("isolated", "BTCUSDT")
        >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=10)
        []
        >>> account.max_removable_margin("BTCUSDT")
        0.0
        >>> account.update_mark("BTCUSDT", 21_000)
        []
        >>> account.max_removable_margin("BTCUSDT")
        900.0
        """
        p = self._isolated(symbol, side)
        upnl = p.unrealized_pnl(self.marks[symbol])
        keep_maintenance = p.isolated_wallet - self._maintenance(p)[0]
        keep_initial = p.isolated_wallet + upnl - self._initial_margin(p)
        return max(0.0, min(keep_maintenance, keep_initial))

    def is_liquidated(self, symbol: str | None = None, *, side: str | None = None) -> bool:
        """Whether ``symbol`` (or, without a symbol, any position) is at or past liquidation.

        An isolated position is tested on its own margin balance and maintenance margin; a
        cross position on the account's (:func:`account_is_liquidated`). Marks are those of the
        account; :meth:`update_mark` liquidates what this reports, so it is True only between
        a change and :meth:`check_liquidations`, or for a copy whose marks were set directly.

        Examples
        --------
        >>> account = Account(wallet_balance=1_000)
        >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=50)
        []
        >>> account.is_liquidated("BTCUSDT"), account.is_liquidated()
        (False, False)
        """
        if symbol is not None:
            p = self.position(symbol, side=side)
            if p.margin_mode == "isolated":
                return self._is_liquidated(
                    self._maintenance(p)[0], self.isolated_margin_balance(symbol, side=side)
                )
            return self._is_liquidated(self.cross_maintenance_margin(), self.cross_margin_balance())
        if self.position_mode == "hedge":
            return any(self.is_liquidated(p.symbol, side=p.side) for p in self._all_positions())
        return any(self.is_liquidated(s) for s in self.positions)

    def liquidation_price(self, symbol: str, *, side: str | None = None) -> float | None:
        """Liquidation price of the position on ``symbol`` (None if no positive price), USDT.

        Isolated: the position's own wallet. Cross: the cross wallet, with every other cross
        position's maintenance margin and signed unrealised PnL at its mark. The bracket is
        re-selected at the liquidation price until stable.

        Hedge mode (``side``, keyword, required): an isolated leg is solved alone on its own
        wallet; two cross legs share one price, from the hedge-mode formula
        (:func:`~margin_widgets.engine.hedge.hedge_liquidation_price_in_brackets`; its
        ``price``, the root on the side the legs lean to; :meth:`hedge_outlook` gives both
        roots). A cross leg alone is a one-way position.

        Bybit and OKX (isolated): the exchange's own formula with the tier fixed at entry
        (:func:`~margin_widgets.engine.exchanges.liquidation_price_in_tiers`). Cross on
        Bybit or OKX is refused (:class:`UnsupportedModeError`): neither documents a cross
        liquidation price.

        Parameters
        ----------
        symbol : str
            Exchange symbol.
        side : {"long", "short"}, optional
            Keyword only: the leg (hedge mode); in one-way mode, if given, the open side.

        Returns
        -------
        float or None
            USDT per base unit.

        Raises
        ------
        NoPositionError, MarginError, UnsupportedModeError
            No such position; no side in hedge mode; an undocumented cross figure.

        References
        ----------
        Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (one-way and
        hedge mode); Bybit, "Liquidation Price (USDT Contract)"; OKX, "Tiered maintenance
        margin ratio rules".

        Examples
        --------
        Bybit's example: 1 BTC long at 20,000 with 50x (400 USDT), MMR 0.5 % (MM 100):
        20,000 − (400 − 100) / 1 = 19,700.

        >>> account = Account(wallet_balance=1_000, exchange="bybit")
        >>> account.set_margin_mode("isolated", "BTCUSDT")
        >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=50)
        []
        >>> account.liquidation_price("BTCUSDT"), account.bankruptcy_price("BTCUSDT")
        (19700.0, 19600.0)

        Hedge mode, Binance brackets of 2024-10-24: 1 BTC each way at 20,000 with 125x (160
        USDT of initial margin each) on a 360 USDT cross wallet. The PnL cancels: N = 360,
        D = 0.004 + 0.004 − 1 + 1 = 0.008, both legs go on a rise to 45,000 (each leg's
        notional there, 45,000, is still in bracket 1):

        >>> hedged = Account(
        ...     wallet_balance=360, position_mode="hedge",
        ...     brackets={"BTCUSDT": load_brackets("BTCUSDT", "2024-10-24")})
        >>> hedged.open_position("BTCUSDT", "long", 1, price=20_000, leverage=125)
        []
        >>> hedged.open_position("BTCUSDT", "short", 1, price=20_000, leverage=125)
        []
        >>> round(hedged.liquidation_price("BTCUSDT", side="short"), 6)
        45000.0
        """
        return self._liquidation(self.position(symbol, side=side))

    def _liquidation(self, p: Position) -> float | None:
        if self.exchange != "binance":
            return self._exchange_liquidation(p)
        if (
            self.hedge_positions
            and p.margin_mode == "cross"
            and len(self.hedge_positions.get(p.symbol, ())) == 2
        ):
            return self._hedge_cross(p.symbol).price
        wallet, other_mm, other_pnl = self._backing(p)
        price, _ = _solve_in_brackets(
            p.sign, p.quantity, p.entry_price, wallet, self.table(p.symbol), other_mm, other_pnl
        )
        return price

    def _exchange_liquidation(self, p: Position) -> float | None:
        """Bybit or OKX: the isolated price of the exchange's formula, tier fixed at entry."""
        if p.margin_mode == "cross":
            self._refuse_cross("the liquidation price")
        if p.isolated_wallet >= 0:
            price, _ = liquidation_price_in_tiers(
                self.exchange,
                p.side,
                p.quantity,
                p.entry_price,
                p.isolated_wallet,
                self.tier_table(p.symbol),
                self.fee_rate,
            )
            return price
        # a wallet overdrawn by funding: the same formula, with the margin below zero
        tier = self._tier(p)
        solve = getattr(self._convention(), "solve_unchecked", None)
        if solve is None:  # pragma: no cover - every shipped convention has one
            return None
        result: float | None = solve(
            p.side,
            p.sign,
            p.quantity,
            p.entry_price,
            p.isolated_wallet,
            tier.maintenance_margin_rate,
            tier.maintenance_amount,
            self.fee_rate,
        )
        return result

    def _hedge_cross(self, symbol: str) -> HedgeLiquidation:
        """The shared cross price of ``symbol``'s legs (Binance's hedge-mode formula)."""
        legs = self.hedge_positions[symbol]
        long, short = legs.get("long"), legs.get("short")
        first = long if long is not None else short
        assert first is not None
        wallet, other_mm, other_pnl = self._backing(first)
        return hedge_liquidation_price_in_brackets(
            wallet,
            long.quantity if long else 0.0,
            long.entry_price if long else 0.0,
            short.quantity if short else 0.0,
            short.entry_price if short else 0.0,
            self.table(symbol),
            other_mm,
            other_pnl,
        )

    def hedge_outlook(self, symbol: str) -> HedgeOutlook:
        """Which legs of ``symbol`` are liquidated, at which prices, from which side (hedge mode).

        Cross: both legs share the fall and rise prices of the hedge-mode formula; isolated:
        each leg alone on its own wallet (:func:`~margin_widgets.engine.hedge.hedge_outlook`,
        with this account's wallets, brackets and other cross positions).

        Returns
        -------
        HedgeOutlook
            Prices in USDT, one entry per open leg.

        Raises
        ------
        MarginError, NoPositionError
            In one-way mode, or with no open leg on ``symbol``.

        References
        ----------
        Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts".

        Examples
        --------
        Isolated legs, 1 BTC each way at 20,000 with 100x (200 USDT each), brackets of
        2024-10-24 (0.4 %): the long falls to (200 − 20,000) / (0.004 − 1) = 19,879.52, the
        short rises to (200 + 20,000) / 1.004 = 20,119.52:

        >>> account = Account(
        ...     wallet_balance=1_000, position_mode="hedge",
        ...     brackets={"BTCUSDT": load_brackets("BTCUSDT", "2024-10-24")})
        >>> account.set_margin_mode("isolated", "BTCUSDT")
        >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=100)
        []
        >>> account.open_position("BTCUSDT", "short", 1, price=20_000, leverage=100)
        []
        >>> outlook = account.hedge_outlook("BTCUSDT")
        >>> round(outlook.fall_price, 2), outlook.fall_sides, round(outlook.rise_price, 2)
        (19879.52, ('long',), 20119.52)
        """
        if self.position_mode != "hedge":
            raise MarginError("hedge_outlook needs hedge mode; use liquidation_outlook(symbol)")
        legs = self.hedge_positions.get(symbol)
        if not legs:
            raise NoPositionError(f"symbol {symbol!r} has no open leg")
        long, short = legs.get("long"), legs.get("short")
        first = long if long is not None else short
        assert first is not None
        quantities = (
            long.quantity if long else 0.0,
            long.entry_price if long else 0.0,
            short.quantity if short else 0.0,
            short.entry_price if short else 0.0,
        )
        if first.margin_mode == "cross":
            wallet, other_mm, other_pnl = self._backing(first)
            return hedge_outlook(
                *quantities,
                self.table(symbol),
                wallet_balance=wallet,
                other_maintenance_margin=other_mm,
                other_unrealized_pnl=other_pnl,
            )
        return hedge_outlook(
            *quantities,
            self.table(symbol),
            margin_mode="isolated",
            long_wallet_balance=long.isolated_wallet if long else 0.0,
            short_wallet_balance=short.isolated_wallet if short else 0.0,
        )

    def _backing(self, p: Position) -> tuple[float, float, float]:
        """(WB, TMM, UPNL) behind a position: its own wallet, or the cross wallet and the rest."""
        if p.margin_mode == "isolated":
            return p.isolated_wallet, 0.0, 0.0
        other_mm, other_pnl = 0.0, 0.0
        for other in self._cross_positions():
            if other.symbol != p.symbol:
                other_mm += self._maintenance(other)[0]
                other_pnl += other.unrealized_pnl(self.marks[other.symbol])
        return self.wallet_balance, other_mm, other_pnl

    def price_at_margin_ratio(self, symbol: str, margin_ratio: float) -> float | None:
        """Mark of ``symbol`` at which its governing margin ratio reaches ``margin_ratio``.

        The alert price: for an isolated position its own ratio (a per-position alert), for a
        cross position the account's ratio with every other position at its mark (one
        account-wide alert). ``margin_ratio = 1`` gives the liquidation price. Below 100 % a
        long can reach the target at two prices (the second at a notional whose bracket's MMR
        exceeds the target); the one nearest the entry price is returned
        (:func:`~margin_widgets.engine.formulas.margin_ratio_price`, which picks among
        :func:`~margin_widgets.engine.formulas.margin_ratio_prices`).

        Examples
        --------
        >>> account = Account(wallet_balance=1_000)
        >>> account.set_margin_mode("isolated", "BTCUSDT")
        >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=20)
        []
        >>> round(account.price_at_margin_ratio("BTCUSDT", 0.8), 2)
        19095.48
        """
        self._one_way_only("price_at_margin_ratio")
        self._binance_only("price_at_margin_ratio")
        p = self.position(symbol)
        wallet, other_mm, other_pnl = self._backing(p)
        return margin_ratio_price(
            p.side,
            p.quantity,
            p.entry_price,
            wallet,
            self.table(symbol),
            margin_ratio,
            other_mm,
            other_pnl,
        )

    def liquidation_outlook(self, symbol: str) -> LiquidationOutlook:
        """Where the position on ``symbol`` is liquidated, or why it is not (USDT).

        ``kind`` is ``"at_price"`` with the liquidation price in ``price``, ``"never"`` when no
        positive mark liquidates it (a long backed by more than its notional), or
        ``"already"`` when it is liquidatable at the current mark (a long whose liquidation
        price is at or above the mark, a short at or below it, or a cross short whose other
        positions' losses exceed the wallet). Backing as in :meth:`liquidation_price`; the
        bracket is re-selected at the liquidation price.

        Returns
        -------
        LiquidationOutlook
            The formula module's value (``kind``, ``price``).

        References
        ----------
        Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts".

        Examples
        --------
        >>> account = Account(wallet_balance=100_000)
        >>> account.set_margin_mode("isolated", "BTCUSDT")
        >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=2)
        []
        >>> account.add_margin("BTCUSDT", 11_000)  # 21,000 behind 20,000 of notional
        >>> account.liquidation_outlook("BTCUSDT")
        LiquidationOutlook(kind='never', price=None)
        >>> account.set_margin_mode("isolated", "ETHUSDT")
        >>> account.open_position("ETHUSDT", "long", 1, price=3_000, leverage=50)
        []
        >>> outlook = account.liquidation_outlook("ETHUSDT")  # (60 − 3,000) / (0.004 − 1)
        >>> outlook.kind, round(outlook.price, 2)
        ('at_price', 2951.81)
        >>> twin = account.copy()
        >>> twin.marks["ETHUSDT"] = 2_950.0  # below the liquidation price, not yet processed
        >>> twin.liquidation_outlook("ETHUSDT")
        LiquidationOutlook(kind='already', price=None)
        """
        self._one_way_only("liquidation_outlook")
        self._binance_only("liquidation_outlook")
        p = self.position(symbol)
        wallet, other_mm, other_pnl = self._backing(p)
        return liquidation_outlook_in_brackets(
            p.side,
            p.quantity,
            p.entry_price,
            wallet,
            self.table(symbol),
            other_mm,
            other_pnl,
            mark_price=self.marks[symbol],
        )

    def margin_ratio_at(self, symbol: str, mark_price: float) -> float:
        """The margin ratio governing ``symbol`` if its mark were ``mark_price`` (others as now).

        Nothing changes in the account. ``inf`` where the margin balance would be at or below
        zero.

        Examples
        --------
        >>> account = Account(wallet_balance=1_000)
        >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=50)
        []
        >>> round(account.margin_ratio_at("BTCUSDT", 19_500), 4)
        0.156
        """
        return self.margin_ratio_curve(symbol, [mark_price])[0]

    def margin_ratio_curve(self, symbol: str, mark_prices: Sequence[float]) -> list[float]:
        """:meth:`margin_ratio_at` for many prices at once (a chart's curve).

        On Bybit and OKX the exchange's maintenance margin (tier fixed at entry) and its ratio
        orientation are used.
        """
        self._one_way_only("margin_ratio_curve")
        p = self.position(symbol)
        prices = [_checks.positive("mark_prices[]", price) for price in mark_prices]
        wallet, other_mm, other_pnl = self._backing(p)
        if self.exchange != "binance":
            return [
                self._ratio(
                    self._exchange_maintenance(p, price)[0] + other_mm,
                    wallet + other_pnl + p.unrealized_pnl(price),
                )
                for price in prices
            ]
        table = self.table(symbol)
        backing = wallet + other_pnl
        return [
            margin_ratio(
                table.maintenance_margin(p.quantity * price) + other_mm,
                backing + p.unrealized_pnl(price),
            )
            for price in prices
        ]

    def _binance_only(self, name: str) -> None:
        if self.exchange != "binance":
            raise UnsupportedModeError(
                f"{name} is computed on Binance's brackets and is not available for "
                f"{self.exchange}; use liquidation_price or margin_ratio_at"
            )

    def bankruptcy_price(self, symbol: str, *, side: str | None = None) -> float | None:
        """Price at which the margin behind ``symbol`` is exactly used up (None if <= 0), USDT.

        Hedge mode (``side`` keyword): two cross legs share it (the hedge-mode formula with no
        maintenance margin; None for a fully hedged pair, whose PnL cancels). Bybit and OKX:
        ``EP − s·M/Q`` on the isolated margin M; refused in cross mode
        (:class:`UnsupportedModeError`).

        References
        ----------
        Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts"; Bybit,
        "What is Bankruptcy Price? (USDT Contract)".

        Examples
        --------
        Hedge mode, cross wallet 5,000: 1 BTC long at 60,000, 0.5 BTC short at 62,000. The
        margin balance 5,000 + (P − 60,000) + 0.5·(62,000 − P) is zero at P = 48,000:

        >>> account = Account(wallet_balance=5_000, position_mode="hedge")
        >>> account.open_position("BTCUSDT", "long", 1, price=60_000, leverage=20)
        []
        >>> account.open_position("BTCUSDT", "short", 0.5, price=62_000, leverage=20)
        []
        >>> round(account.bankruptcy_price("BTCUSDT", side="long"), 6)
        48000.0
        """
        return self._bankruptcy(self.position(symbol, side=side))

    def _bankruptcy(self, p: Position) -> float | None:
        if self.exchange != "binance":
            if p.margin_mode == "cross":
                self._refuse_cross("the bankruptcy price")
            if p.isolated_wallet >= 0:
                return self._convention().bankruptcy_price(
                    p.side, p.quantity, p.entry_price, p.isolated_wallet
                )
            price = p.entry_price - p.sign * p.isolated_wallet / p.quantity
            return price if price > 0 else None
        wallet, _, other_pnl = self._backing(p)
        legs = self.hedge_positions.get(p.symbol, {})
        if p.margin_mode == "cross" and len(legs) == 2:
            long, short = legs["long"], legs["short"]
            return hedge_liquidation_price(
                max(wallet, 0.0),
                long.quantity,
                long.entry_price,
                0.0,
                0.0,
                short.quantity,
                short.entry_price,
                0.0,
                0.0,
                0.0,
                other_pnl + min(wallet, 0.0),
            ).price
        # A wallet overdrawn by funding or a realised loss is carried as a negative amount
        # beside the other positions' PnL (the formula's wallet is >= 0; only the sum matters).
        return bankruptcy_price(
            p.side, p.quantity, p.entry_price, max(wallet, 0.0), other_pnl + min(wallet, 0.0)
        )

    def position_summary(self, symbol: str, *, side: str | None = None) -> PositionSummary:
        """All figures of the position on ``symbol`` (see :class:`PositionSummary`).

        ``side`` (keyword) names the leg in hedge mode. On OKX in cross mode the liquidation
        and bankruptcy prices are None (OKX documents no cross formula for them).
        """
        p = self.position(symbol, side=side)
        mark = self.marks[symbol]
        value = p.quantity * mark
        maintenance, rate, amount = self._maintenance(p)
        upnl = p.unrealized_pnl(mark)
        initial = self._initial_margin(p)
        at_entry = p.initial_margin_at_entry()
        if p.margin_mode == "isolated":
            collateral = p.isolated_wallet
            balance = p.isolated_wallet + upnl
            ratio = self._ratio(maintenance, balance)
            leverage = effective_leverage(value, balance)
        else:
            collateral = self.wallet_balance
            balance = self.cross_margin_balance()
            ratio = self.cross_margin_ratio()
            leverage = self.effective_leverage()
        try:
            liquidation, bankruptcy = self._liquidation(p), self._bankruptcy(p)
        except UnsupportedModeError:
            liquidation = bankruptcy = None
        return PositionSummary(
            symbol=symbol,
            side=p.side,
            margin_mode=p.margin_mode,
            quantity=p.quantity,
            entry_price=p.entry_price,
            mark_price=mark,
            leverage=p.leverage,
            notional=value,
            collateral=collateral,
            initial_margin=initial,
            maintenance_margin=maintenance,
            maintenance_margin_rate=rate,
            maintenance_amount=amount,
            unrealized_pnl=upnl,
            margin_balance=balance,
            margin_ratio=ratio,
            effective_leverage=leverage,
            return_on_equity=return_on_equity(upnl, at_entry),
            liquidation_price=liquidation,
            bankruptcy_price=bankruptcy,
            initial_margin_at_entry=at_entry,
        )

    def summary(self) -> AccountSummary:
        """Account-wide figures (see :class:`AccountSummary`)."""
        every = self._all_positions()
        isolated = sum((p.isolated_wallet for p in every), 0.0)
        isolated_pnl = sum(
            (p.unrealized_pnl(self.marks[p.symbol]) for p in every if p.margin_mode == "isolated"),
            0.0,
        )
        return AccountSummary(
            cross_wallet_balance=self.wallet_balance,
            cross_unrealized_pnl=self.cross_unrealized_pnl(),
            cross_margin_balance=self.cross_margin_balance(),
            cross_maintenance_margin=self.cross_maintenance_margin(),
            cross_initial_margin=self._cross_initial_margin(),
            cross_margin_ratio=self.cross_margin_ratio(),
            cross_notional=sum(
                (p.quantity * self.marks[p.symbol] for p in self._cross_positions()), 0.0
            ),
            effective_leverage=self.effective_leverage(),
            isolated_wallet_balance=isolated,
            available_balance=self.available_balance(),
            total_wallet_balance=self.wallet_balance + isolated,
            total_margin_balance=self.cross_margin_balance() + isolated + isolated_pnl,
        )

    # ------------------------------------------------------------------ settings
    def set_margin_mode(self, mode: str, symbol: str) -> None:
        """Set the margin mode of ``symbol`` (CCXT's ``set_margin_mode(mode, symbol)``).

        Raises
        ------
        ModeSwitchError
            If ``symbol`` has an open position (or leg): the exchange allows a switch only
            while the symbol has no open position (or open order), in either direction.
        UnsupportedModeError
            For ``"cross"`` on Bybit, whose documents give isolated-margin formulas only.
        """
        mode = _checks.margin_mode(mode)
        self._check_mode_supported(mode)
        for p in self.legs(symbol):
            if p.margin_mode != mode:
                raise ModeSwitchError(
                    f"cannot switch {symbol} to {mode} margin: it has an open "
                    f"{p.margin_mode} position; close it first"
                )
        if self.exchange == "binance":
            self.table(symbol)
        else:
            self.tier_table(symbol)
        self.margin_modes[symbol] = mode

    def set_position_mode(self, mode: str) -> None:
        """Switch the account between one-way mode and hedge mode (Binance's position mode).

        The position mode is account-wide. Binance changes it only while no position (and no
        order) is open on any symbol: with a position the API answers -4068 "Position side
        cannot be changed if there exists position", with open orders -4067 "Position side
        cannot be changed if there exists open orders" (orders are not modelled here).
        Setting the mode already in force changes nothing.

        Parameters
        ----------
        mode : {"one_way", "hedge"}
            One position per symbol, or a long and a short leg per symbol.

        Raises
        ------
        ModeSwitchError
            If any position or leg is open (the account is left unchanged).
        UnsupportedModeError
            For ``"hedge"`` on Bybit or OKX (the account implements Binance's hedge mode).
        ValueError
            For an unknown mode.

        References
        ----------
        Binance USDⓈ-M Futures API, "Error Codes" (-4067 POSITION_SIDE_CHANGE_EXISTS_OPEN_ORDERS,
        -4068 POSITION_SIDE_CHANGE_EXISTS_QUANTITY); "Change Position Mode (TRADE)".

        Examples
        --------
        >>> account = Account(wallet_balance=1_000)
        >>> account.open_position("BTCUSDT", "long", 0.01, price=20_000)
        []
        >>> try:
        ...     account.set_position_mode("hedge")
        ... except ModeSwitchError as error:
        ...     print("-4068" in str(error), account.position_mode)
        True one_way
        >>> account.close_position("BTCUSDT")
        0.0
        >>> account.set_position_mode("hedge")
        >>> account.position_mode
        'hedge'
        """
        if mode not in POSITION_MODES:
            raise ValueError(f"mode must be one of {POSITION_MODES}, got {mode!r}")
        if mode == self.position_mode:
            return
        if mode == "hedge":
            self._check_hedge_supported()
        open_positions = self._all_positions()
        if open_positions:
            names = ", ".join(
                f"{p.symbol} {p.side}" for p in sorted(open_positions, key=lambda q: q.symbol)
            )
            raise ModeSwitchError(
                f"cannot switch to {mode} mode: positions are open ({names}); Binance API error "
                "-4068: Position side cannot be changed if there exists position. Close them "
                "first"
            )
        self.position_mode = mode

    def set_leverage(self, leverage: float, symbol: str) -> None:
        """Set the leverage of ``symbol`` (CCXT's ``set_leverage(leverage, symbol)``).

        Without an open position it applies to the next order. With one, it applies to the
        position **at once**: its initial margin becomes ``notional at the mark / leverage``
        (an isolated wallet keeps its amount, so raising the leverage frees removable margin; a
        cross position's larger initial margin is taken from the available balance now).

        Parameters
        ----------
        leverage : float
            New leverage, from 1 to the maximum of the bracket of the open notional.
        symbol : str
            Exchange symbol.

        Raises
        ------
        LeverageError
            If ``leverage`` is below 1 or above the bracket's maximum for the open notional, or
            it is lower than the leverage of an open isolated position (Binance refuses this
            with API error -4161, "Leverage reduction is not supported in Isolated Margin Mode
            with open positions"; add margin instead).
        InsufficientMarginError
            If a lower leverage on an open cross position needs more initial margin than the
            available balance.

        References
        ----------
        Binance USDⓈ-M Futures API, "Error Codes" (-4161 LEVERAGE_REDUCTION_NOT_SUPPORTED).

        Examples
        --------
        >>> account = Account(wallet_balance=1_000)
        >>> account.set_margin_mode("isolated", "BTCUSDT")
        >>> account.open_position("BTCUSDT", "long", 1, price=20_000, leverage=20)
        []
        >>> account.set_leverage(40, "BTCUSDT")  # initial margin 1,000 -> 500 at once
        >>> account.position_summary("BTCUSDT").initial_margin
        500.0
        >>> try:
        ...     account.set_leverage(10, "BTCUSDT")
        ... except LeverageError as error:
        ...     print(str(error).split(" (")[0], "-4161" in str(error))
        leverage must be >= 40 for the open isolated BTCUSDT position, got 10 True
        """
        if self.position_mode == "hedge":
            self._set_leg_leverage(leverage, symbol)
            return
        p = self.positions.get(symbol)
        value = self._check_leverage(
            symbol,
            leverage,
            self._open_notional(symbol),
            quantity=p.quantity if p else 0.0,
            price=self.marks[symbol] if p else 1.0,
        )
        if p is not None and value < p.leverage:
            if p.margin_mode == "isolated":
                raise LeverageError(
                    f"leverage must be >= {p.leverage:g} for the open isolated {symbol} "
                    f"position, got {leverage!r} (Binance API error -4161: Leverage reduction "
                    "is not supported in Isolated Margin Mode with open positions); add margin "
                    "to lower its effective leverage"
                )
            extra = initial_margin(self._open_notional(symbol), value) - self._initial_margin(p)
            available = self.available_balance()
            if extra > available + 1e-9:
                raise InsufficientMarginError(
                    f"leverage {leverage!r} for the open cross {symbol} position needs "
                    f"{extra:,.2f} USDT more initial margin; the available balance is "
                    f"{available:,.2f} USDT"
                )
        self.leverages[symbol] = value
        if p is not None:
            self.positions[symbol] = replace(p, leverage=value)

    def _set_leg_leverage(self, leverage: float, symbol: str) -> None:
        """:meth:`set_leverage` in hedge mode: one leverage for the symbol, so for both legs."""
        legs = self.legs(symbol)
        largest = max(legs, key=lambda q: q.quantity, default=None)
        value = self._check_leverage(
            symbol,
            leverage,
            largest.quantity * self.marks[symbol] if largest else 0.0,
            quantity=largest.quantity if largest else 0.0,
            price=self.marks[symbol] if largest else 1.0,
        )
        lowered = [p for p in legs if value < p.leverage]
        for p in lowered:
            if p.margin_mode == "isolated":
                raise LeverageError(
                    f"leverage must be >= {p.leverage:g} for the open isolated {symbol} "
                    f"{p.side} leg, got {leverage!r} (Binance API error -4161: Leverage "
                    "reduction is not supported in Isolated Margin Mode with open positions)"
                )
        extra = sum(
            (
                initial_margin(p.quantity * self.marks[symbol], value) - self._initial_margin(p)
                for p in lowered
            ),
            0.0,
        )
        available = self.available_balance()
        if extra > available + 1e-9:
            raise InsufficientMarginError(
                f"leverage {leverage!r} for the open cross {symbol} legs needs {extra:,.2f} "
                f"USDT more initial margin; the available balance is {available:,.2f} USDT"
            )
        self.leverages[symbol] = value
        for p in legs:
            self._put(replace(p, leverage=value))

    def _open_notional(self, symbol: str) -> float:
        p = self.positions.get(symbol)
        return p.quantity * self.marks[symbol] if p else 0.0

    def _check_leverage(
        self,
        symbol: str,
        leverage: object,
        notional_value: float,
        *,
        quantity: float = 0.0,
        price: float = 1.0,
    ) -> float:
        value = _checks.number("leverage", leverage)
        if self.exchange != "binance":
            tier = self.tier_table(symbol).tier_for(quantity, price)
            if not 1 <= value <= tier.max_leverage:
                raise LeverageError(
                    f"leverage must be between 1 and {tier.max_leverage:g} for a {symbol} "
                    f"position of {quantity:g} at {price:,.2f} USDT on {self.exchange} (tier "
                    f"{tier.number}), got {leverage!r}"
                )
            return value
        table = self.table(symbol)
        bracket = table.bracket_for(notional_value)
        if not 1 <= value <= bracket.max_leverage:
            raise LeverageError(
                f"leverage must be between 1 and {bracket.max_leverage:g} for a {symbol} "
                f"notional of {notional_value:,.2f} USDT (bracket {bracket.number}), "
                f"got {leverage!r}"
            )
        return value

    # ------------------------------------------------------------------ wallet
    def deposit(self, amount: float) -> None:
        """Add ``amount`` USDT to the cross wallet."""
        self.wallet_balance += _checks.positive("amount", amount)

    def withdraw(self, amount: float) -> None:
        """Take ``amount`` USDT out of the cross wallet (at most :meth:`max_withdrawable`).

        Raises
        ------
        InsufficientMarginError
            If ``amount`` exceeds :meth:`max_withdrawable` (unrealised profit never leaves).
        """
        amount = _checks.positive("amount", amount)
        limit = self.max_withdrawable()
        if amount > limit + 1e-9:
            raise InsufficientMarginError(
                f"amount must be <= the withdrawable {limit:,.2f} USDT (the available balance "
                f"{self.available_balance():,.2f}, within the wallet less the cross maintenance "
                f"margin), got {amount!r}"
            )
        self.wallet_balance -= amount

    # ------------------------------------------------------------------ trading
    def update_mark(self, symbol: str, price: float, step: Any = None) -> list[LiquidationEvent]:
        """Set the mark price of ``symbol`` and liquidate what must be liquidated.

        Returns the liquidation events this update caused (also appended to :attr:`events`).
        """
        return self.update_marks({symbol: price}, step=step)

    def update_marks(self, prices: dict[str, float], step: Any = None) -> list[LiquidationEvent]:
        """Set several mark prices at once, then liquidate (isolated first, then cross)."""
        checked = {s: _checks.positive(f"prices[{s!r}]", v) for s, v in prices.items()}
        self.marks.update(checked)
        return self.check_liquidations(step)

    def open_position(
        self,
        symbol: str,
        side: str,
        quantity: float,
        price: float | None = None,
        leverage: float | None = None,
    ) -> list[LiquidationEvent]:
        """Open a position, or increase one on the same side (the entry price is averaged).

        The order fills at ``price`` (which becomes the mark) or, if omitted, at the mark.
        Isolated mode moves the initial margin ``notional / leverage`` from the cross wallet to
        the position's isolated wallet; cross mode only needs it to be available. A fill that
        moves the mark is followed by the usual liquidation check, whose events are returned
        (usually none).

        In hedge mode the order adds to the leg of ``side`` (a long and a short leg can be open
        at once); both legs share the symbol's margin mode and leverage.

        Raises
        ------
        MarginError
            If the side is opposite to the open position in one-way mode (reduce or close it
            instead), the leverage is not allowed for the new notional or differs from the
            open position's (:class:`LeverageError`: change it with :meth:`set_leverage`
            first), or the available balance does not cover the initial margin;
            :class:`UnsupportedModeError` for a cross position on Bybit.
        """
        sign = _checks.side_sign(side)
        quantity = _checks.positive("quantity", quantity)
        if price is None:
            fill = self.mark_price(symbol)
        else:
            fill = _checks.positive("price", price)
        if self.position_mode == "hedge":
            existing = self.hedge_positions.get(symbol, {}).get(side)
            others = [p for p in self.legs(symbol) if p.side != side]
            sibling = others[0] if others else None
        else:
            existing = self.positions.get(symbol)
            sibling = None
            if existing is not None and existing.sign != sign:
                raise MarginError(
                    f"side must be {existing.side!r} to add to the open {symbol} position, got "
                    f"{side!r}; use reduce_position or close_position to trade against it"
                )
        held = existing if existing is not None else sibling
        mode = held.margin_mode if held else self.margin_mode(symbol)
        self._check_mode_supported(mode)
        if leverage is None:
            leverage = held.leverage if held else self.leverage(symbol)
        total_quantity = quantity + (existing.quantity if existing else 0.0)
        lev = self._check_leverage(
            symbol, leverage, total_quantity * fill, quantity=total_quantity, price=fill
        )
        if held is not None and existing is None and lev != held.leverage:
            raise LeverageError(
                f"leverage must be the open {symbol} {held.side} leg's {held.leverage:g}x (one "
                f"leverage per symbol), got {leverage!r}; change it first with "
                f"set_leverage({lev:g}, {symbol!r})"
            )
        if existing is not None and lev != existing.leverage:
            raise LeverageError(
                f"leverage must be the open {symbol} position's {existing.leverage:g}x to add to "
                f"it, got {leverage!r}; change the leverage first with "
                f"set_leverage({lev:g}, {symbol!r})"
            )
        margin = initial_margin(quantity * fill, lev)
        previous_mark = self.marks.get(symbol)
        self.marks[symbol] = fill
        try:
            available = self.available_balance()
        finally:
            if previous_mark is None:
                del self.marks[symbol]
            else:
                self.marks[symbol] = previous_mark
        if margin > available + 1e-9:
            raise InsufficientMarginError(
                f"quantity {quantity!r} at {fill:,.2f} with {lev:g}x needs {margin:,.2f} USDT of "
                f"initial margin; the available balance is {available:,.2f} USDT"
            )
        if existing is None:
            entry = fill
            wallet = margin if mode == "isolated" else 0.0
        else:
            entry = (existing.quantity * existing.entry_price + quantity * fill) / total_quantity
            wallet = existing.isolated_wallet + (margin if mode == "isolated" else 0.0)
        self.marks[symbol] = fill
        if mode == "isolated":
            self.wallet_balance -= margin
        self.margin_modes.setdefault(symbol, mode)
        self.leverages[symbol] = lev
        self._put(Position(symbol, side, total_quantity, entry, lev, mode, wallet))
        return self.check_liquidations()

    def reduce_position(self, symbol: str, quantity: float, *, side: str | None = None) -> float:
        """Close ``quantity`` of the position at the mark; returns the realised PnL (USDT).

        The PnL goes to the cross wallet. For an isolated position the same fraction of its
        isolated wallet is released to the cross wallet. ``side`` (keyword) names the leg in
        hedge mode, where it is required; in one-way mode it may confirm the open side.
        """
        p = self.position(symbol, side=side)
        quantity = _checks.positive("quantity", quantity)
        if quantity > p.quantity * (1 + 1e-12):
            raise MarginError(
                f"quantity must be <= the open size {p.quantity:g} of {symbol}, got {quantity!r}"
            )
        quantity = min(quantity, p.quantity)
        mark = self.marks[symbol]
        realized = unrealized_pnl(p.side, quantity, p.entry_price, mark)
        fraction = quantity / p.quantity
        released = p.isolated_wallet * fraction
        remaining = p.quantity - quantity
        self.wallet_balance += realized + released
        if remaining <= p.quantity * 1e-12:
            self._drop(p)
        else:
            self._put(replace(p, quantity=remaining, isolated_wallet=p.isolated_wallet - released))
        return realized

    def close_position(self, symbol: str, *, side: str | None = None) -> float:
        """Close the whole position (hedge mode: the leg of ``side``) at the mark; realised PnL.

        Returns USDT. ``side`` is keyword only and required in hedge mode.
        """
        p = self.position(symbol, side=side)
        return self.reduce_position(symbol, p.quantity, side=side)

    def _isolated(self, symbol: str, side: str | None = None) -> Position:
        p = self.position(symbol, side=side)
        if p.margin_mode != "isolated":
            raise MarginError(f"symbol {symbol!r} is in cross margin mode; margin is shared")
        return p

    def add_margin(self, symbol: str, amount: float, *, side: str | None = None) -> None:
        """Move ``amount`` USDT from the cross wallet into an isolated position's margin.

        Raises
        ------
        InsufficientMarginError
            If ``amount`` exceeds :meth:`max_addable_margin`.
        """
        p = self._isolated(symbol, side)
        amount = _checks.positive("amount", amount)
        limit = self.max_addable_margin(symbol, side=side)
        if amount > limit + 1e-9:
            raise InsufficientMarginError(
                f"amount must be <= the addable {limit:,.2f} USDT for {symbol} (the available "
                f"balance {self.available_balance():,.2f}, within the cross wallet less the "
                f"cross maintenance margin), got {amount!r}"
            )
        self.wallet_balance -= amount
        self._put(replace(p, isolated_wallet=p.isolated_wallet + amount))

    def reduce_margin(self, symbol: str, amount: float, *, side: str | None = None) -> None:
        """Move ``amount`` USDT of an isolated position's margin back to the cross wallet.

        Raises
        ------
        InsufficientMarginError
            If ``amount`` exceeds :meth:`max_removable_margin`: the wallet must keep the
            position's maintenance margin and the margin balance its initial margin.
        """
        p = self._isolated(symbol, side)
        amount = _checks.positive("amount", amount)
        limit = self.max_removable_margin(symbol, side=side)
        if amount > limit + 1e-9:
            raise InsufficientMarginError(
                f"amount must be <= {limit:,.2f} USDT for {symbol}: the position must keep its "
                f"maintenance margin of {self._maintenance(p)[0]:,.2f} USDT in its wallet and "
                f"its initial margin of {self._initial_margin(p):,.2f} USDT in its margin "
                f"balance, got {amount!r}"
            )
        self.wallet_balance += amount
        self._put(replace(p, isolated_wallet=p.isolated_wallet - amount))

    def transfer(self, amount: float, source: str, destination: str) -> None:
        """Transfer USDT between the cross wallet (``"cross"``) and an isolated position.

        ``transfer(100, "cross", "BTCUSDT")`` adds margin to the isolated BTCUSDT position;
        ``transfer(100, "BTCUSDT", "cross")`` removes it; between two isolated positions the
        amount passes through the cross wallet, and is refused whole if either leg is refused.
        One-way mode only (in hedge mode use ``add_margin``/``reduce_margin`` with ``side``).
        """
        self._one_way_only("transfer")
        if source == destination:
            raise MarginError(f"destination must differ from source, got {destination!r} twice")
        if source == "cross":
            self.add_margin(destination, amount)
        elif destination == "cross":
            self.reduce_margin(source, amount)
        else:
            trial = copy.deepcopy(self)
            trial.reduce_margin(source, amount)
            trial.add_margin(destination, amount)
            self.reduce_margin(source, amount)
            self.add_margin(destination, amount)

    def settle_funding(
        self, symbol: str, funding_rate: float, step: Any = None
    ) -> tuple[float, list[LiquidationEvent]]:
        """Settle one funding interval for ``symbol`` at its mark; returns (payment, events).

        The payment (``mark × Q × rate``, paid by longs when the rate is positive) goes to the
        isolated wallet in isolated mode and to the cross wallet in cross mode. Liquidations it
        causes are returned and recorded. In hedge mode every open leg of ``symbol`` settles
        (the long pays what the short receives when both are the same size); the payment
        returned is their sum.
        """
        if self.position_mode == "hedge":
            legs = self.legs(symbol)
            if not legs:
                raise NoPositionError(f"symbol {symbol!r} has no open leg")
            rate = _checks.number("funding_rate", funding_rate)
            total = 0.0
            for leg in legs:
                paid = funding_payment(leg.side, leg.quantity, self.marks[symbol], rate)
                if leg.margin_mode == "isolated":
                    self._put(replace(leg, isolated_wallet=leg.isolated_wallet + paid))
                else:
                    self.wallet_balance += paid
                total += paid
            return total, self.check_liquidations(step)
        p = self.position(symbol)
        payment = funding_payment(p.side, p.quantity, self.marks[symbol], funding_rate)
        if p.margin_mode == "isolated":
            self.positions[symbol] = replace(p, isolated_wallet=p.isolated_wallet + payment)
        else:
            self.wallet_balance += payment
        return payment, self.check_liquidations(step)

    # ------------------------------------------------------------------ liquidation
    def check_liquidations(self, step: Any = None) -> list[LiquidationEvent]:
        """Liquidate every isolated position, then the cross account, that is at or past 100 %.

        The test and the ratio recorded are the exchange's (OKX: equity / (maintenance margin +
        fee) at or below 100 %). In hedge mode each isolated leg is tested alone (long before
        short), and the cross legs go with the rest of the cross account.
        """
        new: list[LiquidationEvent] = []
        if self.hedge_positions:
            isolated = [
                p
                for symbol in sorted(self.hedge_positions)
                for p in self.legs(symbol)
                if p.margin_mode == "isolated"
            ]
        else:
            positions = self.positions
            isolated = [
                positions[s] for s in sorted(positions) if positions[s].margin_mode == "isolated"
            ]
        for p in isolated:
            mark = self.marks[p.symbol]
            pnl = p.unrealized_pnl(mark)
            balance = p.isolated_wallet + pnl
            maintenance = self._maintenance(p)[0]
            if self._is_liquidated(maintenance, balance):
                new.append(
                    self._record(
                        step,
                        "isolated",
                        [p],
                        [pnl],
                        collateral=p.isolated_wallet,
                        balance=balance,
                        ratio=self._ratio(maintenance, balance),
                    )
                )
                self._drop(p)
        cross = sorted(
            self._cross_positions(), key=lambda q: q.unrealized_pnl(self.marks[q.symbol])
        )
        if cross:
            maintenance = self.cross_maintenance_margin()
            balance = self.cross_margin_balance()
            if self._is_liquidated(maintenance, balance):
                pnls = [q.unrealized_pnl(self.marks[q.symbol]) for q in cross]
                new.append(
                    self._record(
                        step,
                        "cross",
                        cross,
                        pnls,
                        collateral=self.wallet_balance,
                        balance=balance,
                        ratio=self._ratio(maintenance, balance),
                    )
                )
                for q in cross:
                    self._drop(q)
                self.wallet_balance = 0.0
        return new

    def _record(
        self,
        step: Any,
        mode: str,
        closed: list[Position],
        pnls: list[float],
        collateral: float,
        balance: float,
        ratio: float,
    ) -> LiquidationEvent:
        event = LiquidationEvent(
            sequence=len(self.events),
            step=step,
            margin_mode=mode,
            symbols=tuple(p.symbol for p in closed),
            mark_prices=tuple(self.marks[p.symbol] for p in closed),
            realized_pnl=tuple(pnls),
            collateral_lost=max(0.0, collateral),
            deficit_absorbed=max(0.0, -balance),
            surplus_to_insurance_fund=max(0.0, balance),
            margin_ratio=ratio,
            wallet_overdraft=max(0.0, -collateral),
            insurance_fund_cover=max(0.0, -balance),
            sides=tuple(p.side for p in closed) if self.position_mode == "hedge" else (),
        )
        self.insurance_fund_absorbed += event.deficit_absorbed
        self.insurance_fund_received += event.surplus_to_insurance_fund
        self.events.append(event)
        return event

    # ------------------------------------------------------------------ state
    def copy(self) -> Account:
        """An independent copy, for what-if questions that must not touch this account.

        Positions, events and bracket or tier tables are immutable and shared; every mutable
        container (the dictionaries of positions, modes, leverages and marks, the event list)
        is the copy's own, so nothing done to the copy reaches this account.

        Examples
        --------
        >>> account = Account(wallet_balance=1_000)
        >>> account.open_position("BTCUSDT", "long", 0.1, price=20_000, leverage=10)
        []
        >>> what_if = account.copy()
        >>> what_if.close_position("BTCUSDT")  # at the mark, 20,000: no profit
        0.0
        >>> sorted(account.positions), sorted(what_if.positions), account.wallet_balance
        (['BTCUSDT'], [], 1000.0)
        """
        new = copy.copy(self)
        for name in ("brackets", "positions", "margin_modes", "leverages", "marks"):
            setattr(new, name, dict(getattr(self, name)))
        new.tier_tables = dict(self.tier_tables)
        new.events = list(self.events)
        new.hedge_positions = {s: dict(legs) for s, legs in self.hedge_positions.items()}
        return new

    def snapshot(self) -> dict[str, Any]:
        """The whole state as plain data (bracket and tier tables by symbol and date).

        Includes the exchange, the position mode and the hedge-mode legs.
        """
        state = asdict(self)
        state["brackets"] = {s: t.effective_date for s, t in self.brackets.items()}
        state["tier_tables"] = {s: t.effective_date for s, t in self.tier_tables.items()}
        return state
