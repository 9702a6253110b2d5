"""IsolatedMarginAdjuster: margin moves through the engine and the marks follow."""

from __future__ import annotations

import math

import numpy as np
import pytest

from margin_widgets import IsolatedMarginAdjuster
from margin_widgets.engine import (
    Account,
    linear_grid,
    liquidation_price_in_brackets,
    load_brackets,
    margin_curve,
)
from tests.widgets.marks import mark_arrays, same_marks, snapshot_marks

BTC = load_brackets("BTCUSDT")


def engine_account(a: IsolatedMarginAdjuster) -> Account:
    v = a.values
    account = Account(wallet_balance=v["collateral"], brackets={"BTCUSDT": BTC})
    account.set_margin_mode("isolated", "BTCUSDT")
    account.open_position(
        "BTCUSDT", "long", v["quantity"], price=v["entry_price"], leverage=v["leverage"]
    )
    if v["margin_added"] > 0:
        account.add_margin("BTCUSDT", v["margin_added"])
    account.update_mark("BTCUSDT", v["mark_price"])
    return account


def test_defaults_and_bounds_come_from_the_engine() -> None:
    a = IsolatedMarginAdjuster()
    account = engine_account(a)
    change = a.controls["margin_change"]
    assert change.min == -account.max_removable_margin("BTCUSDT") == -500.0
    assert change.max == account.available_balance() == 1_000.0
    assert a.liquidation_price() == account.liquidation_price("BTCUSDT")
    preview = account.copy()
    preview.add_margin("BTCUSDT", 300.0)
    assert a.preview_liquidation_price() == preview.liquidation_price("BTCUSDT")
    assert a.now_point.y.tolist() == [account.liquidation_price("BTCUSDT")]
    assert a.now_point.x.tolist() == [account.positions["BTCUSDT"].isolated_wallet]
    assert a.preview_point.y.tolist() == [preview.liquidation_price("BTCUSDT")]
    limit = account.positions["BTCUSDT"].isolated_wallet - 500.0
    assert a.limit_line.x.tolist() == [limit, limit]
    assert "removal limit" in a.limit_labels.text[0]
    assert "initial margin of 1,500.00 USDT" in a.description.value
    assert {"leverage", "collateral", "margin_change", "mark_price"} <= set(a.controls)


def test_curve_is_the_engine_liquidation_price_per_margin() -> None:
    a = IsolatedMarginAdjuster()
    for m, y in zip(a.curve.x[::25], a.curve.y[::25], strict=True):
        lp = liquidation_price_in_brackets("long", 0.5, 60_000.0, float(m), BTC)[0]
        assert (math.isnan(y) and lp is None) or y == lp
    # the whole line is the engine's margin curve over an evenly spaced margin axis
    grid = linear_grid(float(a.curve.x[0]), float(a.curve.x[-1]), a.curve.x.size)
    assert a.curve.x.tolist() == grid
    expected = [
        math.nan if v is None else v for v in margin_curve("long", 0.5, 60_000.0, grid, BTC)
    ]
    assert a.curve.y.tolist() == pytest.approx(expected, nan_ok=True, rel=0)


def test_add_and_remove_apply_through_the_engine() -> None:
    a = IsolatedMarginAdjuster()
    expected = engine_account(a)
    expected.add_margin("BTCUSDT", 300.0)
    a.add_button.click()
    assert a.values["margin_added"] == 800.0 and a.values["margin_change"] == 0.0
    assert a.liquidation_price() == pytest.approx(expected.liquidation_price("BTCUSDT"), rel=1e-15)
    assert "Added 300.00 USDT" in a.status_text
    a.controls["margin_change"].value = -200.0
    assert not a.remove_button.disabled and a.add_button.disabled
    a.remove_button.click()
    assert a.values["margin_added"] == 600.0
    assert a.liquidation_price() == engine_account(a).liquidation_price("BTCUSDT")


