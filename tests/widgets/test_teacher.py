"""Teacher's tools: package-wide settings and explorers linked on their shared controls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import margin_widgets
from margin_widgets.engine import book_account
from margin_widgets.widgets import IsolatedMarginAdjuster, MarginModeExplorer, linked


@pytest.fixture(autouse=True)
def _learner() -> Iterator[None]:
    margin_widgets.settings(teacher=False)
    yield
    margin_widgets.settings(teacher=False)


def test_linked_explorers_move_together_and_show_the_engine_numbers() -> None:
    a, b = MarginModeExplorer(), MarginModeExplorer(other_quantity=0.0)
    pair = linked(a, b, names=["leverage", "collateral"])
    assert pair.shared == ("leverage", "collateral") and list(pair.children) == [a, b]
    a.controls["leverage"].value = 40
    b.controls["collateral"].value = 6_000.0  # either side drives the other
    assert b.controls["leverage"].value == 40 and a.controls["collateral"].value == 6_000.0
    assert b.controls["other_quantity"].value == 0.0  # not linked: kept
    cross = book_account("cross", 40, 6_000.0, other_quantity=0.0).liquidation_price("BTCUSDT")
    assert b.liquidation_prices()["cross"] == cross
    pair.unlink()
    a.controls["leverage"].value = 30
    assert b.controls["leverage"].value == 40


def test_linked_defaults_to_every_shared_name_and_refuses_bad_input() -> None:
    a, b = MarginModeExplorer(leverage=30), IsolatedMarginAdjuster()
    pair = linked(a, b)
    assert pair.shared == ("entry_price", "quantity", "leverage", "collateral")
    assert b.controls["leverage"].value == 30  # starts from the first explorer's values
    with pytest.raises(ValueError, match="two or more"):
        linked(a)
    with pytest.raises(ValueError, match="other_move"):
        linked(a, b, names=["other_move"])


def test_settings_switch_teacher_tools_on_every_explorer() -> None:
    views = [MarginModeExplorer(), IsolatedMarginAdjuster(), MarginModeExplorer(teacher=False)]
    assert [v.teacher for v in views] == [False, False, False]
    assert margin_widgets.settings(teacher=True).teacher
    assert [v.teacher for v in views] == [True, True, False]  # teacher=False stays off
    with pytest.raises(ValueError, match="unknown setting 'projectr'"):
        margin_widgets.settings(projectr=True)
    with pytest.raises(ValueError, match="teacher must be True, False or None"):
        MarginModeExplorer(teacher="yes")
