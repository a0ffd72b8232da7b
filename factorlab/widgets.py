"""``fl.widgets.explore(ds)``: sliders for the family weights and the backtest's settings.

The top of the screen, the equity curve and the stats update as they move. The families are scored once; moving a weight only re-weights them (the composite is their
weighted sum), so an update costs one backtest. Updates wait for ``debounce_s`` of quiet, so
dragging a slider runs one backtest when it stops, not one per step.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import pandas as pd

from factorlab.backtest import backtest
from factorlab.data import Dataset
from factorlab.factors import parse_weights, score
from factorlab.factors.custom import read_custom
from factorlab.factors.weights import DEFAULT_WEIGHTS, Weights
from factorlab.plots import plot_backtest

__all__ = ["Explorer", "explore"]


class Pending(Protocol):
    """A scheduled call that can be called off."""

    def cancel(self) -> None:
        """Call it off; a call already made is not undone."""


Timer = Callable[[float, Callable[[], None]], Pending]


def start_timer(seconds: float, action: Callable[[], None]) -> Pending:
    """``action`` called on a daemon thread after ``seconds``, unless cancelled first."""
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()
    return timer


class Explorer:
    """The widgets and what they show.

    ``table``, ``result`` and ``figure`` hold the latest top-N table, backtest and equity chart;
    ``ui`` is the layout to display.

    Parameters
    ----------
    ds : Dataset
        The market to explore; its families are scored once, at construction.
    debounce_s : float
        Seconds of quiet after the last change before an update runs (0: at once).
    top : int
        Rows of the screen shown at first (the ``top N`` slider).
    weights : dict or str, optional
        The sliders' starting weights, as :func:`factorlab.score` takes them; default value
        0.3, growth 0.4, momentum 0.3.
    custom : dict, optional
        Factors of your own, as :func:`factorlab.score` takes them; each gets a slider.
    timer : callable, optional
        ``timer(seconds, action)`` schedules ``action`` and returns something with
        ``cancel()``; a daemon ``threading.Timer`` by default (tests pass a fake clock).
    """

    def __init__(
        self,
        ds: Dataset,
        debounce_s: float = 0.3,
        top: int = 10,
        weights: Weights = None,
        custom: Mapping[str, object] | None = None,
        timer: Timer = start_timer,
    ) -> None:
        import ipywidgets as w  # the optional front end: only when an explorer is made

        self.ds = ds
        self.debounce_s = float(debounce_s)
        self._start_timer = timer
        yours = read_custom(custom)
        start = (parse_weights(weights, custom=yours) if weights is not None else {}) or dict(
            DEFAULT_WEIGHTS
        )
        # a slider for each of the seed's three families, each custom factor, and any other
        # family the caller named
        self.families = tuple(dict.fromkeys([*DEFAULT_WEIGHTS, *yours, *start]))
        self.scores = score(
            ds, weights=dict.fromkeys(self.families, 1 / len(self.families)), custom=yours
        )
        self.weights = {
            f: w.FloatSlider(
                value=start.get(f, 0.0),
                min=0.0,
                max=1.0,
                step=0.05,
                description=f,
                continuous_update=True,
            )
            for f in self.families
        }
        self.rebalance = w.Dropdown(options=["M", "W", "Q"], value="M", description="rebalance")
        self.quantiles = w.Dropdown(options=[3, 5, 10], value=5, description="quantiles")
        self.cost_bps = w.IntSlider(value=10, min=0, max=50, step=5, description="cost, bps")
        self.top = w.IntSlider(value=top, min=5, max=30, step=5, description="top N")
        self.status = w.HTML()
        self.table_out, self.chart_out, self.stats_out = w.Output(), w.Output(), w.Output()
        controls = w.VBox(
            [
                *self.weights.values(),
                self.rebalance,
                self.quantiles,
                self.cost_bps,
                self.top,
                self.status,
            ]
        )
        self.ui = w.VBox(
            [
                w.HBox([controls, self.table_out]),
                w.HBox([self.chart_out, self.stats_out]),
            ]
        )
        self.table: pd.DataFrame | None = None
        self.result: Any = None
        self.figure: Any = None
        self.updates = 0
        self._timer: Pending | None = None
        self._lock = threading.Lock()  # guards the timer
        self._drawing = threading.Lock()  # one update at a time, in order
        self._wanted = 0  # bumped by every change: an update for an older state is dropped
        for widget in [
            *self.weights.values(),
            self.rebalance,
            self.quantiles,
            self.cost_bps,
            self.top,
        ]:
            widget.observe(self._changed, names="value")
        self.update()

    def _changed(self, change: object = None) -> None:
        with self._lock:
            self._wanted += 1
        if self.debounce_s <= 0:
            self.update()
            return
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = self._start_timer(self.debounce_s, self.update)

    def composite(self) -> pd.DataFrame | None:
        """The weighted sum of the family scores, as ``fl.score`` makes it.

        The slider weights are scaled to sum to 1; None if every weight is 0.
        """
        mix = {f: s.value for f, s in self.weights.items() if s.value > 0}
        if not mix:
            return None
        total = sum(mix.values())
        return sum(weight / total * self.scores.components[f] for f, weight in mix.items())

    def update(self) -> None:
        """Recompute the table, the backtest and the chart for the current settings.

        Updates run one at a time; one that finds the settings changed since it was asked for is
        dropped, so an older result never replaces a newer one.
        """
        with self._drawing:
            wanted = self._wanted
            self._draw(lambda: wanted == self._wanted)

    def _draw(self, current: Any) -> None:
        from IPython.display import display  # there only inside a notebook's kernel

        composite = self.composite()
        if composite is None:
            self.status.value = "<b>Give at least one family a weight above 0.</b>"
            self.table = self.result = self.figure = None
            for output in (self.table_out, self.chart_out, self.stats_out):
                output.clear_output()
            return
        last = composite.iloc[-1].dropna().sort_values(ascending=False)
        table = pd.DataFrame(
            {f"{f}_score": self.scores.components[f].iloc[-1] for f in self.families}
        )
        table = self.ds.meta[["name", "sector"]].join(table).join(last.rename("composite"))
        table = table.loc[last.index[: self.top.value]]
        table["rank"] = range(1, len(table) + 1)
        result = backtest(
            composite,
            self.ds,
            rebalance=self.rebalance.value,
            quantiles=self.quantiles.value,
            cost_bps=self.cost_bps.value,
        )
        if not current():
            return  # the settings moved on while this ran; a newer update follows
        self.result, self.table = result, table
        self.figure = plot_backtest(result)
        self.updates += 1
        weights = ", ".join(f"{f} {s.value:.2f}" for f, s in self.weights.items())
        self.status.value = f"{weights}; update {self.updates}"
        for output, shown in (
            (self.table_out, table.round(3)),
            (self.chart_out, self.figure),
            (self.stats_out, self.result.stats().round(4)),
        ):
            output.clear_output()
            with output:
                display(shown)

    def _ipython_display_(self) -> None:
        from IPython.display import display  # IPython is there only inside a notebook's kernel

        display(self.ui)


def explore(
    ds: Dataset,
    debounce_s: float = 0.3,
    top: int = 10,
    weights: Weights = None,
    custom: Mapping[str, object] | None = None,
) -> Explorer:
    """An interactive explorer of the family weights, the rebalance, quantiles and costs.

    Parameters
    ----------
    ds : Dataset
        The market to explore.
    debounce_s : float
        Seconds of quiet after the last change before the table, chart and stats update.
    top : int
        Rows of the screen shown at first.
    weights : dict or str, optional
        The sliders' starting point (default value 0.3, growth 0.4, momentum 0.3).
    custom : dict, optional
        Factors of your own (as in :func:`factorlab.score`): sliders of their own, starting at 0
        unless ``weights`` names them.

    Returns
    -------
    Explorer
        Display it in a notebook cell; its ``weights`` sliders and other controls drive it.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=40, years=3)
    >>> explorer = fl.widgets.explore(ds, debounce_s=0)  # doctest: +SKIP
    >>> explorer.weights["momentum"].value = 1.0  # doctest: +SKIP
    """
    return Explorer(ds, debounce_s=debounce_s, top=top, weights=weights, custom=custom)
