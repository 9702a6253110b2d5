"""MarginModeExplorer: the marks hold exactly the engine's numbers."""

from __future__ import annotations

import json
import math

import bqplot as bq
import numpy as np
import pytest

from margin_widgets import MarginModeExplorer
from margin_widgets.engine import (
    Account,
    bankruptcy_price,
    book_account,
    cross_leverage_curve,
    feasible_points,
    initial_margin,
    isolated_leverage_curve,
    liquidation_price_in_brackets,
    load_brackets,
    minimum_leverage,
    position_ratio_curve,
)
from margin_widgets.widgets import margin_mode
from tests.widgets.marks import mark_arrays, same_marks, snapshot_marks

BTC = load_brackets("BTCUSDT")
ETH = load_brackets("ETHUSDT")


def engine_account(mode: str, explorer: MarginModeExplorer) -> Account:
    """The account the explorer should hold, built here from the engine only."""
    v = explorer.values
    account = Account(wallet_balance=v["collateral"], brackets={"BTCUSDT": BTC, "ETHUSDT": ETH})
    account.set_margin_mode(mode, "BTCUSDT")
    account.set_margin_mode(mode, "ETHUSDT")
    account.open_position(
        "BTCUSDT", v["side"], v["quantity"], price=v["entry_price"], leverage=v["leverage"]
    )
    if v["other_quantity"] > 0:
        eth_lev = min(v["leverage"], ETH.max_leverage(v["other_quantity"] * 3_000.0))
        account.open_position(
            "ETHUSDT", "long", v["other_quantity"], price=3_000.0, leverage=eth_lev
        )
        if v["other_move"]:
            account.update_mark("ETHUSDT", 3_000.0 * (1 + v["other_move"]))
    return account


def expected_lp(mode: str, explorer: MarginModeExplorer) -> float | None:
    account = engine_account(mode, explorer)
    return account.liquidation_price("BTCUSDT") if "BTCUSDT" in account.positions else None


def test_defaults_show_the_phenomenon() -> None:
    e = MarginModeExplorer()
    assert e.values == {
        "exchange": "binance",
        "side": "long",
        "entry_price": 60_000.0,
        "quantity": 0.5,
        "leverage": 20,
        "collateral": 5_000.0,
        "other_quantity": 5.0,
        "other_move": 0.0,
    }
    assert {"leverage", "collateral"} <= set(e.controls)
    assert all(isinstance(f, bq.Figure) for f in e.figures) and len(e.figures) == 3
    # at BTCUSDT's tick size, 0.1 (57,228.9157 and 50,321.2889 exactly)
    assert e.price_labels() == {"isolated": "57,228.9", "cross": "50,321.3"}
    assert list(e.ladder_liq_labels.text) == ["isolated liq. 57,228.9", "cross liq. 50,321.3"]
    assert list(e.ladder_liq_labels.y) == [e.liquidation_prices()[m] for m in ("isolated", "cross")]
    assert e.ladder_liq_labels.tooltip.fields == ["y"]  # the exact price on hover
    assert "isolated liquidates 4.6 % below entry, cross 16.1 % below" in e.readout.value
    assert "mw-readout" in e.readout._dom_classes
    assert "mw-margin-mode-explorer" in e._dom_classes
    assert "mw-figure-price-ladder" in e.figure_keys["price_ladder"]._dom_classes
    assert "mw-control-leverage" in e.controls["leverage"]._dom_classes
    assert e.status_text == ""
    assert "57,228.9," in e.description.value and "50,321.3 " in e.description.value


