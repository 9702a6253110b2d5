"""PathStress: the probabilities drawn are the engine's, over paths and in the one-shock model."""

from __future__ import annotations

import re

import pytest

from margin_widgets.engine import equal_legs, liquidation_probability, simulate_paths
from margin_widgets.widgets.path_stress import MAX_LEVERAGE, PathStress

SMALL = {"n_paths": 400, "seed": 5}


def engine(values: dict[str, object], leverage: int, *, nu: int | None, one_shock: bool) -> dict:
    paths = simulate_paths(
        2,
        values["correlation"],
        values["volatility"],
        values["n_paths"],
        horizon_days=30.0,
        step_days=30.0 if one_shock else 1.0,
        degrees_of_freedom=nu,
        seed=values["seed"],
    )
    legs = equal_legs(2, leverage, values["position_margin"])
    return {
        "cross": paths.cross_probability(legs),
        "isolated": paths.isolated_probability(legs[0]),
    }


@pytest.fixture(scope="module")
def explorer() -> PathStress:
    return PathStress(**SMALL)


def test_curves_are_engine_probabilities(explorer: PathStress) -> None:
    values = explorer.values
    assert list(explorer.path_lines["cross"].x) == list(range(1, MAX_LEVERAGE + 1))
    for lev in (1, 7, 18, MAX_LEVERAGE):
        fat = engine(values, lev, nu=5, one_shock=False)
        shock = engine(values, lev, nu=None, one_shock=True)
        for mode in ("cross", "isolated"):
            assert explorer.path_lines[mode].y[lev - 1] == fat[mode]
            assert explorer.shock_lines[mode].y[lev - 1] == shock[mode]
    now = engine(values, 10, nu=5, one_shock=False)
    assert list(explorer.current_points["cross"].y) == [now["cross"]]
    assert explorer.probabilities()["paths"] == now


def test_one_shock_is_the_scenario_model_number_for_number(explorer: PathStress) -> None:
    # one step over the horizon is the one-shock stress test with the same seed
    values = explorer.values
    legs = equal_legs(2, 10, values["position_margin"])
    result = liquidation_probability(
        legs, values["correlation"], values["volatility"], values["n_paths"], values["seed"]
    )
    assert explorer.probabilities()["one shock"]["cross"] == result.cross_probability


def test_paths_liquidate_at_least_as_often_as_one_shock(explorer: PathStress) -> None:
    p = explorer.probabilities()
    for mode in ("cross", "isolated"):
        assert p["gaussian"][mode] >= p["one shock"][mode]


def test_models_panel_and_toggle(explorer: PathStress) -> None:
    assert list(explorer.model_points["isolated"].x) == [
        "one shock",
        "paths, normal",
        "paths, fat tails",
    ]
    explorer.controls["one_shock"].value = False
    assert len(explorer.shock_lines["cross"].y) == 0
    explorer.controls["tail"].value = 0
    assert list(explorer.model_points["cross"].x) == ["one shock", "paths, normal"]
    gauss = engine(explorer.values, 10, nu=None, one_shock=False)
    assert explorer.probabilities()["paths"] == gauss
    explorer.apply_preset({"one_shock": True, "tail": 5})
    assert len(explorer.shock_lines["cross"].y) == MAX_LEVERAGE


def test_isolated_ignores_correlation_and_busy_shown_on_new_paths() -> None:
    explorer = PathStress(**SMALL)
    seen: list[str] = []
    explorer.busy.observe(lambda change: seen.append(change["new"]), names="value")
    before = list(explorer.path_lines["isolated"].y)
    explorer.controls["correlation"].value = 0.9
    assert any("computing" in text for text in seen) and explorer.busy.value == ""
    # each isolated position only sees its own asset: the correlation does not move it
    assert list(explorer.path_lines["isolated"].y) == before
    explorer.controls["leverage"].value = 15  # after it, the last update was a fast one
    seen.clear()
    explorer.controls["leverage"].value = 20  # a look-up: no new paths
    assert not any("computing" in text for text in seen)
    assert explorer.status_text == ""
    for text in (explorer.readout.value, explorer.description.value):
        assert not re.search(r"\bnan\b|\binf\b|-0\.0+\b", text)
