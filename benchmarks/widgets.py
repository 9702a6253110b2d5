"""Kernel-side cost of the explorers' updates, against an ``interact`` + matplotlib redraw.

Measured in one process, no browser:

* **flagship**: ``MarginModeExplorer().controls["leverage"].value = L`` runs the whole handler
  (two engine accounts, the marks changed in place inside ``hold_sync``, the readout and the
  text description). Median over 200 changes. Goal <= 2 ms, stretch 1 ms.
* **the usual alternative**: an ``ipywidgets.interactive`` function of the leverage that
  recomputes the same curves with the engine and redraws a matplotlib figure of them (Agg
  backend, rendered to PNG into a ``BytesIO`` as the inline backend does). Median over 30.

The ratio alternative / flagship must be >= 20x (goal 50x).

Engine work per control (``flagship_engine_ms``): the time of the flagship's
``_engine_work`` (every engine call of one update, nothing drawn) after a change of one control
(leverage, collateral, entry price, quantity), median over 200 changes; goal <= 0.3 ms each.
Baseline in the same run: the same numbers from the general-purpose engine calls, nothing cached
(an :class:`Account` per leverage for the feasibility bisection, ``liquidation_price_curve``,
``bankruptcy_price`` per leverage, ``Account.margin_ratio_curve``).

Curves (``curve_costs``): each engine curve against the general-purpose call it replaces.

Every control (``every_control_ms``): each control of each registered explorer set from Python
to fresh values near its start (never twice in a row; a seed always new), median of 40, beside
the same run's ``interact`` + matplotlib figure. Goal <= 1 ms, <= 16 ms (one frame) for the
explorers that sample scenarios; a control marked as drawing (``Explorer.DRAWING``: it draws or
re-scans random numbers, "computing…" shows, browser moves coalesce) <= 0.3 s.

Engine work of the scenario and hedge explorers (``explorer_engine_costs``): the call an update
makes (common random numbers kept per seed, curves solved without a call per point) against the
general-purpose calls it replaces, each on inputs no earlier call saw.

Messages (``flagship_messages``): how many widget messages one flagship update
sends, per control changed, and for a change to the same value and a refresh (goal: none).

Run: ``python -m benchmarks`` or ``python -c "import benchmarks.widgets as b; b.main()"``.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import time
from collections.abc import Callable
from typing import Any

GOAL_MS = 2.0
STRETCH_MS = 1.0
RATIO_GOAL = 20.0
RATIO_STRETCH = 50.0
FLAGSHIP_CHANGES = 200
MATPLOTLIB_CHANGES = 30


def _median_ms(action: Callable[[int], Any], count: int, warmup: int = 5) -> float:
    for i in range(warmup):
        action(i)
    times = []
    for i in range(count):
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def _leverages(count: int) -> list[int]:
    """Whole leverages the default wallet can open (9x..125x), never twice in a row."""
    return [10 + (i * 37) % 110 for i in range(count)]


def flagship_handler_ms(count: int = FLAGSHIP_CHANGES) -> float:
    """Median kernel-side time (ms) of one leverage change on ``MarginModeExplorer``."""
    from margin_widgets import MarginModeExplorer

    explorer = MarginModeExplorer()
    control = explorer.controls["leverage"]
    values = _leverages(count + 10)

    def change(i: int) -> None:
        control.value = values[i]

    return _median_ms(change, count)


def _matplotlib_figure_function() -> Callable[..., None]:
    """An interact-style function: recompute the flagship's curves, redraw, render PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from margin_widgets.engine import (
        Account,
        initial_margin,
        liquidation_price_in_brackets,
        load_brackets,
        unrealized_pnl,
    )

    btc, eth = load_brackets("BTCUSDT"), load_brackets("ETHUSDT")
    side, q, entry, wallet, eth_q = "long", 0.5, 60_000.0, 5_000.0, 5.0

    def account(mode: str, leverage: int) -> Account:
        acct = Account(wallet_balance=wallet, brackets={"BTCUSDT": btc, "ETHUSDT": eth})
        acct.set_margin_mode(mode, "BTCUSDT")
        acct.set_margin_mode(mode, "ETHUSDT")
        acct.open_position("BTCUSDT", side, q, price=entry, leverage=leverage)
        acct.open_position("ETHUSDT", "long", eth_q, price=3_000.0, leverage=leverage)
        return acct

    def draw(leverage: int) -> None:
        levs = np.arange(1, 126)
        iso = [
            liquidation_price_in_brackets(side, q, entry, initial_margin(q * entry, int(m)), btc)[0]
            for m in levs
        ]
        iso_y = np.array(
            [np.nan if v is None or m < 9 else v for v, m in zip(iso, levs, strict=True)]
        )
        accounts = {mode: account(mode, leverage) for mode in ("isolated", "cross")}
        lps = {mode: a.liquidation_price("BTCUSDT") for mode, a in accounts.items()}
        cross_y = np.where(levs >= 9, lps["cross"], np.nan)
        prices = np.linspace(45_000.0, 62_000.0, 241)
        mm = np.array([btc.maintenance_margin(q * p) for p in prices])
        pnl = np.array([unrealized_pnl(side, q, entry, p) for p in prices])
        iso_wallet = accounts["isolated"].positions["BTCUSDT"].isolated_wallet
        eth_mm = eth.maintenance_margin(eth_q * 3_000.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            iso_ratio = np.where(iso_wallet + pnl > 0, mm / (iso_wallet + pnl), np.nan) * 100
            cross_ratio = np.where(wallet + pnl > 0, (mm + eth_mm) / (wallet + pnl), np.nan) * 100

        fig, axes = plt.subplots(1, 3, figsize=(14, 4))
        axes[0].plot(levs, iso_y, "-", color="#0072B2", label="isolated")
        axes[0].plot(levs, cross_y, "--", color="#D55E00", label="cross")
        axes[0].plot([leverage], [lps["isolated"]], "o", color="#0072B2")
        axes[0].plot([leverage], [lps["cross"]], "s", color="#D55E00")
        axes[0].set_xlabel("leverage (x)")
        axes[0].set_ylabel("liquidation price (USDT)")
        axes[0].legend()
        for y, style, text in [
            (entry, "k-", f"entry {entry:,.2f}"),
            (lps["isolated"], "b-", f"isolated liq. {lps['isolated']:,.2f}"),
            (lps["cross"], "r--", f"cross liq. {lps['cross']:,.2f}"),
        ]:
            axes[1].plot([0, 1], [y, y], style)
            axes[1].text(0.02, y, text)
        axes[1].set_ylabel("BTC price (USDT)")
        axes[2].plot(prices, iso_ratio, "-", color="#0072B2", label="isolated")
        axes[2].plot(prices, cross_ratio, "--", color="#D55E00", label="cross")
        axes[2].axhline(100, color="#E69F00")
        axes[2].set_ylim(0, 150)
        axes[2].set_xlabel("BTC price (USDT)")
        axes[2].set_ylabel("margin ratio (%)")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)

    return draw


