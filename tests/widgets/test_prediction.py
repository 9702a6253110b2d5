"""Prediction: the answer stays off screen until the learner commits a guess or skips."""

from __future__ import annotations

import pytest

from margin_widgets.widgets.prediction import Prediction


def halving() -> Prediction:
    # lesson 01: 1 % fall at 50x loses 50 % of the margin (ROE = −1 % × 50)
    return Prediction(
        "The price falls 1 %. What share of the margin is lost, in %?",
        answer=50.0,
        unit="%",
        why="ROE = price move × leverage = 1 % × 50 = 50 %.",
    )


def test_nothing_is_revealed_before_a_guess() -> None:
    p = halving()
    assert not p.revealed
    assert p.result.value == "" and p.result.layout.display == "none"
    assert p.reveal_output.layout.display == "none"
    assert "50" not in p.message.value


def test_output_printed_into_the_reveal_stays_hidden_until_commit() -> None:
    p = halving()
    with p.reveal_output:
        print("mark 19,800: PnL −200, ROE −50 %")
    assert p.reveal_output.layout.display == "none"
    p.commit("30")
    assert p.reveal_output.layout.display is None


def test_commit_shows_guess_result_distance_and_why() -> None:
    p = halving()
    text = p.commit("25 %")
    assert text == "Your guess: 25 %. Result: 50 %. Off by 25 % (50 % of the result)."
    assert "1 % × 50" in p.result.value
    assert p.commit_button.disabled and p.skip_button.disabled and p.input.disabled
    assert p.state() == {"guess": 25.0, "revealed": True, "answer": 50.0}


def test_an_exact_guess_is_spot_on() -> None:
    assert halving().commit("50").endswith("Spot on.")


def test_unreadable_guess_reveals_nothing() -> None:
    p = halving()
    assert "Type a number" in p.commit("half")
    assert "did you mean 0.5" in p.commit("0,5")
    assert not p.revealed


def test_skip_reveals_without_a_guess() -> None:
    p = halving()
    assert p.skip() == "Result: 50 %."
    assert p.revealed and p.guess is None


def test_choice_predictions() -> None:
    p = Prediction(
        "ETH falls. BTC's cross liquidation price…",
        answer="rises",
        options=("rises", "falls", "stays the same"),
        why="ETH's loss drains the wallet that backs BTC.",
    )
    assert p.commit("falls").endswith("Not this time.")
    p.reset()
    assert not p.revealed and p.result.layout.display == "none"
    assert p.commit("Rises").endswith("Right.")


def test_no_negative_zero_in_the_distance() -> None:
    p = Prediction("?", answer=-0.001, decimals=2, why="w")
    assert "-0.00" not in p.commit("0")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"answer": "up", "options": ("rises", "falls")}, "answer must be one of"),
        ({"answer": "up"}, "needs options"),
        ({"answer": float("nan")}, "finite"),
        ({"answer": 1.0, "why": " "}, "why must explain"),
    ],
)
def test_bad_construction_is_refused(kwargs: dict[str, object], message: str) -> None:
    kwargs.setdefault("why", "because")
    with pytest.raises(ValueError, match=message):
        Prediction("?", **kwargs)  # type: ignore[arg-type]
