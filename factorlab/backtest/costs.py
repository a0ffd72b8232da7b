"""Trading costs that grow with size: the square-root law of market impact, and a volume cap.

``costs="sqrt"`` in :func:`factorlab.backtest` charges each trade, as a fraction of equity::

    |dw| * (cost_bps / 1e4  +  impact * sigma * sqrt(|dw| * AUM / ADV))

``cost_bps`` is the linear part (half the spread and commissions), ``sigma`` the stock's daily
volatility (standard deviation of its last ``VOLATILITY_DAYS`` daily returns), ``ADV`` its
average daily traded value (close times volume, over the last ``ADV_DAYS`` days), ``AUM`` the
book's value at that close (``aum`` grown or shrunk with the book's net return) and ``impact``
the coefficient of the square-root law (Y, about 1 in the empirical studies: Almgren, Thum,
Hauptmann and Li 2005; Tóth et al. 2011; Bouchaud et al., *Trades, Quotes and Prices*, 2018). A
trade of 1 % of a day's volume in a stock of 2 % daily volatility costs about 0.2 % of the
trade in impact, 10 % of a day's volume about 0.63 %.

``participation`` caps what a rebalance may trade in a stock at that share of its ADV: the part
of an order beyond it is cut, not carried to the next days (the book keeps the rest of the old
position, and buys are scaled down so the book is not levered by the sells it could not make).
Everything is read at the rebalance close, from days up to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from factorlab.data import Dataset

__all__ = ["ADV_DAYS", "VOLATILITY_DAYS", "ImpactCosts", "cut_warning", "impact_inputs"]

ADV_DAYS = 20
VOLATILITY_DAYS = 60


def impact_inputs(ds: Dataset, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each stock's daily volatility and average daily traded value at the rebalance rows.

    Rolling over the days up to each rebalance close (never after it); NaN where a stock has
    too little history (fewer than half the window).
    """
    ds.require("volume", purpose="costs='sqrt' (market impact) or participation (a volume cap)")
    assert ds.volume is not None
    close = ds.close if ds.close is not None else ds.prices
    traded = (close * ds.volume).rolling(ADV_DAYS, min_periods=ADV_DAYS // 2).mean()
    returns = ds.prices.pct_change(fill_method=None)
    volatility = returns.rolling(VOLATILITY_DAYS, min_periods=VOLATILITY_DAYS // 2).std()
    return volatility.to_numpy()[rows], traded.to_numpy()[rows]


@dataclass
class ImpactCosts:
    """The cost of each rebalance's trades and the participation cap (module docstring).

    ``volatility`` and ``adv`` are rebalances × stocks (:func:`impact_inputs`). Called by the
    simulator with the rebalance's number, the trades (weight changes) and the book's value
    then, in units of ``aum``.
    """

    cost_bps: float
    aum: float
    impact: float
    volatility: np.ndarray
    adv: np.ndarray
    participation: float | None = None
    cut: list[tuple[int, float]] = field(default_factory=list)  # (rebalance, turnover cut)
    beyond_volume: list[int] = field(default_factory=list)  # rebalances trading > 1 day's ADV

    def __call__(self, k: int, trades: np.ndarray, level: float) -> float:
        """The cost of rebalance ``k``'s ``trades`` as a fraction of equity."""
        size = np.abs(trades)
        traded = size > 0
        if not traded.any():
            return 0.0
        volatility, adv = self._inputs(k, traded)
        participation = size[traded] * self.aum * level / adv
        if (participation > 1).any():
            self.beyond_volume.append(k)
        # A trade cannot cost more than itself; a book cannot pay more than it has.
        impact = np.minimum(self.impact * volatility * np.sqrt(participation), 1.0)
        total = size.sum() * self.cost_bps / 1e4 + (size[traded] * impact).sum()
        return float(min(total, 1.0))

    def limit(self, k: int, before: np.ndarray, target: np.ndarray, level: float) -> np.ndarray:
        """``target`` with each trade cut to ``participation`` of the stock's ADV."""
        if self.participation is None:
            return target
        trades = target - before
        traded = trades != 0
        if not traded.any():
            return target
        _, adv = self._inputs(k, traded)
        room = np.full(len(trades), np.inf)
        room[traded] = self.participation * adv / (self.aum * level)  # as a weight of equity
        done = np.clip(trades, -room, room)
        # Sells cut: scale buys down so that the book is no more invested (net) than intended;
        # buys cut in a book with shorts: scale its sells down the same way.
        excess = (before + done).sum() - target.sum()
        buys, sells = np.clip(done, 0.0, None), np.clip(done, None, 0.0)
        if excess > 0 and buys.sum() > 0:
            done = done - buys * min(excess / buys.sum(), 1.0)
        elif excess < 0 and (target < 0).any() and sells.sum() < 0:
            done = done - sells * min(excess / sells.sum(), 1.0)
        missed = float(np.abs(trades - done).sum())
        if missed > 1e-12:
            self.cut.append((k, missed))
        return before + done

    def _inputs(self, k: int, traded: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Volatility and ADV of the traded stocks; a gap takes the day's most costly value.

        A stock without enough history counts as the most volatile and least traded of that
        day, so that not knowing never makes a trade cheaper.
        """
        volatility, adv = self.volatility[k], self.adv[k]
        known_vol = volatility[np.isfinite(volatility)]
        known_adv = adv[np.isfinite(adv) & (adv > 0)]
        fill_vol = known_vol.max() if len(known_vol) else 0.02
        fill_adv = known_adv.min() if len(known_adv) else 1.0
        v = np.where(np.isfinite(volatility[traded]), volatility[traded], fill_vol)
        a = adv[traded]
        a = np.where(np.isfinite(a) & (a > 0), a, fill_adv)
        return v, a


def cut_warning(costs: ImpactCosts, dates: pd.DatetimeIndex) -> str | None:
    """What the participation cap cut, or trades the law is not made for, in a sentence."""
    if costs.beyond_volume and not costs.cut:
        return (
            f"On {len(costs.beyond_volume)} rebalance days some trades were larger than a whole "
            f"day's traded value (first {dates[costs.beyond_volume[0]]:%Y-%m-%d}): the "
            "square-root law is not measured at such sizes (each trade's impact is capped at "
            "its own value). Set participation= to cap them, or a smaller aum."
        )
    if not costs.cut:
        return None
    first = dates[costs.cut[0][0]]
    total = sum(missed for _, missed in costs.cut)
    return (
        f"On {len(costs.cut)} rebalance days orders beyond {costs.participation:.0%} of a "
        f"stock's average daily traded value were cut (first {first:%Y-%m-%d}; "
        f"{total:.2f} of turnover in all): the book kept part of its old positions."
    )
