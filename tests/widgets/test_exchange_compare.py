"""ExchangeComparer: the marks are the engine's exchange conventions, number for number."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from margin_widgets.engine import get_exchange, isolated_liquidation_price, load_tier_table
from margin_widgets.engine.exchanges import liquidation_price_in_tiers
from margin_widgets.widgets import exchange_compare
from margin_widgets.widgets.exchange_compare import EXCHANGES, ExchangeComparer
from tests.widgets.marks import same_marks, snapshot_marks


def test_start_values_show_three_prices_for_one_trade() -> None:
    explorer = ExchangeComparer()
    prices = explorer.liquidation_prices()
    # Bybit's documented example: 20,000 − (400 − 100) / 1 = 19,700
    assert prices["bybit"] == pytest.approx(19_700.0, abs=1e-9)
    # Binance: (400 − 20,000) / (0.005 − 1) = 19,698.4925
    assert prices["binance"] == pytest.approx(19_698.4925, abs=1e-4)
    # OKX with a 0.05 % fee: 19,600 / (1 − 0.005 − 0.0005) = 19,708.3962
    assert prices["okx"] == pytest.approx(19_708.3962, abs=1e-4)
    text = explorer.readout.value
    # at BTCUSDT's tick size, 0.1, the exact value in the title shown on hover
    assert ">19,698.5<" in text and ">19,700.0<" in text and ">19,708.4<" in text
    assert 'title="19,698.49246231 USDT"' in text and 'title="19,700 USDT"' in text
    assert explorer.status_text == ""
    for name in EXCHANGES:
        point = explorer.lp_points[name]
        assert list(point.x) == [50.0]
        assert point.y[0] == prices[name]


def test_curves_are_the_engine_prices_against_leverage() -> None:
    explorer = ExchangeComparer(side="short", leverage=20, mmr=0.01, okx_fee=0.001)
    for name in EXCHANGES:
        line = explorer.lp_lines[name]
        fee = 0.001 if name == "okx" else 0.0
        for lev, y in zip(line.x[::17], line.y[::17], strict=True):
            want = isolated_liquidation_price(name, "short", 1.0, 20_000.0, lev, 0.01, 0, 0, fee)
            assert want is not None and y == want


def test_tier_tables_and_missing_tables_drawn_as_nothing() -> None:
    explorer = ExchangeComparer(
        maintenance="tier tables", symbol="ETHUSDT", quantity=10.0, entry_price=3_000.0
    )
    prices = explorer.liquidation_prices()
    assert set(prices) == {"binance", "okx"}
    for name in ("binance", "okx"):
        fee = 0.0005 if name == "okx" else 0.0
        want, _ = liquidation_price_in_tiers(
            name, "long", 10.0, 3_000.0, 600.0, load_tier_table(name, "ETHUSDT"), fee
        )
        assert prices[name] == want
    assert len(explorer.lp_lines["bybit"].x) == 0
    assert len(explorer.ratio_lines["bybit"].y) == 0
    assert "Bybit" in explorer.status_text
    for text in (explorer.description.value, explorer.readout.value):
        assert not re.search(r"\bnan\b|\binf\b|-0\.0+\b", text)


def test_ratio_marks_are_each_conventions_ratio() -> None:
    explorer = ExchangeComparer()
    for name in EXCHANGES:
        convention = get_exchange(name)
        line = explorer.ratio_lines[name]
        fee = 0.0005 if name == "okx" else 0.0
        checked = 0
        for price, y in zip(line.x, line.y, strict=True):
            if math.isnan(y):
                continue
            # margin 400 (1 BTC at 20,000, 50x) plus the long's PnL
            balance = 400.0 + (price - 20_000.0)
            want = convention.margin_ratio(
                balance, convention.maintenance_margin(1.0, 20_000.0, price, 0.005, 0.0, fee)
            )
            assert y == pytest.approx(want, rel=1e-12)
            checked += 1
        assert checked > 50
    # at each exchange's own liquidation price its ratio is exactly 100 %
    prices = explorer.liquidation_prices()
    ratios = explorer.margin_ratios([p for p in prices.values() if p is not None])
    for i, name in enumerate(EXCHANGES):
        assert ratios[name][i] == pytest.approx(1.0, abs=1e-9)


def test_fee_moves_only_okx() -> None:
    explorer = ExchangeComparer()
    binance = np.asarray(explorer.lp_lines["binance"].y).copy()
    okx = np.asarray(explorer.lp_lines["okx"].y).copy()
    explorer.controls["okx_fee"].value = 0.0019
    assert explorer.status_text == ""
    assert np.array_equal(binance, explorer.lp_lines["binance"].y, equal_nan=True)
    assert not np.array_equal(okx, explorer.lp_lines["okx"].y)


def test_ratio_axis_has_thousands_separators_and_no_tick_at_the_ends() -> None:
    explorer = ExchangeComparer()
    axis = explorer.ratio_figure.axes[0]
    assert axis.tick_format == ",.0f"
    low, high = explorer.ratio_scales["x"].min, explorer.ratio_scales["x"].max
    ticks = np.asarray(axis.tick_values, dtype=float)
    assert ticks.size >= 2
    margin = 0.06 * (high - low)
    assert (ticks > low + margin).all() and (ticks < high - margin).all()


def test_description_names_the_coin() -> None:
    explorer = ExchangeComparer(quantity=1.0)
    assert "isolated long of 1 BTC at 20,000.0 USDT" in explorer.description_text
    assert "coins" not in explorer.description_text
    explorer.controls["symbol"].value = "ETHUSDT"
    assert "of 1 ETH at" in explorer.description_text


def _scales(explorer: ExchangeComparer) -> list[float]:
    return [
        float(explorer.lp_scales["y"].min),
        float(explorer.lp_scales["y"].max),
        float(explorer.ratio_scales["x"].min),
        float(explorer.ratio_scales["x"].max),
    ]


def test_cached_parts_follow_every_control() -> None:
    # after any path of changes the marks are those of a fresh explorer at the same values
    explorer = ExchangeComparer()
    steps = [
        ("leverage", 20),
        ("entry_price", 21_500.0),
        ("okx_fee", 0.0012),
        ("maintenance", "tier tables"),
        ("mmr", 0.02),  # inactive in tier mode: nothing moves
        ("quantity", 130.0),  # Bybit and Binance tiers above the first
        ("symbol", "ETHUSDT"),
        ("side", "short"),
        ("leverage", 90),
        ("maintenance", "one rate"),
        ("symbol", "BTCUSDT"),
        ("leverage", 20),
        ("entry_price", 20_000.0),
    ]
    for name, value in steps:
        explorer.controls[name].value = value
        fresh = ExchangeComparer(**explorer.values)
        assert same_marks(snapshot_marks(explorer), snapshot_marks(fresh)), name
        assert _scales(explorer) == _scales(fresh), name
        assert explorer.readout.value == fresh.readout.value
        assert explorer.description_text == fresh.description_text
        assert explorer.liquidation_prices() == fresh.liquidation_prices()


def test_each_curve_is_computed_only_when_its_inputs_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    explorer = ExchangeComparer()
    calls: list[str] = []
    real = exchange_compare.exchange_leverage_curve

    def counting(name: str, *args: object, **kwargs: object) -> object:
        calls.append(name)
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(exchange_compare, "exchange_leverage_curve", counting)
    explorer.controls["leverage"].value = 33  # only the points move
    assert calls == []
    explorer.controls["okx_fee"].value = 0.0011  # OKX's fee: OKX's curve alone
    assert calls == ["okx"]
    calls.clear()
    explorer.controls["symbol"].value = "ETHUSDT"  # one rate: the tables are not read
    assert calls == []
    explorer.controls["entry_price"].value = 20_500.0
    assert sorted(calls) == sorted(EXCHANGES)


def test_ratio_axis_ticks_and_the_100_percent_line_span_the_plot() -> None:
    explorer = ExchangeComparer()
    line = explorer.threshold_line
    # on its own unit x scale, from edge to edge whatever the marks
    assert (line.scales["x"].min, line.scales["x"].max) == (0.0, 1.0)
    assert line.x.tolist() == [0.0, 1.0] and line.y.tolist() == [1.0, 1.0]
    explorer.controls["entry_price"].value = 30_000.0
    low, high = explorer.ratio_scales["x"].min, explorer.ratio_scales["x"].max
    ticks = np.asarray(explorer.ratio_figure.axes[0].tick_values, dtype=float)
    assert low < 30_000.0 < high and ticks.size >= 2
