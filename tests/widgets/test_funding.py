"""FundingTimeline: funding booked to the isolated wallet vs the cross wallet (claim F4)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from margin_widgets.engine import Account, load_brackets
from margin_widgets.widgets import funding as module
from margin_widgets.widgets.funding import FundingTimeline

MODES = ("isolated", "cross")


def engine_timeline(leverage: float, collateral: float, rate: float, days: int) -> dict[str, Any]:
    """The expected numbers, straight from engine Accounts (independent of the widget code)."""
    out: dict[str, Any] = {}
    for mode in MODES:
        account = Account(wallet_balance=collateral)
        for symbol, q, price in (("BTCUSDT", 0.5, 60_000.0), ("ETHUSDT", 5.0, 3_000.0)):
            account.set_margin_mode(mode, symbol)
            account.open_position(symbol, "long", q, price=price, leverage=leverage)
        lps, paid, wallets, btc_payments, total = [], [], [], [], 0.0
        for k in range(3 * days + 1):
            btc = 0.0
            if k:
                for symbol in ("BTCUSDT", "ETHUSDT"):
                    if symbol in account.positions:
                        payment, _ = account.settle_funding(symbol, rate)
                        if symbol == "BTCUSDT":
                            btc = payment
                        if mode == "cross" or symbol == "BTCUSDT":
                            total -= payment
            btc_payments.append(btc)
            paid.append(total)
            if "BTCUSDT" in account.positions:
                lp = account.liquidation_price("BTCUSDT")
                lps.append(math.nan if lp is None else lp)
                p = account.position("BTCUSDT")
                wallets.append(p.isolated_wallet if mode == "isolated" else account.wallet_balance)
            else:
                lps.append(math.nan)
                wallets.append(math.nan)
        out[mode] = {
            "lp": lps,
            "paid": paid,
            "wallet": wallets,
            "payments": btc_payments,
            "account": account,
        }
    return out


def same(a: Any, b: Any) -> bool:
    return bool(np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), True))


@pytest.fixture(scope="module")
def explorer() -> FundingTimeline:
    return FundingTimeline()


def assert_marks_match_engine(explorer: FundingTimeline) -> None:
    v = explorer.values
    expected = engine_timeline(v["leverage"], v["collateral"], v["funding_rate"], v["days"])
    days = [k / 3 for k in range(3 * v["days"] + 1)]
    i = 3 * v["day"]
    for mode in MODES:
        e = expected[mode]
        assert same(explorer.liquidation_lines[mode].x, days)
        assert same(explorer.liquidation_lines[mode].y, e["lp"])
        assert same(explorer.paid_lines[mode].y, e["paid"])
        assert same(explorer.wallet_lines[mode].y, e["wallet"])
        assert same(explorer.liquidation_points[mode].x, [v["day"]])
        assert same(explorer.liquidation_points[mode].y, [e["lp"][i]])
        assert same(explorer.paid_points[mode].y, [e["paid"][i]])
        assert same(explorer.wallet_points[mode].y, [e["wallet"][i]])
        lp = explorer.liquidation_prices()[mode]
        assert same([math.nan if lp is None else lp], [e["lp"][i]])
        # the account at the end of the timeline: wallets, positions, events (whose step the
        # reference does not name), what the insurance fund took
        got, want = explorer.account(mode), e["account"]
        assert (got.wallet_balance, got.positions) == (want.wallet_balance, want.positions)
        assert [replace(x, step=None) for x in got.events] == want.events
        assert got.insurance_fund_received == want.insurance_fund_received
    assert list(explorer.liquidation_rule.x) == [v["day"], v["day"]]


def test_structure_css_and_defaults(explorer: FundingTimeline) -> None:
    assert explorer.values == {
        "collateral": 5_000.0,
        "leverage": 20,
        "funding_rate": 0.0003,
        "days": 30,
        "day": 30,
    }
    assert {"mw-explorer", "mw-funding-timeline"} <= set(explorer._dom_classes)
    for name, control in explorer.controls.items():
        assert f"mw-control-{name}" in control._dom_classes
    keys = {c for f in explorer.figures for c in f._dom_classes if c.startswith("mw-figure-")}
    assert {"mw-figure-liquidation", "mw-figure-funding", "mw-figure-wallets"} <= keys
    for fig in explorer.figures:
        assert fig.animation_duration == 0
        assert all(axis.label for axis in fig.axes)
        for mark in fig.marks:
            assert len(mark.x) <= 1_000
    assert explorer.play.max == 30 and explorer.play.value == 30
    styles = {m: explorer.liquidation_lines[m].line_style for m in MODES}
    assert styles == {"isolated": "solid", "cross": "dashed"}
    assert explorer.liquidation_lines["cross"].tooltip is not None
    assert explorer.status_text == ""
    assert "booked to each isolated position's own wallet" in explorer.description.value
    # first sight: the flagship's numbers at day 0, both liquidation prices rising
    assert explorer.liquidation_prices(day=0) == pytest.approx(
        {"isolated": 57_228.9156626506, "cross": 50_321.28514056225}, abs=0.005
    )
    # at BTCUSDT's 0.1 tick as the exchange shows it (58,855.4217 -> 58,855.4; the change since
    # day 0, 58,855.4217 - 57,228.9157 = 1,626.506, to one decimal); the exact value on hover
    assert explorer.readout_plain().startswith(
        "Day 30: isolated liq. 58,855.4 (+1,626.5 since day 0)"
    )
    assert '<span title="58,855.42168675 USDT">58,855.4</span>' in explorer.readout.value


def test_default_marks_hold_engine_numbers(explorer: FundingTimeline) -> None:
    assert_marks_match_engine(explorer)


@pytest.mark.parametrize(
    "changes",
    [
        {"day": 7},
        {"funding_rate": -0.0005, "days": 45, "day": 12},
        {"collateral": 12_000.0, "leverage": 50, "day": 0},
    ],
)
def test_setting_values_updates_every_mark_synchronously(changes: dict[str, Any]) -> None:
    explorer = FundingTimeline()
    for name, value in changes.items():
        explorer.controls[name].value = value
        assert explorer.values[name] == value
        assert_marks_match_engine(explorer)
    assert explorer.status_text == ""


def test_isolated_shift_is_payment_over_q_times_one_minus_mmr(explorer: FundingTimeline) -> None:
    """Claim F4: the isolated long's LP moves by payment / (Q × (1 − MMR)) per interval."""
    t = explorer.timeline
    mmr = load_brackets("BTCUSDT").bracket_for(0.5 * 60_000).maintenance_margin_rate
    lp = t.liquidation["isolated"]
    for k in range(1, len(lp)):
        paid = -t.payments["isolated"][k]
        assert paid == pytest.approx(0.5 * 60_000 * 0.0003)  # same rate, same payment
        assert lp[k] - lp[k - 1] == pytest.approx(paid / (0.5 * (1 - mmr)), rel=1e-9)
    # cross: the shared wallet also pays for the ETH position, so the BTC LP moves further
    cross = t.liquidation["cross"]
    both = 0.5 * 60_000 * 0.0003 + 5 * 3_000 * 0.0003
    for k in range(1, len(cross)):
        assert t.payments["cross"][k] == t.payments["isolated"][k]
        assert cross[k] - cross[k - 1] == pytest.approx(both / (0.5 * (1 - mmr)), rel=1e-9)


