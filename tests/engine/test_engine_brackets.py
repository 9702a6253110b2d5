"""Bracket tables: shipped data against the published ones, date look-up, validation, continuity."""

from __future__ import annotations

import datetime
import json
from fractions import Fraction as F
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    BracketTable,
    BracketTableError,
    available_bracket_tables,
    load_brackets,
)

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=500, deadline=None)

# "BTCUSDT brackets (as served by the exchange's bracket endpoint, 2024-10-24)",
# transcribed row by row: (bracket, floor, cap, max leverage, MMR in %, cum).
BTCUSDT_2024_10_24 = [
    (1, 0, 50_000, 125, "0.40", 0),
    (2, 50_000, 600_000, 100, "0.50", 50),
    (3, 600_000, 3_000_000, 75, "0.65", 950),
    (4, 3_000_000, 12_000_000, 50, "1.00", 11_450),
    (5, 12_000_000, 70_000_000, 25, "2.00", 131_450),
    (6, 70_000_000, 100_000_000, 20, "2.50", 481_450),
    (7, 100_000_000, 230_000_000, 10, "5.00", 2_981_450),
    (8, 230_000_000, 480_000_000, 5, "10.0", 14_481_450),
    (9, 480_000_000, 600_000_000, 4, "12.5", 26_481_450),
    (10, 600_000_000, 800_000_000, 3, "15.0", 41_481_450),
    (11, 800_000_000, 1_200_000_000, 2, "25.0", 121_481_450),
    (12, 1_200_000_000, 1_800_000_000, 1, "50.0", 421_481_450),
]

# The 2021-03-18 table: floors, max leverage and MMR in %; cum follows from the
# recurrence, worked here in exact decimals:
#   cum2 = 50,000·(0.5 − 0.4) %          = 50
#   cum3 = 250,000·(1 − 0.5) % + 50      = 1,300      (the public worked example)
#   cum4 = 1,000,000·(2.5 − 1) % + 1,300 = 16,300
#   cum5 = 10M·(5 − 2.5) % + 16,300      = 266,300
#   cum6 = 20M·(10 − 5) % + 266,300     = 1,266,300
#   cum7 = 50M·(12.5 − 10) % + ...      = 2,516,300
#   cum8 = 100M·(15 − 12.5) % + ...     = 5,016,300
#   cum9 = 200M·(25 − 15) % + ...       = 25,016,300
#   cum10 = 300M·(50 − 25) % + ...      = 100,016,300
BTCUSDT_2021_03_18 = [
    (1, 0, 125, "0.4", 0),
    (2, 50_000, 100, "0.5", 50),
    (3, 250_000, 50, "1", 1_300),
    (4, 1_000_000, 20, "2.5", 16_300),
    (5, 10_000_000, 10, "5", 266_300),
    (6, 20_000_000, 5, "10", 1_266_300),
    (7, 50_000_000, 4, "12.5", 2_516_300),
    (8, 100_000_000, 3, "15", 5_016_300),
    (9, 200_000_000, 2, "25", 25_016_300),
    (10, 300_000_000, 1, "50", 100_016_300),
]


@pytest.mark.parametrize("row", BTCUSDT_2024_10_24, ids=lambda r: f"bracket-{r[0]}")
def test_shipped_btcusdt_2024_equals_concepts_table(row: tuple[Any, ...]) -> None:
    number, floor, cap, leverage, mmr_percent, cum = row
    table = load_brackets("BTCUSDT", "2024-10-24")
    assert len(table.brackets) == len(BTCUSDT_2024_10_24)
    b = table.brackets[number - 1]
    assert b.number == number
    assert (b.min_notional, b.max_notional, b.max_leverage) == (floor, cap, leverage)
    assert b.maintenance_margin_rate == float(F(mmr_percent) / 100)
    assert b.maintenance_amount == cum
    assert table.max_notional == 1_800_000_000


@pytest.mark.parametrize("row", BTCUSDT_2021_03_18, ids=lambda r: f"bracket-{r[0]}")
def test_shipped_btcusdt_2021_equals_concepts_and_recurrence(row: tuple[Any, ...]) -> None:
    number, floor, leverage, mmr_percent, cum = row
    b = load_brackets("BTCUSDT", "2021-03-18").brackets[number - 1]
    assert (b.number, b.min_notional, b.max_leverage) == (number, floor, leverage)
    assert b.maintenance_margin_rate == float(F(mmr_percent) / 100)
    assert b.maintenance_amount == cum


