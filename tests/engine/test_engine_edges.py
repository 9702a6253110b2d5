"""The edges of floats and of the data: exact answers or named errors, never a silent wrong number.

* subnormal or enormous sizes and prices are solved in exact rational arithmetic and agree with
  the exact root worked here with fractions;
* Decimal inputs are accepted like Fraction (converted once by ``_checks.number``);
* a bracket look-up for a NaN or negative notional, and a maintenance margin whose rate and
  amount do not belong together, are refused;
* dated bracket tables answer only for the dates they were in force.
"""

from __future__ import annotations

import json
import math
import random
from decimal import Decimal
from fractions import Fraction as F
from pathlib import Path
from typing import Any

import pytest

from margin_widgets.engine import (
    available_bracket_tables,
    liquidation_outlook,
    liquidation_price,
    liquidation_price_in_brackets,
    load_brackets,
    maintenance_margin,
    margin_ratio_prices,
    notional,
)
from margin_widgets.engine import brackets as brackets_module

SIGN = {"long": 1, "short": -1}


def exact_root(
    side: str, q: float, ep: float, wb: float, mmr: float, cum: float, tmm: float, upnl: float
) -> F | None:
    """``(WB − TMM + UPNL + cum − s·Q·EP) / (Q·MMR − s·Q)`` in fractions (Binance's formula)."""
    s = SIGN[side]
    den = F(q) * F(mmr) - s * F(q)
    if den == 0:
        return None
    return (F(wb) - F(tmm) + F(upnl) + F(cum) - s * F(q) * F(ep)) / den


def as_float_price(value: F | None) -> float | None:
    """The exact root as the float the engine must return: None at or below 0 or beyond floats."""
    if value is None or value <= 0:
        return None
    try:
        price = float(value)
    except OverflowError:
        return None
    return price if 0 < price < math.inf else None


def _extreme(rng: random.Random) -> float:
    """A subnormal, a tiny normal, an ordinary or an enormous magnitude."""
    kind = rng.randrange(4)
    if kind == 0:
        return rng.uniform(1, 2**52) * 5e-324
    if kind == 1:
        return 10 ** rng.uniform(-307, -151)
    if kind == 2:
        return 10 ** rng.uniform(-3, 5)
    return 10 ** rng.uniform(151, 307)


def test_extreme_sizes_and_prices_match_the_exact_root() -> None:
    rng = random.Random(5)
    checked = 0
    for _ in range(3_000):
        side = rng.choice(("long", "short"))
        q, ep = _extreme(rng), _extreme(rng)
        wb = _extreme(rng) if rng.random() < 0.7 else 0.0
        mmr = rng.choice((0.0, 0.004, 0.5, rng.uniform(0, 0.99)))
        cum = _extreme(rng) if rng.random() < 0.3 else 0.0
        tmm = _extreme(rng) if rng.random() < 0.3 else 0.0
        upnl = rng.choice((-1, 1)) * _extreme(rng) if rng.random() < 0.3 else 0.0
        args = (side, q, ep, wb, mmr, cum, tmm, upnl)
        if all(v == 0 or 2.0**-500 < abs(v) < 2.0**500 for v in args[1:]):
            continue  # the float formula's own range: covered by the formula tests
        checked += 1
        expected = as_float_price(exact_root(*args))
        price = liquidation_price(*args)
        outlook = liquidation_outlook(*args)
        if expected is None:
            assert price is None and outlook.price is None, args
        else:  # exact (rational path), or within rounding where only a tiny amount is involved
            assert price == pytest.approx(expected, rel=1e-13), args
            assert outlook.price == price, args
    assert checked > 2_000


def test_enormous_position_is_not_dropped() -> None:
    # 1e300 BTC long at 1e10 with an empty wallet, MMR 0.5 %: Q·EP overflows in floats, but
    # LP = (0 − Q·EP)/(Q·0.005 − Q) = EP / 0.995 = 1.0050251256281407e10
    price = liquidation_price("long", 1e300, 1e10, 0.0, 0.005, 0.0)
    assert price == float(F(10**10) / F("0.995"))
    # a subnormal size with a 1 USDT wallet: LP = EP + 1/(Q·1.005) for a short is beyond floats
    assert liquidation_price("short", 5e-324, 1.0, 1.0, 0.005, 0.0) is None
    # ... and for a long the root is negative: none (never liquidated)
    assert liquidation_outlook("long", 5e-324, 1.0, 1.0, 0.005, 0.0).kind == "never"
    assert liquidation_outlook("short", 5e-324, 1.0, 1.0, 0.005, 0.0).kind == "never"


