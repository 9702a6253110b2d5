"""CorrelationStress: marks hold the engine's numbers, synchronously; browser drags debounce."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import numpy as np
import pytest

from margin_widgets.engine import (
    equal_legs,
    liquidation_price_in_brackets,
    liquidation_probability,
    load_brackets,
    shock_returns,
    stress_test,
)
from margin_widgets.widgets import correlation as module
from margin_widgets.widgets.correlation import (
    CLOUD_POINTS,
    OUTCOME_STYLES,
    OUTCOMES,
    CorrelationStress,
    correlation_grid,
)


@pytest.fixture(scope="module")
def explorer() -> CorrelationStress:
    return CorrelationStress()


def expected_result(values: dict[str, Any]) -> Any:
    legs = equal_legs(values["n_assets"], values["leverage"], values["position_margin"])
    returns = shock_returns(
        values["n_assets"],
        values["correlation"],
        values["shock"],
        values["n_scenarios"],
        values["seed"],
    )
    return stress_test(legs, returns)


def assert_marks_match_engine(
    explorer: CorrelationStress, curve_indices: tuple[int, ...] = (0, 10, 20)
) -> None:
    values = explorer.values
    result = expected_result(values)
    assert explorer.result == result
    assert explorer.probabilities() == {
        "cross": result.cross_probability,
        "isolated": result.isolated_probability,
    }
    shown = min(result.n_scenarios, CLOUD_POINTS)
    total = 0
    for outcome in OUTCOMES:
        rows = [
            r
            for r, o in zip(result.returns[:shown], result.outcomes[:shown], strict=True)
            if o == outcome
        ]
        mark = explorer.cloud_marks[outcome]
        assert np.array_equal(mark.x, np.array([r[0] for r in rows], dtype=float))
        assert np.array_equal(mark.y, np.array([r[1] for r in rows], dtype=float))
        total += len(mark.x)
    assert total == shown <= CLOUD_POINTS
    # the curve: engine liquidation_probability at correlations of the grid
    legs = equal_legs(values["n_assets"], values["leverage"], values["position_margin"])
    grid = correlation_grid(values["n_assets"])
    n_curve = min(values["n_scenarios"], 2_000)
    assert np.array_equal(explorer.curve_marks["cross"].x, np.array(grid))
    assert np.array_equal(explorer.curve_marks["isolated"].x, np.array(grid))
    for i in curve_indices:
        r = liquidation_probability(legs, grid[i], values["shock"], n_curve, values["seed"])
        assert explorer.curve_marks["cross"].y[i] == r.cross_probability
        assert explorer.curve_marks["isolated"].y[i] == r.isolated_probability
    # the current correlation is marked with this result's probabilities
    for mode, p in explorer.probabilities().items():
        assert list(explorer.current_points[mode].x) == [values["correlation"]]
        assert list(explorer.current_points[mode].y) == [p]
    assert list(explorer.current_rule.x) == [values["correlation"]] * 2
    # isolated liquidation move: engine liquidation price of one leg
    lp, _ = liquidation_price_in_brackets(
        "long", legs[0].quantity, legs[0].entry_price, legs[0].collateral, load_brackets()
    )
    move = lp / legs[0].entry_price - 1
    assert list(explorer.isolated_a_line.x) == [move, move]
    assert list(explorer.isolated_b_line.y) == [move, move]


def test_structure_css_and_defaults(explorer: CorrelationStress) -> None:
    assert explorer.values == {
        "n_assets": 2,
        "correlation": 0.5,
        "leverage": 10,
        "position_margin": 1_000.0,
        "shock": 0.08,
        "n_scenarios": 2_000,
        "seed": 0,
    }
    assert {"mw-explorer", "mw-correlation-stress"} <= set(explorer._dom_classes)
    for name, control in explorer.controls.items():
        assert f"mw-control-{name}" in control._dom_classes
    keys = [set(f._dom_classes) for f in explorer.figures]
    assert "mw-figure-cloud" in keys[0] and "mw-figure-probability" in keys[1]
    for fig in explorer.figures:
        assert fig.animation_duration == 0
        for axis in fig.axes:
            assert axis.label
    assert explorer.status_text == ""
    # colour AND marker differ per outcome; every cloud mark has a tooltip
    looks = [(OUTCOME_STYLES[o].color, OUTCOME_STYLES[o].marker) for o in OUTCOMES]
    assert len({c for c, _ in looks}) == len({m for _, m in looks}) == len(OUTCOMES)
    for outcome, mark in explorer.cloud_marks.items():
        assert mark.marker == OUTCOME_STYLES[outcome].marker
        assert mark.tooltip is not None
    assert explorer.curve_marks["cross"].line_style != explorer.curve_marks["isolated"].line_style
    assert "Probability of liquidation" in explorer.description.value
    assert "cross account is liquidated" in explorer.readout.value


def test_default_marks_hold_engine_numbers(explorer: CorrelationStress) -> None:
    assert_marks_match_engine(explorer, curve_indices=tuple(range(21)))
    # at the default settings the current point lies on the curve (same scenarios)
    grid = correlation_grid(2)
    index = min(range(len(grid)), key=lambda i: abs(grid[i] - 0.5))
    assert explorer.curve_marks["cross"].y[index] == explorer.probabilities()["cross"]
    # the phenomenon: cross is safer than isolated at low correlation, not at high
    curve = explorer.curve()
    assert curve["cross"][0] < curve["isolated"][0]
    assert curve["cross"][-1] == curve["isolated"][-1]
    assert curve["cross"][-1] > curve["cross"][0]


@pytest.mark.parametrize(
    "changes",
    [
        {"correlation": 0.9},
        {"n_assets": 3, "leverage": 20, "correlation": -0.25},
        {"n_scenarios": 5_000, "shock": 0.12, "seed": 3, "position_margin": 2_500.0},
    ],
)
def test_setting_values_updates_every_mark_synchronously(changes: dict[str, Any]) -> None:
    explorer = CorrelationStress()
    for name, value in changes.items():
        explorer.controls[name].value = value
        assert explorer.values[name] == value
        assert not explorer.pending
        assert_marks_match_engine(explorer)  # right after the assignment returns
    assert explorer.status_text == ""


def test_cross_boundary_is_where_the_cross_account_is_liquidated(
    explorer: CorrelationStress,
) -> None:
    legs = equal_legs(2, 10, 1_000)
    xs, ys = explorer.cross_boundary.x, explorer.cross_boundary.y
    checked = 0
    for x, y in zip(xs, ys, strict=True):
        if not np.isfinite(y) or y <= -0.99:
            continue
        inside = stress_test(legs, [(x, y - 1e-7), (x, y + 1e-7)])
        assert inside.cross_liquidated == [True, False]
        checked += 1
    assert checked > 20


def test_bounds_follow_assets_and_brackets() -> None:
    explorer = CorrelationStress(correlation=-0.9)
    explorer.controls["n_assets"].value = 3
    assert explorer.controls["correlation"].min == -0.5
    assert explorer.controls["correlation"].value == -0.5
    assert "cannot be below -0.5" in explorer.status_text
    explorer.controls["position_margin"].value = 10_000.0
    assert explorer.controls["leverage"].max == 75
    with pytest.raises(ValueError, match="leverage must be between 1 and 75"):
        explorer.apply_preset({"leverage": 100})
    assert explorer.values["leverage"] == 10


def test_cloud_draws_at_most_1000_points_but_counts_all() -> None:
    explorer = CorrelationStress(n_scenarios=20_000, shock=0.1)
    drawn = sum(len(m.x) for m in explorer.cloud_marks.values())
    assert drawn == CLOUD_POINTS
    assert explorer.result.n_scenarios == 20_000
    for mark in [*explorer.curve_marks.values(), *explorer.cloud_marks.values()]:
        assert len(mark.x) <= CLOUD_POINTS
    assert "first 1,000 of 20,000" in explorer.description.value


def test_preset_and_export_round_trip() -> None:
    explorer = CorrelationStress(
        preset={"n_assets": 3, "correlation": 0.8, "leverage": 15, "seed": 7}, locked=["seed"]
    )
    assert explorer.is_locked("seed")
    text = explorer.to_json()
    assert json.loads(text)["explorer"] == "CorrelationStress"
    clone = CorrelationStress()
    clone.load_json(text)
    assert clone.values == explorer.values
    assert clone.probabilities() == explorer.probabilities()
    for outcome in OUTCOMES:
        assert np.array_equal(clone.cloud_marks[outcome].x, explorer.cloud_marks[outcome].x)
    assert list(clone.curve_marks["cross"].y) == list(explorer.curve_marks["cross"].y)
    before = clone.values
    with pytest.raises(ValueError, match=r"shock must be between 0\.01 and 0\.3"):
        clone.load_json('{"shock": 0.9, "seed": 1}')
    assert clone.values == before
    clone._import_text("{not json")
    assert "nothing changed" in clone.status_text
    clone.reset()
    assert clone.values == CorrelationStress().values


def test_handler_error_shows_in_status_line(monkeypatch: pytest.MonkeyPatch) -> None:
    explorer = CorrelationStress()
    before = list(explorer.cloud_marks["survive"].x)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(module.CommonDraws, "paths", broken)
    explorer.controls["correlation"].value = 0.1
    assert "engine exploded" in explorer.status_text
    assert list(explorer.cloud_marks["survive"].x) == before  # last good marks kept
    monkeypatch.undo()
    explorer.controls["correlation"].value = 0.2
    assert explorer.status_text == ""
    assert_marks_match_engine(explorer)


def count_stress_tests(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the random draws (one per seed: its number of scenarios) by the explorer."""
    calls: list[int] = []
    original = module.CommonDraws

    def counting(n: Any, count: int, **kwargs: Any) -> Any:
        calls.append(count)
        return original(n, count, **kwargs)

    monkeypatch.setattr(module, "CommonDraws", counting)
    return calls


