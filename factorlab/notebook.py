"""What a notebook calls: the dataset its parameters describe, and the figures it records.

The figures are for ``factorlab run``'s summary. Light on purpose: the package root imports it,
and papermill (the runner, in :mod:`factorlab.run`) is not needed to use a notebook by hand.
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
    fundamentals: str = "auto",
) -> Dataset:
    """The dataset a notebook's parameters describe, restricted to its tickers and dates.

    The dataset is the sample (sized by ``n_tickers``, ``years``, ``seed``), ``"yahoo"`` (needs
    ``tickers``) or a saved folder; then restricted to ``tickers`` and ``start``..``end`` when
    given. Strings work, as papermill passes them. See :func:`factorlab.load_dataset`.

    Parameters
    ----------
    dataset : str, default "sample"
        ``"sample"`` (the embedded lab market), ``"yahoo"`` (Yahoo Finance, cached on disk), or
        the path of a folder saved with ``ds.save(path)``.
    tickers : str or list of str, optional
        The tickers to keep; for ``"yahoo"``, the symbols to load (required). A comma- or
        space-separated string such as ``"AAPL, MSFT"`` works. None or ``""``: every ticker.
    start, end : str or date, optional
        The first and last day to keep (inclusive), e.g. ``"2018-01-01"``. None or ``""``: the
        dataset's own; for ``"yahoo"``, the download's window (from 2015-01-01 to today).
    n_tickers : int, default 200
        For the sample only: the number of firms (20 to 5000). Text such as ``"300"`` works.
    years : int, default 15
        For the sample only: years of business days, ending 2024-12-31 (3 to 40). Text works.
    seed : int, default 42
        For the sample only: the random seed; the same three give the same market. Text works.
    fundamentals : {"auto", "yahoo", "edgar"}, default "auto"
        For ``"yahoo"`` only: where the statements come from; ``"edgar"`` reads every quarter
        since 2009 from the SEC, as first reported (set ``$FACTORLAB_SEC_USER_AGENT`` to your
        name and email, or run with a warm cache); ``"auto"`` does so for US tickers when the
        User-Agent is set, else uses Yahoo's last five quarters.

    Returns
    -------
    Dataset
        The loaded dataset, restricted as asked.

    Examples
    --------
    >>> ds = notebook_dataset("sample", n_tickers="30", years="3", start="2023-01-01")
    >>> len(ds.tickers), f"{ds.start:%Y}"
    (30, '2023')
    """
    name = str(dataset).strip()
    options: dict[str, object] = {}
    if name.lower() == "sample":
        options = {"n_tickers": n_tickers, "years": years, "seed": seed}
    elif name.lower() == "yahoo":
        options = {"fundamentals": fundamentals or "auto"}
    return load_dataset(
        name, tickers=tickers or None, start=start or None, end=end or None, **options
    )


def record(**figures: object) -> None:
    """Key figures of a notebook, recorded in its output for the run summary.

    ``factorlab run`` reads them from the executed notebook. Numbers are rounded to 6
    significant figures; text is kept. They are displayed as the cell's output (IPython is
    needed: a notebook's kernel has it), with a line of text that says what was recorded.

    Parameters
    ----------
    **figures : object
        Each figure's name and value, e.g. ``mean_ic=0.0412``. Integers stay whole; other
        numbers, and text that reads as one (``"0.5"``), become numbers rounded to 6
        significant figures; booleans, NaN, infinities and everything else become their text.
        A name recorded again keeps its last value. ``dataset`` (``ds.fingerprint()``) is the
        summary's dataset fingerprint.

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
