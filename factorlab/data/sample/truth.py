"""What the lab market's generator knows and a reader of the data has to estimate."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SampleTruth"]

_DESCRIPTIONS = {
    "equity_premium_ann": "expected market return above zero, per year",
    "market_vol_ann": "average volatility of the market factor, per year",
    "tail_df": "Student-t degrees of freedom of every daily shock (lower = fatter tails)",
    "vol_persistence": "daily AR(1) coefficient of log market volatility (clustering)",
    "vol_of_log_vol": "stationary standard deviation of log market volatility",
    "idio_vol_persistence": "daily AR(1) coefficient of each stock's own log volatility",
    "idio_vol_of_log_vol": "stationary standard deviation of each stock's own log volatility",
    "cashflow_beta": "share of a stock's surprise return that shows up in its revenue",
}


@dataclass(frozen=True)
class SampleTruth:
    """The lab market's true parameters, for comparing an estimate with what was planted.

    Attributes
    ----------
    seed, n_tickers, years : int
        What the market was generated from; the same three give the same market.
    premia_ann : dict
        Extra return per year earned by a stock one cross-sectional standard deviation above
        average on a factor (``value``, ``growth``, ``momentum``), other exposures equal.
    noise : dict
        Noise levels of the shock model (see ``describe()``).
    exposures : dict of DataFrame
        The true exposure of each factor at each month end (month ends × tickers, unit variance
        across tickers, NaN where not computable). The premium for the following month is earned
        on these. They are computed point in time from the data the Dataset exposes; see
        ``factorlab.data.sample._exposures`` for the exact definitions.
    stocks : DataFrame
        Per ticker: ``beta`` to the market factor, ``sector_loading``, ``idio_vol_ann``.
    delistings : DataFrame
        ``ticker``, ``date`` (last trading day) and ``kind`` ("crash" or "acquired").
    """

    seed: int
    n_tickers: int
    years: int
    premia_ann: dict[str, float]
    noise: dict[str, float]
    exposures: dict[str, pd.DataFrame] = field(repr=False)
    stocks: pd.DataFrame = field(repr=False)
    delistings: pd.DataFrame = field(repr=False)

    def describe(self) -> pd.DataFrame:
        """One row per parameter: its value and what it means."""
        rows = [
            (
                f"premium_{name}_ann",
                value,
                f"extra return per year for +1 standard deviation of {name} exposure",
            )
            for name, value in self.premia_ann.items()
        ]
        rows += [(name, value, _DESCRIPTIONS.get(name, "")) for name, value in self.noise.items()]
        rows += [
            ("seed", self.seed, "random seed"),
            ("n_tickers", self.n_tickers, "tickers"),
            ("years", self.years, "years of trading days"),
        ]
        return pd.DataFrame(rows, columns=["parameter", "value", "meaning"]).set_index("parameter")

    def window(self, start: pd.Timestamp, end: pd.Timestamp, tickers: list[str]) -> SampleTruth:
        """The truth restricted to what a dataset window holds (used by ``as_of`` and ``slice``)."""
        return replace(
            self,
            exposures={k: v.loc[start:end, tickers] for k, v in self.exposures.items()},
            stocks=self.stocks.loc[tickers],
            delistings=self.delistings[
                self.delistings["ticker"].isin(tickers)
                & self.delistings["date"].between(start, end)
            ].reset_index(drop=True),
        )

    def agreement(self, exposure: pd.DataFrame, family: str) -> pd.Series:
        """How well an estimated exposure panel recovers the planted one.

        The result holds the mean monthly Spearman correlation across stocks between the two
        (on month ends where both exist), the share of months it is positive, and the planted
        premium.

        Examples
        --------
        >>> import factorlab as fl
        >>> ds = fl.load_dataset("sample", n_tickers=40, years=4)
        >>> fit = ds.truth.agreement(fl.factors.momentum(ds), "momentum")
        >>> bool(fit["mean rank correlation"] > 0.5)
        True
        """
        if family not in self.exposures:
            raise KeyError(f"the lab market plants {', '.join(self.exposures)}; not {family!r}")
        true = self.exposures[family]
        estimate = exposure.reindex(index=true.index, columns=true.columns)
        both = true.notna() & estimate.notna()
        correlation = (
            estimate.where(both).rank(axis=1).T.corrwith(true.where(both).rank(axis=1).T)
        ).dropna()
        return pd.Series(
            {
                "mean rank correlation": correlation.mean(),
                "months positive": (correlation > 0).mean(),
                "months": len(correlation),
                "planted premium per year": self.premia_ann.get(family, np.nan),
            },
            name=family,
        )

    # -- saving with a dataset ------------------------------------------------------------------
    def to_saved(self) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
        """JSON-able parameters and the frames to store as parquet."""
        params = {
            "seed": self.seed,
            "n_tickers": self.n_tickers,
            "years": self.years,
            "premia_ann": self.premia_ann,
            "noise": self.noise,
            "factors": list(self.exposures),
        }
        frames = {f"truth_exposure_{k}": v for k, v in self.exposures.items()}
        frames["truth_stocks"] = self.stocks
        frames["truth_delistings"] = self.delistings
        return params, frames

    @classmethod
    def from_saved(cls, params: dict[str, Any], frames: dict[str, pd.DataFrame]) -> SampleTruth:
        """The truth rebuilt from what :meth:`to_saved` gave: its parameters and frames."""
        exposures = {}
        for name in params["factors"]:
            frame = frames[f"truth_exposure_{name}"]
            frame.columns.name, frame.index.name = "ticker", "date"
            exposures[name] = frame
        return cls(
            seed=int(params["seed"]),
            n_tickers=int(params["n_tickers"]),
            years=int(params["years"]),
            premia_ann={k: float(v) for k, v in params["premia_ann"].items()},
            noise={k: float(v) for k, v in params["noise"].items()},
            exposures=exposures,
            stocks=frames["truth_stocks"],
            delistings=frames["truth_delistings"],
        )
