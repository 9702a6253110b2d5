"""Worked solutions to lesson 14: collateral that is not USDT.

Binance Multi-Assets mode: BTC, ETH and BNB count at their mark value less a 5 % haircut. The
position: 1 BTC at 20,000, cross, first bracket of the 2021-03-18 BTCUSDT table (MMR 0.4 %,
cum 0). Exercises 1–3 are worked by hand; exercise 4 is a simulation: the working is its set-up
and the count of failing scenarios.
"""

from __future__ import annotations

from margin_widgets.engine import Collateral, load_brackets, multi_assets_stress


def exercise_1() -> float:
    """Counted value of 0.3 ETH at 2,000 and 2 BNB at 500.

    Market value = 0.3 × 2,000 + 2 × 500 = 600 + 1,000 = 1,600 USDT; each counts 95 %:
    1,600 × 0.95 = **1,520 USDT**.
    """
    return (0.3 * 2_000 + 2 * 500) * (1 - 0.05)


def exercise_2() -> float:
    """Liquidation price of a 1 BTC long at 20,000 backed only by 0.15 BTC.

    The collateral counts 0.15 × 0.95 × P = 0.1425 P at a mark P, the long's PnL is P − 20,000,
    the maintenance margin 0.004 P (bracket 1). MB = MM:
    0.1425 P + P − 20,000 = 0.004 P, so P = 20,000 / (1.1425 − 0.004) = 20,000 / 1.1385 =
    **17,566.97** (a notional below 50,000: bracket 1 holds). The same 2,850 held in USDT:
    (2,850 − 20,000) / (0.004 − 1) = 17,218.88, lower: BTC behind a long adds risk.
    """
    return 20_000 / (0.15 * 0.95 + 1 - 0.004)


def exercise_3() -> float:
    """Liquidation price of a 1 BTC short at 20,000 backed only by 0.15 BTC.

    MB = 0.1425 P − (P − 20,000), MM = 0.004 P. MB = MM: 20,000 − 0.8575 P = 0.004 P, so
    P = 20,000 / 0.8615 = **23,215.32** (notional below 50,000: bracket 1). The same 2,850 in
    USDT: (2,850 + 20,000) / 1.004 = 22,758.96, closer to the entry: BTC behind a short hedges.
    """
    return 20_000 / (1 - 0.15 * 0.95 + 0.004)


def exercise_4() -> float:
    """Liquidation probability, in %, of the short backed by one coin worth 2,000 at ρ = 0.3.

    10,000 seeded scenarios (seed 0), σ = 6 % for BTC and the coin: the account is liquidated
    in 658 of them, **6.58 %** (7.07 % with the 1,900 held in USDT).
    """
    result = multi_assets_stress(
        "short",
        1,
        20_000,
        20_000,
        0,
        [Collateral("ETH", 1, 2_000)],
        load_brackets("BTCUSDT", "2021-03-18"),
        correlation=0.3,
        volatility=0.06,
        n_scenarios=10_000,
        seed=0,
    )
    return 100 * result.probability


def concept_1() -> str:
    """For a short, the position's own coin hedges: BTC keeps the liquidation price furthest."""
    return "BTC"


def design_1() -> dict[str, float]:
    """0.15 BTC and no USDT: worth 3,000 USDT at 20,000.

    At 23,000: MB = 0.15 × 0.95 × 23,000 − 3,000 = 3,277.50 − 3,000 = 277.50, MM = 92:
    185.50 to spare. At 17,000: MB = 2,422.50 + 3,000 = 5,422.50 > MM = 68.
    3,000 USDT alone fails at 23,000 (3,000 − 3,000 − 92 = −92 USDT).
    """
    return {"usdt": 0.0, "btc": 0.15}
