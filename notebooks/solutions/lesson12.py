"""Worked solutions to lesson 12: exchanges compared.

The short of the exercises: 2 ETH at 3,000 with 20×, so its entry value is 6,000 USDT and its
margin 300 USDT; MMR 0.5 %, no deduction; OKX's liquidation fee 0.05 %.
"""

from __future__ import annotations


def exercise_1() -> float:
    """OKX's liquidation price of the short, with the fee.

    OKX liquidates when equity = MM + fee: ``M − Q·(P − EP) = Q·P·(MMR + fee)``, so
    ``P = (Q·EP + M) / (Q·(1 + MMR + fee))``:
    (2 × 3,000 + 300) / (2 × (1 + 0.005 + 0.0005)) = 6,300 / 2.011 = **3,132.77**.
    """
    return (2 * 3_000 + 300) / (2 * (1 + 0.005 + 0.0005))


def exercise_2() -> float:
    """Bybit's (classic, entry-value) liquidation price of the short.

    Bankruptcy price = EP × (1 + 1/leverage) = 3,000 × 1.05 = 3,150.
    MM on the entry value = 6,000 × 0.5 % = 30 USDT, i.e. 15 USDT per ETH.
    LP = 3,150 − 15 = **3,135.00**.
    """
    return 3_000 * (1 + 1 / 20) - 6_000 * 0.005 / 2


def exercise_3() -> float:
    """OKX's margin ratio of the short at a mark of 3,100, in %.

    Equity = margin + PnL = 300 − 2 × (3,100 − 3,000) = 100 USDT.
    MM + fee = Q × mark × (MMR + fee) = 2 × 3,100 × 0.0055 = 34.10 USDT.
    Ratio = 100 / 34.10 = **293.26 %** (above 100 %: not liquidated). Binance would show
    MM / balance = 31 / 100 = 31 %.
    """
    equity = 300 - 2 * (3_100 - 3_000)
    requirement = 2 * 3_100 * (0.005 + 0.0005)
    return 100 * equity / requirement


def exercise_4() -> float:
    """The jump of OKX's maintenance margin from 600 to 600.1 ETH at 2,500.

    600 ETH is the top of tier 2 (0.5 %): 600 × 2,500 × 0.005 = 7,500 USDT.
    600.1 ETH is in tier 3 (1 %), charged on the whole position with no deduction:
    600.1 × 2,500 × 0.01 = 15,002.50 USDT. Rise: 15,002.50 − 7,500 = **7,502.50 USDT**.
    """
    return 600.1 * 2_500 * 0.01 - 600 * 2_500 * 0.005


def concept_1() -> str:
    """OKX's ratio falls to 100 % at liquidation: 80 % there is already past the trigger."""
    return "the OKX position"


def design_1() -> dict[str, float]:
    """12× and 40 USDT added: 6,000 / 12 + 40 = 540 USDT in total (≤ 560).

    The short survives 3,250 where its liquidation price is above 3,250:
    Binance: (540 + 6,000) / (2 × 1.005) = 3,253.73;
    Bybit: 3,000 + (540 − 30) / 2 = 3,255.00;
    OKX: (6,000 + 540) / (2 × 1.0055) = 3,252.11.
    OKX needs the most margin (more than 535.75 USDT), because of the fee.
    """
    return {"leverage": 12, "extra": 40}