def matplotlib_redraw_ms(count: int = MATPLOTLIB_CHANGES) -> float:
    """Median time (ms) of one leverage change through ``interactive`` + matplotlib redraw."""
    import ipywidgets as w

    draw = _matplotlib_figure_function()
    slider = w.IntSlider(value=20, min=1, max=125)
    values = _leverages(count + 10)

    def change(i: int) -> None:
        slider.value = values[i]

    # outside a kernel, interactive's clear_output writes terminal escapes to stdout/stderr
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        w.interactive(draw, leverage=slider)
        return _median_ms(change, count, warmup=2)


ENGINE_GOAL_MS = 0.3
ENGINE_CHANGES = 200
#: The flagship controls and 200 values each (never twice in a row, all openable or not).
CONTROL_VALUES: dict[str, list[float]] = {
    "leverage": [float(10 + (i * 37) % 110) for i in range(ENGINE_CHANGES + 10)],
    "collateral": [4_000.0 + (i * 137) % 3_000 for i in range(ENGINE_CHANGES + 10)],
    "entry_price": [55_000.0 + (i * 131) % 10_000 for i in range(ENGINE_CHANGES + 10)],
    "quantity": [0.3 + ((i * 7) % 40) / 100 for i in range(ENGINE_CHANGES + 10)],
}


