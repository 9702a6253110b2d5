"""Speed of the margin engine, each figure against a baseline measured in the same run.

Run: ``.venv/bin/python -m benchmarks.engine`` (or ``-m benchmarks`` for every suite). Not a
test: it prints figures. Each time is the best of several ``timeit`` repeats (the least
disturbed run), so machines and runs compare; the ratio to the baseline says what the engine
adds on top of the bare work.

1. ``liquidation_price``, one call, against the same formula as a bare inline expression
   (no validation, no function call). Goal: <= 2 µs a call.
2. A 500-point liquidation-price-versus-leverage curve in both modes
   (``liquidation_price_curve``, isolated and cross: 1,000 prices with bracket re-selection),
   against a bare list comprehension of the fixed-bracket formula over the same points.
   Goal: <= 2 ms for both curves.
3. 10,000 two-asset stress scenarios (``liquidation_probability``: correlated draws, shocks,
   cross and isolated verdicts), against drawing the same 20,000 random normals alone.
   Goal: <= 0.1 s.
4. A seeded crash market (``simulate_market``: 500 isolated traders, a 200-step crash path,
   liquidations, the insurance fund and ADL), against marking the same 500 positions to the
   same 201 prices in a bare loop. Goal: <= 0.2 s.

Stress along price paths (``path_liquidation_probability``): 10,000 two-asset Gaussian paths of
30 daily steps with the cross and isolated verdicts, against naive per-step loops over the same
paths (goal <= 0.5 s); the same with Student-t shocks, against the one-shock model of 10,000
scenarios (goal <= 1 s); 8 look-ups over stored paths (new cross wallets, new isolated
leverages), against drawing the paths anew (goal <= 16 ms, one frame).

Exchange conventions and Multi-Assets mode: ``isolated_liquidation_price`` for the three
exchanges against the three formulas inline (goal <= 15 µs for the three); two Multi-Assets
books (``multi_assets_liquidation_prices``, one and two roots) against
``liquidation_price_in_brackets`` with the same value in USDT (goal <= 2 ms); 10,000 Multi-Assets
stress scenarios against drawing the normals alone (goal <= 0.1 s).
"""

from __future__ import annotations

import math
import platform
import random
import timeit
from collections.abc import Callable
from dataclasses import dataclass

from margin_widgets.engine import (
    Collateral,
    Leg,
    crash_path,
    equal_legs,
    isolated_liquidation_price,
    liquidation_price,
    liquidation_price_curve,
    liquidation_price_in_brackets,
    liquidation_probability,
    load_brackets,
    margin_ratio_prices,
    multi_assets_liquidation_prices,
    multi_assets_stress,
    paired_traders,
    path_liquidation_probability,
    simulate_market,
    simulate_paths,
)

REPEATS = 7


@dataclass(frozen=True)
class Figure:
    """One measured figure: seconds per run of the engine and of its baseline."""

    name: str
    seconds: float
    baseline_name: str
    baseline_seconds: float
    goal_seconds: float

    @property
    def ratio(self) -> float:
        return self.seconds / self.baseline_seconds

    @property
    def passed(self) -> bool:
        return self.seconds <= self.goal_seconds


def best_seconds(func: Callable[[], object], number: int, repeat: int = REPEATS) -> float:
    """Best of ``repeat`` timings of ``number`` calls, in seconds per call."""
    return min(timeit.repeat(func, number=number, repeat=repeat)) / number


def best_statement(statement: str, namespace: dict[str, object], number: int) -> float:
    """Like :func:`best_seconds` for a statement string (no call overhead of its own)."""
    timer = timeit.Timer(statement, globals=namespace)
    return min(timer.repeat(number=number, repeat=REPEATS)) / number


