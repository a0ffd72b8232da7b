"""What a notebook calls: the dataset its parameters describe, and the figures it records for
``factorlab run``'s summary. Light on purpose: the package root imports it, and papermill (the
runner, in :mod:`factorlab.run`) is not needed to use a notebook by hand.
"""

from __future__ import annotations

import math

from factorlab.data import Dataset, load_dataset
from factorlab.params import DateLike, Tickers

__all__ = ["FIGURES_MIME", "notebook_dataset", "record"]

FIGURES_MIME = "application/vnd.factorlab.figures+json"


def notebook_dataset(
    dataset: str = "sample",
    tickers: Tickers | None = None,
    start: DateLike | None = None,
    end: DateLike | None = None,
    n_tickers: int = 200,
    years: int = 15,
    seed: int = 42,
) -> Dataset:
    """The dataset a notebook's parameters describe: the sample (sized by ``n_tickers``,
    ``years``, ``seed``), ``"yahoo"`` (needs ``tickers``) or a saved folder; then restricted
    to ``tickers`` and ``start``..``end`` when given. Strings work, as papermill passes them.

    Examples
    --------
    >>> ds = notebook_dataset("sample", n_tickers="30", years="3", start="2023-01-01")
    >>> len(ds.tickers), f"{ds.start:%Y}"
    (30, '2023')
    """
    name = str(dataset).strip()
    if name.lower() == "sample":
        options = {"n_tickers": n_tickers, "years": years, "seed": seed}
    else:
        options = {}
    return load_dataset(
        name, tickers=tickers or None, start=start or None, end=end or None, **options
    )


def record(**figures: object) -> None:
    """Record key figures of a notebook for the run summary (``factorlab run`` reads them from
    the executed notebook). Numbers are rounded to 6 significant figures; text is kept.

    Examples
    --------
    >>> record(mean_ic=0.0412345678, source="rule-based")  # doctest: +SKIP
    """
    from IPython.display import display  # IPython is there only inside a notebook's kernel

    clean = {str(k): _plain(v) for k, v in figures.items()}
    shown = ", ".join(f"{k} = {v}" for k, v in clean.items())
    display({FIGURES_MIME: clean, "text/plain": f"Recorded for the run summary: {shown}"}, raw=True)


def _plain(value: object) -> object:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (hasattr(value, "dtype") and "int" in str(value.dtype)):
        return int(value)  # type: ignore[call-overload]
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    return float(f"{number:.6g}") if math.isfinite(number) else str(value)