def test_bracketed_solver_on_extreme_inputs_is_consistent() -> None:
    table = load_brackets("BTCUSDT", "2024-10-24")
    rng = random.Random(9)
    for _ in range(300):
        side = rng.choice(("long", "short"))
        q, ep = _extreme(rng), _extreme(rng)
        wb = rng.choice((0.0, _extreme(rng)))
        price, bracket = liquidation_price_in_brackets(side, q, ep, wb, table)
        if price is None:
            continue
        # the price solves the formula with the bracket holding Q·P (exact notional)
        value = F(q) * F(price)
        holder = next((b for b in table.brackets if value <= F(b.max_notional)), table.brackets[-1])
        assert abs(holder.number - bracket.number) <= 1  # equal, or the edge itself
        expected = as_float_price(
            exact_root(
                side, q, ep, wb, bracket.maintenance_margin_rate, bracket.maintenance_amount, 0, 0
            )
        )
        assert price == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------- Decimal
def test_decimal_is_accepted_like_fraction() -> None:
    # 1 BTC long at 20,000 with 400 USDT, MMR 0.5 %: 3,920,000 / 199 = 19,698.4924...
    expected = float(F(3_920_000, 199))
    as_decimal = liquidation_price(
        "long", Decimal(1), Decimal(20_000), Decimal(400), Decimal("0.005"), Decimal(0)
    )
    as_fraction = liquidation_price("long", F(1), F(20_000), F(400), F(5, 1000), F(0))
    assert as_decimal == as_fraction == pytest.approx(expected, rel=1e-15)
    assert notional(Decimal("0.5"), Decimal(60_000)) == 30_000.0
    table = load_brackets("BTCUSDT", "2021-03-18")
    assert margin_ratio_prices(
        "long", Decimal(1), Decimal(20_000), Decimal(1_000), table, Decimal("0.8")
    ) == margin_ratio_prices("long", 1, 20_000, 1_000, table, 0.8)


@pytest.mark.parametrize(
    "bad",
    [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("1e400")],
)
def test_decimal_that_is_not_finite_is_refused(bad: Decimal) -> None:
    with pytest.raises(ValueError, match=r"quantity must be a finite number, got Decimal"):
        liquidation_price("long", bad, 20_000, 400, 0.005, 0)


@pytest.mark.parametrize("tiny", [Decimal("1e-400"), F(1, 10**400)])
def test_a_value_that_would_round_to_zero_is_refused(tiny: Any) -> None:
    with pytest.raises(ValueError, match="quantity must be 0 or at least 5e-324 in magnitude"):
        liquidation_price("long", tiny, 20_000, 400, 0.005, 0)


# --------------------------------------------------------------------------- brackets
@pytest.mark.parametrize("bad", [math.nan, -1.0, -math.inf])
def test_bracket_look_up_refuses_nan_and_negative_notional(bad: float) -> None:
    table = load_brackets("BTCUSDT", "2024-10-24")
    with pytest.raises(ValueError, match="notional_value must be a number >= 0"):
        table.bracket_for(bad)
    with pytest.raises(ValueError, match="notional_value"):
        table.maintenance_margin(bad)


def test_maintenance_margin_refuses_a_rate_and_amount_that_do_not_belong_together() -> None:
    # 1,000 USDT with bracket 3's pair (1 %, 1,300): 10 − 1,300 < 0, the notional is in bracket 1
    with pytest.raises(ValueError, match="maintenance_amount 1300 exceeds"):
        maintenance_margin(1_000, 0.01, 1_300)
    table = load_brackets("BTCUSDT", "2021-03-18")
    # 500,000 USDT is bracket 3 (1 %, 1,300): 3,700; bracket 2's pair is refused with the table
    assert maintenance_margin(500_000, 0.01, 1_300, brackets=table) == 3_700
    with pytest.raises(ValueError, match="must be those of bracket 3 of BTCUSDT 2021-03-18"):
        maintenance_margin(500_000, 0.005, 50, brackets=table)
    # at a floor the neighbouring pairs agree: 250,000·1 % − 1,300 = 1,200 = 250,000·0.5 % − 50
    assert maintenance_margin(250_000, 0.005, 50, brackets=table) == 1_200
    # bracket 1 at notional 0: 0 (no rounding slack needed)
    assert maintenance_margin(0, 0.004, 0) == 0