def human(seconds: float) -> str:
    """``0.61 µs``, ``1.23 ms``, ``0.045 s``."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.3f} s"


# --------------------------------------------------------------------------- the figures
def single_call() -> Figure:
    """Flagship cross numbers: 0.5 BTC long at 60,000, wallet 5,000, TMM 60."""
    namespace: dict[str, object] = {
        "liquidation_price": liquidation_price,
        "side": "long",
        "s": 1,
        "q": 0.5,
        "ep": 60_000.0,
        "wb": 5_000.0,
        "mmr": 0.004,
        "cum": 0.0,
        "tmm": 60.0,
        "upnl": 0.0,
    }
    engine = best_statement(
        "liquidation_price(side, q, ep, wb, mmr, cum, tmm, upnl)", namespace, 200_000
    )
    inline = best_statement(
        "(wb - tmm + upnl + cum - s * q * ep) / (q * mmr - s * q)", namespace, 200_000
    )
    return Figure(
        "liquidation_price, one call",
        engine,
        "inline arithmetic, no checks",
        inline,
        2e-6,
    )


def ratio_prices_call() -> Figure:
    """Every 80 % alert price (bracketed, both roots searched) against one liquidation_price."""
    table = load_brackets("BTCUSDT", "2024-10-24")

    def engine() -> object:
        return margin_ratio_prices("long", 0.5, 60_000.0, 5_000.0, table, 0.8, 60.0, 0.0)

    def baseline() -> object:
        return liquidation_price("long", 0.5, 60_000.0, 5_000.0, 0.004, 0.0, 60.0, 0.0)

    return Figure(
        "margin_ratio_prices, one call (12 brackets)",
        best_seconds(engine, 20_000),
        "liquidation_price, one call",
        best_seconds(baseline, 200_000),
        50e-6,
    )


def leverage_curves(points: int = 500) -> Figure:
    """LP versus leverage 1..125 for the flagship position, isolated and cross."""
    table = load_brackets("BTCUSDT", "2024-10-24")
    q, ep = 0.5, 60_000.0
    leverages = [1 + 124 * i / (points - 1) for i in range(points)]

    def engine() -> object:
        isolated = liquidation_price_curve("long", q, ep, leverages, table)
        cross = liquidation_price_curve(
            "long",
            q,
            ep,
            leverages,
            table,
            margin_mode="cross",
            wallet_balance=5_000.0,
            other_maintenance_margin=60.0,
        )
        return isolated, cross

    mmr, cum = 0.004, 0.0

    def bare() -> object:
        value = q * ep
        isolated = [(value / lev + cum - q * ep) / (q * mmr - q) for lev in leverages]
        cross = [(5_000.0 - 60.0 + cum - q * ep) / (q * mmr - q) for _ in leverages]
        return isolated, cross

    return Figure(
        f"leverage curves, {points} points x 2 modes",
        best_seconds(engine, 50),
        "bare fixed-bracket list comprehensions",
        best_seconds(bare, 50),
        2e-3,
    )


def stress_scenarios(n_scenarios: int = 10_000) -> Figure:
    """Two 10x longs with 1,000 USDT each, correlation 0.5, σ 8 %."""
    legs = equal_legs(2, 10, 1_000)

    def engine() -> object:
        return liquidation_probability(legs, 0.5, 0.08, n_scenarios, seed=0)

    def draws_alone() -> object:
        gauss = random.Random(0).gauss
        return [(gauss(0.0, 1.0), gauss(0.0, 1.0)) for _ in range(n_scenarios)]

    return Figure(
        f"{n_scenarios:,} two-asset stress scenarios",
        best_seconds(engine, 1, repeat=5),
        "drawing the same random normals alone",
        best_seconds(draws_alone, 1, repeat=5),
        0.1,
    )


def exchange_contract() -> Figure:
    """``isolated_liquidation_price`` for Binance, Bybit and OKX (three calls, 1 BTC at 20,000)."""
    namespace: dict[str, object] = {"f": isolated_liquidation_price}
    statement = (
        "f('binance', 'long', 1.0, 20_000.0, 50.0, 0.005, 0.0);"
        "f('bybit', 'long', 1.0, 20_000.0, 50.0, 0.005, 0.0);"
        "f('okx', 'long', 1.0, 20_000.0, 50.0, 0.005, 0.0, 0.0, 0.0005)"
    )
    bare = (
        "m = q * ep / lev;"
        "(m + cum - q * ep) / (q * mmr - q);"
        "ep - (m - (q * ep * mmr - cum)) / q;"
        "(q * ep - m) / (q * (1.0 - mmr - fee))"
    )
    values: dict[str, object] = {
        "q": 1.0,
        "ep": 20_000.0,
        "lev": 50.0,
        "mmr": 0.005,
        "cum": 0.0,
        "fee": 0.0005,
    }
    return Figure(
        "isolated_liquidation_price, binance + bybit + okx",
        best_statement(statement, namespace, 20_000),
        "the three formulas inline",
        best_statement(bare, values, 20_000),
        15e-6,
    )


def multi_assets_roots() -> Figure:
    """Two Multi-Assets books: BTC behind a BTC long (one root), ETH behind a short (two)."""
    table = load_brackets("BTCUSDT", "2024-10-24")
    btc = [Collateral("BTC", 0.1, 60_000.0)]
    eth = [Collateral("ETH", 40.0, 3_250.0, beta=0.8)]

    def engine() -> object:
        return (
            multi_assets_liquidation_prices("long", 1.0, 60_000.0, 60_000.0, 1_000.0, btc, table),
            multi_assets_liquidation_prices(
                "short", 1.0, 60_000.0, 60_000.0, -65_000.0, eth, table
            ),
        )

    def usdt() -> object:
        return (
            liquidation_price_in_brackets("long", 1.0, 60_000.0, 6_700.0, table),
            liquidation_price_in_brackets("short", 1.0, 60_000.0, 58_500.0, table),
        )

    return Figure(
        "multi_assets_liquidation_prices, two books",
        best_seconds(engine, 200),
        "liquidation_price_in_brackets with the value in USDT",
        best_seconds(usdt, 200),
        2e-3,
    )


def multi_assets_scenarios(n_scenarios: int = 10_000) -> Figure:
    """10x BTC long backed by BTC (correlation 1, σ 8 %), with its USDT baseline."""
    table = load_brackets("BTCUSDT", "2021-03-18")
    coins = [Collateral("BTC", 0.1, 20_000.0)]

    def engine() -> object:
        return multi_assets_stress(
            "long", 1.0, 20_000.0, 20_000.0, 0.0, coins, table, 1.0, 0.08, n_scenarios
        )

    def draws_alone() -> object:
        gauss = random.Random(0).gauss
        return [(gauss(0.0, 1.0), gauss(0.0, 1.0)) for _ in range(n_scenarios)]

    return Figure(
        f"{n_scenarios:,} Multi-Assets stress scenarios",
        best_seconds(engine, 1, repeat=5),
        "drawing the same random normals alone",
        best_seconds(draws_alone, 1, repeat=5),
        0.1,
    )


def exchange_figures() -> list[Figure]:
    """The exchange-convention and Multi-Assets figures."""
    return [exchange_contract(), multi_assets_roots(), multi_assets_scenarios()]


def crash_market(n_traders: int = 500, steps: int = 200) -> Figure:
    """500 paired isolated traders (1-100x) through a seeded 30 % crash, fund 5,000 USDT."""
    traders = paired_traders(n_traders, seed=0)
    prices = crash_path(60_000.0, steps, seed=0)

    def engine() -> object:
        return simulate_market(traders, prices, insurance_fund=5_000.0, slippage_rate=0.002)

    legs = [(1 if t.side == "long" else -1, t.quantity, t.entry_price) for t in traders]

    def bare() -> object:
        return [sum(s * q * (p - ep) for s, q, ep in legs) for p in prices]

    return Figure(
        f"crash market, {n_traders} traders x {steps} steps",
        best_seconds(engine, 1, repeat=5),
        "marking the same positions to the same prices",
        best_seconds(bare, 1, repeat=5),
        0.2,
    )


def path_stress(n_paths: int = 10_000, n_steps: int = 30) -> Figure:
    """Two 10x longs of 1,000 USDT, correlation 0.5, volatility 15 % over 30 daily steps."""
    legs = equal_legs(2, 10, 1_000)

    def engine() -> object:
        return path_liquidation_probability(legs, 0.5, 0.15, n_paths, seed=0)

    return Figure(
        f"{n_paths:,} two-asset Gaussian paths x {n_steps} daily steps, both modes",
        best_seconds(engine, 1, repeat=3),
        "naive per-step loops over the same paths (one path at a time)",
        best_seconds(lambda: naive_path_stress(legs, 0.5, 0.15, n_paths, n_steps), 1, repeat=1),
        0.5,
    )


def naive_path_stress(
    legs: list[Leg], rho: float, sigma: float, n_paths: int, n_steps: int
) -> tuple[int, int]:
    """The same paths and verdicts with explicit loops and inline arithmetic (the baseline)."""
    gauss = random.Random(0).gauss
    l10, l11 = rho, math.sqrt(1 - rho * rho)
    step_sigma = sigma / math.sqrt(n_steps)
    drift = -0.5 * step_sigma * step_sigma
    tables = [load_brackets(leg.symbol) for leg in legs]
    lps = [
        liquidation_price_in_brackets(g.side, g.quantity, g.entry_price, g.collateral, t)[0]
        for g, t in zip(legs, tables, strict=True)
    ]
    wallet = sum(g.collateral for g in legs)
    cross = isolated = 0
    for _ in range(n_paths):
        x0 = x1 = 0.0
        hit = [False, False]
        crossed = False
        for _ in range(n_steps):
            z0, z1 = gauss(0.0, 1.0), gauss(0.0, 1.0)
            x0 += step_sigma * z0 + drift
            x1 += step_sigma * (l10 * z0 + l11 * z1) + drift
            balance, maintenance = wallet, 0.0
            for i, x in enumerate((x0, x1)):
                g = legs[i]
                mark = g.entry_price * math.exp(x)
                lp = lps[i]
                hit[i] = hit[i] or (lp is not None and mark <= lp)
                balance += g.quantity * (mark - g.entry_price)
                value = g.quantity * mark
                maintenance += tables[i].bracket_for(value).maintenance_margin(value)
            crossed = crossed or balance <= maintenance
        cross += crossed
        isolated += any(hit)
    return cross, isolated


def student_t_paths(n_paths: int = 10_000, n_steps: int = 30) -> Figure:
    """The same book and paths with Student-t shocks (ν = 4, same volatility)."""
    legs = equal_legs(2, 10, 1_000)

    def engine() -> object:
        return path_liquidation_probability(
            legs, 0.5, 0.15, n_paths, degrees_of_freedom=4.0, seed=0
        )

    return Figure(
        f"the same with Student-t shocks (nu = 4), {n_paths:,} paths x {n_steps} steps",
        best_seconds(engine, 1, repeat=3),
        f"the one-shock model, {n_paths:,} scenarios (liquidation_probability)",
        best_seconds(lambda: liquidation_probability(legs, 0.5, 0.15, n_paths, seed=0), 1, 3),
        1.0,
    )


def path_look_ups(n_paths: int = 10_000) -> Figure:
    """Controls answered over the same paths: a new cross wallet and a new isolated leverage."""
    legs = equal_legs(2, 10, 1_000)
    paths = simulate_paths(2, 0.5, 0.15, n_paths, seed=0)
    paths.cross_probability(legs)  # the one scan per book; look-ups follow
    others = [equal_legs(1, lev, 1_000)[0] for lev in (2, 5, 20, 50)]

    def look_ups() -> object:
        for wallet in (500.0, 1_000.0, 3_000.0, 5_000.0):
            paths.cross_probability(legs, wallet_balance=wallet)
        return [paths.isolated_probability(leg) for leg in others]

    return Figure(
        f"8 look-ups on {n_paths:,} paths (4 cross wallets, 4 isolated leverages)",
        best_seconds(look_ups, 20),
        "a new simulation of the same paths (simulate_paths)",
        best_seconds(lambda: simulate_paths(2, 0.5, 0.15, n_paths, seed=0), 1, repeat=3),
        0.016,
    )


def path_figures() -> list[Figure]:
    """Stress along price paths: the simulation, fat tails, look-ups over the same paths."""
    return [path_stress(), student_t_paths(), path_look_ups()]


def report(figures: list[Figure]) -> str:
    """The printed table: one block per figure, goal and PASS/MISS on the first line."""
    lines = [
        f"margin_widgets engine benchmarks (best of {REPEATS} timeit repeats; "
        f"Python {platform.python_version()}, {platform.machine()})",
    ]
    for f in figures:
        verdict = "PASS" if f.passed else "MISS"
        lines.append(f"  {f.name}: {human(f.seconds)}  goal <= {human(f.goal_seconds)}  {verdict}")
        lines.append(
            f"      baseline ({f.baseline_name}): {human(f.baseline_seconds)}; ratio {f.ratio:.1f}x"
        )
    return "\n".join(lines)


def main() -> int:
    """Measure and print every figure; returns 0 (a MISS is reported, not an error)."""
    print(
        report(
            [
                single_call(),
                ratio_prices_call(),
                leverage_curves(),
                stress_scenarios(),
                *exchange_figures(),
                *path_figures(),
                crash_market(),
            ]
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