@pytest.mark.parametrize("leverage", [9, 10, 20, 33, 50, 75, 100, 125])
def test_leverage_change_marks_hold_engine_numbers(leverage: int) -> None:
    e = MarginModeExplorer()
    e.controls["leverage"].value = leverage
    lps = e.liquidation_prices()
    iso = liquidation_price_in_brackets(
        "long", 0.5, 60_000.0, initial_margin(30_000.0, leverage), BTC
    )[0]
    assert lps["isolated"] == iso == expected_lp("isolated", e)
    assert lps["cross"] == expected_lp("cross", e)
    assert e.lev_points["isolated"].x.tolist() == [leverage]
    assert e.lev_points["isolated"].y.tolist() == [iso]
    assert e.lev_points["cross"].y.tolist() == [lps["cross"]]
    assert e.lev_lines["isolated"].y[leverage - 1] == iso
    assert e.ladder_liq["isolated"].y.tolist() == [iso, iso]
    labels = e.price_labels()
    assert list(e.ladder_liq_labels.text) == [
        f"isolated liq. {labels['isolated']}",
        f"cross liq. {labels['cross']}",
    ]
    # one decimal (the 0.1 tick), within half a tick of the exact price
    shown = labels["isolated"]
    assert shown.split(".")[1].isdigit() and len(shown.split(".")[1]) == 1
    assert abs(float(shown.replace(",", "")) - iso) <= 0.05 + 1e-9
    bp = bankruptcy_price("long", 0.5, 60_000.0, initial_margin(30_000.0, leverage))
    assert e.bankruptcy_prices()["isolated"] == bp
    assert e.ladder_bankruptcy["isolated"].y.tolist() == [bp, bp]


def test_cross_is_flat_in_leverage_but_moves_with_the_other_position() -> None:
    e = MarginModeExplorer()
    cross = e.liquidation_prices()["cross"]
    for leverage in (9, 15, 60, 125):
        e.controls["leverage"].value = leverage
        assert e.liquidation_prices()["cross"] == cross
    y = e.lev_lines["cross"].y
    feasible = y[np.isfinite(y)]
    assert feasible.size == 125 - 9 + 1 and np.all(feasible == cross)
    e.controls["other_move"].value = 0.2
    assert e.liquidation_prices()["cross"] == expected_lp("cross", e) < cross
    e.controls["other_quantity"].value = 0.0
    assert e.liquidation_prices()["cross"] == expected_lp("cross", e)


def test_iso_curve_is_the_engine_at_every_leverage() -> None:
    e = MarginModeExplorer(quantity=2.0, collateral=50_000.0)
    grid = e.lev_lines["isolated"].x
    assert grid.tolist() == list(range(1, e.controls["leverage"].max + 1))
    for lev, y in zip(grid, e.lev_lines["isolated"].y, strict=True):
        value = liquidation_price_in_brackets(
            "long", 2.0, 60_000.0, initial_margin(120_000.0, float(lev)), BTC
        )[0]
        if value is None or lev < e.minimum_leverage["isolated"]:
            assert math.isnan(y)
        else:
            assert y == value


def test_margin_ratio_curves_match_the_engine_account() -> None:
    e = MarginModeExplorer(other_move=0.1)
    grid = e.ratio_lines["isolated"].x
    for mode in ("isolated", "cross"):
        ys = e.ratio_lines[mode].y
        account = e.account(mode)
        for i in range(0, grid.size, 30):
            account.marks["BTCUSDT"] = float(grid[i])
            if mode == "isolated":
                ratio = account.isolated_margin_ratio("BTCUSDT")
            else:
                ratio = account.cross_margin_ratio()
            if not math.isfinite(ratio) or ratio > margin_mode.RATIO_CAP:
                assert math.isnan(ys[i])
            else:
                assert ys[i] == pytest.approx(ratio * 100, rel=1e-12)
    lps = e.liquidation_prices()
    assert e.ratio_points["isolated"].x.tolist() == [lps["isolated"]]
    assert e.ratio_points["cross"].y.tolist() == [100.0]


