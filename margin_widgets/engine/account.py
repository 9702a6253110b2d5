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
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from margin_widgets.engine import _checks
from margin_widgets.engine.brackets import BracketTable, load_brackets
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

__all__ = [
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
    "account_is_liquidated",
]


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


@dataclass(frozen=True)
class Position:
    """An open position (one per symbol, one-way mode).

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
        Margin ratio that triggered the liquidation (>= 1).
    wallet_overdraft : float
        How far below zero the wallet stood before the liquidation (USDT, >= 0; funding or a
        realised loss can overdraw it while other positions carry unrealised profit).
    insurance_fund_cover : float
        What the insurance fund paid (USDT, >= 0); equal to ``deficit_absorbed``.

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

    def describe(self) -> str:
        """One line for an event log, e.g. ``"#0 isolated BTCUSDT liquidated at 19,650.00 ..."``."""
        pairs = zip(self.symbols, self.mark_prices, strict=True)
        closed = ", ".join(f"{s} at {p:,.2f}" for s, p in pairs)
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
        Bracket table per symbol; a symbol not given uses the newest shipped table.

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

    def __post_init__(self) -> None:
        self.wallet_balance = _checks.non_negative("wallet_balance", self.wallet_balance)

    # ------------------------------------------------------------------ look-ups
    def table(self, symbol: str) -> BracketTable:
        """Bracket table used for ``symbol``: the one given, else the newest shipped table.

        A look-up never changes the account (a refused operation must leave it as it was).
        """
        table = self.brackets.get(symbol)
        return table if table is not None else load_brackets(symbol)

    def margin_mode(self, symbol: str) -> str:
        """Margin mode of ``symbol`` (``"cross"`` unless set otherwise)."""
        return self.margin_modes.get(symbol, "cross")

    def leverage(self, symbol: str) -> float:
        """Leverage set for ``symbol`` (the default until set)."""
        return self.leverages.get(symbol, self.default_leverage)

    def position(self, symbol: str) -> Position:
        """The open position on ``symbol``; raises :class:`NoPositionError` if there is none."""
        try:
            return self.positions[symbol]
        except KeyError:
            raise NoPositionError(f"symbol {symbol!r} has no open position") from None

    def mark_price(self, symbol: str) -> float:
        """Current mark price of ``symbol`` in USDT."""
        try:
            return self.marks[symbol]
        except KeyError:
            raise ValueError(f"symbol {symbol!r} has no mark price; call update_mark") from None

    def _cross_positions(self) -> list[Position]:
        return [p for p in self.positions.values() if p.margin_mode == "cross"]

    def _maintenance(self, position: Position) -> tuple[float, float, float]:
        """(maintenance margin, MMR, cum) of a position at its mark, bracket by notional."""
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
        """
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

    def max_addable_margin(self, symbol: str) -> float:
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
        self._isolated(symbol)
        within_wallet = self.wallet_balance - self.cross_maintenance_margin()
        return max(0.0, min(within_wallet, self.available_balance()))

    def isolated_margin_balance(self, symbol: str) -> float:
        """Isolated wallet + unrealised PnL of an isolated position, USDT."""
        p = self._isolated(symbol)
        return p.isolated_wallet + p.unrealized_pnl(self.marks[symbol])

    def isolated_margin_ratio(self, symbol: str) -> float:
        """Margin ratio of one isolated position (its maintenance margin / its margin balance)."""
        p = self._isolated(symbol)
        return margin_ratio(self._maintenance(p)[0], self.isolated_margin_balance(symbol))

    def margin_ratio(self, symbol: str) -> float:
        """The margin ratio that governs ``symbol``: its own if isolated, the account's if cross."""
        p = self.position(symbol)
        if p.margin_mode == "isolated":
            return self.isolated_margin_ratio(symbol)
        return self.cross_margin_ratio()

    def effective_leverage(self) -> float:
        """Cross notional / cross margin balance: the leverage the shared wallet carries."""
        total = sum((p.quantity * self.marks[p.symbol] for p in self._cross_positions()), 0.0)
        if total == 0:
            return 0.0
        return effective_leverage(total, self.cross_margin_balance())

    def max_removable_margin(self, symbol: str) -> float:
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
        p = self._isolated(symbol)
        upnl = p.unrealized_pnl(self.marks[symbol])
        keep_maintenance = p.isolated_wallet - self._maintenance(p)[0]
        keep_initial = p.isolated_wallet + upnl - self._initial_margin(p)
        return max(0.0, min(keep_maintenance, keep_initial))

    def is_liquidated(self, symbol: str | None = None) -> bool:
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
            p = self.position(symbol)
            if p.margin_mode == "isolated":
                return account_is_liquidated(
                    self._maintenance(p)[0], self.isolated_margin_balance(symbol)
                )
            return account_is_liquidated(
                self.cross_maintenance_margin(), self.cross_margin_balance()
            )
        return any(self.is_liquidated(s) for s in self.positions)

    def liquidation_price(self, symbol: str) -> float | None:
        """Liquidation price of the position on ``symbol`` (None if no positive price).

        Isolated: the position's own wallet. Cross: the cross wallet, with every other cross
        position's maintenance margin and signed unrealised PnL at its mark. The bracket is
        re-selected at the liquidation price until stable.
        """
        return self._liquidation(self.position(symbol))

    def _liquidation(self, p: Position) -> float | None:
        wallet, other_mm, other_pnl = self._backing(p)
        price, _ = _solve_in_brackets(
            p.sign, p.quantity, p.entry_price, wallet, self.table(p.symbol), other_mm, other_pnl
        )
        return price

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
        """:meth:`margin_ratio_at` for many prices at once (a chart's curve)."""
        p = self.position(symbol)
        prices = [_checks.positive("mark_prices[]", price) for price in mark_prices]
        wallet, other_mm, other_pnl = self._backing(p)
        table = self.table(symbol)
        backing = wallet + other_pnl
        return [
            margin_ratio(
                table.maintenance_margin(p.quantity * price) + other_mm,
                backing + p.unrealized_pnl(price),
            )
            for price in prices
        ]

    def bankruptcy_price(self, symbol: str) -> float | None:
        """Price at which the margin behind ``symbol`` is exactly used up (None if <= 0)."""
        p = self.position(symbol)
        wallet, _, other_pnl = self._backing(p)
        # A wallet overdrawn by funding or a realised loss is carried as a negative amount
        # beside the other positions' PnL (the formula's wallet is >= 0; only the sum matters).
        return bankruptcy_price(
            p.side, p.quantity, p.entry_price, max(wallet, 0.0), other_pnl + min(wallet, 0.0)
        )

    def position_summary(self, symbol: str) -> PositionSummary:
        """All figures of the position on ``symbol`` (see :class:`PositionSummary`)."""
        p = self.position(symbol)
        mark = self.marks[symbol]
        value = p.quantity * mark
        maintenance, rate, amount = self._maintenance(p)
        upnl = p.unrealized_pnl(mark)
        initial = self._initial_margin(p)
        at_entry = p.initial_margin_at_entry()
        if p.margin_mode == "isolated":
            collateral = p.isolated_wallet
            balance = p.isolated_wallet + upnl
            ratio = margin_ratio(maintenance, balance)
            leverage = effective_leverage(value, balance)
        else:
            collateral = self.wallet_balance
            balance = self.cross_margin_balance()
            ratio = self.cross_margin_ratio()
            leverage = self.effective_leverage()
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
            liquidation_price=self._liquidation(p),
            bankruptcy_price=self.bankruptcy_price(symbol),
            initial_margin_at_entry=at_entry,
        )

    def summary(self) -> AccountSummary:
        """Account-wide figures (see :class:`AccountSummary`)."""
        isolated = sum((p.isolated_wallet for p in self.positions.values()), 0.0)
        isolated_pnl = sum(
            (
                p.unrealized_pnl(self.marks[p.symbol])
                for p in self.positions.values()
                if p.margin_mode == "isolated"
            ),
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
            If ``symbol`` has an open position: the exchange allows a switch only while the
            symbol has no open position (or open order), in either direction.
        """
        mode = _checks.margin_mode(mode)
        if symbol in self.positions and self.positions[symbol].margin_mode != mode:
            raise ModeSwitchError(
                f"cannot switch {symbol} to {mode} margin: it has an open "
                f"{self.positions[symbol].margin_mode} position; close it first"
            )
        self.table(symbol)
        self.margin_modes[symbol] = mode

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
        value = self._check_leverage(symbol, leverage, self._open_notional(symbol))
        p = self.positions.get(symbol)
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

    def _open_notional(self, symbol: str) -> float:
        p = self.positions.get(symbol)
        return p.quantity * self.marks[symbol] if p else 0.0

    def _check_leverage(self, symbol: str, leverage: object, notional_value: float) -> float:
        value = _checks.number("leverage", leverage)
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

        Raises
        ------
        MarginError
            If the side is opposite to the open position (reduce or close it instead), the
            leverage is not allowed for the new notional or differs from the open position's
            (:class:`LeverageError`: change it with :meth:`set_leverage` first), or the
            available balance does not cover the initial margin.
        """
        sign = _checks.side_sign(side)
        quantity = _checks.positive("quantity", quantity)
        if price is None:
            fill = self.mark_price(symbol)
        else:
            fill = _checks.positive("price", price)
        existing = self.positions.get(symbol)
        if existing is not None and existing.sign != sign:
            raise MarginError(
                f"side must be {existing.side!r} to add to the open {symbol} position, got "
                f"{side!r}; use reduce_position or close_position to trade against it"
            )
        mode = existing.margin_mode if existing else self.margin_mode(symbol)
        if leverage is None:
            leverage = existing.leverage if existing else self.leverage(symbol)
        total_quantity = quantity + (existing.quantity if existing else 0.0)
        lev = self._check_leverage(symbol, leverage, total_quantity * fill)
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
        self.positions[symbol] = Position(symbol, side, total_quantity, entry, lev, mode, wallet)
        return self.check_liquidations()

    def reduce_position(self, symbol: str, quantity: float) -> float:
        """Close ``quantity`` of the position at the mark; returns the realised PnL (USDT).

        The PnL goes to the cross wallet. For an isolated position the same fraction of its
        isolated wallet is released to the cross wallet.
        """
        p = self.position(symbol)
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
            del self.positions[symbol]
        else:
            self.positions[symbol] = replace(
                p, quantity=remaining, isolated_wallet=p.isolated_wallet - released
            )
        return realized

    def close_position(self, symbol: str) -> float:
        """Close the whole position at the mark; returns the realised PnL (USDT)."""
        return self.reduce_position(symbol, self.position(symbol).quantity)

    def _isolated(self, symbol: str) -> Position:
        p = self.position(symbol)
        if p.margin_mode != "isolated":
            raise MarginError(f"symbol {symbol!r} is in cross margin mode; margin is shared")
        return p

    def add_margin(self, symbol: str, amount: float) -> None:
        """Move ``amount`` USDT from the cross wallet into an isolated position's margin.

        Raises
        ------
        InsufficientMarginError
            If ``amount`` exceeds :meth:`max_addable_margin`.
        """
        p = self._isolated(symbol)
        amount = _checks.positive("amount", amount)
        limit = self.max_addable_margin(symbol)
        if amount > limit + 1e-9:
            raise InsufficientMarginError(
                f"amount must be <= the addable {limit:,.2f} USDT for {symbol} (the available "
                f"balance {self.available_balance():,.2f}, within the cross wallet less the "
                f"cross maintenance margin), got {amount!r}"
            )
        self.wallet_balance -= amount
        self.positions[symbol] = replace(p, isolated_wallet=p.isolated_wallet + amount)

    def reduce_margin(self, symbol: str, amount: float) -> None:
        """Move ``amount`` USDT of an isolated position's margin back to the cross wallet.

        Raises
        ------
        InsufficientMarginError
            If ``amount`` exceeds :meth:`max_removable_margin`: the wallet must keep the
            position's maintenance margin and the margin balance its initial margin.
        """
        p = self._isolated(symbol)
        amount = _checks.positive("amount", amount)
        limit = self.max_removable_margin(symbol)
        if amount > limit + 1e-9:
            raise InsufficientMarginError(
                f"amount must be <= {limit:,.2f} USDT for {symbol}: the position must keep its "
                f"maintenance margin of {self._maintenance(p)[0]:,.2f} USDT in its wallet and "
                f"its initial margin of {self._initial_margin(p):,.2f} USDT in its margin "
                f"balance, got {amount!r}"
            )
        self.wallet_balance += amount
        self.positions[symbol] = replace(p, isolated_wallet=p.isolated_wallet - amount)

    def transfer(self, amount: float, source: str, destination: str) -> None:
        """Transfer USDT between the cross wallet (``"cross"``) and an isolated position.

        ``transfer(100, "cross", "BTCUSDT")`` adds margin to the isolated BTCUSDT position;
        ``transfer(100, "BTCUSDT", "cross")`` removes it; between two isolated positions the
        amount passes through the cross wallet, and is refused whole if either leg is refused.
        """
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
        causes are returned and recorded.
        """
        p = self.position(symbol)
        payment = funding_payment(p.side, p.quantity, self.marks[symbol], funding_rate)
        if p.margin_mode == "isolated":
            self.positions[symbol] = replace(p, isolated_wallet=p.isolated_wallet + payment)
        else:
            self.wallet_balance += payment
        return payment, self.check_liquidations(step)

    # ------------------------------------------------------------------ liquidation
    def check_liquidations(self, step: Any = None) -> list[LiquidationEvent]:
        """Liquidate every isolated position, then the cross account, that is at or past 100 %."""
        new: list[LiquidationEvent] = []
        for symbol in sorted(self.positions):
            p = self.positions[symbol]
            if p.margin_mode != "isolated":
                continue
            mark = self.marks[symbol]
            pnl = p.unrealized_pnl(mark)
            balance = p.isolated_wallet + pnl
            maintenance = self._maintenance(p)[0]
            if account_is_liquidated(maintenance, balance):
                new.append(
                    self._record(
                        step,
                        "isolated",
                        [p],
                        [pnl],
                        collateral=p.isolated_wallet,
                        balance=balance,
                        ratio=margin_ratio(maintenance, balance),
                    )
                )
                del self.positions[symbol]
        cross = sorted(
            self._cross_positions(), key=lambda q: q.unrealized_pnl(self.marks[q.symbol])
        )
        if cross:
            maintenance = self.cross_maintenance_margin()
            balance = self.cross_margin_balance()
            if account_is_liquidated(maintenance, balance):
                pnls = [q.unrealized_pnl(self.marks[q.symbol]) for q in cross]
                new.append(
                    self._record(
                        step,
                        "cross",
                        cross,
                        pnls,
                        collateral=self.wallet_balance,
                        balance=balance,
                        ratio=margin_ratio(maintenance, balance),
                    )
                )
                for q in cross:
                    del self.positions[q.symbol]
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
        )
        self.insurance_fund_absorbed += event.deficit_absorbed
        self.insurance_fund_received += event.surplus_to_insurance_fund
        self.events.append(event)
        return event

    # ------------------------------------------------------------------ state
    def copy(self) -> Account:
        """An independent copy, for what-if questions that must not touch this account."""
        return copy.deepcopy(self)

    def snapshot(self) -> dict[str, Any]:
        """The whole state as plain data (bracket tables by symbol and date), for comparison."""
        state = asdict(self)
        state["brackets"] = {s: t.effective_date for s, t in self.brackets.items()}
        return state