def test_public_bracket_examples_2021(btc_2021: BracketTable) -> None:
    # a 264,000 USDT position has MMR 1 % (bracket 3: 250,000 < n <= 1,000,000)
    assert btc_2021.bracket_for(264_000).maintenance_margin_rate == 0.01
    # a 500,000 USDT position has cum 1,300 = 250,000·(1 % − 0.5 %) + 50
    assert btc_2021.bracket_for(500_000).maintenance_amount == 1_300
    # and maintenance margin 500,000·1 % − 1,300 = 3,700
    assert btc_2021.maintenance_margin(500_000) == 3_700


@pytest.mark.parametrize(
    ("notional", "number"),
    [
        (0, 1),
        (50_000, 1),  # a cap is inclusive
        (50_000.01, 2),  # a floor is exclusive
        (600_000, 2),
        (600_001, 3),
        (1_800_000_000, 12),
        (5e9, 12),  # above the last cap: the last bracket (the exchange would refuse the order)
    ],
)
def test_bracket_for_edges(btc_2024: BracketTable, notional: float, number: int) -> None:
    assert btc_2024.bracket_for(notional).number == number
    assert btc_2024.bracket_for(notional).contains(notional) or number == 12


@pytest.mark.parametrize(
    ("leverage", "cap"),
    [
        (125, 50_000),
        (100, 600_000),
        (100.5, 50_000),
        (75.5, 600_000),
        (20, 100_000_000),
        (1, 1_800_000_000),
    ],
)
def test_max_notional_for_leverage(btc_2024: BracketTable, leverage: float, cap: float) -> None:
    assert btc_2024.max_notional_for_leverage(leverage) == cap


def test_max_leverage_by_notional(btc_2024: BracketTable) -> None:
    assert btc_2024.max_leverage(30_000) == 125
    assert btc_2024.max_leverage(1_000_000) == 75
    with pytest.raises(ValueError, match="leverage must be <= 125"):
        btc_2024.max_notional_for_leverage(126)
    with pytest.raises(ValueError, match="leverage must be >= 1"):
        btc_2024.max_notional_for_leverage(0.5)
    with pytest.raises(ValueError, match="notional_value must be >= 0"):
        btc_2024.max_leverage(-1)


# --------------------------------------------------------------------------- dates
@pytest.mark.parametrize(
    ("symbol", "date", "expected"),
    [
        ("BTCUSDT", "2021-03-18", "2021-03-18"),  # the day a table takes effect
        ("BTCUSDT", "2021-06-21", "2021-03-18"),  # in force until the next one
        ("BTCUSDT", "2021-06-22", "2021-06-22"),  # announced change, 03:30 UTC that day
        ("BTCUSDT", "2022-02-10", "2021-06-22"),
        ("BTCUSDT", "2022-02-11", "2022-02-11"),  # first public dated record (ccxt #11937)
        ("BTCUSDT", "2023-06-01", "2022-02-11"),
        ("BTCUSDT", "2024-10-23", "2022-02-11"),
        ("BTCUSDT", "2024-10-24", "2024-10-24"),
        ("BTCUSDT", "2030-01-01", "2024-10-24"),
        ("BTCUSDT", None, "2024-10-24"),  # default: the newest
        ("ETHUSDT", None, "2024-10-24"),
    ],
)
def test_load_brackets_picks_the_table_in_force(
    symbol: str, date: str | None, expected: str
) -> None:
    table = load_brackets(symbol, date)
    assert (table.symbol, table.effective_date) == (symbol, expected)


def test_load_brackets_refuses_unknown_symbol_and_early_date() -> None:
    with pytest.raises(ValueError, match=r"symbol must be one of \['BTCUSDT', 'ETHUSDT'\]"):
        load_brackets("DOGEUSDT")
    periods = (
        r"BTCUSDT tables cover 2021-03-18 to before 2021-06-22; "
        r"2021-06-22 to before 2022-02-11; "
        r"2022-02-11 to before 2024-10-24; from 2024-10-24 on\), got '2020-12-31'"
    )
    with pytest.raises(ValueError, match=periods):
        load_brackets("BTCUSDT", "2020-12-31")
    with pytest.raises(ValueError, match=r"ETHUSDT tables cover from 2024-10-24 on\)"):
        load_brackets("ETHUSDT", "2022-01-01")


