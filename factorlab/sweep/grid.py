"""The trials of a sweep: every combination of the values given per parameter.

A parameter is one of :func:`factorlab.score`'s (weights, method, neutralize, winsorize,
allow_short) or :func:`factorlab.backtest`'s (rebalance, lag, long, quantiles, top_n, short,
weighting, max_weight, cost_bps). Each trial is a plain dict of them, and its id a hash of the
trial and the dataset, so a store of finished trials is reused only for the same data.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import itertools
import json
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from factorlab.backtest import backtest
from factorlab.backtest.engine import rebalance_code
from factorlab.errors import ConfigError
from factorlab.factors import parse_weights, score
from factorlab.params import as_bool, as_float, as_int, did_you_mean, split_items

__all__ = [
    "BACKTEST_PARAMETERS",
    "SCORE_PARAMETERS",
    "Grid",
    "grid_from_mapping",
    "simplex",
    "trial_id",
]


def _parameters(function: Any, fixed: set[str]) -> tuple[str, ...]:
    return tuple(p for p in inspect.signature(function).parameters if p not in fixed)


# Read from the functions themselves, so a new option of score or backtest is sweepable at once.
SCORE_PARAMETERS = _parameters(score, {"ds", "custom"})
BACKTEST_PARAMETERS = _parameters(backtest, {"signal", "ds", "benchmark", "align", "fill"})
_WEIGHT_TOLERANCE = 1e-9


def simplex(families: Sequence[str], step: float = 0.1) -> list[dict[str, float]]:
    """Every weight vector over ``families`` on a grid of ``step``, summing to 1.

    Parameters
    ----------
    families : list of str
        The families (or custom factor names) to weight.
    step : float
        The grid's spacing; ``1 / step`` must be a whole number (0.1, 0.25, 0.5...).

    Returns
    -------
    list of dict
        Each a ``{family: weight}`` with weights ``k * step`` summing to 1 (zero weights left
        out, so a vector of one family is that family alone).

    Examples
    --------
    >>> len(simplex(["value", "growth", "momentum"], step=0.1))
    66
    >>> simplex(["value", "momentum"], step=0.5)
    [{'momentum': 1.0}, {'value': 0.5, 'momentum': 0.5}, {'value': 1.0}]
    """
    names = [str(f).strip().lower() for f in families]
    if len(names) < 1 or len(set(names)) != len(names):
        raise ConfigError(f"simplex needs distinct families, got {list(families)!r}.")
    size = as_float(step, "step")
    parts = round(1 / size) if size > 0 else 0
    if parts < 1 or not math.isclose(parts * size, 1.0, abs_tol=1e-9):
        raise ConfigError(
            f"simplex step must divide 1 into a whole number of parts (0.1, 0.25, 0.5), got "
            f"{step!r}."
        )
    vectors = []
    for counts in itertools.product(range(parts + 1), repeat=len(names)):  # small: the grid
        if sum(counts) == parts:
            vectors.append({n: c / parts for n, c in zip(names, counts, strict=True) if c})
    return vectors


class Grid:
    """The product of lists of values, one list per parameter of ``fl.score`` or ``fl.backtest``.

    Parameters
    ----------
    renormalize : bool
        Rescale weight vectors that do not sum to 1 (absolute values); by default such a
        vector is refused, so that no trial silently means something else.
    **values
        Parameter -> list of values (a single value is a list of one; text such as ``"M,Q"``
        or ``"5,10"`` is split at the commas, as papermill passes lists). ``weights`` takes a list
        of weight vectors (dicts or text such as ``"value=0.5,momentum=0.5"``), e.g.
        :func:`simplex`'s.

    Examples
    --------
    >>> import factorlab as fl
    >>> grid = fl.Grid(weights=fl.simplex(["value", "momentum"], step=0.5),
    ...                rebalance=["M", "Q"], cost_bps=[5, 25])
    >>> len(grid)
    12
    >>> grid.trials()[0]
    {'weights': {'momentum': 1.0}, 'rebalance': 'M', 'cost_bps': 5.0}
    """

    def __init__(self, renormalize: bool = False, **values: object) -> None:
        known = (*SCORE_PARAMETERS, *BACKTEST_PARAMETERS)
        self.renormalize = as_bool(renormalize, "renormalize")
        self.values: dict[str, list[Any]] = {}
        for name, given in values.items():
            if name not in known:
                raise ConfigError(
                    f"Grid has no parameter {name!r}.{did_you_mean(name, known)} Parameters: "
                    f"{', '.join(known)}."
                )
            if isinstance(given, str):
                given = _from_text(name, given)  # papermill passes a list as text
            options = list(given) if isinstance(given, Iterable) and _is_list(given) else [given]
            if not options:
                raise ConfigError(f"Grid parameter {name!r} has an empty list; give it a value.")
            self.values[name] = [self._checked(name, v) for v in options]
        self._trials = [dict(zip(self.values, combo, strict=True)) for combo in self._product()]

    def _product(self) -> Iterator[tuple[Any, ...]]:
        return itertools.product(*self.values.values())

    def _checked(self, name: str, value: Any) -> Any:
        """One value in the canonical form a trial holds: checked early, hashed stably."""
        if name == "weights":
            return self._weights(value)
        if value is None:
            return None
        if name == "rebalance":
            rebalance_code(value)  # raises for an unknown rule
            return value if isinstance(value, str) else as_int(value, "rebalance", minimum=1)
        if name in ("quantiles", "lag", "top_n"):
            return as_int(value, name, minimum=1)
        if name in ("cost_bps", "winsorize", "max_weight"):
            number = as_float(value, name)
            if name == "cost_bps" and number < 0:
                raise ConfigError(f"Grid cost_bps must be zero or more, got {value!r}.")
            return number
        if name in ("short", "allow_short"):
            return as_bool(value, name)
        return str(value)

    def _weights(self, value: Any) -> dict[str, float]:
        allow = any(self.values.get("allow_short", [False]))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # renormalize=True asked for the rescaling
                return parse_weights(value, allow_short=allow, rescale=self.renormalize)
        except ConfigError as err:
            raise ConfigError(
                f"Grid weights {value!r}: {err} fl.simplex gives vectors that sum to 1; "
                "Grid(..., renormalize=True) rescales the others."
            ) from None

    def __len__(self) -> int:
        return len(self._trials)

    def trials(self) -> list[dict[str, Any]]:
        """Every trial, a dict of parameter -> value, in the order of the product."""
        return [dict(t) for t in self._trials]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.trials())

    def __repr__(self) -> str:
        sizes = " x ".join(f"{len(v)} {k}" for k, v in self.values.items()) or "no parameters"
        return f"<Grid {len(self)} trials: {sizes}>"


def grid_from_mapping(spec: dict[str, Any]) -> Grid:
    """A :class:`Grid` from a mapping, as a YAML or JSON file holds it.

    Each key is a parameter with a list (or one value); ``weights`` may also be
    ``{"simplex": [families...], "step": 0.1}``; ``renormalize`` is passed through.

    Parameters
    ----------
    spec : dict
        The mapping, e.g. ``{"rebalance": ["M", "Q"], "weights": {"simplex": ["value",
        "momentum"], "step": 0.25}}``.

    Returns
    -------
    Grid

    Examples
    --------
    >>> len(grid_from_mapping({"weights": {"simplex": ["value", "momentum"], "step": 0.5},
    ...                        "cost_bps": [5, 25]}))
    6
    """
    if not isinstance(spec, dict) or not spec:
        raise ConfigError(
            "A grid file holds a mapping of parameter -> list of values, e.g. "
            "'rebalance: [M, Q]' and 'cost_bps: [5, 25]'."
        )
    values = dict(spec)
    weights = values.get("weights")
    if isinstance(weights, dict) and "simplex" in weights:
        extra = set(weights) - {"simplex", "step"}
        if extra:
            raise ConfigError(f"weights: simplex takes 'simplex' and 'step', not {sorted(extra)}.")
        values["weights"] = simplex(weights["simplex"], weights.get("step", 0.1))
    return Grid(**values)


def trial_id(trial: dict[str, Any], fingerprint: str) -> str:
    """A stable id of a trial on a dataset: 16 hex digits of a SHA-256 of both.

    Parameters
    ----------
    trial : dict
        Parameter -> value, as :meth:`Grid.trials` gives them.
    fingerprint : str
        The dataset's :meth:`~factorlab.Dataset.fingerprint`.

    Examples
    --------
    >>> trial_id({"rebalance": "M"}, "abc") == trial_id({"rebalance": "M"}, "abc")
    True
    """
    text = json.dumps({"trial": trial, "dataset": fingerprint}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


PAIRS_OR_MAPPINGS = ("weights", "sector_bounds", "factor_bounds")  # one value holds commas


def _from_text(name: str, text: str) -> object:
    """A Grid parameter given as text, as a list of values or one value.

    A Python list literal ("[3, 5]", "[(-0.05, 0.05), (-0.1, 0.1)]"), comma-separated values
    ("M,Q"), or one value. A parameter whose one value holds commas (weights, bounds) is a list only when bracketed.
    """
    body = text.strip()
    if body.startswith("["):
        try:
            value = ast.literal_eval(body)
        except (ValueError, SyntaxError):
            value = None
        if isinstance(value, list):
            return value
    if name in PAIRS_OR_MAPPINGS or "," not in body and not body.startswith(("[", "(")):
        return text
    return split_items(body)


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple | range) or (
        isinstance(value, Iterable) and not isinstance(value, str | bytes | dict)
    )
