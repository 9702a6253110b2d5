"""The base of every explorer: controls, figures, presets, locking, export, errors, debounce.

An explorer is an ``ipywidgets.VBox`` that owns named value controls (sliders, dropdowns,
toggle buttons), one or more bqplot figures, a one-line readout, a text description of what
the figures show, a status line and a compact "Export / import" section. Data flows one way:
control -> handler -> engine -> numbers -> marks changed in place inside ``hold_sync``.

Writing an explorer
-------------------
Subclass :class:`Explorer` and implement three hooks; the base calls them:

``_build(self) -> list[Widget]``
    Create the controls with :meth:`Explorer.add_control` (registration order matters: a
    control whose value sets another control's bounds or options must be registered first),
    the figures with :meth:`Explorer.add_figure`, and return the widgets that form the body
    (controls and figures laid out as you like). Do not compute anything yet.
``_update(self, changed: frozenset[str] | None) -> None``
    Recompute from the engine and change the marks in place (``with mark.hold_sync():``).
    ``changed`` holds the names of the controls that changed since the last update, or is None
    for "everything" (first draw, reset, preset). Set the readout with
    :meth:`Explorer.set_readout`. Raise ``ValueError`` with a readable message for a state the
    engine refuses; the base shows it in the status line.
``_describe(self) -> str``
    Plain-text description of what the figures currently show (for screen readers and static
    exports). Called after every successful update.

Inside ``_update``, :meth:`Explorer.note` shows a warning or note in the status line (for
states that are valid but worth saying, e.g. "the wallet cannot cover the initial margin").

The shape of every update: read the controls, ask the engine for everything the view shows
through :meth:`Explorer.cached` (one cache, keyed on the control values each part depends on:
a control a part does not read never recomputes it, and nothing is invalidated by hand), then
write marks with :func:`set_mark_data` (only what changed is sent, one ``hold_sync`` per mark)
and the readout and description.

Class attributes: ``HELP`` (one sentence per control: its tooltip), ``DRAWING`` (controls that
draw new random numbers: "computing…" shows while they update, browser moves are coalesced),
``ALIASES`` (former control names still accepted). The optional hook ``_inactive(self)`` names
the controls that do nothing in the current state, with why: they are disabled and their
tooltip says so. The teacher's tools (figure export, JSON state) show with ``teacher=True`` or
``margin_widgets.settings(teacher=True)``; :func:`linked` lays out explorers whose controls of
the same name move together.

Optional hooks: ``_sync_bounds(self)`` sets dynamic bounds or options (e.g. the leverage
slider's maximum from the bracket of the current notional; it must only *set* bounds, the base
detects the values that were clamped and says so in the status line); ``_bound_reason(self,
name) -> str`` explains a dynamic bound in messages.

Synchronous by default
----------------------
Setting ``control.value`` from Python runs the handler synchronously: the marks hold the new
numbers when the assignment returns (tests and lesson ``assert`` cells rely on that).
:meth:`Explorer.enable_debounce` coalesces updates that come *from the browser* (a slider
drag) while a kernel event loop runs; values set from Python stay synchronous, and
:meth:`Explorer.flush` runs any pending update at once.

Errors are never silent and never a traceback: an exception raised by a hook appears in the
status line (CSS class ``mw-status``) and the explorer keeps its last good marks.
"""

from __future__ import annotations

import asyncio
import html
import json
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

import bqplot as bq
import ipywidgets as w

from margin_widgets.settings import Settings
from margin_widgets.settings import current as current_settings
from margin_widgets.settings import on_change as on_settings_change
from margin_widgets.widgets._keyboard import shortcut_guard
from margin_widgets.widgets._style import (
    MODES,
    PROJECTOR_AXIS_ROOM_PX,
    PROJECTOR_CATEGORY_TICK_PX,
    PROJECTOR_CSS,
    PROJECTOR_LABEL_TEXT,
    PROJECTOR_TICK_PX,
    css_kebab,
    escape,
    legend_px,
    projector_ticks,
    projector_widths,
    px,
    set_mark_data,
    set_tick_count,
    title_px,
)

__all__ = [
    "Explorer",
    "Linked",
    "check_mode",
    "folded_description",
    "linked",
    "nan_for_none",
    "parse_preset",
    "set_mark_data",
]

T = TypeVar("T")

#: Outline of a control whose change the engine refused, and colour of error text (vermillion).
ERROR_COLOR = "#D55E00"

#: Updates slower than this (seconds) show the progress indicator on the next update.
SLOW_UPDATE_SECONDS = 0.3

_SELECTION_TYPES = (w.Dropdown, w.ToggleButtons, w.RadioButtons, w.Select, w.SelectionSlider)


def parse_preset(preset: Mapping[str, Any] | str | bytes | None) -> dict[str, Any]:
    """Turn a preset (a dict, or JSON text of one) into a plain dict of control values.

    Accepts the flat form ``{"leverage": 20, ...}`` and the form written by
    :meth:`Explorer.to_json`, ``{"explorer": "...", "values": {...}}`` (the explorer name is
    checked by :meth:`Explorer.apply_preset`).

    Raises
    ------
    ValueError
        If the text is not JSON or not a JSON object.

    Examples
    --------
    >>> parse_preset('{"leverage": 20}')
    {'leverage': 20}
    >>> parse_preset(None)
    {}
    """
    if preset is None:
        return {}
    if isinstance(preset, bytes | bytearray | memoryview):
        preset = bytes(preset).decode("utf-8", errors="replace")
    if isinstance(preset, str):
        text = preset.strip()
        if not text:
            raise ValueError('preset JSON is empty: expected an object such as {"leverage": 20}')
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"preset is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
            ) from None
    else:
        data = preset
    if not isinstance(data, Mapping):
        raise ValueError(
            f"preset must be a JSON object of control values, got {type(data).__name__}"
        )
    return dict(data)


