"""BracketExplorer: maintenance margin and liquidation distance versus size, from the engine."""

from __future__ import annotations

import math

import pytest

from margin_widgets import BracketExplorer
from margin_widgets.engine import (
    bracket_curve,
    initial_margin,
    liquidation_price_in_brackets,
    load_brackets,
    log_grid,
    price_move,
    size_curve,
)
from margin_widgets.widgets import brackets as brackets_module
from tests.widgets.marks import mark_arrays, same_marks, snapshot_marks


def test_defaults_and_engine_numbers() -> None:
    b = BracketExplorer()
    table = load_brackets("BTCUSDT")
    assert b.values["date"] == table.effective_date
    assert b.bracket() == table.bracket_for(100_000.0)
    assert b.maintenance_margin() == table.maintenance_margin(100_000.0)
    assert b.mm_point.y.tolist() == [bracket_curve(table, [100_000.0]).maintenance_rate[0] * 100]
    assert b.mm_point.y[0] == pytest.approx(table.maintenance_margin(100_000.0) / 1_000.0)
    lp = liquidation_price_in_brackets(
        "long", 100_000.0 / 60_000.0, 60_000.0, initial_margin(100_000.0, 20), table
    )[0]
    assert b.liquidation_prices()["isolated"] == lp
    cross = liquidation_price_in_brackets("long", 100_000.0 / 60_000.0, 60_000.0, 10_000.0, table)[
        0
    ]
    assert b.liquidation_prices()["cross"] == cross
    move = price_move(60_000.0, lp)
    assert move is not None and b.lp_points["isolated"].y.tolist() == [-move * 100]
    assert b.lp_points["isolated"].y[0] == pytest.approx((60_000.0 - lp) / 60_000.0 * 100)
    assert "bracket 2" in b.readout.value


def test_curves_have_kinks_at_bracket_edges_and_stop_at_the_cap() -> None:
    b = BracketExplorer(leverage=50)
    table = load_brackets("BTCUSDT")
    x, y = b.mm_rate.x, b.mm_rate.y
    grid = log_grid(100.0, table.max_notional, 400)
    assert x.tolist() == grid
    assert y.tolist() == [r * 100 for r in bracket_curve(table, grid).maintenance_rate]
    for n, rate in zip(x[::40], y[::40], strict=True):
        assert rate == pytest.approx(table.maintenance_margin(float(n)) / float(n) * 100)
    edges = sorted({row[0] for row in b.edges.x.tolist()})
    assert edges == [br.max_notional for br in table.brackets[:-1]]
    cap = table.max_notional_for_leverage(50)
    iso = b.lp_lines["isolated"].y
    assert all(math.isnan(v) for v, n in zip(iso, x, strict=True) if n > cap)
    assert b.cap_line.x.tolist() == [cap, cap]
    # the lines are the engine's size curve, as a distance below the 60,000 entry in %
    sizes = size_curve("long", 60_000.0, grid, table, 50, 10_000.0)
    for mode, lps in (("isolated", sizes.isolated), ("cross", sizes.cross)):
        moves = [price_move(60_000.0, lp) for lp in lps]
        expected = [math.nan if m is None else -m * 100 for m in moves]
        assert b.lp_lines[mode].y.tolist() == pytest.approx(expected, nan_ok=True, rel=0, abs=0)
    assert b.leverage_steps.y.tolist()[0] == table.brackets[0].max_leverage


def test_symbol_and_date_select_the_table() -> None:
    b = BracketExplorer(date="2021-03-18", notional=500_000.0)
    assert (b.bracket().number, b.maintenance_margin()) == (3, 3700.0)
    b.controls["symbol"].value = "ETHUSDT"
    assert b.values["date"] == "2024-10-24"
    assert "date changed from" in b.status_text
    assert b.table.symbol == "ETHUSDT"
    with pytest.raises(ValueError, match="date must be one of '2024-10-24'"):
        b.apply_preset({"date": "2021-03-18"})
    b.apply_preset({"symbol": "BTCUSDT", "date": "2021-03-18"})
    assert b.table.effective_date == "2021-03-18"


def test_leverage_is_capped_by_the_bracket_of_the_size() -> None:
    b = BracketExplorer(leverage=100)
    b.controls["notional"].value = 5_000_000.0
    table = load_brackets("BTCUSDT")
    assert b.controls["leverage"].max == table.max_leverage(5_000_000.0)
    assert b.values["leverage"] == table.max_leverage(5_000_000.0)
    assert "leverage changed from 100" in b.status_text


def test_round_trip_bad_input_and_sizes() -> None:
    a = BracketExplorer(symbol="ETHUSDT", notional=2_345_678.0, leverage=10, collateral=123_456.0)
    b = BracketExplorer()
    b.load_json(a.to_json())
    assert b.values == a.values and same_marks(snapshot_marks(a), snapshot_marks(b))
    with pytest.raises(ValueError, match="notional must be between 100 and"):
        b.apply_preset({"notional": 1.0})
    assert b.values == a.values
    figures = list(b.figures)
    b.controls["collateral"].value = 1_000.0
    assert b.figures == figures
    for fig in b.figures:
        assert all(arr.size <= 1_000 for _m, _n, arr in mark_arrays(fig))


def test_entry_price_shown_at_each_symbols_tick() -> None:
    # Binance ticks: BTCUSDT 0.1, ETHUSDT 0.01; the reference entries 60,000 and 3,000
    btc = BracketExplorer()
    assert "how far below a 60,000.0 USDT entry a long is liquidated" in btc.description.value
    eth = BracketExplorer(symbol="ETHUSDT")
    assert "how far below a 3,000.00 USDT entry a long is liquidated" in eth.description.value
    btc.controls["symbol"].value = "ETHUSDT"
    assert "below a 3,000.00 USDT entry" in btc.description.value


def test_cached_parts_follow_every_control() -> None:
    # after any path of changes the marks are those of a fresh explorer at the same values
    b = BracketExplorer()
    steps = [
        ("leverage", 50),
        ("collateral", 2_500.0),
        ("notional", 3_000_000.0),
        ("date", "2021-03-18"),
        ("symbol", "ETHUSDT"),
        ("leverage", 10),
        ("symbol", "BTCUSDT"),
        ("collateral", 10_000.0),
        ("leverage", 20),
    ]
    for name, value in steps:
        b.controls[name].value = value
        fresh = BracketExplorer(**b.values)
        assert same_marks(snapshot_marks(b), snapshot_marks(fresh)), name
        assert b.readout.value == fresh.readout.value
        assert b.description_text == fresh.description_text
        assert b.liquidation_prices() == fresh.liquidation_prices()


def test_size_curves_recomputed_only_for_leverage_wallet_or_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    b = BracketExplorer()
    sizes: list[int] = []
    real = brackets_module.size_curve

    def counting(*args: object) -> object:
        sizes.append(len(args[2]))  # type: ignore[arg-type]
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(brackets_module, "size_curve", counting)
    b.controls["notional"].value = 250_000.0  # the point moves, the curves stay
    assert sizes == [1]
    sizes.clear()
    b.controls["collateral"].value = 20_000.0
    assert sizes == [400, 1]