def flagship_engine_ms(name: str, count: int = ENGINE_CHANGES) -> float:
    """Median time (ms) of the flagship's engine work for one change of control ``name``."""
    from margin_widgets import MarginModeExplorer

    explorer = MarginModeExplorer()
    work = explorer._engine_work
    times: list[float] = []

    def timed(state: dict[str, Any]) -> tuple[float, float]:
        start = time.perf_counter()
        result = work(state)
        times.append(time.perf_counter() - start)
        return result

    explorer._engine_work = timed  # type: ignore[method-assign]
    control = explorer.controls[name]
    values = CONTROL_VALUES[name]
    for value in values[:5]:  # warm-up
        control.value = value
    times.clear()
    for value in values[5 : 5 + count]:
        control.value = value
    return statistics.median(times) * 1e3


def baseline_engine_ms(name: str, count: int = ENGINE_CHANGES) -> float:
    """The same numbers through general-purpose engine calls, nothing cached (ms, median)."""
    from margin_widgets.engine import (
        MarginError,
        bankruptcy_price,
        book_account,
        liquidation_price_curve,
        load_brackets,
    )

    btc = load_brackets("BTCUSDT")
    state: dict[str, Any] = {"leverage": 20.0, "collateral": 5_000.0}
    state.update(entry_price=60_000.0, quantity=0.5)

    def once(value: float) -> None:
        state[name] = value
        q, entry, wallet = state["quantity"], state["entry_price"], state["collateral"]
        lev = int(state["leverage"])
        top = int(btc.max_leverage(q * entry))

        def opens(leverage: int) -> bool:
            try:
                book_account("isolated", leverage, wallet, quantity=q, entry_price=entry)
            except MarginError:
                return False
            return True

        low, high = 1, top
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (low, middle) if opens(middle) else (middle, high)
        leverages = list(range(1, top + 1))
        liquidation_price_curve("long", q, entry, leverages, btc)
        [bankruptcy_price("long", q, entry, q * entry / m) for m in leverages]
        prices = [entry * (0.7 + 0.35 * k / 240) for k in range(241)]
        for mode in ("isolated", "cross"):
            try:
                account = book_account(mode, lev, wallet, quantity=q, entry_price=entry)
            except MarginError:
                continue
            account.liquidation_price("BTCUSDT")
            account.margin_ratio_curve("BTCUSDT", prices)

    values = CONTROL_VALUES[name]
    return _median_ms(lambda i: once(values[i]), count)


def curve_costs() -> list[tuple[str, float, float]]:
    """(curve, engine curve ms, general-purpose baseline ms) for each curve an explorer draws."""
    from margin_widgets.engine import (
        book_account,
        isolated_leverage_curve,
        linear_grid,
        liquidation_price_curve,
        liquidation_price_in_brackets,
        load_brackets,
        log_grid,
        margin_curve,
        position_ratio_curve,
        size_curve,
    )

    btc = load_brackets("BTCUSDT")
    account = book_account("cross")
    prices = linear_grid(40_000, 65_000, 241)
    margins = linear_grid(100, 6_000, 201)
    sizes = log_grid(100, btc.max_notional, 400)
    leverages = list(range(1, 126))
    rows = [
        (
            "liquidation vs leverage (125 points)",
            lambda _i: isolated_leverage_curve("long", 0.5, 60_000, btc),
            lambda _i: liquidation_price_curve("long", 0.5, 60_000, leverages, btc),
        ),
        (
            "margin ratio vs price (241 points)",
            lambda _i: position_ratio_curve(account, "BTCUSDT", prices),
            lambda _i: account.margin_ratio_curve("BTCUSDT", prices),
        ),
        (
            "liquidation vs margin (201 points)",
            lambda _i: margin_curve("long", 0.5, 60_000, margins, btc),
            lambda _i: [
                liquidation_price_in_brackets("long", 0.5, 60_000, m, btc)[0] for m in margins
            ],
        ),
        (
            "liquidation vs size, both modes (400 points)",
            lambda _i: size_curve("long", 60_000, sizes, btc, 20, 10_000),
            lambda _i: [
                liquidation_price_in_brackets("long", n / 60_000, 60_000, w, btc)[0]
                for n in sizes
                for w in (n / 20, 10_000)
            ],
        ),
    ]
    return [(name, _median_ms(new, 50), _median_ms(old, 50)) for name, new, old in rows]


EVERY_CONTROL_CHANGES = 40
#: goal per control (ms, median): explorers that sample scenarios get one 60 Hz frame
CONTROL_GOAL_MS = 1.0
SAMPLING_GOAL_MS = 16.0
#: goal of a control marked as drawing (``Explorer.DRAWING``: it draws or re-scans random
#: numbers, "computing…" shows, browser moves coalesce): under the base's slow-update
#: threshold, 0.3 s
DRAWING_GOAL_MS = 300.0