@pytest.mark.parametrize("date", ["yesterday", "24-10-2024", "2024/10/24", "2022", ""])
def test_load_brackets_refuses_a_date_that_is_not_iso(date: str) -> None:
    # a malformed date must not silently pick a table by string comparison
    with pytest.raises(ValueError, match="date must be an ISO date 'YYYY-MM-DD', got"):
        load_brackets("BTCUSDT", date)


def test_load_brackets_accepts_date_objects() -> None:
    assert load_brackets("BTCUSDT", datetime.date(2021, 5, 1)).effective_date == "2021-03-18"
    assert load_brackets("BTCUSDT", datetime.date(2022, 1, 1)).effective_date == "2021-06-22"
    when = datetime.datetime(2024, 10, 24, 8, 0)
    assert load_brackets("BTCUSDT", when).effective_date == "2024-10-24"


def test_available_tables_are_the_shipped_files() -> None:
    assert available_bracket_tables() == [
        ("BTCUSDT", "2021-03-18"),
        ("BTCUSDT", "2021-06-22"),
        ("BTCUSDT", "2022-02-11"),
        ("BTCUSDT", "2024-10-24"),
        ("ETHUSDT", "2024-10-24"),
    ]


# --------------------------------------------------------------------------- validation
def _raw(symbol: str = "BTCUSDT", date: str = "2024-10-24") -> dict[str, Any]:
    folder = resources.files("margin_widgets") / "data" / "binance"
    data: dict[str, Any] = json.loads((folder / f"{symbol}_{date}.json").read_text("utf-8"))
    return data


def test_round_trip_through_dict(shipped_table: BracketTable) -> None:
    assert BracketTable.from_dict(shipped_table.to_dict()) == shipped_table


def test_broken_cum_is_rejected_with_a_clear_message() -> None:
    data = _raw()
    data["brackets"][2]["maintenance_amount"] = 1_000  # the recurrence gives 950
    with pytest.raises(BracketTableError) as caught:
        BracketTable.from_dict(data)
    message = str(caught.value)
    assert "bracket table BTCUSDT 2024-10-24, bracket 3" in message
    assert "maintenance_amount 1000 breaks the recurrence" in message
    assert "cum_n = floor_n × (MMR_n − MMR_(n−1)) + cum_(n−1)" in message
    assert "which gives 950" in message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("edit", "phrase"),
    [
        (lambda rows: rows[3].update(notional_floor=3_100_000), "does not meet the previous cap"),
        (
            lambda rows: rows[4].update(maintenance_margin_rate=0.005),
            "maintenance_margin_rate falls",
        ),
        (lambda rows: rows[5].update(max_leverage=30), "max_leverage rises"),
        (lambda rows: rows[1].update(bracket=7), "expected bracket number 2"),
        (lambda rows: rows[0].update(notional_floor=10), "the first bracket must start at 0"),
        (lambda rows: rows[0].update(maintenance_margin_rate=1.0), "must be in [0, 1)"),
        (lambda rows: rows[0].update(notional_cap=0), "notional cap must exceed its floor"),
        (lambda rows: rows[0].update(max_leverage=0.5), "max_leverage must be >= 1"),
        (lambda rows: rows.clear(), "has no brackets"),
        (lambda rows: rows[0].pop("maintenance_amount"), "missing 'maintenance_amount'"),
    ],
)
def test_malformed_tables_are_rejected(edit: Any, phrase: str) -> None:
    data = _raw()
    edit(data["brackets"])
    with pytest.raises(BracketTableError, match=None) as caught:
        BracketTable.from_dict(data)
    assert phrase in str(caught.value)


# --------------------------------------------------------------------------- continuity
def test_cum_recurrence_is_exact_in_decimal(shipped_table: BracketTable) -> None:
    """The shipped cum values satisfy the recurrence exactly (decimal arithmetic, no tolerance)."""
    previous = None
    for b in shipped_table.brackets:
        if previous is None:
            assert b.maintenance_amount == 0
        else:
            expected = F(str(b.min_notional)) * (
                F(str(b.maintenance_margin_rate)) - F(str(previous.maintenance_margin_rate))
            ) + F(str(previous.maintenance_amount))
            assert F(str(b.maintenance_amount)) == expected
        previous = b