@pytest.mark.parametrize(
    "values",
    [{}, {"side": "short", "collateral": 2_500.0}, {"other_move": 0.2, "quantity": 1.5}],
)
def test_marks_are_the_engine_curves(values: dict[str, object]) -> None:
    e = MarginModeExplorer(**values)  # type: ignore[arg-type]
    s = e.values
    top = e.controls["leverage"].max
    curve = isolated_leverage_curve(
        s["side"], s["quantity"], s["entry_price"], BTC, max_leverage=top
    )
    low = minimum_leverage(
        s["collateral"],
        [s["quantity"] * s["entry_price"], s["other_quantity"] * 3_000.0],
        [top, load_brackets("ETHUSDT").max_leverage(s["other_quantity"] * 3_000.0)],
    )
    assert e.minimum_leverage == {"isolated": low, "cross": low}

    def nan(values: tuple[float | None, ...]) -> list[float]:
        return [math.nan if v is None else v for v in values]

    assert e.lev_lines["isolated"].x.tolist() == list(curve.leverages)
    iso = feasible_points(curve.liquidation, curve.leverages, low)
    assert e.lev_lines["isolated"].y.tolist() == pytest.approx(nan(iso), nan_ok=True, rel=0)
    book = {
        "side": s["side"],
        "quantity": s["quantity"],
        "entry_price": s["entry_price"],
        "other_quantity": s["other_quantity"],
        "other_move": s["other_move"],
    }
    assert low is not None
    # the cross price at any leverage the wallet allows: the account's at the lowest one
    cross_lp = book_account("cross", low, s["collateral"], **book).liquidation_price("BTCUSDT")
    flat = cross_leverage_curve(cross_lp, curve.leverages, low)
    assert e.lev_lines["cross"].y.tolist() == pytest.approx(nan(flat), nan_ok=True, rel=0)
    grid = e.ratio_lines["cross"].x.tolist()
    for mode in ("isolated", "cross"):
        if s["leverage"] < low:
            assert np.isnan(e.ratio_lines[mode].y).all()
            continue
        account = book_account(mode, s["leverage"], s["collateral"], **book)
        ratios = position_ratio_curve(account, "BTCUSDT", grid)
        expected = [r * 100 if r * 100 <= margin_mode.RATIO_TOP else math.nan for r in ratios]
        assert e.ratio_lines[mode].y.tolist() == pytest.approx(expected, nan_ok=True, rel=1e-12)


def test_short_side_liquidates_above() -> None:
    e = MarginModeExplorer(side="short")
    lps = e.liquidation_prices()
    assert lps["isolated"] == expected_lp("isolated", e) and lps["isolated"] > 60_000
    assert lps["cross"] == expected_lp("cross", e) and lps["cross"] > lps["isolated"]
    assert "above entry" in e.readout.value


def test_refused_trade_is_explained_and_marks_are_empty() -> None:
    e = MarginModeExplorer()
    e.controls["leverage"].value = 5
    assert e.liquidation_prices() == {"isolated": None, "cross": None}
    assert e.price_labels() == {"isolated": "--", "cross": "--"}
    assert "refuses" in e.status_text and "at least 9x" in e.status_text
    assert e.lev_points["isolated"].x.size == 0
    assert list(e.ladder_liq_labels.text) == ["isolated liq. --", "cross liq. --"]
    with pytest.raises(ValueError, match="initial margin"):
        e.account("cross")
    e.controls["leverage"].value = 9
    assert e.status_text == ""


def test_other_move_can_liquidate_the_cross_account_only() -> None:
    e = MarginModeExplorer(other_move=-0.4)
    lps = e.liquidation_prices()
    assert lps["cross"] is None and lps["isolated"] == expected_lp("isolated", e)
    assert "liquidated the whole cross account" in e.status_text
    assert "cross was liquidated" in e.readout.value
    assert e.account("cross").events[0].symbols == ("ETHUSDT", "BTCUSDT")


def test_leverage_cap_follows_the_bracket_and_clamping_is_reported() -> None:
    e = MarginModeExplorer(leverage=100, collateral=100_000.0)
    e.controls["quantity"].value = 20.0  # 1.2M USDT: bracket 3, 75x
    assert e.controls["leverage"].max == BTC.max_leverage(1_200_000.0) == 75
    assert e.values["leverage"] == 75
    assert "leverage changed from 100 to 75" in e.status_text
    assert "bracket 3" in e.status_text
    with pytest.raises(ValueError, match="leverage must be between 1 and 75"):
        e.apply_preset({"leverage": 80})


