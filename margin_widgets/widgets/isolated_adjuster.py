"""Add margin to, or remove margin from, an open isolated position and watch the liquidation price.

The position is an isolated BTCUSDT long in an engine :class:`~margin_widgets.engine.Account`:
opened at ``entry_price`` with ``leverage`` (its isolated wallet starts at the initial margin
``notional / leverage``), with ``margin_added`` USDT moved in from the wallet since, and the mark
now at ``mark_price``. ``margin_change`` previews a further change, bounded by the engine's
limits: at most the available balance can be added, and at most
:meth:`~margin_widgets.engine.Account.max_removable_margin` can be removed, because the position
must still meet its initial-margin requirement (``quantity × mark / leverage``) and unrealised
profit cannot be taken out. The *Add margin* / *Remove margin* buttons apply the change through
the engine (``add_margin`` / ``reduce_margin``). Prices are shown at the symbol's tick size
(:func:`~margin_widgets.engine.tick_size`), the exact value on hover.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import bqplot as bq
import ipywidgets as w
import numpy as np

from margin_widgets.engine import (
    Account,
    BracketTable,
    MarginError,
    isolated_margin_limits,
    linear_grid,
    load_brackets,
    margin_curve,
    notional,
    tick_size,
)
from margin_widgets.widgets import _style as st
from margin_widgets.widgets._base import Explorer, nan_for_none, set_mark_data
from margin_widgets.widgets._controls import (
    ControlLook,
    collateral_slider,
    entry_price_slider,
    leverage_slider,
    quantity_slider,
    set_bounds,
)
from margin_widgets.widgets._format import price_html

__all__ = ["IsolatedMarginAdjuster"]

SYMBOL = "BTCUSDT"
#: Price tick size of the BTCUSDT perpetual (USDT): prices are shown rounded to it.
TICK = tick_size("binance", SYMBOL)
SIDE = "long"
CURVE_POINTS = 201
#: the description width shows "Margin added so far (USDT)" in full
_LOOK = ControlLook("440px", "190px")
#: the buttons grow with their text ("Remove 1,975 USDT")
_BUTTON_LAYOUT = {"width": "auto", "min_width": "150px"}


class IsolatedMarginAdjuster(Explorer):
    """Move margin in and out of an isolated BTCUSDT long; the liquidation price follows.

    Parameters
    ----------
    preset, locked, hidden
        See :class:`~margin_widgets.widgets._base.Explorer`.
    brackets : BracketTable, optional
        BTCUSDT bracket table (default: the newest shipped one).
    **values
        Start values: ``entry_price`` (USDT, 60,000), ``quantity`` (BTC, 0.5), ``leverage``
        (1 to the bracket maximum, 20), ``collateral`` (the account wallet before opening,
        USDT, 3,000), ``margin_added`` (net margin already moved into the position, USDT, 500),
        ``mark_price`` (USDT, entry ± 50 %, 60,000), ``margin_change`` (USDT to add (+) or
        remove (-); bounded by the available balance and the removable margin; 300).

    Examples
    --------
    >>> adjuster = IsolatedMarginAdjuster()
    >>> round(adjuster.liquidation_price(), 2)
    56224.9
    >>> adjuster.apply_change()
    >>> round(adjuster.liquidation_price(), 2)
    55622.49
    """

    HELP: ClassVar[Mapping[str, str]] = {
        "entry_price": "Price at which the BTC position was opened, in USDT.",
        "quantity": "Size of the BTC position, in BTC.",
        "leverage": "Notional / initial margin at opening: the position's first isolated margin.",
        "collateral": "USDT in the wallet when the position was opened.",
        "margin_added": "Margin already moved into the position since opening, in USDT.",
        "mark_price": "Current BTC mark price, in USDT.",
        "margin_change": "Margin to add (positive) or remove (negative) with Apply, in USDT.",
    }

    def __init__(
        self,
        preset: dict[str, Any] | str | None = None,
        locked: Any = (),
        hidden: Any = (),
        *,
        brackets: BracketTable | None = None,
        **values: Any,
    ) -> None:
        self.table = brackets if brackets is not None else load_brackets(SYMBOL)
        self._account: Account | None = None
        self._preview: Account | None = None
        self._problem = ""
        self._curve: tuple[list[float], tuple[float | None, ...]] = ([], ())
        super().__init__(preset, locked, hidden, **values)

    # ------------------------------------------------------------------ building
    def _build(self) -> list[w.Widget]:
        add = self.add_control
        add(
            "entry_price", entry_price_slider(_LOOK, value=60_000.0, description="BTC entry (USDT)")
        )
        add("quantity", quantity_slider(_LOOK, value=0.5, description="BTC size (BTC)"))
        add("leverage", leverage_slider(_LOOK, value=20, max=125, description="Leverage (x)"))
        add(
            "collateral",
            collateral_slider(
                _LOOK,
                value=3_000.0,
                min=10.0,
                max=100_000.0,
                step=10.0,
                description="Wallet at opening (USDT)",
            ),
        )
        add(
            "margin_added",
            _LOOK.widget(
                w.BoundedFloatText,
                value=500.0,
                min=0.0,
                max=1e12,
                step=10.0,
                description="Margin added so far (USDT)",
            ),
        )
        add(
            "mark_price",
            _LOOK.slider(
                w.FloatSlider,
                value=60_000.0,
                min=30_000.0,
                max=90_000.0,
                step=10.0,
                readout_format=",.0f",
                description="BTC mark (USDT)",
            ),
        )
        add(
            "margin_change",
            _LOOK.slider(
                w.FloatSlider,
                value=300.0,
                min=-1e9,
                max=1e9,
                step=1.0,
                readout_format="+,.0f",
                description="Margin change (USDT)",
            ),
        )
        self.add_button = w.Button(
            description="Add margin",
            icon="plus",
            tooltip="Move the change into the position",
            layout=_BUTTON_LAYOUT,
        )
        self.remove_button = w.Button(
            description="Remove margin",
            icon="minus",
            tooltip="Move the change back to the wallet",
            layout=_BUTTON_LAYOUT,
        )
        self.add_button.add_class("mw-add-margin")
        self.remove_button.add_class("mw-remove-margin")
        self.add_button.on_click(lambda _b: self._guarded(self.apply_change, "add margin"))
        self.remove_button.on_click(lambda _b: self._guarded(self.apply_change, "remove margin"))

        sx, sy = bq.LinearScale(), bq.LinearScale()
        sc = {"x": sx, "y": sy}
        # the exact prices on hover; the labels and the readout show them at the tick size
        tip = st.tooltip("isolated margin (USDT)", "liq. price (USDT)", ",.2f", ",.6f")
        self.curve = st.mode_line(sc, "isolated", label="liq. price vs margin", tip=tip)
        self.now_point = st.mode_points(sc, "isolated", label="now", tip=tip, size=90)
        self.preview_point = st.points(
            sc,
            st.COLORS["sky_blue"],
            marker="diamond",
            size=110,
            label="after the change",
            tip=tip,
        )
        # the guides are named by text labels next to them, not in the legend (3 rows only)
        self.mark_line = st.hline(sc, st.MARK_COLOR, line_style="dash_dotted", width=2)
        self.mark_line.labels = ["mark price"]
        self.limit_line = st.vline(sc, st.LIMIT_COLOR, line_style="dashed", width=2)
        self.limit_line.labels = ["removal limit"]
        self.available_line = st.vline(sc, st.GUIDE_COLOR, line_style="dotted")
        # removal limit: right of its line at the bottom (the curve is high there)
        self.limit_labels = st.labels(
            sc, colors=[st.LIMIT_TEXT_COLOR], y_offset=-6, size=st.SMALL_LABEL_SIZE
        )
        # mark price and everything available: left of the right-hand edge / line, under and
        # over the mark line (the curve is low there)
        self.guide_labels = st.labels(
            sc,
            colors=[st.MARK_COLOR, st.GUIDE_COLOR],
            align="end",
            x_offset=-6,
            y_offset=-9,
            size=st.SMALL_LABEL_SIZE,
        )
        self.scales = sc
        fig = st.figure(
            "liquidation_vs_margin",
            [
                self.mark_line,
                self.limit_line,
                self.available_line,
                self.curve,
                self.now_point,
                self.preview_point,
                self.limit_labels,
                self.guide_labels,
            ],
            st.axes(
                sc,
                "isolated margin of the position (USDT)",
                "price (USDT)",
                x_format=",.0f",
                y_format=",.0f",
            ),
            "Liquidation price vs isolated margin",
        )
        self.add_figure("liquidation_vs_margin", fig)
        controls = w.VBox([*self.controls.values(), w.HBox([self.add_button, self.remove_button])])
        controls.add_class("mw-controls")
        return [w.HBox([controls, fig], layout={"flex_flow": "row wrap"})]

    # ------------------------------------------------------------------ engine
    def _opened(self) -> Account:
        """The account right after opening (mark = entry); raises MarginError if refused."""
        c = self.controls
        account = Account(wallet_balance=c["collateral"].value, brackets={SYMBOL: self.table})
        account.set_margin_mode("isolated", SYMBOL)
        account.open_position(
            SYMBOL,
            SIDE,
            c["quantity"].value,
            price=c["entry_price"].value,
            leverage=c["leverage"].value,
        )
        return account

    def _build_account(self) -> Account:
        """Opened, ``margin_added`` moved in, mark moved to ``mark_price`` (engine calls)."""
        account = self._opened()
        added = self.controls["margin_added"].value
        if added > 0:
            account.add_margin(SYMBOL, added)
        account.update_mark(SYMBOL, self.controls["mark_price"].value)
        return account

    def _sync_bounds(self) -> None:
        c = self.controls
        value = notional(c["quantity"].value, c["entry_price"].value)
        top = int(self.table.max_leverage(value))
        if c["leverage"].max != top:
            c["leverage"].max = top
        entry = c["entry_price"].value
        low, high = round(entry * 0.5, 2), round(entry * 1.5, 2)
        set_bounds(c["mark_price"], low, high)
        try:
            opened = self._opened()
        except MarginError:
            added_max, lo, hi = 0.0, 0.0, 0.0
        else:
            added_max = opened.available_balance()
            try:
                account = self._build_account_with(opened, min(c["margin_added"].value, added_max))
            except MarginError:
                lo = hi = 0.0
            else:
                if SYMBOL in account.positions:
                    removable = account.max_removable_margin(SYMBOL)
                    lo = -removable if removable > 0 else 0.0
                    hi = account.available_balance()
                else:
                    lo = hi = 0.0
        added = c["margin_added"]
        if added.max != added_max:
            added.max = added_max
        set_bounds(c["margin_change"], lo, hi)

    def _build_account_with(self, opened: Account, added: float) -> Account:
        if added > 0:
            opened.add_margin(SYMBOL, added)
        opened.update_mark(SYMBOL, self.controls["mark_price"].value)
        return opened

    def _bound_reason(self, name: str) -> str:
        c = self.controls
        if name == "leverage":
            value = notional(c["quantity"].value, c["entry_price"].value)
            return f"the bracket's maximum leverage for a notional of {st.format_usdt(value)}"
        if name == "margin_change":
            return (
                "removal is limited by the initial-margin requirement, addition by the "
                "available balance"
            )
        if name == "margin_added":
            return "at most the wallet's available balance after opening"
        if name == "mark_price":
            return "within 50 % of the entry price"
        return ""

    # ------------------------------------------------------------------ update
    def _update(self, changed: frozenset[str] | None) -> None:
        c = self.controls
        self._problem = ""
        try:
            account = self._build_account()
        except MarginError as exc:
            self._account = self._preview = None
            self._problem = str(exc)
            self.note(f"The exchange refuses this: {exc}.")
            self._clear_marks()
            self.set_readout("no position: " + self._problem)
            self._update_buttons()
            return
        self._account = account
        alive = SYMBOL in account.positions
        if not alive:
            self._preview = None
            event = account.events[-1]
            self.note(
                "At this mark the position is liquidated: "
                + event.describe(lambda _symbol, p: st.format_price(p, TICK))
                + ". Add margin at a safer mark, or move the mark back."
            )
        else:
            self._preview = self._apply_to_copy(account, c["margin_change"].value)
        self._draw(self._compute(account))
        # the exact prices in the titles (on hover)
        readout = f"<b>{self._readout_text(lambda p: price_html(p, TICK))}</b>"
        if self.readout.value != readout:
            self.readout.value = readout
        self._update_buttons()

    def _apply_to_copy(self, account: Account, amount: float) -> Account:
        preview = account.copy()
        if amount > 0:
            preview.add_margin(SYMBOL, amount)
        elif amount < 0:
            preview.reduce_margin(SYMBOL, -amount)
        return preview

    def _update_buttons(self) -> None:
        change = self.controls["margin_change"].value
        alive = self._account is not None and SYMBOL in self._account.positions
        with self.add_button.hold_sync(), self.remove_button.hold_sync():  # one message each
            self.add_button.disabled = not (alive and change > 0)
            self.remove_button.disabled = not (alive and change < 0)
            self.add_button.description = f"Add {change:,.0f} USDT" if change > 0 else "Add margin"
            self.remove_button.description = (
                f"Remove {-change:,.0f} USDT" if change < 0 else "Remove margin"
            )

    def _clear_marks(self) -> None:
        empty = np.zeros(0)
        for mark in (
            self.curve,
            self.now_point,
            self.preview_point,
            self.mark_line,
            self.limit_line,
            self.available_line,
        ):
            set_mark_data(mark, x=empty, y=empty)
        set_mark_data(self.limit_labels, x=empty, y=empty, text=np.array([], dtype=str))
        set_mark_data(self.guide_labels, x=empty, y=empty, text=np.array([], dtype=str))

    def _compute(self, account: Account) -> dict[str, Any] | None:
        """What the figure shows, from the engine (None when the position is gone)."""
        if SYMBOL not in account.positions:
            return None
        c = self.controls
        q, entry = c["quantity"].value, c["entry_price"].value
        limit, top = isolated_margin_limits(account, SYMBOL)
        wallet = account.positions[SYMBOL].isolated_wallet
        # the x axis: the removal limit and everything available, with room on both sides
        span = max(top - limit, wallet * 0.2, 1.0)
        lo, hi = max(limit - 0.5 * span, wallet * 0.05), top + 0.25 * span
        key = (q, entry, lo, hi)

        def curve() -> tuple[list[float], Any]:
            margins = linear_grid(lo, hi, CURVE_POINTS)
            return margins, margin_curve(SIDE, q, entry, margins, self.table)

        self._curve = self.cached("margin curve", key, curve)
        preview = self._preview
        return {
            "range": (lo, hi),
            "limit": limit,
            "top": top,
            "now": (wallet, account.liquidation_price(SYMBOL)),
            "preview": None
            if preview is None
            else (
                preview.positions[SYMBOL].isolated_wallet,
                preview.liquidation_price(SYMBOL),
            ),
        }

    def _draw(self, view: dict[str, Any] | None) -> None:
        if view is None:
            self._clear_marks()
            return
        mark = float(self.controls["mark_price"].value)
        lo, hi = view["range"]
        limit, top = view["limit"], view["top"]
        margins, prices = self._curve
        ys = np.array([np.nan if v is None else v for v in prices], dtype=float)
        set_mark_data(self.curve, x=np.array(margins), y=ys)
        wallet, lp = view["now"]
        set_mark_data(self.now_point, x=np.array([wallet]), y=np.array([nan_for_none(lp)]))
        if view["preview"] is not None:
            new_wallet, new_lp = view["preview"]
            set_mark_data(
                self.preview_point,
                x=np.array([new_wallet]),
                y=np.array([nan_for_none(new_lp)]),
            )
        finite = [v for v in prices if v is not None]
        y_lo = min(*finite, mark) if finite else mark * 0.9
        y_hi = max(*finite, mark) if finite else mark * 1.1
        if not y_hi > y_lo:
            y_lo, y_hi = y_lo - 0.05 * mark, y_hi + 0.05 * mark
        # 3 legend rows and the mark label above the data
        y_min, y_max = st.headroom(y_lo, y_hi, rows=3, pad=0.06, extra_px=12)
        y_min = max(0.0, y_min)  # a price axis never runs below zero
        data_top = y_hi + 0.06 * (y_hi - y_lo)
        set_mark_data(self.scales["x"], min=float(lo), max=float(hi))
        set_mark_data(self.scales["y"], min=y_min, max=y_max)
        set_mark_data(self.mark_line, x=np.array([lo, hi]), y=np.array([mark, mark]))
        set_mark_data(self.limit_line, x=np.array([limit, limit]), y=np.array([y_min, data_top]))
        # the "all available" guide stops under the mark line: near the right-hand edge it
        # would run through the mark's label above that line
        per_px = (y_max - y_min) / st.plot_height()
        guide_top = mark - 4.0 * per_px if top > lo + 0.5 * (hi - lo) else data_top
        set_mark_data(self.available_line, x=np.array([top, top]), y=np.array([y_min, guide_top]))
        set_mark_data(
            self.limit_labels,
            x=np.array([limit]),
            y=np.array([y_min]),
            text=np.array([f"removal limit {st.format_number(limit)}"]),
        )
        set_mark_data(
            self.guide_labels,
            x=np.array([hi, top]),
            # the second label a line's height under the mark line
            y=np.array([mark, mark - 22.0 / st.plot_height() * (y_max - y_min)]),
            text=np.array(
                [f"mark {st.format_price(mark, TICK)}", f"all available {st.format_number(top)}"]
            ),
        )

    # ------------------------------------------------------------------ text
    def _readout_text(self, price_text: Any = None) -> str:
        """The readout line; ``price_text(price)`` writes each price (default: at the tick)."""
        show = price_text or (lambda p: st.format_price(p, TICK))
        account, preview = self._account, self._preview
        if account is None:
            return "no position"
        if SYMBOL not in account.positions:
            return "liquidated at this mark"
        wallet = account.positions[SYMBOL].isolated_wallet
        lp = account.liquidation_price(SYMBOL)
        text = f"margin {st.format_usdt(wallet)}, liq. price {show(lp)}"
        if preview is not None and self.controls["margin_change"].value != 0:
            new_wallet = preview.positions[SYMBOL].isolated_wallet
            new_lp = preview.liquidation_price(SYMBOL)
            text += f" → after the change {st.format_usdt(new_wallet)}, liq. price {show(new_lp)}"
        return text

    def _describe(self) -> str:
        c = self.controls
        account = self._account
        head = (
            f"Liquidation price of an isolated long of {c['quantity'].value:g} BTC opened at "
            f"{st.format_price(c['entry_price'].value, TICK)} USDT with "
            f"{st.format_leverage(c['leverage'].value)}, as a function of the margin it holds; "
            f"mark price {st.format_price(c['mark_price'].value, TICK)} USDT."
        )
        if account is None:
            return f"{head} The exchange refuses the position: {self._problem}."
        if SYMBOL not in account.positions:
            return f"{head} At this mark the position is liquidated."
        p = account.positions[SYMBOL]
        removable = account.max_removable_margin(SYMBOL)
        initial = account.position_summary(SYMBOL).initial_margin
        return (
            f"{head} Now: margin {st.format_usdt(p.isolated_wallet)}, liquidation price "
            f"{st.format_price(account.liquidation_price(SYMBOL), TICK)}. Removal limit: at most "
            f"{st.format_usdt(removable)} can be removed, because the position must keep its "
            f"initial margin of {st.format_usdt(initial)} (quantity × mark / leverage) and "
            f"unrealised losses count against it while unrealised profit cannot be taken out. "
            f"At most {st.format_usdt(account.available_balance())} can be added (the wallet's "
            f"available balance). {self._readout_text()}."
        )

    # ------------------------------------------------------------------ public API
    def account(self) -> Account:
        """A copy of the engine account behind the view (raises ValueError if refused)."""
        self.flush()
        if self._account is None:
            raise ValueError(self._problem or "no account")
        return self._account.copy()

    def liquidation_price(self) -> float | None:
        """Current liquidation price (None if there is none or the position was liquidated)."""
        self.flush()
        account = self._account
        if account is None or SYMBOL not in account.positions:
            return None
        return account.liquidation_price(SYMBOL)

    def preview_liquidation_price(self) -> float | None:
        """Liquidation price after ``margin_change`` would be applied."""
        self.flush()
        if self._preview is None:
            return None
        return self._preview.liquidation_price(SYMBOL)

    def readout_plain(self) -> str:
        """The readout line as plain text, each price at the tick (``"liq. price 56,224.9"``).

        The readout itself carries each price's exact value in a title (shown on hover).
        """
        self.flush()
        if self._account is None and self._problem:
            return "no position: " + self._problem
        return self._readout_text()

    def max_removable_margin(self) -> float:
        """Most margin that may be removed now, USDT (engine ``max_removable_margin``)."""
        account = self.account()
        return account.max_removable_margin(SYMBOL) if SYMBOL in account.positions else 0.0

    def available_balance(self) -> float:
        """Most margin that may be added now, USDT (the wallet's available balance)."""
        return self.account().available_balance()

    def apply_change(self) -> None:
        """Apply ``margin_change`` through the engine, then set it back to 0.

        Raises
        ------
        ValueError
            If the engine refuses (e.g. more than the removable margin); nothing changes.
        """
        amount = self.controls["margin_change"].value
        if amount > 0:
            self.add_margin(amount)
        elif amount < 0:
            self.remove_margin(-amount)

    def add_margin(self, amount: float) -> None:
        """Move ``amount`` USDT into the position (engine ``add_margin``); raises ValueError."""
        self._transfer(amount)

    def remove_margin(self, amount: float) -> None:
        """Move ``amount`` USDT out of the position (engine ``reduce_margin``).

        Raises ``ValueError`` when the engine refuses (more than the removable margin).
        """
        self._transfer(-amount)

    def _transfer(self, signed: float) -> None:
        account = self.account()
        if SYMBOL not in account.positions:
            raise ValueError("the position was liquidated at this mark; there is no margin to move")
        before = account.positions[SYMBOL].isolated_wallet
        if signed > 0:
            account.add_margin(SYMBOL, signed)
        else:
            account.reduce_margin(SYMBOL, -signed)
        moved = account.positions[SYMBOL].isolated_wallet - before
        total = self.controls["margin_added"].value + signed
        self.apply_preset({"margin_added": max(0.0, total), "margin_change": 0.0})
        verb = "Added" if signed > 0 else "Removed"
        self.show_status(
            f"{verb} {st.format_usdt(abs(moved))}; liquidation price now "
            f"{st.format_price(self.liquidation_price())}.",
            "info",
        )