def _value_bounds(control: w.Widget) -> tuple[Any, Any]:
    """(min, max) of a bounded control in value units (a log slider stores exponents)."""
    low, high = getattr(control, "min", None), getattr(control, "max", None)
    if isinstance(control, w.FloatLogSlider):
        return control.base**low, control.base**high
    return low, high


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value)


class Explorer(w.VBox):
    """Base class of the explorers (see the module docstring for the subclass hooks).

    Parameters
    ----------
    preset : dict or str, optional
        Start values by control name, as a dict or as JSON text of one (also the output of
        :meth:`to_json`).
    locked : iterable of str, default ()
        Controls shown disabled (a teacher fixes them for the lesson).
    hidden : iterable of str, default ()
        Controls hidden (and locked).
    teacher : bool, optional
        Show the teacher's tools (figure export, JSON state). Default: the package-wide
        setting, ``margin_widgets.settings(teacher=...)``, which is off; the tools follow later
        changes of the setting unless ``teacher`` is given here.
    **values
        Start values by control name; they override ``preset``.

    Raises
    ------
    ValueError
        For bad preset JSON, an unknown control name, or a value of the wrong type or outside
        the control's range; the message names the control, the value and the allowed range.

    Attributes
    ----------
    controls : dict of str to Widget
        The value controls by name, in registration order.
    figures : list of bqplot.Figure
        The figures, in registration order (never rebuilt).
    status : ipywidgets.HTML
        Status line (CSS class ``mw-status``): errors and notes from handlers.
    description : ipywidgets.HTML
        Text description of what the figures show (CSS class ``mw-description``).
    readout : ipywidgets.HTML
        One-line summary (CSS class ``mw-readout``).
    """

    def __init__(
        self,
        preset: Mapping[str, Any] | str | None = None,
        locked: Iterable[str] = (),
        hidden: Iterable[str] = (),
        teacher: bool | None = None,
        projector: bool | None = None,
        **values: Any,
    ) -> None:
        super().__init__()
        self.controls: dict[str, w.Widget] = Controls(self.ALIASES)
        if teacher is not None and not isinstance(teacher, bool):
            raise ValueError(f"teacher must be True, False or None, got {teacher!r}")
        if projector is not None and not isinstance(projector, bool):
            raise ValueError(f"projector must be True, False or None, got {projector!r}")
        self._teacher = teacher
        self._projector = projector
        self._projector_on = False
        self._has_drawn = False
        self._followers: dict[str, list[w.Widget]] = {}
        self.figures: list[bq.Figure] = []
        self.figure_keys: dict[str, bq.Figure] = {}
        self._suspend_depth = 0
        self._debounce_delay: float | None = None
        self._pending: set[str] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._last_duration = 0.0
        self._start_values: dict[str, Any] = {}
        self._notes: list[tuple[str, str]] = []
        self._cache: dict[str, OrderedDict[Hashable, Any]] = {}
        self._locked: set[str] = set()
        self._description_text = ""
        self._error_control: str | None = None

        self.add_class("mw-explorer")
        self.add_class(f"mw-{css_kebab(type(self).__name__)}")
        self.status = w.HTML(value="", layout={"min_height": "1.4em"})
        self.status.add_class("mw-status")
        self.description = w.HTML(value="")
        self.description.add_class("mw-description")
        self.readout = w.HTML(value="")
        self.readout.add_class("mw-readout")
        self.busy = w.HTML(value="", layout={"min_height": "1.2em"})
        self.busy.add_class("mw-busy")

        body = list(self._build())
        for name, text in self.HELP.items():
            if name in self.controls and not getattr(self.controls[name], "tooltip", None):
                self.controls[name].tooltip = text

        start = parse_preset(preset)
        start = self._strip_wrapper(start)
        start.update(values)
        self._apply_values(start)  # raises ValueError and leaves defaults on bad input
        self._start_values = self._raw_values()

        locked_names = self._check_names(locked, "locked")
        hidden_names = self._check_names(hidden, "hidden")
        self.lock(*locked_names)
        self.lock(*hidden_names, hide=True)

        self.reset_button = w.Button(
            description="Reset",
            icon="undo",
            tooltip="Back to the start values",
            layout={"width": "auto"},
        )
        self.reset_button.add_class("mw-reset")
        self.reset_button.on_click(lambda _button: self._guarded(self.reset, "reset"))
        self.io_panel = self._build_io()
        self._show_teacher_tools(current_settings())
        if teacher is None:
            on_settings_change(self._show_teacher_tools)
        body = _arrange(body, self.controls, self.figures)
        self._look_style = w.HTML(value="", layout={"display": "none"})
        self._figure_looks = {
            id(f): (f.layout.width, dict(f.fig_margin), [a.label_offset for a in f.axes])
            for f in self.figures
        }

        for control in self.controls.values():
            control.observe(self._on_change, names="value")

        self.children = [
            *body,
            self.readout,
            self.description,
            w.HBox([self.reset_button, self.busy]),
            self.status,
            self.io_panel,
        ]
        guard = shortcut_guard()  # arrow keys on a focused slider in Notebook 7; None: left out
        if guard is not None:
            self.children = [*self.children, guard]
        self.children = [*self.children, self._look_style]
        self._show_look(current_settings())
        if projector is None:
            on_settings_change(self._show_look)
        self._run_update(None)
        self._has_drawn = True

    #: one sentence per control name: what it does (the control's tooltip; read aloud by
    #: screen readers with the description)
    HELP: ClassVar[Mapping[str, str]] = {}
    #: controls whose change draws new random numbers: "computing…" shows while they update,
    #: and moves from the browser are coalesced (see :meth:`enable_debounce`)
    DRAWING: ClassVar[frozenset[str]] = frozenset()
    #: former control names -> current ones: accepted in constructor values, presets, saved
    #: states, ``lock``/``hidden`` and ``controls[old]`` (a name keeps one meaning across the
    #: explorers; a renamed control keeps its old name here)
    ALIASES: ClassVar[Mapping[str, str]] = {}

    # ------------------------------------------------------------------ hooks
    def _build(self) -> list[w.Widget]:
        """Create controls and figures; return the body widgets (override)."""
        raise NotImplementedError

    def _update(self, changed: frozenset[str] | None) -> None:
        """Recompute from the engine and change the marks in place (override)."""
        raise NotImplementedError

    def _describe(self) -> str:
        """Plain-text description of what the figures show (override)."""
        return ""

    def _sync_bounds(self) -> None:
        """Set dynamic bounds/options of controls from the other controls (optional)."""

    def _bound_reason(self, name: str) -> str:
        """Why control ``name`` has its current bounds, for messages (optional)."""
        return ""

    # ------------------------------------------------------------------ building helpers
    def add_control(
        self, name: str, control: w.Widget, *, followers: Iterable[w.Widget] = ()
    ) -> w.Widget:
        """Register a value control under ``name`` (adds CSS class ``mw-control-<name>``).

        Sliders get ``continuous_update=True`` left as is; give them a ``description`` with
        the unit. ``followers`` are widgets that belong to the control (the Play button of a
        step slider): they are disabled whenever the control is, and locked, hidden and
        unlocked with it. Returns the control.
        """
        if name in self.controls:
            raise ValueError(f"control {name!r} is registered twice")
        if not hasattr(control, "value"):
            raise TypeError(f"control {name!r} must be an ipywidgets value widget")
        control.add_class(f"mw-control-{name}")
        control.add_class("mw-control")
        self.controls[name] = control
        for follower in followers:
            self._followers.setdefault(name, []).append(follower)
            control.observe(_mirror_disabled(follower), names=["disabled"])
        return control

    def add_figure(self, key: str, figure: bq.Figure) -> bq.Figure:
        """Register a figure under ``key`` (it should carry class ``mw-figure-<key>``)."""
        if key in self.figure_keys:
            raise ValueError(f"figure {key!r} is registered twice")
        figure.add_class(f"mw-figure-{css_kebab(key)}")
        self.figure_keys[key] = figure
        self.figures.append(figure)
        return figure

    def set_readout(self, text: str) -> None:
        """Set the one-line readout (plain text; escaped here)."""
        value = f"<b>{escape(text)}</b>"
        if self.readout.value != value:
            self.readout.value = value

    # ------------------------------------------------------------------ status line
    def show_status(self, text: str, level: str = "error") -> None:
        """Show ``text`` in the status line (``level``: ``"error"``, ``"warning"``, ``"info"``)."""
        if not text:
            self.clear_status()
            return
        icon = {"error": "⚠ ", "warning": "⚠ ", "info": "ℹ "}.get(level, "")
        color = {"error": ERROR_COLOR, "warning": "#8a5a00", "info": "#0072B2"}.get(
            level, "inherit"
        )
        role = "alert" if level == "error" else "status"
        self.status.value = (
            f'<span class="mw-status-{level}" role="{role}" style="color:{color}">'
            f"{icon}{escape(text)}</span>"
        )

    def clear_status(self) -> None:
        """Empty the status line."""
        if self.status.value:
            self.status.value = ""

    @property
    def description_text(self) -> str:
        """The full plain-text description of the charts.

        The widget shows its first sentence, folds the rest and keeps the whole for screen
        readers.
        """
        return self._description_text

    @property
    def status_text(self) -> str:
        """The status line as plain text ("" when empty)."""
        return escape_back(re.sub(r"<[^>]+>", "", self.status.value)).lstrip("⚠ℹ ").strip()

    def _guarded(self, func: Callable[[], Any], where: str) -> bool:
        """Run ``func``; show any exception in the status line. Returns True on success."""
        try:
            func()
        except ValueError as exc:
            self.show_status(str(exc), "error")
            return False
        except Exception as exc:  # an observer must never raise into the front-end
            self.show_status(f"Unexpected error in {where}: {type(exc).__name__}: {exc}", "error")
            return False
        return True

    # ------------------------------------------------------------------ values
    def _raw_values(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    @property
    def values(self) -> dict[str, Any]:
        """Current control values by name (plain Python types; runs a pending update first)."""
        self.flush()
        return {name: _plain(value) for name, value in self._raw_values().items()}

    @property
    def start_values(self) -> dict[str, Any]:
        """The values :meth:`reset` returns to (defaults overridden by the preset)."""
        return {name: _plain(value) for name, value in self._start_values.items()}

    def _check_names(self, names: Iterable[str], what: str) -> list[str]:
        if isinstance(names, str):
            names = [names]
        names = [self.ALIASES.get(n, n) for n in names]
        unknown = [n for n in names if n not in self.controls]
        if unknown:
            raise ValueError(
                f"{what} names unknown control(s) {', '.join(map(repr, unknown))}; "
                f"controls of {type(self).__name__} are {', '.join(self.controls)}"
            )
        return names

    def _strip_wrapper(self, data: dict[str, Any]) -> dict[str, Any]:
        if set(data) == {"explorer", "values"} and isinstance(data["values"], Mapping):
            if data["explorer"] != type(self).__name__:
                raise ValueError(
                    f"this state belongs to {data['explorer']!r}, not {type(self).__name__!r}"
                )
            return dict(data["values"])
        return data

    def _bounds_text(self, name: str) -> str:
        control = self.controls[name]
        if isinstance(control, _SELECTION_TYPES):
            return "one of " + ", ".join(_format_value(v) for v in _option_values(control))
        if hasattr(control, "min") and hasattr(control, "max"):
            low, high = _value_bounds(control)
            text = f"between {_format_value(low)} and {_format_value(high)}"
            reason = self._bound_reason(name)
            return f"{text} ({reason})" if reason else text
        return "a valid value"

    def _coerce(self, name: str, value: Any) -> Any:
        """Check ``value`` for control ``name`` against its type and current bounds."""
        control = self.controls[name]
        current = control.value
        if isinstance(control, _SELECTION_TYPES):
            options = _option_values(control)
            if value not in options:
                raise ValueError(f"{name} must be {self._bounds_text(name)}, got {value!r}")
            return value
        if isinstance(current, bool):
            if not isinstance(value, bool):
                raise ValueError(f"{name} must be true or false, got {value!r}")
            return value
        if isinstance(current, int | float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
            if isinstance(current, int) and not isinstance(current, bool):
                if float(value) != int(value):
                    raise ValueError(f"{name} must be a whole number, got {value!r}")
                value = int(value)
            else:
                value = float(value)
            low, high = _value_bounds(control)
            if (low is not None and value < low) or (high is not None and value > high):
                raise ValueError(f"{name} must be {self._bounds_text(name)}, got {value!r}")
            return value
        if isinstance(current, str):
            if not isinstance(value, str):
                raise ValueError(f"{name} must be text, got {value!r}")
            return value
        return value

    @contextmanager
    def _suspended(self) -> Iterator[None]:
        """Ignore control observers inside (batch changes)."""
        self._suspend_depth += 1
        try:
            yield
        finally:
            self._suspend_depth -= 1

    def _apply_values(self, values: Mapping[str, Any]) -> None:
        """Set several controls at once, all or nothing, without running the update."""
        values = {self.ALIASES.get(name, name): value for name, value in values.items()}
        self._check_names(values, "preset")
        snapshot = self._raw_values()
        with self._suspended():
            try:
                for name in self.controls:
                    if name in values:
                        self.controls[name].value = self._coerce(name, values[name])
                        self._sync_bounds()
                for name in values:  # a later control's bounds may have clamped an earlier one
                    if _plain(self.controls[name].value) != _plain(
                        self._coerce_quiet(name, values[name])
                    ):
                        raise ValueError(
                            f"{name} must be {self._bounds_text(name)}, got {values[name]!r}"
                        )
            except ValueError:
                self._restore(snapshot)
                raise
            except Exception as exc:
                self._restore(snapshot)
                raise ValueError(f"preset could not be applied: {exc}") from exc

    def _coerce_quiet(self, name: str, value: Any) -> Any:
        control = self.controls[name]
        current = control.value
        if isinstance(current, int) and not isinstance(current, bool):
            return int(value)
        if isinstance(current, float):
            return float(value)
        return value

    def _restore(self, snapshot: Mapping[str, Any]) -> None:
        with self._suspended():
            for name, value in snapshot.items():
                self._widen(name, value)
                self.controls[name].value = value
                self._sync_bounds()

    def _widen(self, name: str, value: Any) -> None:
        """Let a bounded control take ``value`` before bounds are re-synced."""
        control = self.controls[name]
        if isinstance(control, _SELECTION_TYPES) or isinstance(value, bool):
            return
        if isinstance(control, w.FloatLogSlider) and isinstance(value, int | float) and value > 0:
            exponent = math.log(value, control.base)
            if exponent > control.max:
                control.max = exponent
            if exponent < control.min:
                control.min = exponent
            return
        if hasattr(control, "max") and isinstance(value, int | float):
            if value > control.max:
                control.max = value
            if value < control.min:
                control.min = value

    def apply_preset(self, preset: Mapping[str, Any] | str) -> None:
        """Set several control values at once (dict or JSON), then update once.

        Raises
        ------
        ValueError
            For bad JSON, an unknown control, a value of the wrong type or out of range; the
            message names the control, the value and the allowed range, and nothing changes.
        """
        data = self._strip_wrapper(parse_preset(preset))
        self._apply_values(data)
        self.clear_status()
        self._run_update(None)

    def load_json(self, text: str | bytes) -> None:
        """Load a state written by :meth:`to_json` (or a flat JSON object of control values).

        Raises ``ValueError`` on bad input and changes nothing (see :meth:`apply_preset`).
        """
        self.apply_preset(parse_preset(text))

    def to_json(self, indent: int | None = None) -> str:
        """The explorer's state as JSON: ``{"explorer": "<class>", "values": {...}}``.

        :meth:`load_json` on a fresh explorer of the same class restores the same values and
        therefore the same marks (floats are written exactly).
        """
        return json.dumps({"explorer": type(self).__name__, "values": self.values}, indent=indent)

    def reset(self) -> None:
        """Return every control to its start value (the defaults, overridden by the preset)."""
        self._apply_values(self._start_values)
        self.clear_status()
        self._run_update(None)

    # ------------------------------------------------------------------ locking
    def lock(self, *names: str, hide: bool = False) -> None:
        """Disable the named controls (and hide them when ``hide`` is True), with followers."""
        for name in self._check_names(names, "lock"):
            self._locked.add(name)
            for widget in (self.controls[name], *self._followers.get(name, ())):
                widget.disabled = True
                if hide:
                    widget.layout.display = "none"

    def unlock(self, *names: str) -> None:
        """Enable and show the named controls again, with their followers."""
        for name in self._check_names(names, "unlock"):
            self._locked.discard(name)
            for widget in (self.controls[name], *self._followers.get(name, ())):
                widget.disabled = False
                widget.layout.display = None
        self._show_inactive()

    def is_locked(self, name: str) -> bool:
        """Whether control ``name`` is locked (disabled by the teacher, not by the state)."""
        return self._check_names([name], "is_locked")[0] in self._locked

    def _inactive(self) -> Mapping[str, str]:
        """Controls that do nothing in the current state, with why (optional hook)."""
        return {}

    def _show_inactive(self) -> None:
        """Disable the controls that do nothing now; their tooltip says why."""
        reasons = self._inactive()
        for name, control in self.controls.items():
            if name in self._locked:
                continue
            reason = reasons.get(name)
            help_text = self.HELP.get(name, "")
            tip = f"Inactive: {reason}. {help_text}".strip() if reason else help_text
            off = reason is not None
            widgets = [
                widget
                for widget in (control, *self._followers.get(name, ()))
                if widget.disabled != off
            ]
            retip = bool(tip) and control.tooltip != tip
            if not widgets and not retip:
                continue
            with control.hold_sync():  # the state and its reason in one message
                for widget in widgets:
                    widget.disabled = off
                if retip:
                    control.tooltip = tip

    @property
    def inactive(self) -> dict[str, str]:
        """The controls that do nothing in the current state, with why."""
        return {n: r for n, r in self._inactive().items() if n not in self._locked}

    def is_hidden(self, name: str) -> bool:
        """Whether control ``name`` is hidden."""
        return self.controls[self._check_names([name], "is_hidden")[0]].layout.display == "none"

    # ------------------------------------------------------------------ updates
    def _on_change(self, change: dict[str, Any]) -> None:
        if self._suspend_depth:
            return
        name = next((n for n, c in self.controls.items() if c is change["owner"]), None)
        if name is None:  # pragma: no cover - only registered controls are observed
            return
        if self._debounce_delay is not None and _from_frontend(change):
            loop = _running_loop()
            if loop is not None:
                self._schedule(name, loop)
                return
        self._run_update(frozenset({name}))

    def _run_update(self, changed: frozenset[str] | None) -> None:
        """Sync bounds (reporting clamps), run ``_update`` and refresh the description."""
        self._cancel_timer()
        if self._pending is not None:
            changed = None if changed is None else changed | frozenset(self._pending)
            self._pending = None
        show_busy = self._last_duration > SLOW_UPDATE_SECONDS or bool(
            changed and changed & self.DRAWING
        )
        if show_busy:
            self.busy.value = '<span class="mw-busy-indicator">⏳ computing…</span>'
        start = time.perf_counter()
        notes: list[str] = []
        self._notes = []

        def work() -> None:
            before = self._raw_values()
            with self._suspended():
                self._sync_bounds()
            after = self._raw_values()
            clamped = [n for n in self.controls if before[n] != after[n]]
            for n in clamped:
                reason = self._bound_reason(n)
                notes.append(
                    f"{n} changed from {_format_value(before[n])} to {_format_value(after[n])}"
                    + (f": {reason}" if reason else f": allowed range is {self._bounds_text(n)}")
                )
            self._show_inactive()
            full = changed if changed is None else changed | frozenset(clamped)
            self._update(full)
            self._description_text = " ".join(self._describe().split())
            text = folded_description(self._description_text)
            if self.description.value != text:
                self.description.value = text

        ok = self._guarded(work, "update")
        self._last_duration = time.perf_counter() - start
        if show_busy or self.busy.value:
            self.busy.value = ""
        culprit = None
        if not ok and changed is not None and len(changed) == 1:
            culprit = next(iter(changed))
        self._flag_control(culprit, self.status_text if culprit else "")
        if ok:
            levels = [level for _, level in self._notes]
            texts = [n + "." for n in notes] + [text for text, _ in self._notes]
            if texts:
                level = "warning" if "warning" in levels else "info"
                self.show_status(" ".join(texts), level)
            elif self.status.value:
                self.clear_status()

    @property
    def error_control(self) -> str | None:
        """The control whose change the engine refused (outlined, its tooltip says why)."""
        return self._error_control

    def _flag_control(self, name: str | None, message: str) -> None:
        """Outline the control that caused the error in the status line; restore the last one."""
        previous = self._error_control
        if previous is not None and previous != name:
            control = self.controls[previous]
            with control.layout.hold_sync():  # four border traits, one message
                control.layout.border = None
            control.tooltip = self.HELP.get(previous, "")
            self._show_inactive()
        self._error_control = name
        if name is not None:
            control = self.controls[name]
            with control.layout.hold_sync():
                control.layout.border = f"1px solid {ERROR_COLOR}"
            control.tooltip = f"Error: {message}"

    def cached(self, part: str, inputs: Hashable, compute: Callable[[], T], *, keep: int = 1) -> T:
        """``compute()`` for ``part``, recomputed only when ``inputs`` differ from before.

        The one caching mechanism of the explorers: each part of what the view shows (the
        scenarios of a seed, a curve, the accounts) is keyed on exactly the control values it
        depends on, so a control that a part does not read never recomputes it, and nothing is
        invalidated by hand. ``keep`` results per part are kept (most recent first), e.g. the
        random numbers of the last few seeds.

        Examples
        --------
        ``explorer.cached("curve", (leverage, collateral), lambda: engine_curve(...))``.
        """
        store = self._cache.setdefault(part, OrderedDict())
        if inputs in store:
            store.move_to_end(inputs)
            found: T = store[inputs]
            return found
        value = compute()
        store[inputs] = value
        while len(store) > max(1, keep):
            store.popitem(last=False)
        return value

    def note(self, text: str, level: str = "warning") -> None:
        """From inside ``_update``: show ``text`` in the status line after this update.

        Use it for states the engine accepts but the learner should know about (an order the
        wallet cannot cover, a liquidated account); ``level`` is ``"warning"`` or ``"info"``.
        Notes last until the next update.
        """
        self._notes.append((text, level))

    def refresh(self) -> None:
        """Recompute everything now (errors go to the status line)."""
        self._run_update(None)

    # ------------------------------------------------------------------ debounce
    def enable_debounce(self, delay: float = 0.15) -> None:
        """Coalesce browser-driven changes: update ``delay`` seconds after the last one.

        Only changes that come from the front-end (a slider drag) while a kernel event loop is
        running are deferred; a value set from Python always updates synchronously, so tests
        and lesson cells see the new marks at once. When the previous update took longer than
        0.3 s, a progress indicator (``.busy``, class ``mw-busy``) shows while the next one
        runs. :meth:`flush` runs a pending update immediately.
        """
        if delay < 0:
            raise ValueError(f"delay must be >= 0 seconds, got {delay!r}")
        self._debounce_delay = float(delay)

    def disable_debounce(self) -> None:
        """Back to one synchronous update per change (runs any pending update)."""
        self._debounce_delay = None
        self.flush()

    @property
    def pending(self) -> bool:
        """Whether a debounced update is waiting."""
        return self._pending is not None

    def flush(self) -> None:
        """Run a pending debounced update now (no-op when nothing is pending)."""
        if self.pending:
            self._run_update(frozenset(self._pending or ()))

    def _schedule(self, name: str, loop: asyncio.AbstractEventLoop) -> None:
        if self._pending is None:
            self._pending = set()
        self._pending.add(name)
        self._cancel_timer()
        if self._last_duration > SLOW_UPDATE_SECONDS or name in self.DRAWING:
            self.busy.value = '<span class="mw-busy-indicator">⏳ computing…</span>'
        assert self._debounce_delay is not None
        self._timer = loop.call_later(self._debounce_delay, self.flush)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # ------------------------------------------------------------------ export / import
    @property
    def teacher(self) -> bool:
        """Whether the teacher's tools (figure export, JSON state) are shown."""
        return self.io_panel.layout.display != "none"

    @property
    def projector(self) -> bool:
        """Whether the projector look is on (see :meth:`set_projector`)."""
        return self._projector_on

    def set_projector(self, on: bool) -> None:
        """Switch the projector look of this explorer (it then ignores the package setting).

        The look is for a class watching a projector: larger text and markers, thicker lines,
        the high-contrast palette (:data:`~margin_widgets.widgets._style.HIGH_CONTRAST`), the
        controls in two columns and all charts in one row, so the explorer fits a 1024x768
        screen. It changes only what is drawn: values, marks' data and state are the same.
        """
        if not isinstance(on, bool):
            raise ValueError(f"projector must be True or False, got {on!r}")
        self._projector = on
        self._apply_look(on)

    def _show_look(self, settings: Settings) -> None:
        self._apply_look(settings.projector if self._projector is None else self._projector)

    def _apply_look(self, on: bool) -> None:
        if on == self._projector_on and self._look_style.value == (PROJECTOR_CSS if on else ""):
            return
        self._projector_on = on
        if on:
            self.add_class("mw-projector")
        else:
            self.remove_class("mw-projector")
        self._look_style.value = PROJECTOR_CSS if on else ""
        rows: dict[int, int] = {}
        for box in _boxes(self):
            if "mw-figures" in box._dom_classes:
                count = sum(isinstance(c, bq.Figure) for c in box.children)
                for child in box.children:
                    rows[id(child)] = count
        for fig in self.figures:
            default_width, margin, offsets = self._figure_looks[id(fig)]
            width = projector_widths(rows.get(id(fig), 1), default_width) if on else default_width
            fig.layout.width = width
            fig.layout.min_width = width if on else "300px"
            fig.title_style = {"font-size": f"{title_px(fig.title, width) if on else 14}px"}
            names = [t for m in fig.marks if m.display_legend for t in (m.labels or [])]
            fig.legend_text = {"font-size": f"{legend_px(names, width) if on else 11}px"}
            narrow = px(width) < px(default_width)
            room = {"left": PROJECTOR_AXIS_ROOM_PX} if on else {}
            fig.fig_margin = {k: v + room.get(k, 0) for k, v in margin.items()}
            for ax, offset in zip(fig.axes, offsets, strict=True):
                vertical = ax.orientation == "vertical"
                category = isinstance(ax.scale, bq.OrdinalScale)
                size = PROJECTOR_CATEGORY_TICK_PX if category else PROJECTOR_TICK_PX
                ax.tick_style = {"font-size": f"{size}px"} if on else {}
                if vertical and offset and offset.endswith("px") and ax.side != "right":
                    grown = float(offset.removesuffix("px")) + PROJECTOR_AXIS_ROOM_PX
                    ax.label_offset = f"{grown:.0f}px" if on else offset
                set_tick_count(ax, projector_ticks(width, vertical) if on else None)
            for mark in fig.marks:
                if hasattr(mark, "set_projector"):
                    mark.set_projector(on, 1.0 if narrow else PROJECTOR_LABEL_TEXT)
        if self._has_drawn:  # labels placed for the figures' new widths
            self._run_update(None)

    def _show_teacher_tools(self, settings: Settings) -> None:
        show = settings.teacher if self._teacher is None else self._teacher
        self.io_panel.layout.display = None if show else "none"

    def _build_io(self) -> w.Widget:
        self.png_button = w.Button(
            description="PNG", icon="image", tooltip="Save the figures as PNG files"
        )
        self.svg_button = w.Button(
            description="SVG", icon="image", tooltip="Save the figures as SVG files"
        )
        self.export_button = w.Button(
            description="Export state", icon="download", tooltip="Write the state as JSON below"
        )
        self.import_button = w.Button(
            description="Load state", icon="upload", tooltip="Apply the JSON state below"
        )
        self.upload = w.FileUpload(accept=".json,application/json", multiple=False)
        self.upload.description = "JSON file"
        self.state_text = w.Textarea(
            placeholder='{"explorer": "...", "values": {...}}',
            layout={"width": "100%", "height": "5em"},
        )
        for button in (self.png_button, self.svg_button, self.export_button, self.import_button):
            button.layout.width = "auto"
        self.png_button.on_click(lambda _b: self._guarded(self.save_png, "PNG export"))
        self.svg_button.on_click(lambda _b: self._guarded(self.save_svg, "SVG export"))
        self.export_button.on_click(lambda _b: self._guarded(self._export_to_box, "export"))
        self.import_button.on_click(lambda _b: self._import_text(self.state_text.value))
        self.upload.observe(self._on_upload, names="value")
        box = w.VBox(
            [
                w.HBox(
                    [
                        w.Label("Figures:"),
                        self.png_button,
                        self.svg_button,
                        w.Label("State:"),
                        self.export_button,
                        self.import_button,
                        self.upload,
                    ],
                    layout={"flex_flow": "row wrap", "align_items": "center"},
                ),
                self.state_text,
            ]
        )
        accordion = w.Accordion(children=[box], titles=("Export / import",), selected_index=None)
        accordion.add_class("mw-io")
        return accordion

    def _file_stem(self, key: str) -> str:
        return f"{css_kebab(type(self).__name__)}-{css_kebab(key)}"

    def save_png(self, scale: float | None = 2.0) -> None:
        """Ask the browser to download every figure as PNG (``Figure.save_png``)."""
        for key, fig in self.figure_keys.items():
            fig.save_png(f"{self._file_stem(key)}.png", scale=scale)
        self.show_status("PNG download requested for each figure.", "info")

    def save_svg(self) -> None:
        """Ask the browser to download every figure as SVG (``Figure.save_svg``)."""
        for key, fig in self.figure_keys.items():
            fig.save_svg(f"{self._file_stem(key)}.svg")
        self.show_status("SVG download requested for each figure.", "info")

    def _export_to_box(self) -> None:
        self.state_text.value = self.to_json(indent=1)
        self.show_status("State written below; copy it or load it into another explorer.", "info")

    def _import_text(self, text: str | bytes) -> None:
        try:
            self.load_json(text)
        except ValueError as exc:
            self.show_status(f"State not loaded, nothing changed: {exc}", "error")
        except Exception as exc:  # shown, never raised into the front-end
            self.show_status(f"State not loaded: {type(exc).__name__}: {exc}", "error")
        else:
            if not self.status.value:
                self.show_status("State loaded.", "info")

    def _on_upload(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        # ipywidgets 8: a tuple of dicts with "name", "type", "size", "content" (memoryview)
        content = files[0]["content"]
        self._import_text(bytes(content))


class Controls(dict[str, w.Widget]):
    """The controls by name; a former name (an alias) still finds its control."""

    def __init__(self, aliases: Mapping[str, str]) -> None:
        super().__init__()
        self.aliases = dict(aliases)

    def __missing__(self, name: str) -> w.Widget:
        if name in self.aliases:
            return self[self.aliases[name]]
        raise KeyError(name)


def nan_for_none(value: float | None) -> float:
    """``value`` as a float, NaN for None (a missing price draws a gap in a line).

    Examples
    --------
    >>> nan_for_none(None), nan_for_none(3)
    (nan, 3.0)
    """
    return math.nan if value is None else float(value)


def check_mode(mode: str) -> None:
    """Raise ``ValueError`` unless ``mode`` is ``"isolated"`` or ``"cross"``."""
    if mode not in MODES:
        raise ValueError(f"mode must be 'isolated' or 'cross', got {mode!r}")


def _plain(value: Any) -> Any:
    """Control values as plain JSON-ready Python values (numpy scalars, tuples -> list)."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _option_values(control: w.Widget) -> list[Any]:
    options = control.options
    if isinstance(options, Mapping):
        return list(options.values())
    out: list[Any] = []
    for option in options:
        if isinstance(option, tuple) and len(option) == 2:
            out.append(option[1])
        else:
            out.append(option)
    return out


def _mirror_disabled(follower: w.Widget) -> Callable[[dict[str, Any]], None]:
    """An observer of a control's ``disabled`` that copies it to ``follower``."""

    def mirror(change: dict[str, Any]) -> None:
        follower.disabled = bool(change["new"])

    return mirror


def _from_frontend(change: Mapping[str, Any]) -> bool:
    """Whether a value change arrived from the browser (ipywidgets locks it while applying)."""
    owner = change.get("owner")
    lock = getattr(owner, "_property_lock", None) or {}
    return change.get("name", "value") in lock


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def folded_description(text: str) -> str:
    """A chart's description as HTML: its first sentence shown, the rest folded.

    The whole text is also kept, visually hidden, for screen readers (a closed ``<details>`` is
    not read); the fold is ``aria-hidden`` so it is not read twice.

    >>> html = folded_description("Two lines. The rest & more.")
    >>> html.count("The rest &amp; more.")
    2
    >>> folded_description("One sentence only.").count("<details")
    0
    """
    text = " ".join(text.split())
    if not text:
        return ""
    first, _, rest = text.partition(". ")
    first = first if not rest else first + "."
    sr_only = (
        "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
        "white-space:nowrap"
    )
    hidden = f'<span class="mw-sr-only" style="{sr_only}">{escape(text)}</span>'
    if not rest:
        return f'<span aria-hidden="true">{escape(first)}</span>{hidden}'
    return (
        f'<span aria-hidden="true">{escape(first)}</span>{hidden}'
        f'<details class="mw-more" aria-hidden="true"><summary>More</summary>'
        f"{escape(rest)}</details>"
    )


def escape_back(text: str) -> str:
    """Undo :func:`margin_widgets.widgets._style.escape` (for reading a status line)."""
    return html.unescape(text)


def _boxes(root: w.Widget) -> Iterator[w.Box]:
    """Every box under ``root`` (itself included), depth first."""
    if isinstance(root, w.Box):
        yield root
        for child in root.children:
            yield from _boxes(child)


def _arrange(
    body: list[w.Widget], controls: Mapping[str, w.Widget], figures: list[bq.Figure]
) -> list[w.Widget]:
    """Mark the body's boxes of controls and of figures; lay them out to adapt to the width.

    A box holding controls gets the CSS class ``mw-controls``, a box holding figures
    ``mw-figures`` (the projector look's style sheet reads them). A body that is one box of
    controls followed by one box of figures becomes one wrapping row: side by side where the
    output is wide enough, the figures under the controls where it is not, and the figures
    wrapping among themselves on a narrow screen.
    """
    owned = {id(c) for c in controls.values()}
    drawn = {id(f) for f in figures}
    for widget in body:
        for box in _boxes(widget):
            kids = {id(c) for c in box.children}
            if kids & drawn:
                box.add_class("mw-figures")
            elif kids & owned:
                box.add_class("mw-controls")
    if (
        len(body) == 2
        and "mw-controls" in getattr(body[0], "_dom_classes", ())
        and "mw-figures" in getattr(body[1], "_dom_classes", ())
    ):
        body[1].layout.flex_flow = "row wrap"
        row = w.HBox(body, layout={"flex_flow": "row wrap", "align_items": "flex-start"})
        row.add_class("mw-body")
        return [row]
    return body


class Linked(w.Box):
    """Explorers laid out side by side whose shared controls move together (see :func:`linked`).

    Attributes
    ----------
    explorers : tuple of Explorer
        The linked explorers, left to right.
    shared : tuple of str
        The control names linked across all of them.
    links : list of ipywidgets.link
        One kernel-side link per shared control and following explorer.
    """

    def __init__(self, explorers: tuple[Explorer, ...], shared: tuple[str, ...]) -> None:
        super().__init__(
            children=list(explorers),
            layout={"flex_flow": "row wrap", "align_items": "flex-start"},
        )
        self.add_class("mw-linked")
        self.explorers = explorers
        self.shared = shared
        first = explorers[0]
        self.links = [
            w.link((first.controls[name], "value"), (other.controls[name], "value"))
            for other in explorers[1:]
            for name in shared
        ]

    def unlink(self) -> None:
        """Stop linking the controls (the layout stays)."""
        for link in self.links:
            link.unlink()
        self.links = []


def linked(*explorers: Explorer, names: Iterable[str] | None = None) -> Linked:
    """Lay out explorers side by side, their controls of the same name moving together.

    A teacher compares two set-ups on the same inputs, e.g. two exchanges or two presets::

        linked(MarginModeExplorer(exchange="binance"), MarginModeExplorer(exchange="bybit"))

    The links are kernel-side (``ipywidgets.link``): a value set from Python or from the browser
    in one explorer is set in the others, which update as if moved by hand.

    Parameters
    ----------
    *explorers : Explorer
        Two or more explorers.
    names : iterable of str, optional
        The controls to link; default every control name the explorers share.

    Raises
    ------
    ValueError
        Fewer than two explorers, a name one of them lacks, or nothing to link.
    """
    if len(explorers) < 2:
        raise ValueError(f"linked needs two or more explorers, got {len(explorers)}")
    for view in explorers:
        if not isinstance(view, Explorer):
            raise ValueError(f"linked takes explorers, got {type(view).__name__}")
    common = [n for n in explorers[0].controls if all(n in e.controls for e in explorers[1:])]
    if names is None:
        shared = tuple(common)
    else:
        shared = tuple([names] if isinstance(names, str) else names)
        missing = [n for n in shared if n not in common]
        if missing:
            raise ValueError(
                f"names {', '.join(map(repr, missing))} are not controls of every explorer; "
                f"shared controls are {', '.join(common) or 'none'}"
            )
    if not shared:
        raise ValueError("the explorers share no control to link")
    for view in explorers[1:]:  # start from the first explorer's values
        view.apply_preset({n: explorers[0].controls[n].value for n in shared})
    return Linked(tuple(explorers), shared)
