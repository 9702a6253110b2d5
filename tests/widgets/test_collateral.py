"""MultiAssetsCollateral: liquidation prices, margin left and stress are the engine's."""

from __future__ import annotations

import re

import pytest

from margin_widgets.engine import (
    Collateral,
    load_brackets,
    multi_assets_excess,
    multi_assets_liquidation_prices,
    multi_assets_stress,
)
from margin_widgets.widgets.collateral import MultiAssetsCollateral

TABLE = load_brackets("BTCUSDT")


def test_btc_behind_a_btc_long_liquidates_higher_by_hand() -> None:
    # 1 BTC long at 60,000 (bracket 2: 0.5 %, cum 50), 0.1 BTC collateral counted at 95 %:
    # 0.095 P + (P - 60,000) = 0.005 P - 50  ->  P = 59,950 / 1.09 = 55,000.
    # Same 5,700 in USDT: 5,700 + P - 60,000 = 0.005 P - 50 -> P = 54,250 / 0.995 = 54,522.61
    explorer = MultiAssetsCollateral()
    roots = explorer.liquidation_prices()
    assert roots["coin"] == pytest.approx((55_000.0,))
    assert roots["usdt"] == pytest.approx((54_522.613,), abs=1e-3)
    assert sorted(explorer.root_points["coin"].x) == list(roots["coin"])
    assert list(explorer.root_points["coin"].y) == [0.0]
    # at BTCUSDT's tick size (0.1), the exact value on hover
    text = explorer.readout.value
    assert '<span title="55,000 USDT">55,000.0</span>' in text
    assert '<span title="54,522.61306533 USDT">54,522.6</span>' in text
    labels = list(explorer.root_labels.text)
    assert labels == ["coin liq. 55,000.0", "USDT liq. 54,522.6"]
    assert explorer.status_text == ""


def test_marks_are_engine_numbers_for_eth_collateral() -> None:
    explorer = MultiAssetsCollateral(
        asset="ETH", correlation=0.6, haircut=0.1, side="short", usdt_balance=1_000.0
    )
    coin = [Collateral("ETH", 6_000.0 / 3_000.0, 3_000.0, beta=0.6, haircut=0.1)]
    want = multi_assets_liquidation_prices("short", 1.0, 60_000.0, 60_000.0, 1_000.0, coin, TABLE)
    assert explorer.liquidation_prices()["coin"] == want
    line = explorer.excess_lines["coin"]
    for price, y in list(zip(line.x, line.y, strict=True))[::40]:
        assert y == multi_assets_excess(
            "short", 1.0, 60_000.0, 60_000.0, 1_000.0, coin, TABLE, price
        )
    twin = explorer.excess_lines["usdt"]
    for price, y in list(zip(twin.x, twin.y, strict=True))[::40]:
        # the baseline holds the counted value, 6,000 x 0.9 = 5,400, in USDT
        assert y == pytest.approx(
            multi_assets_excess("short", 1.0, 60_000.0, 60_000.0, 6_400.0, [], TABLE, price),
            abs=1e-9,
        )
    result = multi_assets_stress(
        "short", 1.0, 60_000.0, 60_000.0, 1_000.0, coin, TABLE, 0.6, 0.1, 2_000, 0
    )
    assert explorer.stress == result
    assert list(explorer.curve_points["coin"].y) == [result.probability]
    assert list(explorer.curve_points["usdt"].y) == [result.usdt_probability]


def test_stress_curve_over_correlation_and_common_seed() -> None:
    explorer = MultiAssetsCollateral(volatility=0.2, n_scenarios=1_000, seed=3)
    curve = explorer.curve_lines["coin"]
    assert list(curve.x) == pytest.approx([-1.0 + 0.2 * i for i in range(11)])
    for rho, p in list(zip(curve.x, curve.y, strict=True))[::5]:
        coin = [Collateral("BTC", 0.1, 60_000.0, beta=max(rho, 0.0), haircut=0.05)]
        want = multi_assets_stress(
            "long", 1.0, 60_000.0, 60_000.0, 0.0, coin, TABLE, rho, 0.2, 1_000, 3
        )
        assert p == want.probability
    # a correlation change keeps the curve (no new draws) and moves the current point
    before = list(curve.y)
    explorer.controls["correlation"].value = 0.0
    assert list(curve.y) == before
    assert list(explorer.curve_points["coin"].x) == [0.0]


def test_negative_correlation_note_and_clean_text() -> None:
    explorer = MultiAssetsCollateral(asset="BNB", correlation=-0.5, usdt_balance=-20_000.0)
    assert "β = 0" in explorer.status_text
    assert "below maintenance" in explorer.status_text
    for text in (explorer.readout.value, explorer.description.value):
        assert not re.search(r"\bnan\b|\binf\b|-0\.0+\b", text)