def control_goal(sampling: bool, drawing: bool) -> float:
    """The goal (ms, median) of one control: 1 ms, one frame when sampling, 0.3 s drawing."""
    if drawing:
        return DRAWING_GOAL_MS
    return SAMPLING_GOAL_MS if sampling else CONTROL_GOAL_MS


def fresh_values(control: Any, count: int) -> list[Any]:
    """``count`` values of a control near its start value, never twice in a row.

    Options cycle; whole numbers step by 1..5 either side (a seed counts up: every value new);
    other numbers move by up to 10 % of the start value (or of the range), inside the bounds.
    """
    import ipywidgets as w

    start = control.value
    if hasattr(control, "options") and not isinstance(control, w.SelectionSlider):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        others = [o for o in options if o != start] or options
        return [others[i % len(others)] if i % 2 == 0 else start for i in range(count)]
    low, high = control.min, control.max
    if isinstance(control, w.FloatLogSlider):
        low, high = control.base**low, control.base**high
    if isinstance(start, int):
        if "seed" in str(control.description).lower():
            return [start + 1 + i for i in range(count)]
        steps = [1, -1, 2, -2, 3, -3, 4, -4, 5, -5]
        out = [min(high, max(low, start + steps[i % len(steps)])) for i in range(count)]
    else:
        span = abs(start) * 0.1 or (high - low) * 0.1
        out = [
            min(high, max(low, start + span * ((i * 0.618034) % 1.0 * 2 - 1))) for i in range(count)
        ]
    return [v if i == 0 or v != out[i - 1] else start for i, v in enumerate(out)]


def every_control_ms(
    count: int = EVERY_CONTROL_CHANGES, names: tuple[str, ...] | None = None
) -> list[tuple[str, str, float, bool]]:
    """(explorer, control, median ms, samples scenarios) for every registered control.

    An explorer samples scenarios when it declares controls that draw random numbers
    (``Explorer.DRAWING``). ``names`` limits the run to those explorers.
    """
    import sys

    from margin_widgets import registry

    rows: list[tuple[str, str, float, bool]] = []
    for name in registry.names():
        if names is not None and name not in names:
            continue
        cls = registry.load(name)
        for control_name in cls().controls:
            explorer = cls()
            control = explorer.controls[control_name]
            values = fresh_values(control, count + 3)
            if len(set(map(repr, values))) < 2:
                continue

            def change(i: int, control: Any = control, values: list[Any] = values) -> None:
                control.value = values[i]

            ms = _median_ms(change, count, warmup=3)
            rows.append((name, control_name, ms, bool(getattr(cls, "DRAWING", ()))))
            print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return rows


def flagship_messages() -> dict[str, int]:
    """Messages the flagship sends to the browser for one change of each control (and none)."""
    import ipywidgets as w

    from margin_widgets import MarginModeExplorer

    explorer = MarginModeExplorer()
    sent: list[str] = []
    original = w.Widget._send

    def counting(self: Any, msg: Any, buffers: Any = None) -> None:
        sent.append(type(self).__name__)
        original(self, msg, buffers)

    w.Widget._send = counting  # type: ignore[method-assign]
    try:
        counts: dict[str, int] = {}
        for name, control in explorer.controls.items():
            value = fresh_values(control, 2)[0]
            sent.clear()
            control.value = value
            counts[name] = len(sent)
            explorer.reset()  # each control from the start values (an exchange switch stays out)
        sent.clear()
        explorer.controls["leverage"].value = explorer.controls["leverage"].value
        counts["(same value again)"] = len(sent)
        sent.clear()
        explorer.refresh()
        counts["(refresh, nothing changed)"] = len(sent)
    finally:
        w.Widget._send = original  # type: ignore[method-assign]
    return counts


