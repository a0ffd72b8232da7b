"""Factors of your own, scored like the built-in families.

A custom factor is a panel you computed (dates × tickers, or alphalens' (date, asset) Series).
In :func:`factorlab.score` it goes through what a built-in metric does: winsorized per date,
z-scored, signed so that higher is more attractive; then, as a family, neutralized,
standardized and weighted into the composite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from factorlab._warnings import warn
from factorlab.data import Dataset
from factorlab.data.panels import align_panel
from factorlab.errors import ConfigError, DataError
from factorlab.factors.registry import FAMILIES, METRICS
from factorlab.factors.transform import winsorize as clip_extremes
from factorlab.factors.transform import zscore
from factorlab.params import as_bool

__all__ = ["Custom", "custom_exposure", "read_custom"]

# Columns of fl.screen's table that a custom factor's raw value must not overwrite.
RESERVED = frozenset({"name", "sector", "price", "composite", "rank"} | {m.name for m in METRICS})


@dataclass(frozen=True)
class Custom:
    """A factor of your own and how to read it.

    Parameters
    ----------
    panel : DataFrame or Series
        Dates × tickers, or a Series indexed by (date, asset). It must be point in time: a
        value dated *t* may use only what was known at the close of *t*.
    higher_is_better : bool
        False for a factor where low values are attractive (a volatility, a P/E).
    align : {"exact", "previous"}
        ``"previous"`` places values dated on non-trading days (``resample("ME")`` labels) on
        the last trading day on or before each date.
    fill : {"latest"} or None
        ``"latest"`` carries each stock's last value forward over the days without one, so a
        monthly factor has a value on every day it can be combined.
    description : str
        One line on what it measures (shown in nothing yet but your own notes).

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=30, years=3)
    >>> vol = ds.prices.pct_change(fill_method=None).rolling(63).std()
    >>> calm = fl.factors.Custom(vol, higher_is_better=False)
    >>> scores = fl.score(ds, weights={"value": 0.5, "calm": 0.5}, custom={"calm": calm})
    >>> list(scores.components)
    ['value', 'calm']
    """

    panel: pd.DataFrame | pd.Series = field(repr=False)
    higher_is_better: bool = True
    align: Literal["exact", "previous"] = "exact"
    fill: Literal["latest"] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        # papermill and the command line pass "false" as text: read it, never as truthy
        object.__setattr__(
            self, "higher_is_better", as_bool(self.higher_is_better, "higher_is_better")
        )

    def on(self, ds: Dataset, name: str, until: pd.Timestamp | None = None) -> Custom:
        """The factor's raw values on ``ds``'s days and tickers, as a new :class:`Custom`.

        The values are placed exactly (filled if asked), ignoring values dated after ``until``.

        Parameters
        ----------
        ds : Dataset
            The dataset whose trading days (``ds.dates``) and tickers (``ds.tickers``) the
            values are placed on, by this factor's ``align`` and ``fill``.
        name : str
            The factor's name, used in messages (``custom factor 'name'``).
        until : Timestamp, optional
            Ignore values dated after this day (not known yet), before aligning: a screen
            ``as_of`` a day passes it. None, the default, keeps every date.

        Returns
        -------
        Custom
            The values as float64 on ``ds.dates`` × ``ds.tickers`` (NaN where there is none),
            with this factor's ``higher_is_better`` and ``description``, ``align="exact"`` and
            ``fill=None``, since both have been applied.

        Raises
        ------
        DataError
            From :func:`factorlab.data.panels.align_panel`: a panel of another shape, tickers
            the dataset lacks, dates that are not trading days (with ``align="exact"``), values
            that are not numbers, or infinities.
        """
        what = f"custom factor {name!r}"
        panel = align_panel(self.panel, ds, what, self.align, self.fill, until=until)
        return Custom(panel, self.higher_is_better, "exact", None, self.description)


def read_custom(custom: Mapping[str, object] | None) -> dict[str, Custom]:
    """``custom`` as ``{name: Custom}``: a bare panel or Series becomes ``Custom(panel)``.

    Raises
    ------
    ConfigError
        For a name that is not a string, is empty, or is a built-in family's.
    """
    if custom is None:
        return {}
    if not isinstance(custom, Mapping):
        raise ConfigError(
            "custom must be a dict of name -> panel, e.g. custom={'reversal': my_panel}, got "
            f"{type(custom).__name__}."
        )
    out = {}
    for name, spec in custom.items():
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"custom factor names must be non-empty strings, got {name!r}.")
        key = name.strip().lower()
        if key in FAMILIES:
            raise ConfigError(
                f"custom factor {name!r} has the name of a built-in family; call it something "
                f"else (built-in: {', '.join(FAMILIES)})."
            )
        if key in RESERVED or key.endswith("_score"):
            raise ConfigError(
                f"custom factor {name!r} would share its name with a column of the screen "
                "(a metric, name, sector, price, composite, rank or a family's _score); call "
                "it something else."
            )
        if key in out:
            raise ConfigError(f"custom names {key!r} twice; name each factor once.")
        out[key] = spec if isinstance(spec, Custom) else Custom(spec)
    return out


def custom_exposure(
    ds: Dataset, name: str, factor: Custom, winsorize: float = 0.01
) -> pd.DataFrame:
    """A custom factor's exposure, as a one-metric family.

    It is winsorized at ``winsorize`` per date, z-scored, and negated when lower is better.

    Examples
    --------
    >>> import factorlab as fl
    >>> ds = fl.load_dataset("sample", n_tickers=30, years=3)
    >>> exposure = custom_exposure(ds, "size", Custom(-ds.prices))
    >>> bool(abs(exposure.iloc[-1].mean()) < 1e-9)
    True
    """
    raw = factor.on(ds, name).panel
    present = raw.notna().any(axis=1).to_numpy()
    if not present.any():
        raise DataError(
            f"custom factor {name!r} has no value on this dataset's days and tickers"
            f"{' (after align=' + repr(factor.align) + ')' if factor.align != 'exact' else ''}. "
            "Check its dates and tickers against ds.dates and ds.tickers."
        )
    covered = present[int(np.argmax(present)) :].mean()
    if covered < 0.5 and factor.fill is None:
        warn(
            f"custom factor {name!r} has values on only {covered:.0%} of the days from its first "
            "one, so the composite is NaN on the others. If it is a monthly or weekly factor, "
            f"use fl.factors.Custom(panel, fill='latest') to carry each value forward."
        )
    z = zscore(clip_extremes(raw, winsorize) if winsorize else raw, name=name)
    return z if factor.higher_is_better else -z
