"""Worked solutions to lesson 10: why exchanges' calculators disagree.

The short of the exercises: 0.5 BTC at 30,000 with 20×, so its margin is 750 USDT and its
entry value 15,000 USDT; MMR 0.5 %, cum 0.
"""

from __future__ import annotations


def exercise_1() -> float:
    """Binance's liquidation price of the short.

    ``LP = (WB + cum − s·Q·EP) / (Q·MMR − s·Q)`` with s = −1:
    (750 + 0 + 0.5 × 30,000) / (0.5 × 0.005 + 0.5) = 15,750 / 0.5025 = **31,343.28**.
    """
    return (750 + 0 + 0.5 * 30_000) / (0.5 * 0.005 + 0.5)


def exercise_2() -> float:
    """Bybit's (entry-value) liquidation price of the short.

    Bankruptcy price = EP × (1 + 1/leverage) = 30,000 × 1.05 = 31,500.
    MM on the entry value = 15,000 × 0.5 % = 75 USDT, i.e. 150 USDT per BTC.
    LP = 31,500 − 150 = **31,350.00**.
    """
    return 30_000 * (1 + 1 / 20) - 15_000 * 0.005 / 0.5


def exercise_3() -> float:
    """The gap Bybit − Binance: 31,350.00 − 31,343.28 = **6.72 USDT** = 0.005 × 1,343.28."""
    return exercise_2() - exercise_1()


def exercise_4() -> float:
    """1 BTC long at 20,000 with 25×, 2021 table.

    Margin = 20,000 / 25 = 800. A 20,000 USDT notional is in bracket 1 (0 – 50,000: 0.4 %,
    cum 0). LP = (800 + 0 − 20,000) / (0.004 − 1) = −19,200 / −0.996 = **19,277.11**.
    """
    return (800 + 0 - 20_000) / (0.004 - 1)


def concept_1() -> str:
    """The maintenance margin at the entry value versus at the liquidation price."""
    return (
        "the maintenance margin is measured at the entry value instead of at the liquidation price"
    )


def design_1() -> dict[str, float]:
    """20× and 200 USDT added: 1,200 USDT in total.

    Binance: LP = (1,200 − 20,000) / (0.005 − 1) = 18,894.47 < 19,000.
    Bybit: LP = 20,000 − (1,000 + 200 − 100) / 1 = 18,900 < 19,000.
    Bybit needs more than 1,100 USDT in total, Binance more than 1,095: with 97 added
    (1,097 in total) Binance survives 19,000 and Bybit does not.
    """
    return {"leverage": 20, "extra": 200}