def count_clouds(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Count the scenario clouds (paths at one correlation and σ) the explorer computes."""
    calls: list[float] = []
    original = module.CommonDraws.paths

    def counting(self: Any, rho: float, sigma: float) -> Any:
        calls.append(rho)
        return original(self, rho, sigma)

    monkeypatch.setattr(module.CommonDraws, "paths", counting)
    return calls


def test_browser_drags_are_debounced_only_the_last_is_computed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    explorer = CorrelationStress(n_scenarios=2_500)  # cloud: 2,500 rows; curve: the first 2,000
    explorer.enable_debounce(0.3)
    calls = count_clouds(monkeypatch)
    slider = explorer.controls["correlation"]

    async def drag() -> None:
        for value in np.linspace(-0.9, 0.9, 37):
            slider.set_state({"value": float(value)})  # what a comm message from the browser does
            await asyncio.sleep(0)
        assert explorer.pending
        assert calls == []  # nothing computed while the drag goes on
        await asyncio.sleep(0.5)  # the 0.3 s timer fires first, then this wakes up

    asyncio.run(drag())
    assert not explorer.pending
    assert len(calls) == 1  # one cloud computation, for the last value (nothing drawn anew)
    assert explorer.values["correlation"] == pytest.approx(0.9)
    assert_marks_match_engine(explorer)


def test_python_assignment_inside_a_running_loop_stays_synchronous() -> None:
    explorer = CorrelationStress()

    async def cell() -> None:
        explorer.controls["correlation"].value = -0.4
        assert not explorer.pending
        assert list(explorer.current_rule.x) == [-0.4, -0.4]

    asyncio.run(cell())
    assert_marks_match_engine(explorer)


def test_flush_runs_a_pending_update_and_busy_indicator_shows_when_slow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    explorer = CorrelationStress()
    original = module.CommonDraws

    def slow(n: Any, count: int, **kwargs: Any) -> Any:
        if count == 3_000:
            time.sleep(0.35)
        return original(n, count, **kwargs)

    monkeypatch.setattr(module, "CommonDraws", slow)
    explorer.controls["n_scenarios"].value = 3_000  # a slow update (> 0.3 s)

    async def drag() -> None:
        explorer.controls["seed"].set_state({"value": 5})
        assert explorer.pending
        assert "computing" in explorer.busy.value  # the progress indicator shows at once
        explorer.flush()
        assert not explorer.pending

    asyncio.run(drag())
    assert explorer.busy.value == ""
    assert explorer.values["seed"] == 5
    assert_marks_match_engine(explorer)


def test_controls_that_draw_new_numbers_say_computing_and_coalesce(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from margin_widgets.widgets import _base

    monkeypatch.setattr(_base, "SLOW_UPDATE_SECONDS", 60.0)  # only DRAWING says computing
    explorer = CorrelationStress()
    assert explorer.DRAWING == {"n_assets", "n_scenarios", "seed"}
    shown: list[str] = []
    explorer.busy.observe(lambda change: shown.append(change["new"]), names="value")
    explorer.controls["leverage"].value = 12  # over the kept scenarios
    assert shown == []
    explorer.controls["seed"].value = 3  # new random numbers
    assert any("computing" in text for text in shown) and explorer.busy.value == ""

    async def drag() -> None:
        for seed in (4, 5, 6, 7):
            explorer.controls["seed"].set_state({"value": seed})
            assert "computing" in explorer.busy.value
        assert explorer.pending
        explorer.flush()

    asyncio.run(drag())
    assert explorer.values["seed"] == 7
    assert_marks_match_engine(explorer, curve_indices=(0,))


def test_leverage_and_collateral_reuse_the_scenarios_of_the_seed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    explorer = CorrelationStress()
    calls = count_stress_tests(monkeypatch)
    explorer.controls["leverage"].value = 15
    explorer.controls["position_margin"].value = 2_000.0
    explorer.controls["shock"].value = 0.1  # the kept numbers, rescaled
    assert calls == []
    explorer.controls["seed"].value = 1
    # one draw for the seed: the cloud and every correlation of the curve use its numbers
    assert calls == [2_000]
    assert_marks_match_engine(explorer, curve_indices=(0, 20))
