"""Values made safe for JSON, shared by the monitor's alert files and the REST API."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def json_safe(values: dict[Any, Any]) -> dict[str, Any]:
    """``values`` made safe for JSON: string keys, plain numbers, dates as text, no NaN.

    Keys become strings, numpy scalars plain numbers, dates ``YYYY-MM-DD``, and NaN,
    infinities and NaT become None (JSON has no NaN); lists and text are kept.

    >>> json_safe({"a": np.float64("nan"), "b": np.int64(3), "c": pd.Timestamp("2024-01-31")})
    {'a': None, 'b': 3, 'c': '2024-01-31'}
    """
    out = {}
    for key, value in values.items():
        if isinstance(value, np.generic):
            value = value.item()
        if value is pd.NaT or (isinstance(value, float) and not np.isfinite(value)):
            value = None
        elif isinstance(value, pd.Timestamp):
            value = f"{value:%Y-%m-%d}"
        out[str(key)] = value
    return out