def test_day_only_moves_the_markers(explorer: FundingTimeline) -> None:
    lines = {m: list(explorer.liquidation_lines[m].y) for m in MODES}
    explorer.controls["day"].value = 3
    assert same(explorer.liquidation_points["isolated"].x, [3.0])
    for m in MODES:
        assert same(explorer.liquidation_lines[m].y, lines[m])
    assert "Day 3:" in explorer.readout.value
    explorer.controls["day"].value = 30


def test_funding_alone_can_liquidate_at_an_unchanged_mark() -> None:
    explorer = FundingTimeline(funding_rate=0.003, days=20, day=20)
    t = explorer.timeline
    assert t.events["isolated"] and t.events["cross"]
    assert explorer.liquidation_prices() == {"isolated": None, "cross": None}
    assert math.isnan(explorer.liquidation_lines["isolated"].y[-1])  # the line stops
    # each mark price at its symbol's tick: BTCUSDT 0.1, ETHUSDT 0.01
    assert "isolated liquidation of BTCUSDT at 60,000.0;" in explorer.status_text
    assert "cross liquidation of BTCUSDT at 60,000.0, ETHUSDT at 3,000.00;" in explorer.status_text
    assert "liquidated" in explorer.readout.value
    assert_marks_match_engine(explorer)
    explorer.controls["day"].value = 0  # before the liquidations: no note
    assert explorer.status_text == ""


def test_negative_rate_pays_the_longs_and_lowers_both_prices() -> None:
    explorer = FundingTimeline(funding_rate=-0.0002)
    t = explorer.timeline
    for mode in MODES:
        assert t.liquidation[mode][-1] < t.liquidation[mode][0]
        assert t.paid[mode][-1] < 0
    assert "shorts pay longs" in explorer.description.value


