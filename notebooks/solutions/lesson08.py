"""Worked solutions to lesson 08: alerts, risk management and the capstone.

Alert price: the liquidation equation solved with the alert level r in place of 100 %,
``P = (r·(WB + UPNL − s·Q·EP) − TMM + cum) / (Q·MMR − r·s·Q)`` (the engine's
``margin_ratio_price``). Every BTC notional here is in bracket 1 (MMR 0.4 %, cum 0).
"""

from __future__ import annotations

from margin_widgets.engine import Account


def alerts_account(mode: str) -> Account:
    """The alerts section's account: 0.5 BTC and 5 ETH long at 20×, 10,000 USDT."""
    account = Account(wallet_balance=10_000)
    for symbol, quantity, price in (("BTCUSDT", 0.5, 60_000.0), ("ETHUSDT", 5.0, 3_000.0)):
        account.set_margin_mode(mode, symbol)
        account.open_position(symbol, "long", quantity, price=price, leverage=20)
    return account


def exercise_1() -> float:
    """BTC price at which the cross account's margin ratio reaches 50 % (ETH at 3,000).

    **Numbers.** WB = 10,000 (the cross wallet); TMM = ETH's MM = 5 × 3,000 × 0.4 % = 60;
    UPNL = 0 (ETH at its entry); cum = 0; s = +1; Q = 0.5; EP = 60,000; r = 0.5.
    P = (0.5 × (10,000 + 0 − 30,000) − 60 + 0) / (0.5 × 0.004 − 0.5 × 0.5)
    = (−10,000 − 60) / (0.002 − 0.25) = −10,060 / −0.248.

    **Result.** **40,564.52 USDT** (the 80 % alert: 40,351.76; liquidation: 40,281.12).
    """
    r, wb, tmm, upnl, cum, q, ep, mmr = 0.5, 10_000, 5 * 3_000 * 0.004, 0, 0, 0.5, 60_000, 0.004
    return (r * (wb + upnl - q * ep) - tmm + cum) / (q * mmr - r * q)


def exercise_2() -> float:
    """How far, in %, the 50× entry can fall in cross before the 5,200 USDT account goes.

    **Numbers.** Q = 10,000 / 60,000 = 1/6 BTC; WB = 5,200; TMM = UPNL = cum = 0.
    LP = (5,200 − 1/6 × 60,000) / (1/6 × 0.004 − 1/6) = −4,800 / −0.166 = 28,915.66.

    **Result.** (60,000 − 28,915.66) / 60,000 = **51.81 %** (isolated: 1.61 %).
    """
    q = 10_000 / 60_000
    price = (5_200 - q * 60_000) / (q * 0.004 - q)  # 28,915.66
    return 100 * (60_000 - price) / 60_000


def exercise_3() -> float:
    """Loss of the capstone plan with the bet at 25× isolated (core: cross, 5×).

    **Bet.** Margin 2 × 3,000 / 25 = 240 USDT. Its nine fundings, 9 × 2 × 3,000 × 0.01 % =
    5.40, come out of that margin; ETH then falls through its liquidation price and the
    rest is lost: the bet costs exactly 240.
    **Core.** Funding 9 × 0.25 × 60,000 × 0.01 % = 13.50 from the cross wallet. Its
    liquidation price (about 20,500) is never reached, so at 54,000 it carries an unrealised
    loss of 0.25 × (54,000 − 60,000) = −1,500.

    **Result.** 240 + 13.50 + 1,500 = **1,753.50 USDT**.
    """
    bet = 2 * 3_000 / 25  # 240, funding included
    core_funding = 9 * 0.25 * 60_000 * 0.0001  # 13.50
    core_loss = 0.25 * (60_000 - 54_000)  # 1,500
    return bet + core_funding + core_loss


def concept_1() -> str:
    """The cross gauge has the whole account's margin balance behind BTC."""
    return "the cross gauge divides by the whole account's margin balance"


def design_1() -> dict[str, object]:
    """One valid plan: the core in cross at 5×, the bet isolated at 50×.

    Available: 10,000 − 120 (the bet's margin) − 15,000 / 5 = 6,880 ≥ 5,000.
    Bet cap: 6,000 / 50 = 120 ≤ 300.
    BTC's 80 % alert: WB = 9,880, TMM = UPNL = 0 (the bet is isolated):
    P = 0.8 × (9,880 − 15,000) / (0.25 × 0.004 − 0.8 × 0.25) = −4,096 / −0.199 = 20,582.91
    ≤ 50,000.
    Story: 120 (the bet) + 13.50 (core funding) + 1,500 (core at 54,000) = 1,633.50 ≤ 2,000.
    An isolated core works too, from about 3.1× to 4.6×: lower leaves less than 5,000
    available, higher is liquidated at the bottom of the story.
    """
    return {"btc_mode": "cross", "btc_leverage": 5, "eth_mode": "isolated", "eth_leverage": 50}
