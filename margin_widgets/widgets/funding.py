"""FundingTimeline: the same funding rate moves isolated and cross liquidation prices differently.

Two accounts hold the same book, a long BTCUSDT position (0.5 BTC at 60,000) and a long
ETHUSDT position (5 ETH at 3,000), both opened at ``leverage`` from a ``collateral`` wallet:
one account with both positions isolated, one with both in cross. The marks are held at entry,
and every 8 hours (three times a day) the engine's :meth:`Account.settle_funding` books
``mark × Q × rate`` to each position: into the position's isolated wallet in isolated mode, into
the shared cross wallet in cross mode (claim F4). The rate is the same in both modes; where
the payment lands is not, so the liquidation prices drift apart.

A Play button drives ``day``; the lines show the whole timeline and the current day is marked.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import bqplot as bq
import ipywidgets as w
import numpy as np

from margin_widgets.engine import (
    BOOK as EXAMPLE_BOOK,
)
from margin_widgets.engine import (
    Account,
    book_account,
    funding_interval_label,
    funding_timeline,
    minimum_leverage,
)
from margin_widgets.engine import (
    FundingTimeline as EngineTimeline,
)
from margin_widgets.engine.exchanges import tick_size
from margin_widgets.engine.simulations import INTERVALS_PER_DAY
from margin_widgets.widgets import _style as st
from margin_widgets.widgets._base import Explorer, check_mode, set_mark_data
from margin_widgets.widgets._controls import (
    ControlLook,
    collateral_slider,
    leverage_slider,
    play_slider,
)
from margin_widgets.widgets._format import price_html

__all__ = ["BOOK", "INTERVALS_PER_DAY", "FundingTimeline", "Timeline", "build_account", "timeline"]

#: Size of the controls: box width, description width.
_LOOK = ControlLook("26em", "11em")

#: The book of both accounts: (symbol, quantity, entry price); the first is the one charted.
BOOK: tuple[tuple[str, float, float], ...] = tuple(
    (leg.symbol, leg.quantity, leg.entry_price) for leg in EXAMPLE_BOOK
)
SYMBOL = BOOK[0][0]
#: the symbol's price step: prices show as the exchange shows them, the exact value on hover
TICK = tick_size("binance", SYMBOL)
#: The engine's timeline (:func:`~margin_widgets.engine.funding_timeline`), under its old name.
Timeline = EngineTimeline
timeline = funding_timeline
interval_label = funding_interval_label


def _event_price(symbol: str, price: float) -> str:
    """A liquidation event's mark price at ``symbol``'s tick size."""
    return st.format_price(price, tick_size("binance", symbol))


def build_account(mode: str, leverage: float, collateral: float) -> Account:
    """The example book opened in ``mode`` (engine :func:`~margin_widgets.engine.book_account`).

    Examples
    --------
    >>> account = build_account("isolated", 20, 5_000)
    >>> account.position("BTCUSDT").isolated_wallet, account.wallet_balance
    (1500.0, 2750.0)
    """
    return book_account(mode, leverage, collateral)


class FundingTimeline(Explorer):
    """Funding payments over days, isolated versus cross (claim F4).

    Controls
    --------
    leverage : int
        Leverage of both positions (its minimum keeps the initial margin within the wallet).
    collateral : float
        The account's wallet in USDT before the positions are opened.
    funding_rate : float
        Funding rate per 8-hour interval (positive: longs pay).
    days : int
        Length of the timeline.
    day : int
        Current day (driven by the Play button).

    Examples
    --------
    >>> explorer = FundingTimeline()
    >>> explorer.liquidation_prices(day=0)
    {'isolated': 57228.9156626506, 'cross': 50321.28514056225}
    """

    HELP: ClassVar[Mapping[str, str]] = {
        "collateral": "USDT in the wallet that opens both positions; cross uses all of it.",
        "leverage": "Notional / initial margin: the isolated margin of each position.",
        "funding_rate": "Funding rate per 8-hour interval; a positive rate makes longs pay.",
        "days": "Length of the timeline, in days.",
        "day": "The day shown in the readout and marked on the charts.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._timeline: EngineTimeline | None = None
        # top of the data band of each value scale, as a fraction of the scale's height
        self._data_top: dict[int, float] = {}
        super().__init__(*args, **kwargs)

    # ------------------------------------------------------------------ building
    def _build(self) -> list[w.Widget]:
        collateral = self.add_control(
            "collateral",
            collateral_slider(
                _LOOK,
                value=5_000.0,
                min=500.0,
                max=50_000.0,
                step=100.0,
                description="collateral (USDT)",
            ),
        )
        leverage = self.add_control(
            "leverage", leverage_slider(_LOOK, value=20, max=125, description="leverage (x)")
        )
        rate = self.add_control(
            "funding_rate",
            _LOOK.slider(
                w.FloatSlider,
                value=0.0003,
                min=-0.003,
                max=0.003,
                step=0.0001,
                description="funding rate (per 8 h)",
                readout_format=".4f",
            ),
        )
        days = self.add_control(
            "days", _LOOK.slider(w.IntSlider, value=30, min=1, max=90, description="days")
        )
        day, self.play = play_slider(_LOOK, value=30, max=30, description="day", interval=250)
        self.add_control("day", day, followers=[self.play])

        # --- liquidation price over time
        # The guides are drawn on fixed 0..1 scales (the whole width, the whole height), so
        # they are sent again only when what they show moves, not with every change of the
        # price range or of the timeline's length.
        lscales = _time_scales()
        ltip = st.tooltip("day", "liq. price (USDT)", ".2f", ",.6f")
        self.liquidation_lines = st.per_mode(
            st.mode_line, lscales, label="{mode} liq. price", tip=ltip
        )
        entry = BOOK[0][2]
        self.mark_line = st.hline({"x": _unit(), "y": lscales["y"]}, st.MARK_COLOR)
        set_mark_data(self.mark_line, x=np.array([0.0, 1.0]), y=np.array([entry, entry]))
        self.mark_line.labels = ["mark (held at entry)"]
        self.mark_line.display_legend = True
        self.liquidation_points = st.per_mode(st.mode_points, lscales, tip=ltip)
        # the current prices at the top right, one legend row apart, in the band the legend's
        # headroom keeps free of lines (beside the points the other line may run through them)
        self.liquidation_labels = st.labels(
            {"x": _unit(), "y": _unit()},
            colors=[st.MODE_STYLES[m].color for m in st.MODES],
            align="end",
            x_offset=-4,
            y_offset=-8,
            size=st.SMALL_LABEL_SIZE,
        )
        self.liquidation_rule = _rule(lscales)
        self.liquidation_figure = self.add_figure(
            "liquidation",
            st.figure(
                "liquidation",
                [
                    self.mark_line,
                    *self.liquidation_lines.values(),
                    self.liquidation_rule,
                    *self.liquidation_points.values(),
                    self.liquidation_labels,
                ],
                _time_axes(lscales, f"{SYMBOL} liquidation price (USDT)"),
                f"{SYMBOL} long: liquidation price",
            ),
        )
        self.liquidation_scales = lscales

        # --- cumulative funding paid
        fscales = _time_scales()
        ftip = st.tooltip("day", "funding paid (USDT)", ".2f", ",.2f")
        self.paid_lines = {
            "isolated": st.mode_line(
                fscales, "isolated", label="isolated BTCUSDT wallet", tip=ftip
            ),
            "cross": st.mode_line(fscales, "cross", label="cross wallet (BTC + ETH)", tip=ftip),
        }
        self.paid_points = st.per_mode(st.mode_points, fscales, tip=ftip)
        self.paid_rule = _rule(fscales)
        self.funding_figure = self.add_figure(
            "funding",
            st.figure(
                "funding",
                [*self.paid_lines.values(), self.paid_rule, *self.paid_points.values()],
                _time_axes(fscales, "cumulative funding paid (USDT)"),
                "Funding paid, by wallet",
            ),
        )
        self.funding_scales = fscales

        # --- wallet balances and the maintenance margin they must cover
        wscales = _time_scales()
        wtip = st.tooltip("day", "USDT", ".2f", ",.2f")
        self.wallet_lines = {
            "isolated": st.mode_line(
                wscales, "isolated", label="isolated BTCUSDT wallet", tip=wtip
            ),
            "cross": st.mode_line(wscales, "cross", label="cross wallet", tip=wtip),
        }
        self.maintenance_lines = {
            mode: st.line(
                wscales, st.MODE_STYLES[mode].color, line_style="dotted", width=1.5, tip=wtip
            )
            for mode in st.MODES
        }
        self.maintenance_labels = st.labels(
            wscales, colors=[st.GUIDE_COLOR], y_offset=-9, size=st.SMALL_LABEL_SIZE
        )
        self.wallet_points = st.per_mode(st.mode_points, wscales, tip=wtip)
        self.wallet_rule = _rule(wscales)
        self.wallet_figure = self.add_figure(
            "wallets",
            st.figure(
                "wallets",
                [
                    *self.wallet_lines.values(),
                    *self.maintenance_lines.values(),
                    self.maintenance_labels,
                    self.wallet_rule,
                    *self.wallet_points.values(),
                ],
                _time_axes(wscales, "wallet balance (USDT)"),
                "Wallets vs maintenance",
            ),
        )
        self.wallet_scales = wscales

        controls = w.VBox(
            [collateral, leverage, rate, days, w.HBox([day, self.play])],
            layout={"padding": "0 0 6px 0"},
        )
        figures = w.HBox(
            [self.liquidation_figure, self.funding_figure, self.wallet_figure],
            layout={"flex_flow": "row wrap"},
        )
        return [controls, figures]

    # ------------------------------------------------------------------ bounds
    def _total_notional(self) -> float:
        return sum(leg.notional for leg in EXAMPLE_BOOK)

    def _sync_bounds(self) -> None:
        collateral = float(self.controls["collateral"].value)
        leverage = self.controls["leverage"]
        top = int(self.controls["leverage"].max)
        low = minimum_leverage(
            collateral, [leg.notional for leg in EXAMPLE_BOOK], [top] * len(EXAMPLE_BOOK)
        )
        low = top if low is None else low
        if leverage.min != low:
            leverage.min = low
        days = int(self.controls["days"].value)
        day = self.controls["day"]
        if day.max != days or self.play.max != days:
            with day.hold_sync(), self.play.hold_sync():  # a clamped day goes with its new end
                day.max = days
                self.play.max = days

    def _bound_reason(self, name: str) -> str:
        if name == "leverage":
            return (
                f"the {st.format_usdt(float(self.controls['collateral'].value), 0)} wallet must "
                f"cover the initial margin of both positions "
                f"({st.format_usdt(self._total_notional(), 0)} notional)"
            )
        if name == "day":
            return f"the timeline is {int(self.controls['days'].value)} days long"
        return ""

    # ------------------------------------------------------------------ engine
    @property
    def timeline(self) -> EngineTimeline:
        """The engine timeline behind the charts (see :class:`Timeline`)."""
        self.flush()
        if self._timeline is None:  # pragma: no cover - only if the first update failed
            raise ValueError("no timeline: the last update failed (see the status line)")
        return self._timeline

    def account(self, mode: str) -> Account:
        """The engine :class:`Account` of ``mode`` at the end of the timeline."""
        check_mode(mode)
        return self.timeline.accounts[mode]

    def liquidation_prices(self, day: float | None = None) -> dict[str, float | None]:
        """BTCUSDT liquidation price of each mode at ``day`` (default: the current day)."""
        t = self.timeline
        index = self._index(self.controls["day"].value if day is None else day)
        out: dict[str, float | None] = {}
        for mode in st.MODES:
            value = t.liquidation[mode][index]
            out[mode] = None if math.isnan(value) else value
        return out

    def _index(self, day: float) -> int:
        return min(round(day * INTERVALS_PER_DAY), len(self.timeline.days) - 1)

    def _engine_timeline(
        self, leverage: int, collateral: float, rate: float, days: int
    ) -> EngineTimeline:
        """The timeline of ``days`` days: the first days of one already worked out if it can.

        The marks stay at entry, so a shorter timeline is the start of a longer one
        (:meth:`~margin_widgets.engine.FundingTimeline.head`); a longer one than the first
        worked out for these inputs is worked out once at the slider's maximum.
        """
        inputs = (leverage, collateral, rate)
        run = self.cached("run", inputs, lambda: timeline(*inputs, days))
        if len(run.days) < days * INTERVALS_PER_DAY + 1:
            longest = int(self.controls["days"].max)
            run = self.cached("long run", inputs, lambda: timeline(*inputs, longest))
        return self.cached("timeline", (*inputs, days), lambda: run.head(days), keep=4)

    # ------------------------------------------------------------------ update
    def _update(self, changed: frozenset[str] | None) -> None:
        v = self._raw_values()
        t = self._engine_timeline(
            int(v["leverage"]), float(v["collateral"]), float(v["funding_rate"]), int(v["days"])
        )
        if t is not self._timeline:
            self._draw_timeline(t)
            self._timeline = t
        day = int(v["day"])
        i = min(day * INTERVALS_PER_DAY, len(t.days) - 1)
        now = {mode: t.liquidation[mode][i] for mode in st.MODES}
        now_x = np.array([float(day)])
        for mode in st.MODES:
            for mark, series in (
                (self.liquidation_points[mode], t.liquidation[mode]),
                (self.paid_points[mode], t.paid[mode]),
                (self.wallet_points[mode], t.wallet[mode]),
            ):
                set_mark_data(mark, x=now_x, y=np.array([series[i]]))
        at = np.array([float(day), float(day)])
        for rule, scales in (
            (self.liquidation_rule, self.liquidation_scales),
            (self.paid_rule, self.funding_scales),
            (self.wallet_rule, self.wallet_scales),
        ):
            set_mark_data(rule, x=at, y=np.array([0.0, self._data_top[id(scales["y"])]]))
        shown = [m for m in st.MODES if math.isfinite(now[m])]
        texts = [f"{m} liq. {st.format_price(now[m], TICK)}" for m in shown]
        # beside the legend only where the figure leaves room (a narrow projector figure
        # leaves none: the readout below states both prices)
        width = self.liquidation_figure.layout.width
        longest = max((len(t) for t in texts), default=0)
        legend = max(
            len(t) for m in self.liquidation_figure.marks if m.display_legend for t in m.labels
        )
        legend_room = legend * st.CHAR_PX + 40  # the entries and their line samples
        if longest * st.CHAR_PX + legend_room > st.plot_width(width):
            shown, texts = [], []
        rows = range(len(shown))
        set_mark_data(
            self.liquidation_labels,
            x=np.ones(len(shown)),
            y=np.array([1.0 - (18.0 + st.LEGEND_ROW_PX * k) / st.plot_height() for k in rows]),
            text=np.array(texts),
            colors=[st.MODE_STYLES[m].color for m in shown],
        )
        readout = f"<b>{self._readout(t, i, day, lambda p: price_html(p, TICK))}</b>"
        if self.readout.value != readout:
            self.readout.value = readout
        for mode in st.MODES:
            for k, event in zip(t.event_index[mode], t.events[mode], strict=True):
                if k <= i:
                    self.note(f"{mode} account: {event.describe(_event_price)}.", "info")

    def _draw_timeline(self, t: EngineTimeline) -> None:
        x = np.array(t.days, dtype=float)
        end = float(x[-1])
        for scales in (self.liquidation_scales, self.funding_scales, self.wallet_scales):
            set_mark_data(scales["x"], max=end)
        series = {
            (name, mode): np.array(getattr(t, name)[mode], dtype=float)
            for name in ("liquidation", "paid", "wallet", "maintenance")
            for mode in st.MODES
        }

        def extreme(reduce: np.ufunc, names: tuple[str, ...], start: float) -> float:
            """The least or greatest value of the series (NaN skipped), at least ``start``."""
            arrays = [series[name, mode] for name in names for mode in st.MODES]
            return float(reduce.reduce(np.concatenate(arrays), initial=start))

        entry = BOOK[0][2]
        low = extreme(np.fmin, ("liquidation",), entry)
        high = extreme(np.fmax, ("liquidation",), entry)
        if not high > low:
            low, high = low - 0.01 * entry, high + 0.01 * entry
        self._set_range(self.liquidation_scales["y"], low, high, rows=3, floor=False)
        self._set_range(
            self.funding_scales["y"],
            extreme(np.fmin, ("paid",), 0.0),
            extreme(np.fmax, ("paid",), 0.0),
            rows=2,
        )
        top = extreme(np.fmax, ("wallet", "maintenance"), 0.0)
        self._set_range(self.wallet_scales["y"], 0.0, top, rows=2)
        levels = [a for m in st.MODES for a in t.maintenance[m][:1] if math.isfinite(a)]
        set_mark_data(  # nothing is sent while its height stays
            self.maintenance_labels,
            x=np.array([0.0] * bool(levels)),
            y=np.array([max(levels, default=0.0)] * bool(levels)),
            text=np.array(["maintenance margins (dotted)"] * bool(levels)),
        )
        for mode in st.MODES:
            for mark, name in (
                (self.liquidation_lines[mode], "liquidation"),
                (self.paid_lines[mode], "paid"),
                (self.wallet_lines[mode], "wallet"),
                (self.maintenance_lines[mode], "maintenance"),
            ):
                set_mark_data(mark, x=x, y=series[name, mode])

    def _set_range(
        self, scale: bq.LinearScale, low: float, high: float, rows: int, floor: bool = True
    ) -> None:
        """Set a value axis with room above the data for a legend of ``rows`` entries.

        With ``floor`` a non-negative axis starts at 0 exactly.
        """
        bottom, top = st.headroom(low, high, rows)
        if low >= 0:  # a non-negative axis (a price, an amount) never runs below zero
            bottom = 0.0 if floor else max(0.0, bottom)
        set_mark_data(scale, min=bottom, max=top)
        data_top = high + 0.05 * (high - low)
        # rounded: the same fraction computed from other numbers must not send the rules again
        self._data_top[id(scale)] = round((data_top - bottom) / (top - bottom), 9)

    def readout_plain(self) -> str:
        """The readout line as plain text, prices at the tick size.

        The readout itself carries each price's exact value in a title (shown on hover).
        """
        t = self.timeline
        day = int(self.controls["day"].value)
        return self._readout(t, self._index(day), day)

    def _readout(
        self,
        t: EngineTimeline,
        i: int,
        day: int,
        price: Callable[[float], str] = lambda p: st.format_price(p, TICK),
    ) -> str:
        parts = []
        for mode in st.MODES:
            start, now = t.liquidation[mode][0], t.liquidation[mode][i]
            if not t.open[mode][i]:
                parts.append(f"{mode}: {SYMBOL} liquidated")
            elif not math.isfinite(now):
                parts.append(f"{mode} liq. -- (no liquidation price above zero)")
            elif math.isfinite(start):
                parts.append(f"{mode} liq. {price(now)} ({now - start:+,.1f} since day 0)")
            else:
                parts.append(f"{mode} liq. {price(now)}")
        return (
            f"Day {day}: " + ", ".join(parts) + f"; funding paid: isolated {SYMBOL} wallet "
            f"{st.format_usdt(t.paid['isolated'][i])}, cross wallet "
            f"{st.format_usdt(t.paid['cross'][i])}"
        )

    def _describe(self) -> str:
        t = self._timeline
        if t is None:  # pragma: no cover
            return ""
        v = self._raw_values()
        day = int(v["day"])
        i = min(day * INTERVALS_PER_DAY, len(t.days) - 1)
        rate = float(v["funding_rate"])
        who = "longs pay shorts" if rate > 0 else "shorts pay longs" if rate < 0 else "nobody pays"
        lines = [
            f"Two accounts, each with a {st.format_usdt(float(v['collateral']), 0)} wallet, hold "
            f"0.5 BTC long at 60,000 and 5 ETH long at 3,000, both at "
            f"{int(v['leverage'])}x: one with both positions isolated, one with both in cross. "
            f"The marks stay at entry. Funding at {rate * 100:.4f} % per 8 hours ({who}) is "
            f"settled three times a day for {int(v['days'])} days; it is booked to each isolated "
            f"position's own wallet, and to the shared cross wallet in cross mode.",
            f"Liquidation price of the BTCUSDT long over time: isolated (solid) from "
            f"{st.format_price(t.liquidation['isolated'][0], TICK)} to "
            f"{st.format_price(t.liquidation['isolated'][-1], TICK)}, cross (dashed) from "
            f"{st.format_price(t.liquidation['cross'][0], TICK)} to "
            f"{st.format_price(t.liquidation['cross'][-1], TICK)}.",
            f"Marked: {self._readout(t, i, day)}.",
        ]
        for mode in st.MODES:
            for event in t.events[mode]:
                lines.append(f"{mode} account: {event.describe(_event_price)}.")
        return " ".join(lines)


def _time_scales() -> dict[str, bq.Scale]:
    """Scales of a timeline figure: days 0..30 until the first draw sets the length."""
    return {"x": bq.LinearScale(min=0.0, max=30.0), "y": bq.LinearScale()}


def _unit() -> bq.LinearScale:
    """A fixed 0..1 scale: a fraction of a figure's width or height."""
    return bq.LinearScale(min=0.0, max=1.0)


def _rule(scales: dict[str, bq.Scale]) -> bq.Lines:
    """The current day's guide: at a day on ``scales``' time axis, its height a fraction."""
    return st.vline({"x": scales["x"], "y": _unit()}, st.GUIDE_COLOR)


def _time_axes(scales: dict[str, bq.Scale], y_label: str) -> list[bq.Axis]:
    return st.axes(scales, "time (days)", y_label, x_format=".0f", y_format=",.0f")
