"""Input checks shared by the engine: every error names the parameter, the value and the rule."""

from __future__ import annotations

import math
from decimal import Decimal
from numbers import Real

SIDES: dict[str, int] = {"long": 1, "short": -1}
"""Sign of each side: +1 for a long position, -1 for a short one."""

MARGIN_MODES: tuple[str, ...] = ("cross", "isolated")
"""The two margin modes, spelled as in CCXT's ``set_margin_mode``."""


def number(name: str, value: object) -> float:
    """Return ``value`` as a finite float or raise naming ``name``.

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    value : object
        The value to check: an int, a float, a Fraction or a Decimal (any real number), not a
        bool, not NaN, not infinite, and not so close to zero that it rounds to 0.

    Returns
    -------
    float
        ``float(value)`` (correctly rounded for a Fraction or a Decimal).

    Raises
    ------
    TypeError
        If ``value`` is not a real number (bools and strings are refused).
    ValueError
        If ``value`` is NaN or infinite, beyond the float range, or non-zero but smaller in
        magnitude than the smallest float (it would silently become 0).

    Examples
    --------
    >>> number("quantity", 2)
    2.0
    >>> number("quantity", Decimal("0.005"))
    0.005
    """
    kind = type(value)
    if kind is float:  # the common case first, without the abstract-class checks
        if not math.isfinite(value):  # type: ignore[arg-type]
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        return value  # type: ignore[return-value]
    if kind is not int and (isinstance(value, bool) or not isinstance(value, (Real, Decimal))):
        raise TypeError(
            f"{name} must be a real number (int, float, Fraction or Decimal), got {value!r} "
            f"of type {kind.__name__}"
        )
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    try:
        result = float(value)  # type: ignore[arg-type]
    except OverflowError:  # an int or a Fraction beyond the float range
        result = math.inf
    if not math.isfinite(result):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if result == 0 and value != 0:
        raise ValueError(
            f"{name} must be 0 or at least 5e-324 in magnitude (the smallest float), "
            f"got {value!r}, which would round to 0"
        )
    return result


def positive(name: str, value: object) -> float:
    """Return ``value`` as a float, requiring a finite number > 0."""
    result = number(name, value)
    if not result > 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return result


def non_negative(name: str, value: object) -> float:
    """Return ``value`` as a float, requiring a finite number >= 0."""
    result = number(name, value)
    if result < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return result


def rate(name: str, value: object) -> float:
    """Return ``value`` as a float, requiring a rate in [0, 1)."""
    result = number(name, value)
    if not 0 <= result < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return result


def side_sign(value: object, name: str = "side") -> int:
    """Return +1 for ``"long"`` and -1 for ``"short"``, or raise naming the parameter."""
    sign = SIDES.get(value) if isinstance(value, str) else None
    if sign is None:
        raise ValueError(f"{name} must be 'long' or 'short', got {value!r}")
    return sign


def margin_mode(value: object, name: str = "mode") -> str:
    """Return a valid margin mode (``"cross"`` or ``"isolated"``), or raise naming the parameter."""
    if not isinstance(value, str) or value not in MARGIN_MODES:
        raise ValueError(f"{name} must be 'cross' or 'isolated', got {value!r}")
    return value
