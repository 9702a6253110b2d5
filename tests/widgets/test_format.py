"""Number formats and palette: numpy-free, never "nan" or "-0.00" (hand-worked cases)."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from margin_widgets.widgets import _format as fmt
from margin_widgets.widgets import _style as st


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-0.004, "0.00"),  # rounds to zero: no sign
        (-0.005000001, "-0.01"),
        (0.0, "0.00"),
        (-0.0, "0.00"),
        (1234567.891, "1,234,567.89"),
        (math.nan, "--"),
        (math.inf, "--"),
        (None, "--"),
    ],
)
def test_format_number(value: float | None, expected: str) -> None:
    assert fmt.format_number(value) == expected


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [(-0.0004, "0.0 %"), (-0.0006, "-0.1 %"), (0.046, "4.6 %"), (math.nan, "--")],
)
def test_format_percent(fraction: float, expected: str) -> None:
    assert fmt.format_percent(fraction) == expected


@pytest.mark.parametrize(
    ("price", "tick", "expected"),
    [
        (57228.9157, 0.1, "57,228.9"),  # BTCUSDT's tick: 57,228.9157 -> 57,228.9
        (57228.96, 0.1, "57,229.0"),
        (2999.995, 0.01, "3,000.00"),
        (1234.0, 1.0, "1,234"),
        (57228.9157, None, "57,228.92"),
    ],
)
def test_format_price_at_tick(price: float, tick: float | None, expected: str) -> None:
    assert fmt.format_price(price, tick=tick) == expected


def test_style_re_exports_the_formats() -> None:
    assert st.format_price is fmt.format_price and st.MODE_STYLES is fmt.MODE_STYLES


def test_format_module_imports_no_numpy_or_bqplot() -> None:
    code = (
        "import sys; import margin_widgets.widgets._format; "
        "print(sorted(m for m in ('numpy', 'bqplot', 'ipywidgets') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
