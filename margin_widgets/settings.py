"""Package-wide settings of the explorers, set once per kernel with :func:`settings`.

A setting is a field of :class:`Settings` with its default; :func:`settings` checks names and
types against those fields, so adding a switch (say a projector mode with larger fonts) is one
new field plus the code that reads it. Explorers read :func:`current` when they are built and
follow later changes through :func:`on_change`.

``teacher``
    Show the teacher's tools on every explorer: the figure export (PNG/SVG) and the JSON state
    box. Off by default, so a learner sees only the lesson's controls; one explorer can also be
    built with ``teacher=True``.
``projector``
    The projector look on every explorer: larger text and markers, thicker lines, the
    high-contrast palette, and a layout that fits a 1024x768 screen (controls in two columns,
    all charts in one row). One explorer can also be built with ``projector=True`` or switched
    with ``explorer.set_projector(True)``.

This module is pure standard library.

Examples
--------
>>> settings().teacher
False
>>> settings(teacher=True).teacher
True
>>> settings(teacher="yes")
Traceback (most recent call last):
...
ValueError: setting teacher must be a bool, got 'yes'
>>> settings(colour=True)
Traceback (most recent call last):
...
ValueError: unknown setting 'colour'; settings are teacher, projector
>>> settings(teacher=False).teacher
False
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Callable
from typing import Any

__all__ = ["Settings", "current", "on_change", "settings"]


@dataclasses.dataclass(frozen=True)
class Settings:
    """The package-wide settings (see the module docstring for each field)."""

    teacher: bool = False
    projector: bool = False


_current = Settings()
_listeners: list[weakref.ref[Any] | Callable[[Settings], None]] = []


def current() -> Settings:
    """The settings in force."""
    return _current


def settings(**changes: Any) -> Settings:
    """Change package-wide settings (keyword per field) and return the settings in force.

    Called without arguments it only returns them. Every explorer already on screen follows the
    change (for ``teacher``: its export and state tools appear or disappear).

    Raises
    ------
    ValueError
        For an unknown setting name or a value of the wrong type; nothing changes then.
    """
    global _current
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    for name, value in changes.items():
        if name not in fields:
            raise ValueError(f"unknown setting {name!r}; settings are {', '.join(fields)}")
        kind = type(getattr(Settings(), name))
        if type(value) is not kind:
            raise ValueError(f"setting {name} must be a {kind.__name__}, got {value!r}")
    if changes:
        _current = dataclasses.replace(_current, **changes)
        _notify(_current)
    return _current


def on_change(callback: Callable[[Settings], None]) -> None:
    """Call ``callback(settings)`` after every change (held weakly when it is a bound method)."""
    if hasattr(callback, "__self__") and hasattr(callback, "__func__"):
        _listeners.append(weakref.WeakMethod(callback))
    else:
        _listeners.append(callback)


def _notify(value: Settings) -> None:
    alive: list[weakref.ref[Any] | Callable[[Settings], None]] = []
    for item in _listeners:
        func = item() if isinstance(item, weakref.ref) else item
        if func is None:
            continue
        alive.append(item)
        func(value)
    _listeners[:] = alive