def _against_baseline(baseline_ms: float, ms: float) -> str:
    """``"12.3x faster than the baseline"``, or ``"1.4x slower ..."`` when it is slower."""
    if ms <= baseline_ms:
        return f"{baseline_ms / ms:5.1f}x faster than the baseline"
    return f"{ms / baseline_ms:5.1f}x slower than the baseline"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> dict[str, float]:
    """Run the benchmark, print the results with goals and PASS/MISS, return the numbers."""
    flagship = flagship_handler_ms()
    alternative = matplotlib_redraw_ms()
    ratio = alternative / flagship
    print("widgets: kernel-side handler time for a leverage change (MarginModeExplorer)")
    print(
        f"  flagship handler, median of {FLAGSHIP_CHANGES} changes: {flagship:.3f} ms "
        f"(goal <= {GOAL_MS:g} ms: {_verdict(flagship <= GOAL_MS)}; "
        f"stretch <= {STRETCH_MS:g} ms: {_verdict(flagship <= STRETCH_MS)})"
    )
    print(
        f"  interact + matplotlib redraw to PNG (Agg), median of {MATPLOTLIB_CHANGES}: "
        f"{alternative:.1f} ms"
    )
    print(
        f"  speed-up: {ratio:.0f}x (goal >= {RATIO_GOAL:g}x: {_verdict(ratio >= RATIO_GOAL)}; "
        f"stretch >= {RATIO_STRETCH:g}x: {_verdict(ratio >= RATIO_STRETCH)})"
    )
    result = {"flagship_ms": flagship, "matplotlib_ms": alternative, "ratio": ratio}
    print("widgets: the flagship's engine work per update, by control (median of 200 changes)")
    for name in CONTROL_VALUES:
        engine = flagship_engine_ms(name)
        baseline = baseline_engine_ms(name)
        print(
            f"  {name:<12} {engine:.3f} ms (goal <= {ENGINE_GOAL_MS:g} ms: "
            f"{_verdict(engine <= ENGINE_GOAL_MS)}); baseline, general-purpose calls, nothing "
            f"cached: {baseline:.3f} ms"
        )
        result[f"engine_{name}_ms"] = engine
        result[f"baseline_{name}_ms"] = baseline
    print(
        f"widgets: every control of every explorer set from Python, median of "
        f"{EVERY_CONTROL_CHANGES} changes (baseline in this run: interact + matplotlib "
        f"{alternative:.1f} ms)"
    )
    from margin_widgets import registry

    for explorer, control, ms, sampling in every_control_ms():
        drawing = control in getattr(registry.load(explorer), "DRAWING", ())
        goal = control_goal(sampling, drawing)
        print(
            f"  {explorer:<24} {control:<15} {ms:8.3f} ms (goal <= {goal:g} ms"
            f"{', marked computing…' if drawing else ''}: "
            f"{_verdict(ms <= goal)}; {_against_baseline(alternative, ms)})"
        )
        result[f"{explorer}.{control}_ms"] = ms
    print("widgets: messages sent to the browser by one flagship update, by control changed")
    for name, count in flagship_messages().items():
        print(f"  {name:<28} {count:3d} messages")
        result[f"messages_{name}"] = float(count)
    print("engine curves (median of 50): engine curve vs the general-purpose calls it replaces")
    for name, new, old in curve_costs():
        print(f"  {name:<46} {new:.3f} ms vs {old:.3f} ms ({old / new:.1f}x)")
    print(
        "engine, scenario and hedge explorers (median): the call each update makes vs the "
        "general-purpose calls it replaces"
    )
    for name, new, old in explorer_engine_costs():
        print(f"  {name:<58} {new:8.3f} ms vs {old:8.3f} ms ({old / new:5.1f}x)")
        result[f"engine {name}_ms"] = new
    floor = path_pass_ms()
    result["one pass over a path set_ms"] = floor
    print(
        f"  the floor under PathStress's correlation and volatility: one elementwise pass over "
        f"the 60,000 numbers of a path set (2,000 paths × 30 days) takes {floor:.3f} ms in pure "
        "Python (map over an array, the engine's fastest loop); a new correlation walks each "
        "path set at least four times (shocks, running sums, prices, deficits), and the "
        "explorer shows two path sets (Gaussian and fat-tailed), so it cannot fit 16 ms: it "
        "is marked computing… and coalesces rapid moves"
    )
    return result


def path_pass_ms(count: int = 20) -> float:
    """Median ms of one ``array("d", map(mul, repeat(a), column))`` over 60,000 numbers."""
    import random
    from array import array
    from itertools import repeat
    from operator import mul

    rng = random.Random(0)
    column = array("d", (rng.gauss(0.0, 1.0) for _ in range(60_000)))
    return _median_ms(lambda i: array("d", map(mul, repeat(1.0 + i), column)), count)