# --------------------------------------------------------------------------- dated tables
def test_shipped_tables_are_the_binance_folder_only() -> None:
    folder = Path(brackets_module.__file__).parent.parent / "data" / "binance"
    names = sorted(p.stem for p in folder.glob("*.json"))
    assert [f"{s}_{d}" for s, d in available_bracket_tables()] == names


def test_2022_table_as_recorded_on_2022_02_11() -> None:
    # ccxt pull request #11937 (binanceusdm.fetchLeverageTiers, 2022-02-11): caps 50k, 250k, 1M,
    # 7.5M, 40M, 100M, 200M, 400M, 600M, 1B. cum by the recurrence, e.g. bracket 5:
    # 7,500,000 · (5 % − 2.5 %) + 16,300 = 203,800
    table = load_brackets("BTCUSDT", "2022-02-11")
    caps = [b.max_notional for b in table.brackets]
    assert caps == [5e4, 2.5e5, 1e6, 7.5e6, 4e7, 1e8, 2e8, 4e8, 6e8, 1e9]
    assert [b.max_leverage for b in table.brackets] == [125, 100, 50, 20, 10, 5, 4, 3, 2, 1]
    assert table.brackets[4].maintenance_amount == 203_800
    assert table.brackets[9].maintenance_amount == 199_703_800
    assert "ccxt/ccxt pull request #11937" in table.source


TEMPLATE: dict[str, Any] = load_brackets("BTCUSDT", "2021-03-18").to_dict()


def _write(folder: Path, symbol: str, date: str, until: str | None = None) -> None:
    data = dict(TEMPLATE)
    data.update(symbol=symbol, effective_date=date)
    if until is not None:
        data["in_force_until"] = until
    (folder / f"{symbol}_{date}.json").write_text(json.dumps(data), "utf-8")


@pytest.fixture
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(brackets_module, "_folder", lambda: tmp_path)
    brackets_module.load_brackets.cache_clear()
    brackets_module._read.cache_clear()
    yield tmp_path
    brackets_module.load_brackets.cache_clear()
    brackets_module._read.cache_clear()


def test_a_recorded_end_leaves_a_gap_that_is_refused(data_folder: Path) -> None:
    _write(data_folder, "XUSDT", "2021-01-01", until="2021-06-01")
    _write(data_folder, "XUSDT", "2022-01-01")
    assert brackets_module.bracket_table_periods("XUSDT") == [
        ("2021-01-01", "2021-06-01"),
        ("2022-01-01", None),
    ]
    assert load_brackets("XUSDT", "2021-05-31").effective_date == "2021-01-01"
    assert load_brackets("XUSDT", "2022-03-01").effective_date == "2022-01-01"
    message = (
        r"XUSDT tables cover 2021-01-01 to before 2021-06-01; from 2022-01-01 on\), "
        r"got '2021-06-01'"
    )
    with pytest.raises(ValueError, match=message):
        load_brackets("XUSDT", "2021-06-01")
    with pytest.raises(ValueError, match="got '2020-12-31'"):
        load_brackets("XUSDT", "2020-12-31")


def test_every_table_is_validated_on_load(data_folder: Path) -> None:
    _write(data_folder, "XUSDT", "2021-01-01")
    path = data_folder / "XUSDT_2021-01-01.json"
    data = json.loads(path.read_text("utf-8"))
    data["brackets"][2]["maintenance_amount"] = 1_000  # the recurrence gives 1,300
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(brackets_module.BracketTableError, match="breaks the recurrence"):
        load_brackets("XUSDT", "2021-01-02")


def test_file_name_and_contents_must_agree(data_folder: Path) -> None:
    _write(data_folder, "XUSDT", "2021-01-01")
    (data_folder / "XUSDT_2021-01-01.json").rename(data_folder / "XUSDT_2021-02-01.json")
    with pytest.raises(brackets_module.BracketTableError, match="must agree"):
        load_brackets("XUSDT", "2021-03-01")
