"""Worked solutions to lesson 15: a decision guide."""

from __future__ import annotations


def exercise_1() -> float:
    """Maximum loss of 0.25 BTC long at 64,000 with 20×, isolated.

    An isolated position can lose its margin and nothing else:
    margin = 0.25 × 64,000 / 20 = 16,000 / 20 = **800 USDT** (not the 3,000 USDT wallet).
    """
    return 0.25 * 64_000 / 20


def exercise_2() -> float:
    """Highest leverage for a 4,000,000 USDT BTCUSDT position (newest table).

    4,000,000 is in the bracket from 3,000,000 to 12,000,000 USDT, maximum **50×**.
    """
    return 50.0


def concept_1() -> str:
    """A small speculative bet beside a book to keep belongs in isolated mode."""
    return "isolated"


def design_1() -> dict[str, object]:
    """0.1 BTC long at 60,000 with 5×, isolated, in a 6,000 USDT wallet.

    Margin 6,000 / 5 = 1,200 USDT = 20 % of the wallet (≤ 25 %). Bracket 1 (6,000 USDT,
    0.4 %, up to 125×). LP = (1,200 − 6,000) / (0.1 × 0.004 − 0.1) = 48,192.77: 19.7 % below
    the entry. Margin ratio at entry = 24 / 1,200 = 2 %.
    """
    return {"side": "long", "mode": "isolated", "quantity": 0.1, "entry": 60_000,
            "leverage": 5, "wallet": 6_000}