def test_maintenance_margin_is_continuous_at_every_edge(shipped_table: BracketTable) -> None:
    # at each cap the bracket below and the bracket above give the same maintenance margin
    for below, above in zip(shipped_table.brackets, shipped_table.brackets[1:], strict=False):
        edge = below.max_notional
        assert below.maintenance_margin(edge) == pytest.approx(
            above.maintenance_margin(edge), rel=1e-12, abs=1e-6
        )


@PROPERTY
@given(data=st.data(), offset=st.floats(-1.0, 1.0))
def test_maintenance_margin_is_continuous_across_edges(data: st.DataObject, offset: float) -> None:
    """Near any edge of any shipped table, MM changes by at most |Δn|·(the larger MMR).

    A jump (a broken cum) would show up as a change of about |cum error| however small Δn is.
    """
    symbol, date = data.draw(st.sampled_from(available_bracket_tables()))
    table = load_brackets(symbol, date)
    index = data.draw(st.integers(0, len(table.brackets) - 2))
    edge = table.brackets[index].max_notional
    step = data.draw(st.floats(1e-6, 1e3))
    left, right = edge - step * (1 + offset) / 2, edge + step * (1 - offset) / 2
    rate = table.brackets[index + 1].maintenance_margin_rate
    jump = abs(table.maintenance_margin(right) - table.maintenance_margin(left))
    assert jump <= (right - left) * rate + 1e-9 * edge
    # and MM never decreases with size
    assert table.maintenance_margin(right) >= table.maintenance_margin(left) - 1e-9 * edge


@PROPERTY
@given(data=st.data())
def test_maintenance_margin_is_the_largest_bracket_piece(data: st.DataObject) -> None:
    """With the cum recurrence, MM(n) = max over brackets of (n·MMR_b − cum_b): a convex
    function, which is what makes the bracket re-selection of the liquidation price converge."""
    symbol, date = data.draw(st.sampled_from(available_bracket_tables()))
    table = load_brackets(symbol, date)
    n = data.draw(st.floats(0.0, table.max_notional))
    largest = max(b.maintenance_margin(n) for b in table.brackets)
    assert table.maintenance_margin(n) == pytest.approx(largest, rel=1e-12, abs=1e-6)


@pytest.mark.parametrize("margin", [1.0, 400.0, 1_000.0, 4_800.0, 10_000.0, 1e6, 1e8])
def test_max_leverage_for_margin_is_the_highest_allowed(shipped_table, margin):
    cap = shipped_table.max_leverage_for_margin(margin)
    # the brute-force definition: every leverage whose notional the bracket of that notional allows
    allowed = [
        lev
        for lev in range(1, int(shipped_table.brackets[0].max_leverage) + 1)
        if shipped_table.bracket_for(margin * lev).max_leverage >= lev
        and margin * lev <= shipped_table.max_notional
    ]
    assert cap == max(allowed, default=1)


def test_the_june_2021_table_moves_the_10x_tier_down_to_5_million() -> None:
    # Binance, "Updates on Leverage and Margin Tiers of Binance Futures Contracts (2021-06-22)":
    # 20x up to 5,000,000 USDT (was 10,000,000), 10x from 5,000,000 to 20,000,000 at 5 %.
    march, june = load_brackets("BTCUSDT", "2021-06-21"), load_brackets("BTCUSDT", "2021-06-22")
    assert march.max_leverage(6_000_000) == 20 and june.max_leverage(6_000_000) == 10
    # cum_5 = 5,000,000 × (5 % − 2.5 %) + 16,300 = 141,300; MM(6M) = 300,000 − 141,300
    assert june.bracket_for(6_000_000).maintenance_amount == 141_300
    assert june.maintenance_margin(6_000_000) == 158_700
    assert march.maintenance_margin(6_000_000) == 6_000_000 * 0.025 - 16_300
    # above 20,000,000 both tables agree on the rate, and cum keeps MM continuous in each
    assert june.maintenance_margin(20_000_000) == 20_000_000 * 0.05 - 141_300
