"""Exchange conventions: documented examples, hand-worked tiers, identities, tables, errors.

Sources of the worked examples: Bybit "Liquidation Price (USDT Contract)" (example 1), Binance
"How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (19,698.49), Bybit "Margin
Parameters" (BTCUSDT risk limits), OKEx "OKEx position tiers to be adjusted" (ETHUSDT tiers).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from margin_widgets.engine import (
    ExchangeConvention,
    ExchangeConventionError,
    TierTableError,
    available_exchanges,
    get_exchange,
    isolated_liquidation_price,
    liquidation_price,
    liquidation_price_in_brackets,
    load_brackets,
    load_tier_table,
)
from margin_widgets.engine.exchanges import bybit, liquidation_price_in_tiers, okx

PROPERTY = settings(settings.get_profile("margin-engine"), max_examples=300, deadline=None)

sides = st.sampled_from(["long", "short"])
quantities = st.floats(0.001, 1_000)
prices = st.floats(1, 200_000)
leverages = st.floats(1, 125)
rates = st.floats(0, 0.2)
fees = st.floats(0, 0.002)
extras = st.floats(0, 50_000)
amounts = st.floats(0, 100_000)


# --------------------------------------------------------------------------- documented examples
def test_bybit_documented_example_1_long() -> None:
    # Bybit "Liquidation Price (USDT Contract)", example 1: 1 BTC long at 20,000, 50x, MMR 0.5 %:
    # IM = 20,000 / 50 = 400, MM = 20,000 × 0.5 % = 100, LP = 20,000 − (400 − 100) = 19,700
    assert isolated_liquidation_price("bybit", "long", 1, 20_000, 50, 0.005) == 19_700.0
    bybit_ = get_exchange("bybit")
    # bankruptcy = 20,000 × (1 − 1/50) = 19,600
    assert bybit_.bankruptcy_price("long", 1, 20_000, 400) == 19_600.0
    assert bybit_.maintenance_margin(1, 20_000, 19_700, 0.005) == 100.0


def test_binance_documented_example_on_the_same_inputs() -> None:
    # (400 − 20,000) / (0.005 − 1) = 19,698.49 (Binance's FAQ numbers)
    price = isolated_liquidation_price("binance", "long", 1, 20_000, 50, 0.005)
    assert price == pytest.approx(19_698.4924623, rel=1e-10)


# --------------------------------------------------------------------------- hand-worked tiers
def test_bybit_short_in_tier_2_of_the_shipped_table() -> None:
    table = load_tier_table("bybit", "BTCUSDT")
    tier = table.tier_for(100, 25_000)  # 2,500,000 USDT: tier 2 (2,000,000 – 2,600,000)
    assert (tier.number, tier.maintenance_margin_rate, tier.maintenance_amount) == (2, 0.0056, 1200)
    # IM = 2,500,000 / 20 = 125,000; MM = 2,500,000 × 0.56 % − 1,200 = 12,800
    # LP = 25,000 + (125,000 − 12,800) / 100 = 26,122
    price = isolated_liquidation_price("bybit", "short", 100, 25_000, 20, 0.0056, 1_200)
    assert price == pytest.approx(26_122.0, rel=1e-12)


def test_bybit_long_in_tier_3_with_extra_margin() -> None:
    # 100 BTC at 30,000 (3,000,000 USDT: tier 3, MMR 0.63 %, deduction 3,020), 25x, +10,000:
    # M = 120,000 + 10,000; MM = 3,000,000 × 0.63 % − 3,020 = 15,880
    # LP = 30,000 − (130,000 − 15,880) / 100 = 28,858.8
    assert load_tier_table("bybit").tier_for(100, 30_000).number == 3
    price = isolated_liquidation_price(
        "bybit", "long", 100, 30_000, 25, 0.0063, 3_020, extra_margin=10_000
    )
    assert price == pytest.approx(28_858.8, rel=1e-12)


def test_okx_long_in_tier_2_with_fee() -> None:
    # 350 ETH = 3,500 contracts of 0.1 ETH: tier 2 (3,001 – 6,000), MMR 0.5 %
    tier = load_tier_table("okx", "ETHUSDT").tier_for(350, 3_000)
    assert (tier.number, tier.maintenance_margin_rate, tier.maintenance_amount) == (2, 0.005, 0.0)
    # M = 350 × 3,000 / 20 = 52,500; LP = (1,050,000 − 52,500) / (350 × (1 − 0.005 − 0.0005))
    #    = 997,500 / 348.075 = 2,865.761...
    price = isolated_liquidation_price("okx", "long", 350, 3_000, 20, 0.005, fee_rate=0.0005)
    assert price == pytest.approx(997_500 / 348.075, rel=1e-12)
    assert price == pytest.approx(2_865.7617, abs=1e-4)


def test_okx_short_in_tier_3_with_fee() -> None:
    # 700 ETH = 7,000 contracts: tier 3 (6,001 – 12,000), MMR 1 %; 10x: M = 140,000
    assert load_tier_table("okx", "ETHUSDT").tier_for(700, 2_000).number == 3
    # LP = (1,400,000 + 140,000) / (700 × 1.0105) = 1,540,000 / 707.35 = 2,177.14...
    price = isolated_liquidation_price("okx", "short", 700, 2_000, 10, 0.01, fee_rate=0.0005)
    assert price == pytest.approx(2_177.1400297, rel=1e-9)


def test_okx_tier_edges_are_whole_contracts() -> None:
    table = load_tier_table("okx", "ETHUSDT")
    assert table.tier_for(300, 1).number == 1  # 3,000 contracts: the last of tier 1
    assert table.tier_for(300.1, 1).number == 2  # 3,001 contracts
    assert table.tier_for(2_000, 1).number == 3  # beyond the last listed row: the last tier


def test_bybit_unified_option_counts_the_fee_to_close() -> None:
    # M + Q·(P − EP) = MM + Q·P·fee: (100 − 400 + 20,000) / (1 − 0.00055) = 19,710.841...
    price = bybit.UNIFIED.liquidation_price("long", 1, 20_000, 400, 0.005, 0, 0.00055)
    assert price == pytest.approx(19_700 / 0.99945, rel=1e-12)
    assert get_exchange("bybit").liquidation_price("long", 1, 20_000, 400, 0.005, 0, 0.00055) == (
        19_700.0
    )


# --------------------------------------------------------------------------- identities
@PROPERTY
@given(sides, quantities, prices, leverages, rates, amounts, extras)
def test_binance_contract_is_liquidation_price_with_the_initial_plus_extra_margin(
    side: str, q: float, ep: float, lev: float, mmr: float, cum: float, extra: float
) -> None:
    wallet = q * ep / lev + extra
    expected = liquidation_price(side, q, ep, wallet, mmr, cum)
    got = isolated_liquidation_price("binance", side, q, ep, lev, mmr, cum, extra, 0.001)
    assert got == expected


@PROPERTY
@given(sides, quantities, prices, leverages, rates, extras)
def test_okx_without_fee_equals_binance_with_no_deduction(
    side: str, q: float, ep: float, lev: float, mmr: float, extra: float
) -> None:
    # both solve M + s·Q·(P − EP) = Q·P·MMR when cum = 0 and the fee is 0
    a = isolated_liquidation_price("okx", side, q, ep, lev, mmr, 0.0, extra)
    b = isolated_liquidation_price("binance", side, q, ep, lev, mmr, 0.0, extra)
    if a is None or b is None:
        assert a is None and b is None
    else:
        assert a == pytest.approx(b, rel=1e-9)


@PROPERTY
@given(sides, quantities, prices, leverages, rates, amounts, extras)
def test_bybit_is_binance_moved_by_the_entry_value(
    side: str, q: float, ep: float, lev: float, mmr: float, cum: float, extra: float
) -> None:
    # LP_bybit = LP_binance·(1 − s·MMR) + s·EP·MMR (derivation in bybit.py's docstring)
    s = 1 if side == "long" else -1
    binance = isolated_liquidation_price("binance", side, q, ep, lev, mmr, cum, extra)
    got = isolated_liquidation_price("bybit", side, q, ep, lev, mmr, cum, extra)
    if binance is not None and got is not None:
        assert got == pytest.approx(binance * (1 - s * mmr) + s * ep * mmr, rel=1e-9, abs=1e-6)


@PROPERTY
@given(sides, quantities, prices, leverages, extras)
def test_all_three_meet_at_the_bankruptcy_price_with_no_maintenance(
    side: str, q: float, ep: float, lev: float, extra: float
) -> None:
    got = {
        name: isolated_liquidation_price(name, side, q, ep, lev, 0.0, 0.0, extra)
        for name in available_exchanges()
    }
    bankrupt = get_exchange("bybit").bankruptcy_price(side, q, ep, q * ep / lev + extra)
    for price in got.values():
        if bankrupt is None:
            assert price is None
        else:
            assert price == pytest.approx(bankrupt, rel=1e-9)


@PROPERTY
@given(
    sides,
    quantities,
    st.floats(100, 100_000),
    st.floats(2, 100),
    st.floats(0.001, 0.05),
    st.floats(0, 0.001),
    st.sampled_from(available_exchanges()),
)
def test_the_liquidation_test_flips_at_the_liquidation_price(
    side: str, q: float, ep: float, lev: float, mmr: float, fee: float, name: str
) -> None:
    convention = get_exchange(name)
    margin = q * ep / lev
    price = convention.liquidation_price(side, q, ep, margin, mmr, 0.0, fee)
    if price is None:
        return
    s = 1 if side == "long" else -1

    def liquidated(p: float) -> bool:
        balance = margin + s * q * (p - ep)
        return convention.is_liquidated(
            balance, convention.maintenance_margin(q, ep, p, mmr, 0.0, fee)
        )

    assert liquidated(price * (1 - s * 1e-6))  # beyond it (down for a long)
    assert not liquidated(price * (1 + s * 1e-6))  # inside it


def test_margin_ratio_orientations_are_inverse() -> None:
    # Binance and Bybit: MM / MB = 100 / 400 = 25 %; OKX: MB / MM = 400 %
    assert get_exchange("binance").margin_ratio(400, 100) == 0.25
    assert get_exchange("bybit").margin_ratio(400, 100) == 0.25
    assert get_exchange("okx").margin_ratio(400, 100) == 4.0
    assert get_exchange("binance").margin_ratio(-5, 100) == math.inf
    assert get_exchange("okx").is_liquidated(-5, 100)
    assert get_exchange("okx").is_liquidated(0, 0)


# --------------------------------------------------------------------------- None and errors
def test_none_when_no_positive_price_liquidates() -> None:
    # 1x long with 1,000 USDT extra: the margin exceeds the position value
    for name in available_exchanges():
        assert isolated_liquidation_price(name, "long", 1, 20_000, 1, 0.005, 0, 1_000) is None


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"exchange": "ftx"}, "exchange must be one of ['binance', 'bybit', 'okx']"),
        ({"side": "up"}, "side"),
        ({"quantity": 0}, "quantity must be > 0"),
        ({"entry_price": -1}, "entry_price must be > 0"),
        ({"leverage": 0.5}, "leverage must be >= 1, got 0.5"),
        ({"maintenance_margin_rate": 1.0}, "maintenance_margin_rate must be in [0, 1)"),
        ({"maintenance_amount": -1}, "maintenance_amount must be >= 0"),
        ({"extra_margin": -1}, "extra_margin must be >= 0"),
        ({"fee_rate": 1.0}, "fee_rate must be in [0, 1)"),
        ({"quantity": math.nan}, "quantity must be a finite number"),
    ],
)
def test_bad_input_names_parameter_value_and_rule(kwargs: dict[str, object], word: str) -> None:
    args: dict[str, object] = {
        "exchange": "bybit",
        "side": "long",
        "quantity": 1,
        "entry_price": 20_000,
        "leverage": 50,
        "maintenance_margin_rate": 0.005,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=word.replace("[", r"\[").replace(")", r"\)")):
        isolated_liquidation_price(**args)  # type: ignore[arg-type]


def test_okx_refuses_a_deduction_with_a_named_error() -> None:
    with pytest.raises(ExchangeConventionError, match=r"maintenance_amount must be 0 for okx.*50"):
        isolated_liquidation_price("okx", "long", 1, 20_000, 50, 0.005, 50)
    assert issubclass(ExchangeConventionError, ValueError)


# --------------------------------------------------------------------------- registry and tables
def test_registry_lists_every_convention_and_each_follows_the_protocol() -> None:
    assert available_exchanges() == ["binance", "bybit", "okx"]
    for name in available_exchanges():
        convention = get_exchange(name)
        assert isinstance(convention, ExchangeConvention)
        assert convention.name == name
    assert get_exchange().name == "binance"  # the default


def test_binance_tiers_are_the_bracket_tables() -> None:
    table = get_exchange("binance").tier_table("BTCUSDT", "2021-03-18")
    brackets = load_brackets("BTCUSDT", "2021-03-18")
    assert [(t.cap, t.maintenance_margin_rate, t.maintenance_amount) for t in table.tiers] == [
        (b.max_notional, b.maintenance_margin_rate, b.maintenance_amount) for b in brackets.brackets
    ]
    # a 500,000 USDT position: bracket 3, cum 250,000 × (1 % − 0.5 %) + 50 = 1,300
    assert table.tier_for(1, 500_000).maintenance_amount == 1_300


def test_shipped_bybit_table_is_sourced_dated_and_on_the_recurrence() -> None:
    table = load_tier_table("bybit", "BTCUSDT")
    assert "Margin Parameters" in table.source and table.effective_date == "2026-11-29"
    assert len(table.tiers) == 20
    # tier 8: 5,600,000 × (1 % − 0.91 %) + 15,460 = 20,500
    assert table.tiers[7].maintenance_amount == 20_500
    # tier 20: 75,000,000 × (4.5 % − 4 %) + 1,107,000 = 1,482,000
    assert table.tiers[19].maintenance_amount == 1_482_000
    assert table.tiers[0].max_leverage == 100


def _bybit_rows() -> list[dict[str, float]]:
    return [
        {
            "tier": 1,
            "risk_limit": 100,
            "max_leverage": 10,
            "maintenance_margin_rate": 0.01,
            "maintenance_margin_deduction": 0,
        },
        {
            "tier": 2,
            "risk_limit": 200,
            "max_leverage": 5,
            "maintenance_margin_rate": 0.02,
            "maintenance_margin_deduction": 1,
        },
    ]


def test_bybit_validation_refuses_a_deduction_off_the_recurrence() -> None:
    rows = _bybit_rows()
    rows[1]["maintenance_margin_deduction"] = 2  # should be 100 × (2 % − 1 %) + 0 = 1
    with pytest.raises(TierTableError, match="recurrence"):
        bybit.tier_table_from_data({"symbol": "X", "effective_date": "2024-01-01", "tiers": rows})


def test_bybit_validation_refuses_a_falling_rate() -> None:
    rows = _bybit_rows()
    rows[1]["maintenance_margin_rate"] = 0.005
    with pytest.raises(TierTableError, match="must rise"):
        bybit.tier_table_from_data({"symbol": "X", "effective_date": "2024-01-01", "tiers": rows})


def _okx_data() -> dict[str, object]:
    return {
        "symbol": "X",
        "effective_date": "2024-01-01",
        "contract_value": 0.1,
        "tiers": [
            {
                "tier": 1,
                "min_contracts": 0,
                "max_contracts": 10,
                "maintenance_margin_ratio": 0.01,
                "max_leverage": 50,
            },
            {
                "tier": 2,
                "min_contracts": 11,
                "max_contracts": 20,
                "maintenance_margin_ratio": 0.02,
                "max_leverage": 25,
            },
        ],
    }


def test_okx_validation_accepts_contiguous_rising_tiers() -> None:
    table = okx.tier_table_from_data(_okx_data())
    assert [t.cap for t in table.tiers] == [1.0, 2.0]  # 10 and 20 contracts of 0.1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_contracts", 12, "expected 11"),
        ("maintenance_margin_ratio", 0.01, "must rise"),
        ("maintenance_amount", 5.0, "no deduction"),
    ],
)
def test_okx_validation_refuses_gaps_flat_rates_and_deductions(
    field: str, value: float, message: str
) -> None:
    data = _okx_data()
    tiers = data["tiers"]
    assert isinstance(tiers, list)
    tiers[1][field] = value
    with pytest.raises(TierTableError, match=message):
        okx.tier_table_from_data(data)


def test_okx_ships_no_btc_table_rather_than_an_invented_one() -> None:
    with pytest.raises(ValueError, match=r"symbol must be one of \['ETHUSDT'\] for okx"):
        load_tier_table("okx", "BTCUSDT")


# --------------------------------------------------------------------------- tier selection
@PROPERTY
@given(sides, st.floats(0.01, 5_000), st.floats(1_000, 100_000), st.floats(1, 100))
def test_binance_tiers_follow_the_liquidation_price_like_liquidation_price_in_brackets(
    side: str, q: float, ep: float, lev: float
) -> None:
    table = load_tier_table("binance", "BTCUSDT", "2021-03-18")
    margin = q * ep / lev
    price, tier = liquidation_price_in_tiers("binance", side, q, ep, margin, table)
    expected, bracket = liquidation_price_in_brackets(
        side, q, ep, margin, load_brackets("BTCUSDT", "2021-03-18")
    )
    assert tier.number == bracket.number
    if expected is None:
        assert price is None
    else:
        assert price == pytest.approx(expected, rel=1e-12)  # the same root, summed in another order


def test_bybit_keeps_the_entry_tier_below_its_edge() -> None:
    # 100 BTC long at 20,500 (2,050,000: tier 2, 0.56 %, 1,200) with 205,000 (10x):
    # MM = 11,480 − 1,200 = 10,280; LP = 20,500 − (205,000 − 10,280) / 100 = 18,552.8
    # (tier 1 at the LP's notional would give 20,500 − (205,000 − 10,250) / 100 = 18,552.5)
    table = load_tier_table("bybit", "BTCUSDT")
    price, tier = liquidation_price_in_tiers("bybit", "long", 100, 20_500, 205_000, table)
    assert tier.number == 2
    assert price == pytest.approx(18_552.8, rel=1e-12)


def test_okx_tier_by_size_with_fee() -> None:
    # as test_okx_long_in_tier_2_with_fee: 997,500 / 348.075
    table = load_tier_table("okx", "ETHUSDT")
    price, tier = liquidation_price_in_tiers("okx", "long", 350, 3_000, 52_500, table, 0.0005)
    assert tier.number == 2
    assert price == pytest.approx(997_500 / 348.075, rel=1e-12)


def test_tier_selection_refuses_a_bracket_table() -> None:
    with pytest.raises(ValueError, match="table must be a TierTable, got BracketTable"):
        liquidation_price_in_tiers(
            "binance",
            "long",
            1,
            20_000,
            400,
            load_brackets("BTCUSDT"),  # type: ignore[arg-type]
        )


def test_bybit_refuses_a_deduction_larger_than_the_rate_gives() -> None:
    # 1 BTC at 20,000 with 0.5 %: 100 USDT before the deduction; a 150 deduction is another tier's
    from margin_widgets.engine.exchanges import get_exchange

    with pytest.raises(ValueError, match="maintenance_amount 150"):
        get_exchange("bybit").maintenance_margin(1, 20_000, 20_000, 0.005, 150)
    assert get_exchange("bybit").maintenance_margin(1, 20_000, 20_000, 0.005, 50) == 50


# --------------------------------------------------------------------------- one-pass methods
# Each convention's one-pass methods against its own checked single-point methods, point by point.
CONVENTIONS = [get_exchange(name) for name in ("binance", "bybit", "okx")] + [bybit.UNIFIED]


@pytest.mark.parametrize("convention", CONVENTIONS, ids=lambda c: c.name)
@PROPERTY
@given(
    side=sides,
    q=st.floats(1e-130, 1e4),
    ep=prices,
    margins=st.lists(st.floats(0, 1e6), max_size=20),
    rate=rates,
    fee=fees,
    deduct=st.booleans(),
)
def test_one_pass_prices_are_the_single_point_solvers(
    convention: ExchangeConvention,
    side: str,
    q: float,
    ep: float,
    margins: list[float],
    rate: float,
    fee: float,
    deduct: bool,
) -> None:
    s = 1 if side == "long" else -1
    amount = 0.0 if convention.name == "okx" or not deduct else q * ep * rate / 2
    one = convention.liquidation_prices_unchecked(side, s, q, ep, margins, rate, amount, fee)  # type: ignore[attr-defined]
    each = [convention.liquidation_price(side, q, ep, m, rate, amount, fee) for m in margins]
    assert one == each
    bankrupt = convention.bankruptcy_prices_unchecked(s, q, ep, margins)  # type: ignore[attr-defined]
    assert bankrupt == [convention.bankruptcy_price(side, q, ep, m) for m in margins]


@pytest.mark.parametrize("convention", CONVENTIONS, ids=lambda c: c.name)
@PROPERTY
@given(
    side=sides,
    q=quantities,
    ep=prices,
    margin=st.floats(0, 1e6),
    marks=st.lists(prices, max_size=20),
    rate=rates,
    fee=fees,
)
def test_one_pass_ratios_are_the_single_point_requirement_and_ratio(
    convention: ExchangeConvention,
    side: str,
    q: float,
    ep: float,
    margin: float,
    marks: list[float],
    rate: float,
    fee: float,
) -> None:
    s = 1 if side == "long" else -1
    amount = 0.0 if convention.name == "okx" else q * ep * rate / 3
    one = convention.margin_ratios_unchecked(  # type: ignore[attr-defined]
        s, q, ep, margin, marks, [rate] * len(marks), [amount] * len(marks), fee
    )
    try:
        each: list[float] | None = [
            convention.margin_ratio(
                margin + s * q * (p - ep),
                convention.maintenance_margin(q, ep, p, rate, amount, fee),
            )
            for p in marks
        ]
    except ValueError:  # Binance refuses a cum above the notional's maintenance: None
        each = None
    assert one == each


def test_one_pass_binance_ratio_clamps_a_rounding_below_zero_like_the_formula() -> None:
    # 1 BTC at a mark of 50,000, MMR 0.5 %, cum 250 + 1e-12: MM = 250 - (250 + 1e-12) < 0 by
    # rounding only: the formula gives 0 (ratio 0); cum 251 is refused (None, the checked
    # call raises)
    binance = get_exchange("binance")
    cum = 250 + 1e-12
    assert binance.maintenance_margin(1, 50_000, 50_000, 0.005, cum) == 0.0
    one = binance.margin_ratios_unchecked(1, 1.0, 50_000.0, 400.0, [50_000.0], [0.005], [cum], 0.0)  # type: ignore[attr-defined]
    assert one == [0.0]
    with pytest.raises(ValueError, match="maintenance_amount"):
        binance.maintenance_margin(1, 50_000, 50_000, 0.005, 251.0)
    refused = binance.margin_ratios_unchecked(
        1, 1.0, 50_000.0, 400.0, [50_000.0], [0.005], [251.0], 0.0
    )  # type: ignore[attr-defined]
    assert refused is None


def test_one_pass_refusals_match_the_checked_calls() -> None:
    # Bybit: a deduction above the entry value's maintenance; OKX: any deduction
    bybit_ = get_exchange("bybit")
    assert (
        bybit_.margin_ratios_unchecked(1, 1.0, 20_000.0, 400.0, [19_000.0], [0.005], [101.0], 0.0)
        is None
    )  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="maintenance_amount"):
        bybit_.maintenance_margin(1, 20_000, 19_000, 0.005, 101.0)
    okx_ = get_exchange("okx")
    assert (
        okx_.margin_ratios_unchecked(1, 1.0, 20_000.0, 400.0, [19_000.0], [0.005], [1.0], 0.0)
        is None
    )  # type: ignore[attr-defined]
    with pytest.raises(ExchangeConventionError):
        okx_.liquidation_prices_unchecked("long", 1, 1.0, 20_000.0, [400.0], 0.005, 1.0, 0.0)  # type: ignore[attr-defined]
    # OKX long with MMR + fee = 1: no price (the denominator is 0), as the checked call says
    assert okx_.liquidation_price("long", 1, 20_000, 400, 0.5, 0.0, 0.5) is None
    assert okx_.liquidation_prices_unchecked("long", 1, 1.0, 20_000.0, [400.0], 0.5, 0.0, 0.5) == [
        None
    ]  # type: ignore[attr-defined]
    # beyond the float range every convention hands the point back (the checked call raises)
    for convention in CONVENTIONS:
        assert (
            convention.margin_ratios_unchecked(1, 1e200, 1e200, 1.0, [1e200], [0.005], [0.0], 0.0)
            is None
        )  # type: ignore[attr-defined]
        assert convention.margin_ratios_unchecked(1, 1.0, 1.0, 1.0, [], [], [], 0.0) == []  # type: ignore[attr-defined]