def test_presets_and_locking() -> None:
    preset = {"leverage": 50, "other_move": -0.1}
    a = MarginModeExplorer(preset=preset, locked=["leverage"], hidden=["other_quantity"])
    b = MarginModeExplorer(preset=json.dumps(preset))
    assert a.values == b.values and a.values["leverage"] == 50
    assert a.controls["leverage"].disabled and not a.controls["collateral"].disabled
    assert a.controls["other_quantity"].layout.display == "none"
    a.controls["leverage"].value = 30
    a.reset()
    assert a.values["leverage"] == 50


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('{"leverage": 20', "not valid JSON"),
        ({"wallet": 1}, "unknown control(s) 'wallet'"),
        ({"other_move": 0.9}, "other_move must be between -0.5 and 0.5"),
        ({"side": "sideways"}, "side must be one of 'long', 'short'"),
        ({"quantity": -1}, "quantity must be between"),
    ],
)
def test_bad_presets_change_nothing(bad: object, message: str) -> None:
    e = MarginModeExplorer(leverage=30)
    before_values, before_marks = e.values, snapshot_marks(e)
    with pytest.raises(ValueError) as info:
        e.apply_preset(bad)  # type: ignore[arg-type]
    assert message in str(info.value)
    assert e.values == before_values
    assert same_marks(snapshot_marks(e), before_marks)


def test_export_round_trip_is_exact() -> None:
    a = MarginModeExplorer(
        side="short",
        entry_price=61_234.5,
        quantity=1.25,
        leverage=40,
        collateral=7_777.0,
        other_quantity=3.3,
        other_move=0.07,
    )
    b = MarginModeExplorer()
    b.load_json(a.to_json())
    assert b.values == a.values
    assert b.liquidation_prices() == a.liquidation_prices()
    assert same_marks(snapshot_marks(b), snapshot_marks(a))


def test_forced_engine_error_shows_in_status(monkeypatch: pytest.MonkeyPatch) -> None:
    e = MarginModeExplorer()

    def boom(*args: object) -> tuple[float, ...]:
        raise RuntimeError("engine exploded")

    # the engine call a leverage change makes (the isolated margin-ratio curve)
    monkeypatch.setattr(margin_mode, "margin_ratio_curve", boom)
    e.controls["leverage"].value = 30  # must not raise
    assert "engine exploded" in e.status_text and "RuntimeError" in e.status_text
    monkeypatch.undo()
    e.controls["leverage"].value = 31
    assert e.status_text == ""


def test_marks_are_small_and_figures_never_rebuilt() -> None:
    e = MarginModeExplorer()
    figures = list(e.figures)
    marks = [list(f.marks) for f in figures]
    for control, value in [
        ("leverage", 77),
        ("quantity", 3.0),
        ("collateral", 20_000.0),
        ("side", "short"),
        ("other_move", -0.3),
        ("entry_price", 40_000.0),
    ]:
        e.controls[control].value = value
        assert e.figures == figures
        assert [list(f.marks) for f in e.figures] == marks
        for fig in e.figures:
            for _mark, _name, array in mark_arrays(fig):
                assert array.size <= 1_000


def test_account_is_a_copy() -> None:
    e = MarginModeExplorer()
    account = e.account("isolated")
    account.update_mark("BTCUSDT", 10_000.0)
    assert e.account("isolated").positions
    with pytest.raises(ValueError, match="mode must be"):
        e.account("portfolio")


# --------------------------------------------------------------------------- exchanges
def test_bybit_isolated_by_hand_and_no_cross() -> None:
    # 0.5 BTC long at 60,000 (30,000: risk-limit tier 1, MMR 0.5 %, 100x) at 20x:
    # M = 1,500, MM at entry = 150, LP = 60,000 - (1,500 - 150) / 0.5 = 57,300, BP = 57,000
    e = MarginModeExplorer(exchange="bybit")
    assert e.liquidation_prices() == {"isolated": 57_300.0, "cross": None}
    assert e.bankruptcy_prices() == {"isolated": 57_000.0, "cross": None}
    assert e.price_labels() == {"isolated": "57,300.0", "cross": "--"}
    assert e.ladder_liq["isolated"].y.tolist() == [57_300.0, 57_300.0]
    assert e.ladder_liq["cross"].y.size == 0
    assert e.controls["leverage"].max == 100  # tier 1's maximum, not Binance's 125
    # the same account through the engine's Account under Bybit's rules
    account = Account(wallet_balance=5_000.0, exchange="bybit")
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position("BTCUSDT", "long", 0.5, price=60_000.0, leverage=20)
    assert account.liquidation_price("BTCUSDT") == 57_300.0
    assert "cross: not available on Bybit" in e.readout.value
    assert "isolated-margin formulas only" in e.status_text  # the engine's own refusal
    assert "mw-status-error" not in e.status.value
    with pytest.raises(ValueError, match="not available for bybit"):
        e.account("cross")
    assert e.account("isolated").liquidation_price("BTCUSDT") == 57_300.0