def test_bounds_leverage_minimum_and_day_range() -> None:
    explorer = FundingTimeline()
    explorer.controls["collateral"].value = 1_000.0
    assert explorer.controls["leverage"].min == 45
    assert explorer.values["leverage"] == 45
    assert "must cover the initial margin" in explorer.status_text
    explorer.controls["days"].value = 10
    assert explorer.controls["day"].max == explorer.play.max == 10
    assert explorer.values["day"] == 10
    assert_marks_match_engine(explorer)
    with pytest.raises(ValueError, match="day must be between 0 and 10"):
        explorer.apply_preset({"day": 11})


def test_preset_export_round_trip_and_locking() -> None:
    explorer = FundingTimeline(
        preset='{"leverage": 30, "funding_rate": 0.001, "days": 40, "day": 25}', locked=["day"]
    )
    assert explorer.is_locked("day") and explorer.play.disabled
    clone = FundingTimeline()
    clone.load_json(explorer.to_json())
    assert clone.values == explorer.values
    for mode in MODES:
        assert same(clone.liquidation_lines[mode].y, explorer.liquidation_lines[mode].y)
    before = clone.values
    with pytest.raises(ValueError, match="funding_rate must be between"):
        clone.load_json('{"funding_rate": 0.5}')
    assert clone.values == before
    clone.reset()
    assert clone.values == FundingTimeline().values
    explorer.unlock("day")
    assert not explorer.play.disabled
    explorer.lock("day", hide=True)
    assert explorer.play.layout.display == "none"


def test_handler_error_shows_in_status_line(monkeypatch: pytest.MonkeyPatch) -> None:
    explorer = FundingTimeline()
    before = list(explorer.liquidation_lines["cross"].y)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ledger on fire")

    monkeypatch.setattr(module, "timeline", broken)
    explorer.controls["funding_rate"].value = 0.0001
    assert "ledger on fire" in explorer.status_text
    assert list(explorer.liquidation_lines["cross"].y) == before
    monkeypatch.undo()
    explorer.controls["funding_rate"].value = 0.0002
    assert explorer.status_text == ""
    assert_marks_match_engine(explorer)


def test_a_position_without_liquidation_price_is_not_called_liquidated() -> None:
    explorer = FundingTimeline(collateral=50_000.0, leverage=1, day=0)
    assert explorer.liquidation_prices() == {"isolated": None, "cross": None}
    assert "cross liq. -- (no liquidation price above zero)" in explorer.readout.value
    assert "liquidated" not in explorer.readout.value.replace("no liquidation", "")
    assert_marks_match_engine(explorer)


def test_days_reuse_a_longer_timeline_with_the_engines_numbers() -> None:
    # up past the first timeline (worked out once at the slider's maximum), then down: every
    # length is the stepped accounts' own, liquidations and their notes included
    explorer = FundingTimeline(funding_rate=0.003, days=10, day=10)
    for days in (12, 20, 90, 5, 6, 16, 15):
        explorer.controls["days"].value = days
        assert explorer.values["days"] == days
        assert_marks_match_engine(explorer)
        t = explorer.timeline
        assert len(t.days) == 3 * days + 1
        assert t.event_index["isolated"] == ([16, 16] if days >= 6 else [])
        liquidated = "isolated liquidation of BTCUSDT" in explorer.status_text
        assert liquidated == (explorer.values["day"] * 3 >= 16)


def test_guides_stay_put_when_only_the_numbers_move() -> None:
    # the current-day rules, the mark line and the price labels sit on fixed 0..1 scales:
    # a new collateral moves the price range, not them
    explorer = FundingTimeline(day=12)
    rules = (explorer.liquidation_rule, explorer.paid_rule, explorer.wallet_rule)
    before = [list(rule.y) for rule in rules]
    labels = list(explorer.liquidation_labels.y)
    y_range = (explorer.liquidation_scales["y"].min, explorer.liquidation_scales["y"].max)
    explorer.controls["collateral"].value = 7_000.0
    assert (explorer.liquidation_scales["y"].min, explorer.liquidation_scales["y"].max) != y_range
    assert [list(rule.y) for rule in rules] == before
    assert list(explorer.liquidation_labels.y) == labels
    for rule in rules:
        assert list(rule.x) == [12.0, 12.0]
        assert rule.y[0] == 0.0 and 0.5 < rule.y[1] < 1.0  # below the legend's headroom
    assert list(explorer.mark_line.x) == [0.0, 1.0]  # the whole width, at any length
    assert list(explorer.mark_line.y) == [60_000.0, 60_000.0]
    assert list(explorer.liquidation_labels.x) == [1.0, 1.0]  # at the right edge
    assert_marks_match_engine(explorer)
