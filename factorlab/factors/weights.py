"""Family weights as users write them: a dict, a JSON string, or ``"value=0.3,growth=0.4"``."""

from __future__ import annotations

import ast
import json
import math
import re
import warnings
from collections.abc import Iterable, Mapping
from typing import TypeAlias

from factorlab.errors import ConfigError
from factorlab.factors.registry import FAMILIES
from factorlab.params import as_float, did_you_mean

__all__ = ["DEFAULT_WEIGHTS", "Weights", "parse_weights"]

DEFAULT_WEIGHTS = {"value": 0.3, "growth": 0.4, "momentum": 0.3}  # the seed's mix

# Family weights as a dict, or as text: '{"value": 0.5}' (JSON) or "value=0.5,momentum=0.5".
Weights: TypeAlias = Mapping[str, float] | str | None


def parse_weights(
    weights: Weights = None,
    *,
    allow_short: bool = False,
    custom: Iterable[str] = (),
    rescale: bool = True,
) -> dict[str, float]:
    """Family weights, checked and normalized so their absolute values sum to 1.

    Parameters
    ----------
    weights : dict, str or None
        ``{"value": 0.3, "growth": 0.4}``, the same as JSON, or ``"value=0.3,growth=0.4"``
        (``:`` works too), as papermill passes parameters. None gives the seed's
        ``value 0.3, growth 0.4, momentum 0.3``.
    allow_short : bool
        Negative weights bet against a family; they are refused unless you ask for them.
    custom : iterable of str
        Names of custom factors (``fl.score(..., custom=...)``) that weights may name too.
    rescale : bool
        Rescale weights that do not sum to 1 (with a warning); False refuses them instead.

    Raises
    ------
    ConfigError
        For an unknown family (with a suggestion), a weight that is not a finite number, a
        negative weight without ``allow_short``, weights that are all zero, or weights that do
        not sum to 1 with ``rescale=False``.

    Warns
    -----
    UserWarning
        When the weights did not sum to 1 and were rescaled.

    Examples
    --------
    >>> parse_weights("value=0.5, momentum=0.5")
    {'value': 0.5, 'momentum': 0.5}
    """
    raw = DEFAULT_WEIGHTS if weights is None else _read(weights)
    known = (*FAMILIES, *custom)
    parsed: dict[str, float] = {}
    for family, weight in raw.items():
        name = str(family).strip().lower()
        if name not in known:
            yours = f"; custom: {', '.join(custom)}" if custom else ""
            raise ConfigError(
                f"Unknown factor family {name!r} in weights.{did_you_mean(name, known)} "
                f"Known families: {', '.join(FAMILIES)}{yours}. A factor of your own goes in "
                f"custom=, e.g. fl.score(ds, weights={{'value': 0.5, {name!r}: 0.5}}, "
                f"custom={{{name!r}: my_panel}})."
            )
        number = as_float(weight, f"the weight of {name}")
        if number < 0 and not allow_short:
            raise ConfigError(
                f"The weight of {name} is {number}: a negative weight shorts the family. Pass "
                "allow_short=True if that is what you mean."
            )
        if number != 0:
            parsed[name] = number
    try:
        gross = math.fsum(abs(w) for w in parsed.values())
    except OverflowError:
        gross = math.inf
    if not math.isfinite(gross):
        raise ConfigError(
            f"The weights {parsed} are too large to add up; use weights such as "
            "value=0.5,momentum=0.5."
        )
    if gross == 0:
        raise ConfigError("The weights are all zero; give at least one family a weight.")
    if not math.isclose(gross, 1.0, rel_tol=1e-9) and not rescale:
        raise ConfigError(
            f"The weights {parsed} sum to {gross:g} in absolute value, not 1; pass weights that "
            "sum to 1."
        )
    if not math.isclose(gross, 1.0, rel_tol=1e-9):
        normalized = {k: w / gross for k, w in parsed.items()}
        warnings.warn(
            f"Weights sum to {gross:g} in absolute value, not 1; rescaled to "
            + ", ".join(f"{k}={w:.3g}" for k, w in normalized.items())
            + ". Pass weights that sum to 1 to silence this.",
            UserWarning,
            stacklevel=2,
        )
        parsed = normalized
    return parsed


def _read(weights: object) -> Mapping[object, object]:
    if isinstance(weights, dict):
        return weights
    if not isinstance(weights, str):
        raise ConfigError(
            "weights must be a dict such as {'value': 0.5, 'momentum': 0.5} or a string such as "
            f"'value=0.5,momentum=0.5', got {type(weights).__name__}."
        )
    text = weights.strip()
    if text.startswith("{"):
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as err:
            try:  # papermill users often write a Python dict: {'value': 0.5}
                loaded = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                raise ConfigError(f"weights look like JSON but do not parse: {err}.") from None
        if not isinstance(loaded, dict):
            raise ConfigError('weights given as JSON must be an object such as {"value": 1}.')
        return loaded
    text = re.sub(r"\s*([=:])\s*", r"\1", text)  # "value : 0.3" -> "value:0.3"
    pairs = [p for p in re.split(r"[,\s;]+", text) if p]
    out: dict[object, object] = {}
    for pair in pairs:
        name, sep, number = pair.replace(":", "=").partition("=")
        if not sep or not name or not number:
            raise ConfigError(
                f"Cannot read {pair!r} in weights {weights!r}; write them as "
                "'value=0.3,growth=0.4,momentum=0.3'."
            )
        if name.lower() in out:
            raise ConfigError(f"weights name {name.lower()!r} twice in {weights!r}; name it once.")
        out[name.lower()] = number
    return out