def test_removal_limit_is_enforced_and_explained() -> None:
    a = IsolatedMarginAdjuster()
    with pytest.raises(ValueError, match=r"must keep its .*initial margin"):
        a.remove_margin(600.0)
    assert a.values["margin_added"] == 500.0
    with pytest.raises(ValueError, match="margin_change must be between -500 and 1000"):
        a.apply_preset({"margin_change": -700.0})
    a.controls[
        "margin_change"
    ].value = -10_000.0  # a slider clamps; the learner is told nothing is lost
    assert a.values["margin_change"] == -500.0


def test_price_drop_shrinks_the_removable_margin() -> None:
    a = IsolatedMarginAdjuster()
    a.controls["mark_price"].value = 59_500.0
    account = engine_account(a)
    assert a.controls["margin_change"].min == -account.max_removable_margin("BTCUSDT")
    assert a.max_removable_margin() == account.max_removable_margin("BTCUSDT") < 500.0


def test_liquidated_at_mark_is_explained() -> None:
    a = IsolatedMarginAdjuster()
    a.controls["mark_price"].value = 56_000.0
    assert a.liquidation_price() is None
    assert "liquidated" in a.status_text and "liquidated" in a.readout.value
    assert a.add_button.disabled and a.remove_button.disabled
    with pytest.raises(ValueError, match="liquidated"):
        a.add_margin(10.0)


def test_round_trip_and_bad_input() -> None:
    a = IsolatedMarginAdjuster(leverage=15, margin_added=100.0, mark_price=61_000.0)
    b = IsolatedMarginAdjuster()
    b.load_json(a.to_json())
    assert b.values == a.values and same_marks(snapshot_marks(a), snapshot_marks(b))
    before = snapshot_marks(b)
    with pytest.raises(ValueError, match="unknown control"):
        b.load_json('{"margin": 1}')
    assert same_marks(snapshot_marks(b), before)


def test_forced_error_and_mark_sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    a = IsolatedMarginAdjuster()
    figure = a.figures[0]

    def boom(self: Account, symbol: str) -> float:
        raise RuntimeError("kaput")

    monkeypatch.setattr(Account, "liquidation_price", boom)
    a.controls["margin_change"].value = 100.0
    assert "kaput" in a.status_text
    monkeypatch.undo()
    a.controls["leverage"].value = 50
    assert a.status_text == "" and a.figures[0] is figure
    assert all(arr.size <= 1_000 for _m, _n, arr in mark_arrays(figure))
    assert np.isfinite(a.now_point.y).all()


def test_prices_shown_at_the_tick_with_the_exact_value_on_hover() -> None:
    # 0.5 BTC long at 60,000 with 20x: initial margin 1,500, plus 500 added = 2,000 USDT; bracket 1
    # of BTCUSDT (MMR 0.4 %, no maintenance amount):
    # liq. = (0.5 × 60,000 − 2,000) / (0.5 × (1 − 0.004)) = 28,000 / 0.498 = 56,224.89959...
    # after adding 300 more: 27,700 / 0.498 = 55,622.48995...; BTCUSDT tick 0.1
    a = IsolatedMarginAdjuster()
    assert a.readout_plain() == (
        "margin 2,000.00 USDT, liq. price 56,224.9 → after the change 2,300.00 USDT, "
        "liq. price 55,622.5"
    )
    assert '<span title="56,224.89959839 USDT">56,224.9</span>' in a.readout.value
    assert '<span title="55,622.48995984 USDT">55,622.5</span>' in a.readout.value
    assert "liquidation price 56,224.9." in a.description.value
    assert "opened at 60,000.0 USDT" in a.description.value
    # the mark guide is a price (at the tick); "all available" is an amount of USDT
    assert list(a.guide_labels.text) == ["mark 60,000.0", "all available 3,000.00"]
    assert a.curve.tooltip.formats == [",.2f", ",.6f"]
    a.controls["mark_price"].value = 59_500.0
    assert a.guide_labels.text[0] == "mark 59,500.0"
