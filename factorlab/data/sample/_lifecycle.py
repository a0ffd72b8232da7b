"""When lab-market firms list and delist, and the price moves that go with a delisting."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CRASH_DAYS = 40  # a failing firm slides for about two months before it is delisted


@dataclass(frozen=True)
class Lifecycle:
    """Trading-day positions of each ticker's first and last price, and why it left."""

    list_day: np.ndarray  # 0 for firms trading from the first day
    delist_day: np.ndarray  # n_days - 1 for firms still trading at the end
    delist_kind: np.ndarray  # "" (alive), "crash" or "acquired"
    event_return: np.ndarray  # days × tickers: extra daily return of the crash and the takeover


def draw_lifecycle(n_days: int, n_tickers: int, years: int, rng: np.random.Generator) -> Lifecycle:
    """Late listings and delistings of the lab market's firms, drawn at random.

    About 20 % of firms list late; over 15 years about 10 % are delisted in a crash and 5 % are
    acquired, with the slide of a crash and the premium of a takeover.
    """
    list_day = np.zeros(n_tickers, dtype=int)
    late = rng.random(n_tickers) < 0.20
    late_span = max(n_days - 2 * 252, 40)  # a late lister still has two years of history
    list_day[late] = rng.integers(20, late_span, late.sum())

    delist_day = np.full(n_tickers, n_days - 1)
    delist_kind = np.full(n_tickers, "", dtype=object)
    n_crash = max(1, round(n_tickers * 0.10 * years / 15))
    n_acquired = max(1, round(n_tickers * 0.05 * years / 15))
    leaving = rng.choice(n_tickers, n_crash + n_acquired, replace=False)
    earliest = list_day[leaving] + 300  # at least a year of trading first
    last = rng.integers(np.minimum(earliest, n_days - 20), n_days - 10)
    delist_day[leaving] = last
    delist_kind[leaving[:n_crash]] = "crash"
    delist_kind[leaving[n_crash:]] = "acquired"

    event_return = np.zeros((n_days, n_tickers))
    crashed = leaving[:n_crash]
    fall = rng.uniform(0.70, 0.92, n_crash)  # total loss over the slide
    daily = (1 - fall) ** (1 / CRASH_DAYS) - 1
    offsets = np.arange(CRASH_DAYS)
    rows = (delist_day[crashed][:, None] - offsets[None, :]).clip(0)
    event_return[rows, crashed[:, None]] = daily[:, None]
    acquired = leaving[n_crash:]
    event_return[delist_day[acquired], acquired] = rng.uniform(0.20, 0.45, n_acquired)
    return Lifecycle(list_day, delist_day, delist_kind, event_return)