def test_bybit_curves_against_leverage_and_price_by_hand() -> None:
    e = MarginModeExplorer(exchange="bybit")
    iso = e.lev_lines["isolated"].y
    # LP(L) = 60,000 - (30,000 / L - 150) / 0.5: 10x 54,300, 100x 59,700; the wallet
    # (5,000) opens 30,000 from 6x up, so 1x..5x have no point
    assert iso[9] == 54_300.0 and iso[99] == 59_700.0
    assert np.isnan(iso[:5]).all() and not np.isnan(iso[5:]).any()
    assert np.isnan(e.lev_lines["cross"].y).all()
    assert e.minimum_leverage == {"isolated": 6, "cross": None}
    # margin ratio = 150 / (1,500 + 0.5 (P - 60,000)), liquidation (100 %) at 57,300
    x, y = e.ratio_lines["isolated"].x, e.ratio_lines["isolated"].y
    balance = 1_500.0 + 0.5 * (x - 60_000.0)
    want = np.where(balance > 0, 100 * 150.0 / np.where(balance > 0, balance, 1.0), np.nan)
    want[~(want <= 150.0)] = np.nan
    assert np.allclose(y, want, rtol=1e-12, equal_nan=True)
    assert e.ratio_points["isolated"].x.tolist() == [57_300.0]
    assert np.isnan(e.ratio_lines["cross"].y).all()


def test_bybit_short_and_a_higher_tier_cap() -> None:
    # short: LP = 60,000 + 2,700 = 62,700
    assert MarginModeExplorer(exchange="bybit", side="short").liquidation_prices()[
        "isolated"
    ] == pytest.approx(62_700.0, abs=1e-9)
    # 40 BTC at 60,000 = 2,400,000 USDT: tier 2 (to 2,600,000), at most 90x
    e = MarginModeExplorer(exchange="bybit", quantity=40.0, collateral=100_000.0)
    assert e.controls["leverage"].max == 90
    e.controls["leverage"].value = 90
    assert e.controls["leverage"].value == 90
    e.controls["leverage"].value = 100
    assert e.controls["leverage"].value == 90


def test_okx_has_no_btc_table_and_says_so() -> None:
    e = MarginModeExplorer(exchange="okx")
    assert e.liquidation_prices() == {"isolated": None, "cross": None}
    assert e.price_labels() == {"isolated": "--", "cross": "--"}
    assert "no OKX BTCUSDT tier table ships" in e.status_text
    assert "mw-status-error" not in e.status.value
    assert {"side", "entry_price", "quantity", "leverage", "collateral"} <= set(e.inactive)
    assert all(e.controls[n].disabled for n in e.inactive)
    assert not e.controls["exchange"].disabled
    with pytest.raises(ValueError, match="no OKX BTCUSDT tier table ships"):
        e.account("isolated")


def test_exchange_switch_and_back_and_presets() -> None:
    e = MarginModeExplorer()
    e.controls["exchange"].value = "bybit"
    assert e.price_labels()["isolated"] == "57,300.0"
    assert e.inactive["other_quantity"].startswith("the ETH leg runs on Binance only")
    e.controls["exchange"].value = "binance"
    assert e.price_labels() == {"isolated": "57,228.9", "cross": "50,321.3"}
    assert "other_quantity" not in e.inactive
    # a preset saved before the control existed loads as Binance; a saved state keeps it
    old = MarginModeExplorer(preset={"leverage": 50, "collateral": 8_000.0})
    assert old.values["exchange"] == "binance"
    bybit = MarginModeExplorer(exchange="bybit", leverage=50)
    again = MarginModeExplorer(preset=bybit.to_json())
    assert again.values["exchange"] == "bybit"
    assert again.liquidation_prices() == bybit.liquidation_prices()
    # a leverage only Bybit allows (40 BTC: Bybit tier 2, 90x; Binance's bracket caps it at
    # 75x) loads, since the exchange is applied before the leverage is checked
    big = MarginModeExplorer(exchange="bybit", quantity=40.0, collateral=100_000.0, leverage=90)
    assert MarginModeExplorer(preset=big.to_json()).values["leverage"] == 90