def explorer_engine_costs(count: int = 15) -> list[tuple[str, float, float]]:
    """(what, engine ms, baseline ms) for the engine work of the scenario and hedge explorers.

    Each row changes its input on every call (a new σ, a new correlation, a new wallet grid), so
    nothing is answered from a previous call's result, only from the seed's kept numbers:

    * CorrelationStress's curve: :meth:`CommonDraws.one_shock_curve` at 21 correlations over
      2,000 kept scenarios, against 21 calls of ``liquidation_probability`` (each draws).
    * PathStress at a new correlation: :meth:`CommonDraws.paths` (2,000 paths of 30 days,
      the seed's normals kept) against ``simulate_paths`` (draws them anew).
    * FundingTimeline at a new rate: ``funding_timeline`` (running sums of the fixed payments,
      the accounts stepped only where one is liquidated) against the accounts stepped through
      every interval.
    * HedgeModeExplorer's curves: ``hedge_wallet_curve`` and ``hedge_size_curve`` (161 points)
      against a ``hedge_liquidation_price_in_brackets`` call per point.
    """
    from margin_widgets.engine import (
        correlation_grid,
        equal_legs,
        hedge_liquidation_price_in_brackets,
        linear_grid,
        liquidation_probability,
        load_brackets,
        simulate_paths,
    )
    from margin_widgets.engine.hedge import hedge_size_curve, hedge_wallet_curve
    from margin_widgets.engine.paths import CommonDraws
    from margin_widgets.engine.simulations import _stepped_funding_timeline, funding_timeline

    legs = equal_legs(2, 10, 1_000)
    grid = correlation_grid(2, 21)
    shocks = CommonDraws(2, 2_000, horizon_days=1, step_days=1, seed=0)
    shocks.one_shock_curve(legs, grid, 0.08)  # the per-correlation orders, kept per seed
    paths = CommonDraws(2, 2_000, horizon_days=30, step_days=1, seed=0)
    table = load_brackets("BTCUSDT")
    wallets = linear_grid(0.0, 2_400.0, 161)
    sizes = linear_grid(0.0, 2.0, 161)

    def sigma(i: int) -> float:
        return 0.05 + 0.001 * i

    def rho(i: int) -> float:
        return -0.5 + 0.01 * i

    rows: list[tuple[str, Callable[[int], object], Callable[[int], object]]] = [
        (
            "CorrelationStress curve, new shock σ (21 × 2,000)",
            lambda i: shocks.one_shock_curve(legs, grid, sigma(i)),
            lambda i: [liquidation_probability(legs, r, sigma(i), 2_000, 0) for r in grid],
        ),
        (
            "PathStress paths, new correlation (2,000 × 30 days)",
            lambda i: paths.paths(rho(i), 0.2),
            lambda i: simulate_paths(2, rho(i), 0.2, 2_000, seed=0),
        ),
        (
            "FundingTimeline, a new rate (30 days, both accounts)",
            lambda i: funding_timeline(20, 5_000, 0.0003 + 1e-6 * i, 30),
            lambda i: _stepped_funding_timeline(20, 5_000, 0.0003 + 1e-6 * i, 30),
        ),
        (
            "HedgeModeExplorer price vs wallet (161 points)",
            lambda i: hedge_wallet_curve(1.0, 60_000, 1.0, 60_000 + i, table, wallets),
            lambda i: [
                hedge_liquidation_price_in_brackets(w, 1.0, 60_000, 1.0, 60_000 + i, table)
                for w in wallets
            ],
        ),
        (
            "HedgeModeExplorer price vs short size (161 points)",
            lambda i: hedge_size_curve(1.0, 60_000, sizes, 60_000 + i, table, 600.0),
            lambda i: [
                hedge_liquidation_price_in_brackets(600.0, 1.0, 60_000, q, 60_000 + i, table)
                for q in sizes
            ],
        ),
    ]
    out = []
    for name, new, old in rows:
        new(-1)  # warm-up on an input never timed: no timed call finds its own result kept
        new_ms = _median_ms(new, count, warmup=0)

        def baseline(i: int, old: Callable[[int], object] = old) -> object:
            return old(i + 100)

        old_ms = _median_ms(baseline, max(3, count // 3), warmup=1)
        out.append((name, new_ms, old_ms))
    return out


if __name__ == "__main__":
    main()
