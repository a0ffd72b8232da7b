"""EDGAR share counts and EPS on the basis of today's split-adjusted prices.

A filing states share counts in the units of its day: the SEC asks issuers to restate them
for every split before the statements are issued, so a figure filed after a split is already
post-split and one filed before it is not. Prices from Yahoo are adjusted for every split since,
so each row's shares are multiplied (and EPS divided) by the product of the splits after its
``filed`` day. The rule uses only the filing day and the split calendar, never a later figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["on_todays_shares"]


def on_todays_shares(
    rows: pd.DataFrame, splits: dict[str, pd.Series]
) -> tuple[pd.DataFrame, list[str]]:
    """``rows`` with shares × and EPS ÷ the splits after each filing, and a note per split.

    Parameters
    ----------
    rows : DataFrame
        EDGAR fundamentals (``ticker``, ``filed``, ``shares_outstanding``, ``eps``).
    splits : dict of str to Series
        Per ticker, split ratios by day (4.0 for 4-for-1; 1.0 or 0 where none), as Yahoo's
        ``split`` column gives them.

    Returns
    -------
    (DataFrame, list of str)
        The adjusted copy, and one note per split applied.

    Examples
    --------
    >>> rows = pd.DataFrame({"ticker": ["T", "T"], "filed": pd.to_datetime(["2020-05-01",
    ...     "2020-11-01"]), "shares_outstanding": [100.0, 500.0], "eps": [5.0, 1.0]})
    >>> split = pd.Series([5.0], index=pd.to_datetime(["2020-08-31"]))
    >>> adjusted, notes = on_todays_shares(rows, {"T": split})
    >>> adjusted["shares_outstanding"].tolist(), adjusted["eps"].tolist()
    ([500.0, 500.0], [1.0, 1.0])
    """
    rows = rows.copy()
    factor = np.ones(len(rows))
    notes = []
    tickers = rows["ticker"].to_numpy()
    filed = rows["filed"].to_numpy("datetime64[ns]")
    for ticker, series in splits.items():  # only tickers that split: a handful, not a hot path
        real = series[(series > 0) & (series != 1)].sort_index()
        if real.empty:
            continue
        mine = tickers == ticker
        # the product of every split strictly after the filing day, by a reversed cumprod
        after = np.append(np.cumprod(real.to_numpy()[::-1])[::-1], 1.0)
        position = np.searchsorted(real.index.to_numpy("datetime64[ns]"), filed[mine], "right")
        factor[mine] = after[position]
        for day, ratio in real.items():
            touched = int((filed[mine] < np.datetime64(day)).sum())
            if touched:
                notes.append(
                    f"{ticker} {day:%Y-%m-%d} split {ratio:g}-for-1: shares and EPS of the "
                    f"{touched} rows filed before it adjusted by its ratio."
                )
    rows["shares_outstanding"] = rows["shares_outstanding"] * factor
    rows["eps"] = rows["eps"] / factor
    return rows, notes
