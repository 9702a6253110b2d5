"""Shared set-up of the engine tests: a deterministic hypothesis profile and the shipped tables.

The profile ``margin-engine`` is registered here and applied per test (never loaded globally, so
other test folders keep their own hypothesis settings). It is derandomized: every run explores
the same examples, so CI is deterministic. Set ``MARGIN_ENGINE_EXPLORE=1`` to let hypothesis
draw fresh examples (and keep its example database) when hunting for new failures locally.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from margin_widgets.engine import BracketTable, available_bracket_tables, load_brackets

_EXPLORE = os.environ.get("MARGIN_ENGINE_EXPLORE", "") not in {"", "0"}

_PROFILE: dict[str, Any] = {
    "max_examples": 500,
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
}
if not _EXPLORE:
    _PROFILE.update(derandomize=True, database=None)
settings.register_profile("margin-engine", **_PROFILE)


@pytest.fixture(params=available_bracket_tables(), ids="{0[0]}_{0[1]}".format)
def shipped_table(request: pytest.FixtureRequest) -> BracketTable:
    """Every shipped bracket table, one test per table."""
    symbol, date = request.param
    return load_brackets(symbol, date)


@pytest.fixture
def btc_2024() -> BracketTable:
    """BTCUSDT brackets as served on 2024-10-24 (the exchange's bracket endpoint)."""
    return load_brackets("BTCUSDT", "2024-10-24")


@pytest.fixture
def btc_2021() -> BracketTable:
    """BTCUSDT brackets of 2021-03-18, behind the public worked examples."""
    return load_brackets("BTCUSDT", "2021-03-18")
