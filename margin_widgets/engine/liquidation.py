"""What happens at and after the liquidation price: fees, partial steps, the insurance fund, ADL.

The liquidation price says *when* a position is liquidated; this module says *how*:

* :func:`liquidation_settlement` — where the margin goes, in the textbook's simplified model
  and in the exchange's full model (closed at the bankruptcy price, clearance fee, remainder
  to the insurance fund);
* :func:`partial_liquidation_steps` — a large position reduced bracket by bracket until the
  account is back above maintenance;
* :func:`auto_add_margin_steps` — an isolated position topping itself up from the wallet;
* :func:`simulate_market` (with :func:`paired_traders` and :func:`crash_path`) — a small seeded
  market: a crash, many isolated traders, the insurance fund's balance over time and
  auto-deleveraging (ADL) of opposite positions when the fund cannot cover a bankrupt one.

Amounts are in USDT, quantities in base units, prices in USDT per base unit, rates fractions.

What the exchange's pages say, and where they disagree
-------------------------------------------------------
Binance's "Binance Futures Liquidation Protocols" (last updated 29 May 2024): all open orders
are cancelled; the system first tries to reduce the position "with one large Immediate or
Cancel order without fully liquidating the user"; if the user is then margin compliant "after
calculating the realized losses and liquidation fee deductions" the liquidation stops;
otherwise "the user's position will be closed at the bankruptcy price and the Insurance Fund
will take over the position"; "a portion of the remaining collateral (if any) will go to the
Insurance Fund"; a negative wallet is brought back to 0 by the fund. The older version of the
page ("Liquidation") charged a fee "on the amount liquidated only (not the notional value of
the position)" — 0.3 % on BTCUSDT, 0.5 % on other perpetuals — and noted that small positions
are "already bankrupt when first entering liquidation" because their maintenance margin rate
is below the fee rate. The current page no longer quotes the rate, so the clearance fee rate is
a parameter here. This module follows the 2024 text where the two differ: a position that is
not brought back into compliance is closed for the trader at the bankruptcy price, and what is
left between that price and the fill goes to the insurance fund.

"Introduction to Futures Insurance Funds" (last updated 29 May 2024): the funds "take over
Bankrupt Positions"; losses from them are funded by the fund, profits "retained by" it.
"What Is Auto-Deleveraging (ADL) and How Does It Work": ADL "is the final step taken only when
the Insurance Fund cannot accept the bankrupt client's positions"; "more profitable and higher
leveraged traders will be liquidated first"; ADL'd positions are "closed out at the bankruptcy
price of the initial liquidated order, no trading fee will be charged". The page's exact
ranking formula sits at its end, which the stored copies cut off; one older copy words the
ranking as "unrealized PnL/collateral multiplied by the margin ratio". This module uses the
ranking the exchange's newer wording and its ADL indicator describe, **profit percentage ×
effective leverage** for a profitable position and **profit percentage / effective leverage**
for a losing one, with profit percentage = unrealised PnL / entry notional and effective
leverage = mark notional / margin balance.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from margin_widgets.engine import _checks
from margin_widgets.engine.brackets import Bracket, BracketTable
from margin_widgets.engine.formulas import (
    _liquidation_root,
    liquidation_price_in_brackets,
    margin_ratio_price,
)

__all__ = [
    "AdlEvent",
    "AutoAddMarginStep",
    "LiquidationRecord",
    "LiquidationSettlement",
    "MarketResult",
    "PartialLiquidationStep",
    "SettlementModel",
    "Trader",
    "adl_ranking",
    "auto_add_margin_steps",
    "crash_path",
    "liquidation_settlement",
    "paired_traders",
    "partial_liquidation_steps",
    "simulate_market",
]


# --------------------------------------------------------------------------- settlement
@dataclass(frozen=True)
class SettlementModel:
    """Where the money of one liquidated isolated position goes, under one model.

    Attributes
    ----------
    model : {"simplified", "full"}
        ``"simplified"``: the textbook picture, closed at the liquidation price and the whole
        margin lost. ``"full"``: the exchange's process, closed for the trader at the
        bankruptcy price, the insurance fund taking over and selling at the fill price.
    close_price : float
        Price at which the trader's position is closed, USDT.
    trader_realized_pnl : float
        Trader's realised PnL in USDT (``−margin`` in both models: the margin is lost).
    returned_to_trader : float
        USDT left in the trader's isolated wallet afterwards (0 in both models).
    clearance_fee : float
        USDT of the remaining collateral taken as the liquidation clearance fee (full model).
    remainder_to_insurance_fund : float
        USDT of remaining collateral beyond the fee, also kept by the fund (full model).
    insurance_fund_change : float
        Net change of the insurance fund in USDT: fee + remainder, or minus the deficit.
    insurance_fund_deficit : float
        USDT the fund pays when the fill is beyond the bankruptcy price (>= 0).
    """

    model: str
    close_price: float
    trader_realized_pnl: float
    returned_to_trader: float
    clearance_fee: float
    remainder_to_insurance_fund: float
    insurance_fund_change: float
    insurance_fund_deficit: float


@dataclass(frozen=True)
class LiquidationSettlement:
    """Both settlement models of one liquidation, side by side.

    Attributes
    ----------
    liquidation_price : float
        Where the mark triggers the liquidation, USDT.
    bankruptcy_price : float
        Where the margin balance is zero, USDT.
    simplified : SettlementModel
        Closed at the liquidation price, whole margin lost; the margin left at that price
        (the maintenance margin) is what the textbook calls "lost" — reported here as kept by
        the insurance fund, the only place the full model lets it go.
    full : SettlementModel
        Closed at the bankruptcy price for the trader; the fund takes over and sells at the
        fill price; clearance fee, remainder and deficit split out.
    """

    liquidation_price: float
    bankruptcy_price: float
    simplified: SettlementModel
    full: SettlementModel


def liquidation_settlement(
    side: str,
    quantity: float,
    entry_price: float,
    wallet_balance: float,
    maintenance_margin_rate: float,
    maintenance_amount: float,
    clearance_fee_rate: float,
    *,
    fill_price: float | None = None,
) -> LiquidationSettlement:
    """Where the margin of a liquidated isolated position goes: simplified and full models.

    * **Simplified** (the usual lesson): closed at the liquidation price LP, the whole margin
      WB is lost. The margin still there at LP (``WB + s·Q·(LP − EP)``, the maintenance
      margin) simply disappears from the trader's view; it is reported as going to the fund.
    * **Full** (Binance's 2024 process): the trader is closed at the bankruptcy price BP
      (loses exactly WB, never more); the insurance fund takes the position over at BP and
      sells it at ``fill_price`` F (by default LP, the mark that triggered it). The fund's
      result ``s·Q·(F − BP)`` is the collateral that was left: of it the clearance fee
      ``min(rate·Q·F, left)`` and the remainder both stay in the fund; if F is beyond BP the
      result is negative and the fund pays the deficit.

    Parameters
    ----------
    side : {"long", "short"}
        Direction of the position.
    quantity : float
        Absolute size Q in base units, > 0.
    entry_price : float
        Entry price EP in USDT, > 0.
    wallet_balance : float
        Isolated wallet (margin) WB in USDT, > 0.
    maintenance_margin_rate : float
        MMR of the position's bracket at the liquidation price, in [0, 1).
    maintenance_amount : float
        ``cum`` of that bracket in USDT, >= 0.
    clearance_fee_rate : float
        Liquidation clearance fee rate on the liquidated notional ``Q·F``, in [0, 1) (the
        exchange sets it per symbol; its older page quoted 0.3 % for BTCUSDT, 0.5 % others).
    fill_price : float, optional
        Keyword only: price at which the fund's takeover order fills, USDT, > 0. Defaults to
        the liquidation price.

    Returns
    -------
    LiquidationSettlement
        The liquidation and bankruptcy prices and both :class:`SettlementModel` values.

    Raises
    ------
    ValueError
        For inputs the liquidation-price formula refuses, a margin that is not > 0, a position
        with no positive liquidation or bankruptcy price, or a fee rate outside [0, 1).

    References
    ----------
    Binance, "Binance Futures Liquidation Protocols" (2024: closed at the bankruptcy price, the
    Insurance Fund takes over, a portion of the remaining collateral goes to the fund);
    Binance, "Liquidation" (older version: fee on the amount liquidated, 0.3 % BTCUSDT);
    Binance, "Introduction to Futures Insurance Funds".

    Examples
    --------
    1 BTC long at 20,000 with 400 USDT (50x), MMR 0.5 %: LP = 19,698.49, BP = 19,600. At LP
    the margin left is ``400 − 301.51 = 98.49`` (the maintenance margin, 0.5 % of 19,698.49).
    The full model's fund takes over at 19,600 and sells at 19,698.49: it gains 98.49, of
    which the clearance fee at 0.3 % is ``0.003 × 19,698.49 = 59.10`` and 39.40 is remainder:

    >>> out = liquidation_settlement("long", 1, 20_000, 400, 0.005, 0, 0.003)
    >>> round(out.liquidation_price, 2), out.bankruptcy_price
    (19698.49, 19600.0)
    >>> out.full.trader_realized_pnl, round(out.full.clearance_fee, 2)
    (-400.0, 59.1)
    >>> round(out.full.remainder_to_insurance_fund, 2), round(out.simplified.close_price, 2)
    (39.4, 19698.49)
    """
    s = _checks.side_sign(side)
    q = _checks.positive("quantity", quantity)
    ep = _checks.positive("entry_price", entry_price)
    wb = _checks.positive("wallet_balance", wallet_balance)
    mmr = _checks.rate("maintenance_margin_rate", maintenance_margin_rate)
    cum = _checks.non_negative("maintenance_amount", maintenance_amount)
    fee_rate = _checks.rate("clearance_fee_rate", clearance_fee_rate)
    lp = _liquidation_root(s, q, ep, wb, mmr, cum, 0.0, 0.0)
    bp = ep - wb / (s * q)
    if lp is None or not bp > 0:
        raise ValueError(
            "the position has no positive liquidation or bankruptcy price "
            f"(liquidation {lp!r}, bankruptcy {bp!r}); nothing to settle"
        )
    fill = lp if fill_price is None else _checks.positive("fill_price", fill_price)
    left_at_lp = wb + s * q * (lp - ep)
    simplified = SettlementModel("simplified", lp, -wb, 0.0, 0.0, left_at_lp, left_at_lp, 0.0)
    left = s * q * (fill - bp)
    fee = min(fee_rate * q * fill, max(left, 0.0))
    full = SettlementModel(
        "full",
        bp,
        -wb,
        0.0,
        fee,
        max(left - fee, 0.0),
        left,
        max(-left, 0.0),
    )
    return LiquidationSettlement(lp, bp, simplified, full)


# --------------------------------------------------------------------------- partial steps
@dataclass(frozen=True)
class PartialLiquidationStep:
    """One reduction of a position in a stepwise (partial) liquidation.

    Attributes
    ----------
    step : int
        1 for the first reduction.
    closed_quantity : float
        Base units closed in this step.
    remaining_quantity : float
        Base units left open after it (0 when the position is closed).
    bracket : Bracket or None
        Bracket of the remaining notional (None when nothing is left).
    realized_pnl : float
        PnL realised by the closed part, USDT.
    fee : float
        Liquidation fee on the closed notional, USDT.
    wallet_balance : float
        Wallet after the step, USDT.
    margin_balance : float
        Wallet plus the remaining position's unrealised PnL, USDT.
    maintenance_margin : float
        Maintenance margin of what remains, USDT.
    compliant : bool
        Whether the margin balance is back above the maintenance margin (the process stops).
    """

    step: int
    closed_quantity: float
    remaining_quantity: float
    bracket: Bracket | None
    realized_pnl: float
    fee: float
    wallet_balance: float
    margin_balance: float
    maintenance_margin: float
    compliant: bool


def partial_liquidation_steps(
    side: str,
    quantity: float,
    entry_price: float,
    wallet_balance: float,
    brackets: BracketTable,
    mark_price: float,
    clearance_fee_rate: float,
) -> tuple[PartialLiquidationStep, ...]:
    """Steps of a partial liquidation: the position cut down one bracket at a time.

    When the mark breaches maintenance, the exchange "avoids full liquidation of a user's
    position whenever possible": it reduces the position and stops as soon as the account is
    "margin compliant after calculating the realized losses and liquidation fee deductions".
    Model: each step closes, at the mark, just enough to bring the notional down to the cap of
    the next lower bracket (the brackets are where the exchange's risk limits step), pays the
    fee on the closed notional only, and checks ``margin balance > maintenance margin``. From
    the first bracket the rest is closed at once. Positions that are not in breach at the
    mark give no steps.

    Parameters
    ----------
    side : {"long", "short"}
        Direction of the position.
    quantity : float
        Absolute size in base units, > 0.
    entry_price : float
        Entry price in USDT, > 0.
    wallet_balance : float
        Isolated wallet of the position in USDT, >= 0.
    brackets : BracketTable
        The symbol's bracket table.
    mark_price : float
        Mark price at which the liquidation runs, USDT, > 0.
    clearance_fee_rate : float
        Liquidation fee rate on each closed notional, in [0, 1).

    Returns
    -------
    tuple of PartialLiquidationStep
        The steps in order; empty when the position is not liquidatable at ``mark_price``.
        The last step is compliant unless the position was closed completely.

    References
    ----------
    Binance, "Binance Futures Liquidation Protocols" ("Smart Liquidation": reduce with one
    large Immediate-or-Cancel order without fully liquidating; stop once margin compliant;
    fee charged on the amount liquidated only). The exact size of each reduction is not
    published; cutting to the next bracket's cap is this model's choice.

    Examples
    --------
    BTCUSDT 2024 brackets. 12 BTC long at 60,000 (720,000 notional, bracket 3: 0.65 %, cum
    950) with 6,000 USDT; at a mark of 59,600 the margin balance is 6,000 − 4,800 = 1,200 and
    the maintenance margin 715,200 × 0.0065 − 950 = 3,698.80: liquidation. Step 1 cuts to
    600,000 / 59,600 = 10.0671 BTC (bracket 2), closing 1.9329 BTC: realised −773.15, fee
    at 0.5 % of 115,200 = 576; margin balance 1,200 − 576 = 624 against 2,950: not yet.
    Step 2 cuts to 50,000 / 59,600 BTC (bracket 1), margin balance 624 − 2,750 < 0 — and the
    last step closes everything:

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> table = load_brackets("BTCUSDT", "2024-10-24")
    >>> steps = partial_liquidation_steps("long", 12, 60_000, 6_000, table, 59_600, 0.005)
    >>> [(s.step, s.bracket.number if s.bracket else None, s.compliant) for s in steps]
    [(1, 2, False), (2, 1, False), (3, None, False)]
    >>> round(steps[0].closed_quantity, 4), round(steps[0].fee, 2)
    (1.9329, 576.0)
    """
    s = _checks.side_sign(side)
    q = _checks.positive("quantity", quantity)
    ep = _checks.positive("entry_price", entry_price)
    wb = _checks.non_negative("wallet_balance", wallet_balance)
    mark = _checks.positive("mark_price", mark_price)
    fee_rate = _checks.rate("clearance_fee_rate", clearance_fee_rate)

    def balance(wallet: float, remaining: float) -> float:
        return wallet + s * remaining * (mark - ep)

    if balance(wb, q) > brackets.maintenance_margin(q * mark):
        return ()
    steps: list[PartialLiquidationStep] = []
    remaining, wallet = q, wb
    while remaining > 0:
        bracket = brackets.bracket_for(remaining * mark)
        if bracket.number > 1:
            lower = brackets.brackets[bracket.number - 2]
            target = min(lower.max_notional / mark, remaining)
        else:
            target = 0.0
        closed = remaining - target
        pnl = s * closed * (mark - ep)
        fee = fee_rate * closed * mark
        wallet = wallet + pnl - fee
        remaining = target
        margin_balance = balance(wallet, remaining)
        if remaining > 0:
            now = brackets.bracket_for(remaining * mark)
            maintenance = now.maintenance_margin(remaining * mark)
            compliant = margin_balance > maintenance
        else:
            now, maintenance, compliant = None, 0.0, False
        steps.append(
            PartialLiquidationStep(
                len(steps) + 1,
                closed,
                remaining,
                now,
                pnl,
                fee,
                wallet,
                margin_balance,
                maintenance,
                compliant,
            )
        )
        if compliant:
            break
    return tuple(steps)


# --------------------------------------------------------------------------- auto-add margin
@dataclass(frozen=True)
class AutoAddMarginStep:
    """One automatic top-up of an isolated position.

    Attributes
    ----------
    trigger_price : float
        Mark price at which the margin ratio reached the trigger, USDT.
    amount : float
        USDT moved from the available balance into the isolated wallet.
    isolated_wallet_balance : float
        The isolated wallet after the top-up, USDT.
    available_balance : float
        Available balance left for later top-ups, USDT.
    liquidation_price : float or None
        The position's liquidation price after the top-up, USDT.
    """

    trigger_price: float
    amount: float
    isolated_wallet_balance: float
    available_balance: float
    liquidation_price: float | None


def auto_add_margin_steps(
    side: str,
    quantity: float,
    entry_price: float,
    isolated_wallet_balance: float,
    available_balance: float,
    brackets: BracketTable,
    *,
    trigger_margin_ratio: float = 1.0,
    add_amount: float | None = None,
    max_steps: int = 10_000,
) -> tuple[AutoAddMarginStep, ...]:
    """The top-ups of an isolated position with Auto-Add Margin on, as the mark moves against it.

    Each time the margin ratio reaches ``trigger_margin_ratio`` (at the price
    :func:`~margin_widgets.engine.formulas.margin_ratio_price` gives), ``add_amount`` moves
    from the available balance into the isolated wallet — or what is left of it — which pushes
    the liquidation price away. When the available balance is spent, the last step's
    liquidation price is where the position is finally liquidated. Without the feature the
    position would have been liquidated at the first trigger (with the default ratio of 1).

    Parameters
    ----------
    side : {"long", "short"}
        Direction of the position.
    quantity : float
        Absolute size in base units, > 0.
    entry_price : float
        Entry price in USDT, > 0.
    isolated_wallet_balance : float
        The position's isolated wallet in USDT, >= 0.
    available_balance : float
        USDT the wallet can move into the position (the exchange's "max addable"), >= 0.
    brackets : BracketTable
        The symbol's bracket table.
    trigger_margin_ratio : float, default 1.0
        Keyword only: margin ratio (maintenance / margin balance) at which a top-up fires,
        in (0, 1]; 1 means "when liquidation is about to be triggered".
    add_amount : float, optional
        Keyword only: USDT per top-up, > 0. Defaults to the position's maintenance margin at
        the entry price (``Q·EP·MMR − cum``).
    max_steps : int, default 10,000
        Keyword only: stop after this many top-ups (a tiny ``add_amount``).

    Returns
    -------
    tuple of AutoAddMarginStep
        The top-ups in the order the falling (long) or rising (short) mark triggers them.

    References
    ----------
    Binance reports the feature per position (the ``isAutoAddMargin`` field of its USDⓈ-M
    position endpoint) but no Binance page describing its trigger or amount was found; the
    mechanism here follows the exchanges that document it: Bybit, "Set Auto Add Margin"
    (isolated positions only), and BingX, "Perpetual Futures Auto Margin Addition for Isolated
    Margin Mode Explained" (fires "whenever your position is about to trigger forced
    liquidation"; adds the set amount, or all that is available if less). Binance, "How to
    Adjust Margin Balance in Isolated Margin Mode" gives the addable limit.

    Examples
    --------
    1 BTC long at 20,000 with 400 USDT isolated and 200 USDT available, 2021 BTCUSDT brackets
    (bracket 1: 0.4 %). Default top-up: 20,000 × 0.004 = 80 USDT. The first trigger is the
    liquidation price ``(400 − 20,000) / (0.004 − 1) = 19,678.71``; then 480 USDT gives
    19,598.39, 560 gives 19,518.07; the last 40 USDT makes 600 and a final price of 19,477.91:

    >>> from margin_widgets.engine.brackets import load_brackets
    >>> table = load_brackets("BTCUSDT", "2021-03-18")
    >>> steps = auto_add_margin_steps("long", 1, 20_000, 400, 200, table)
    >>> [(round(s.trigger_price, 2), s.amount) for s in steps]
    [(19678.71, 80.0), (19598.39, 80.0), (19518.07, 40.0)]
    >>> round(steps[-1].liquidation_price, 2)
    19477.91
    """
    _checks.side_sign(side)
    q = _checks.positive("quantity", quantity)
    ep = _checks.positive("entry_price", entry_price)
    wallet = _checks.non_negative("isolated_wallet_balance", isolated_wallet_balance)
    available = _checks.non_negative("available_balance", available_balance)
    ratio = _checks.number("trigger_margin_ratio", trigger_margin_ratio)
    if not 0 < ratio <= 1:
        raise ValueError(f"trigger_margin_ratio must be in (0, 1], got {trigger_margin_ratio!r}")
    if add_amount is None:
        amount = brackets.maintenance_margin(q * ep)
    else:
        amount = _checks.positive("add_amount", add_amount)
    if amount <= 0:
        raise ValueError(f"the top-up amount must be > 0, got {amount!r}")
    steps: list[AutoAddMarginStep] = []
    while available > 0 and len(steps) < max_steps:
        trigger = margin_ratio_price(side, q, ep, wallet, brackets, ratio)
        if trigger is None:
            break
        added = min(amount, available)
        wallet += added
        available -= added
        price, _ = liquidation_price_in_brackets(side, q, ep, wallet, brackets)
        steps.append(AutoAddMarginStep(trigger, added, wallet, available, price))
    return tuple(steps)


# --------------------------------------------------------------------------- market model
@dataclass(frozen=True)
class Trader:
    """One isolated position in the market model.

    Attributes
    ----------
    side : {"long", "short"}
        Direction.
    quantity : float
        Size in base units, > 0.
    entry_price : float
        Entry price, USDT, > 0.
    margin : float
        Isolated margin (wallet) at the start, USDT, > 0.
    """

    side: str
    quantity: float
    entry_price: float
    margin: float

    @property
    def leverage(self) -> float:
        """Leverage at entry: ``quantity × entry price / margin``."""
        return self.quantity * self.entry_price / self.margin


@dataclass(frozen=True)
class LiquidationRecord:
    """One liquidation in the market model.

    Attributes
    ----------
    trader : int
        Index of the trader in the ``traders`` sequence.
    step : int
        Index of the price in the path at which it happened.
    price : float
        The mark at that step, USDT.
    bankruptcy_price : float
        The trader's bankruptcy price, USDT (where the trader's position is closed).
    fill_price : float
        Where the insurance fund's takeover order filled (the bankruptcy price when the
        position was auto-deleveraged instead), USDT.
    deficit : float
        USDT of loss beyond the trader's margin at the fund's fill (> 0 only when that fill
        was beyond the bankruptcy price): paid by the fund, or — when ``deleveraged`` — the
        amount it could not cover, avoided by closing at the bankruptcy price instead.
    fund_income : float
        USDT the fund gained (the collateral left at the fill), >= 0.
    deleveraged : bool
        True when the fund could not cover the deficit and ADL closed the position.
    """

    trader: int
    step: int
    price: float
    bankruptcy_price: float
    fill_price: float
    deficit: float
    fund_income: float
    deleveraged: bool


@dataclass(frozen=True)
class AdlEvent:
    """One auto-deleveraging match: part of a bankrupt position closed against an opposite one.

    Attributes
    ----------
    step : int
        Index of the price in the path.
    bankrupt : int
        Index of the liquidated trader.
    counterparty : int
        Index of the deleveraged trader, or -1 for the market's liquidity (the book) when no
        trader on the opposite side had a position left.
    quantity : float
        Base units closed.
    price : float
        The bankruptcy price at which both are closed, USDT.
    ranking : float
        The counterparty's ADL ranking score at the time (``nan`` for the book).
    """

    step: int
    bankrupt: int
    counterparty: int
    quantity: float
    price: float
    ranking: float


@dataclass(frozen=True)
class MarketResult:
    """The outcome of :func:`simulate_market` (plain frozen values).

    Attributes
    ----------
    prices : tuple of float
        The mark path, USDT.
    fund_balance : tuple of float
        Insurance fund balance after each step of the path, USDT (never negative).
    liquidations : tuple of LiquidationRecord
        Every liquidation in order.
    adl_events : tuple of AdlEvent
        Every ADL match in order.
    final_pnl : tuple of float
        Each trader's PnL at the end: wallet + unrealised PnL at the last price − initial
        margin, USDT.
    book_pnl : float
        PnL of the market's liquidity (the book) that bought or sold the fund's takeovers,
        marked at the last price, USDT.
    fund_start : float
        The fund before the first price (the ``insurance_fund`` argument), USDT.
    """

    prices: tuple[float, ...]
    fund_balance: tuple[float, ...]
    liquidations: tuple[LiquidationRecord, ...]
    adl_events: tuple[AdlEvent, ...]
    final_pnl: tuple[float, ...]
    book_pnl: float

    fund_start: float

    @property
    def fund_change(self) -> float:
        """Final minus initial insurance fund balance, USDT."""
        return self.fund_balance[-1] - self.fund_start


def adl_ranking(
    side: str, quantity: float, entry_price: float, wallet_balance: float, mark_price: float
) -> float:
    """ADL ranking score of an isolated position: profit % × effective leverage.

    ``profit % = s·Q·(mark − EP) / (Q·EP)``; ``effective leverage = Q·mark / (WB + PnL)``.
    A profitable position scores ``profit % × effective leverage`` (higher is deleveraged
    first); a losing one ``profit % / effective leverage`` (negative, last in the queue).
    A position at or past bankruptcy (margin balance <= 0) scores ``-inf``.

    Parameters
    ----------
    side : {"long", "short"}
        Direction of the position.
    quantity : float
        Absolute size in base units, > 0.
    entry_price : float
        Entry price in USDT, > 0.
    wallet_balance : float
        Isolated wallet in USDT.
    mark_price : float
        Mark price in USDT, > 0.

    Returns
    -------
    float
        The ranking score (dimensionless).

    References
    ----------
    Binance, "What Is Auto-Deleveraging (ADL) and How Does It Work" ("more profitable and
    higher leveraged traders will be liquidated first"; see the module docstring for what the
    stored copies of the page leave out).

    Examples
    --------
    A 1 BTC short from 20,000 with 1,000 USDT, mark 18,000: profit 2,000, profit % = 10 %,
    margin balance 3,000, effective leverage 18,000 / 3,000 = 6, score 0.6:

    >>> round(adl_ranking("short", 1, 20_000, 1_000, 18_000), 12)
    0.6
    """
    s = _checks.side_sign(side)
    q = _checks.positive("quantity", quantity)
    ep = _checks.positive("entry_price", entry_price)
    wb = _checks.number("wallet_balance", wallet_balance)
    mark = _checks.positive("mark_price", mark_price)
    return _rank(s, q, ep, wb, mark)


def _rank(s: int, q: float, ep: float, wb: float, mark: float) -> float:
    pnl = s * q * (mark - ep)
    balance = wb + pnl
    if balance <= 0:
        return -math.inf
    profit = pnl / (q * ep)
    leverage = q * mark / balance
    return profit * leverage if profit >= 0 else profit / leverage


def paired_traders(
    count: int,
    seed: int,
    *,
    entry_price: float = 60_000.0,
    entry_spread: float = 0.005,
    max_leverage: int = 100,
    min_quantity: float = 0.01,
    max_quantity: float = 2.0,
) -> tuple[Trader, ...]:
    """Seeded traders in long/short pairs, so the market's positions net to zero.

    Trader ``2k`` is long and ``2k + 1`` short, at the same quantity and entry price (one
    trade between them), each with its own leverage drawn uniformly from 1 to
    ``max_leverage``. Quantities are uniform in [``min_quantity``, ``max_quantity``] BTC,
    entry prices uniform within ``± entry_spread`` of ``entry_price``.

    Parameters
    ----------
    count : int
        Number of traders, even, >= 2.
    seed : int
        Seed of the random generator (same seed, same traders).
    entry_price : float, default 60,000
        Keyword only: centre of the entry prices, USDT.
    entry_spread : float, default 0.005
        Keyword only: relative half-width of the entry prices, in [0, 1).
    max_leverage : int, default 100
        Keyword only: highest leverage drawn, >= 1.
    min_quantity, max_quantity : float, default 0.01 and 2.0
        Keyword only: range of the sizes in base units, 0 < min <= max.

    Returns
    -------
    tuple of Trader
        ``count`` traders.

    References
    ----------
    Binance, "Binance Futures Liquidation Protocols" (isolated positions, margin = notional /
    leverage).

    Examples
    --------
    >>> traders = paired_traders(4, seed=1)
    >>> [t.side for t in traders], traders[0].quantity == traders[1].quantity
    (['long', 'short', 'long', 'short'], True)
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 2 or count % 2:
        raise ValueError(f"count must be an even int >= 2, got {count!r}")
    centre = _checks.positive("entry_price", entry_price)
    spread = _checks.rate("entry_spread", entry_spread)
    if isinstance(max_leverage, bool) or not isinstance(max_leverage, int) or max_leverage < 1:
        raise ValueError(f"max_leverage must be an int >= 1, got {max_leverage!r}")
    low = _checks.positive("min_quantity", min_quantity)
    high = _checks.positive("max_quantity", max_quantity)
    if high < low:
        raise ValueError(f"max_quantity must be >= min_quantity ({low!r}), got {max_quantity!r}")
    rng = random.Random(seed)
    out: list[Trader] = []
    for _ in range(count // 2):
        q = rng.uniform(low, high)
        ep = centre * (1 + rng.uniform(-spread, spread))
        for side in ("long", "short"):
            leverage = rng.randint(1, max_leverage)
            out.append(Trader(side, q, ep, q * ep / leverage))
    return tuple(out)


def crash_path(
    start_price: float,
    steps: int,
    seed: int,
    *,
    crash_fraction: float = 0.3,
    volatility: float = 0.01,
) -> tuple[float, ...]:
    """A seeded crash: ``steps`` log-normal moves drifting down by ``crash_fraction`` overall.

    ``P_t = P_(t−1) · exp(μ + σ·Z_t)`` with ``μ = ln(1 − crash_fraction) / steps`` and
    ``Z_t`` standard normal from ``random.Random(seed)``.

    Parameters
    ----------
    start_price : float
        First price, USDT, > 0.
    steps : int
        Number of moves, >= 1 (the path has ``steps + 1`` prices).
    seed : int
        Seed of the random generator.
    crash_fraction : float, default 0.3
        Keyword only: the fall the drift alone gives, in [0, 1). With ``volatility > 0`` the
        path's own last price differs by its noise (seed 7, 200 steps, σ = 1 %: a 46 % drift
        ends 44.8 % down).
    volatility : float, default 0.01
        Keyword only: σ of each log move, >= 0.

    Returns
    -------
    tuple of float
        The prices, starting with ``start_price``.

    References
    ----------
    Binance, "Binance Futures Liquidation Protocols" (liquidations follow the mark price).

    Examples
    --------
    With no noise a 50 % crash in two steps halves the price through 1 / √2:

    >>> [round(p, 6) for p in crash_path(100, 2, 0, crash_fraction=0.5, volatility=0)]
    [100.0, 70.710678, 50.0]
    """
    price = _checks.positive("start_price", start_price)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")
    crash = _checks.rate("crash_fraction", crash_fraction)
    sigma = _checks.non_negative("volatility", volatility)
    drift = math.log1p(-crash) / steps
    gauss = random.Random(seed).gauss
    out = [price]
    for _ in range(steps):
        price *= math.exp(drift + sigma * gauss(0.0, 1.0))
        out.append(price)
    return tuple(out)


def simulate_market(
    traders: Sequence[Trader],
    prices: Sequence[float],
    *,
    insurance_fund: float,
    maintenance_margin_rate: float = 0.005,
    slippage_rate: float = 0.0,
) -> MarketResult:
    """Run isolated traders through a mark path: liquidations, the insurance fund, then ADL.

    At each price of the path, in trader order, every open long whose liquidation price is at
    or above the mark, and every open short whose liquidation price is at or below it, is
    liquidated (each trader's liquidation price is ``(WB − s·Q·EP) / (Q·MMR − s·Q)``, one
    bracket, recomputed whenever its position or wallet changes):

    1. The trader is closed at its bankruptcy price BP: its wallet goes to 0, it loses
       exactly its margin (never more).
    2. The insurance fund takes the position over at BP and sells it to the market's liquidity
       (the book) at the mark moved against it by ``slippage_rate`` (a long is sold at
       ``mark·(1 − slippage)``, a short bought back at ``mark·(1 + slippage)``). The fund's
       result ``s·Q·(fill − BP)`` is positive (the collateral that was left) when the fill is
       better than BP, negative (a deficit) when it is at BP or worse. This is the older page's
       "all orders will be issued at the bankruptcy price on the market" seen from the fund:
       a limit order at BP fills at the better market price when there is one, and otherwise
       the fund's takeover sells at BP or worse. How the fund's gain splits into clearance fee
       and remainder does not change its total (:func:`liquidation_settlement`).
    3. If the fund cannot cover that deficit it does not take the position: it is
       auto-deleveraged instead — closed at BP against the open positions on the opposite side
       in decreasing :func:`adl_ranking` order (each reduced as far as needed, realising
       ``s·q·(BP − EP)``); whatever no trader can absorb goes to the book at BP. The fund is
       untouched, so it never goes negative.

    Conservation: the positions net to zero (use :func:`paired_traders`), every transfer is
    between two parties, so ``sum(final_pnl) + fund_change + book_pnl == 0`` up to rounding.
    The arithmetic is generic: traders and prices given as :class:`fractions.Fraction` (with a
    Fraction MMR, slippage and fund) give an exact result.

    Parameters
    ----------
    traders : sequence of Trader
        The positions (isolated margin), opened before the first price.
    prices : sequence of float
        The mark path, USDT, each > 0 (e.g. :func:`crash_path`).
    insurance_fund : float
        Keyword only: the fund's balance before the first price, USDT, >= 0.
    maintenance_margin_rate : float, default 0.005
        Keyword only: MMR of every position (one bracket, cum 0), in [0, 1).
    slippage_rate : float, default 0.0
        Keyword only: how far beyond the mark the fund's takeover orders fill, in [0, 1).

    Returns
    -------
    MarketResult
        Per-step fund balance, liquidations, ADL events, final PnL per trader, the book's PnL.

    References
    ----------
    Binance, "Binance Futures Liquidation Protocols"; Binance, "Introduction to Futures
    Insurance Funds"; Binance, "What Is Auto-Deleveraging (ADL) and How Does It Work".

    Examples
    --------
    Three traders, MMR 0 for round numbers, an empty fund. A 10x long (1 BTC at 100, margin
    10: LP = BP = 90) is paired with two shorts of 0.5 BTC at 100: A with 50 USDT (1x), B with
    5 USDT (10x). The mark gaps from 100 to 80: the long is bankrupt with a deficit of 10 the
    empty fund cannot cover, so it is closed at 90 against the shorts. At 80, A's score is
    20 % × 40 / (50 + 10) = 0.133, B's 20 % × 40 / (5 + 10) = 0.533: B goes first (0.5 BTC), then A.
    Each short realises 0.5 × (100 − 90) = 5:

    >>> traders = [Trader("long", 1, 100, 10), Trader("short", 0.5, 100, 50),
    ...            Trader("short", 0.5, 100, 5)]
    >>> out = simulate_market(traders, [100, 80], insurance_fund=0, maintenance_margin_rate=0)
    >>> [(e.counterparty, e.quantity, e.price) for e in out.adl_events]
    [(2, 0.5, 90.0), (1, 0.5, 90.0)]
    >>> out.final_pnl, out.fund_balance
    ((-10.0, 5.0, 5.0), (0, 0))
    """
    mmr = maintenance_margin_rate
    _checks.rate("maintenance_margin_rate", mmr)
    _checks.rate("slippage_rate", slippage_rate)
    _checks.non_negative("insurance_fund", insurance_fund)
    if not prices:
        raise ValueError("prices must hold at least one price, got an empty sequence")
    for index, price in enumerate(prices):
        _checks.positive(f"prices[{index}]", price)
    n = len(traders)
    sign = [1 if t.side == "long" else -1 for t in traders]
    for index, t in enumerate(traders):
        _checks.side_sign(t.side, f"traders[{index}].side")
        _checks.positive(f"traders[{index}].quantity", t.quantity)
        _checks.positive(f"traders[{index}].entry_price", t.entry_price)
        _checks.positive(f"traders[{index}].margin", t.margin)
    qty = [t.quantity for t in traders]
    entry = [t.entry_price for t in traders]
    wallet = [t.margin for t in traders]
    one = 1 - slippage_rate * 0  # 1 in the callers' number type (int, float or Fraction)

    def liq_price(i: int) -> float:
        s = sign[i]
        return (wallet[i] - s * qty[i] * entry[i]) / (qty[i] * mmr - s * qty[i])

    lp = [liq_price(i) for i in range(n)]
    open_ = [True] * n
    fund = insurance_fund
    book_qty = 0 * one
    book_cash = 0 * one
    balances: list[float] = []
    liquidations: list[LiquidationRecord] = []
    adl: list[AdlEvent] = []
    longs = [i for i in range(n) if sign[i] > 0]
    shorts = [i for i in range(n) if sign[i] < 0]
    for step, mark in enumerate(prices):
        for i in range(n):
            if not open_[i]:
                continue
            s = sign[i]
            if (s > 0 and mark > lp[i]) or (s < 0 and mark < lp[i]):
                continue
            q, ep, wb = qty[i], entry[i], wallet[i]
            bp = ep - wb / (s * q)
            fill = mark * (one - s * slippage_rate)
            result = s * q * (fill - bp)
            open_[i] = False
            wallet[i] = 0 * one
            qty[i] = 0 * one
            if result >= 0 or fund + result >= 0:
                fund += result
                book_qty += s * q
                book_cash -= s * q * fill
                liquidations.append(
                    LiquidationRecord(
                        i, step, mark, bp, fill, max(-result, 0 * one), max(result, 0 * one), False
                    )
                )
                continue
            liquidations.append(LiquidationRecord(i, step, mark, bp, bp, -result, 0 * one, True))
            need = q
            opposite = shorts if s > 0 else longs
            ranked = sorted(
                (j for j in opposite if open_[j]),
                key=lambda j: (-_rank(sign[j], qty[j], entry[j], wallet[j], mark), j),
            )
            for j in ranked:
                if need <= 0:
                    break
                take = min(need, qty[j])
                score = _rank(sign[j], qty[j], entry[j], wallet[j], mark)
                wallet[j] += sign[j] * take * (bp - entry[j])
                qty[j] -= take
                need -= take
                adl.append(AdlEvent(step, i, j, take, bp, score))
                if qty[j] <= 0:
                    open_[j] = False
                else:
                    lp[j] = liq_price(j)
            if need > 0:
                book_qty += s * need
                book_cash -= s * need * bp
                adl.append(AdlEvent(step, i, -1, need, bp, math.nan))
        balances.append(fund)
    last = prices[-1]
    final = tuple(
        wallet[i] + sign[i] * qty[i] * (last - entry[i]) - traders[i].margin for i in range(n)
    )
    result_book = book_cash + book_qty * last
    return MarketResult(
        tuple(prices),
        tuple(balances),
        tuple(liquidations),
        tuple(adl),
        final,
        result_book,
        insurance_fund,
    )
