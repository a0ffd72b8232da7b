"""Parity with alphalens-reloaded over every option, on random markets of every size.

Each market has ties (values rounded), missing values (scattered, and whole stocks listing
late), zeros, groups, and dates on which buckets cannot be formed; each option is run through
both libraries and every figure compared: the rows of ``factor_data`` (the dates and values
dropped included), buckets, daily IC, IC by group, quantile returns and their errors, returns by
group, factor-weighted returns, alpha and beta, turnover and rank autocorrelation.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import factorlab as fl

PERIODS = (1, 3)

MARKETS = {
    # name: (stocks, days, decimals the factor is rounded to: fewer means more ties)
    "tiny": (4, 60, 1),
    "ties": (30, 90, 0),
    "large": (600, 40, 2),
}

OPTIONS = {
    "quantiles": {"quantiles": 5},
    "edges": {"quantiles": [0, 0.1, 0.5, 0.9, 1]},
    "zero aware": {"quantiles": 4, "zero_aware": True},
    "bins": {"quantiles": None, "bins": 4},
    "fixed bins": {"quantiles": None, "bins": [-2.0, -0.5, 0.0, 0.5, 2.0]},
    "by group": {"quantiles": [0, 0.3, 0.7, 1], "by_group": True},
}


def _market(name: str):
    stocks, days, decimals = MARKETS[name]
    rng = np.random.default_rng(len(name) * 1000 + stocks)
    dates = pd.bdate_range("2020-01-06", periods=days)
    tickers = [f"Z{i:03d}" for i in range(stocks)]
    signal = rng.normal(size=(days, stocks))
    returns = 0.003 * signal + rng.normal(0, 0.02, (days, stocks))
    prices = pd.DataFrame(30 * np.cumprod(1 + returns, axis=0), index=dates, columns=tickers)
    values = np.round(np.roll(signal, 1, axis=0) + rng.normal(0, 1, signal.shape), decimals)
    values[rng.random(values.shape) < 0.1] = np.nan
    values[: days // 3, : max(1, stocks // 10)] = np.nan  # stocks that list late
    values[days // 2] = np.round(values[days // 2], 0) * 0  # a date of zeros: no buckets
    factor = pd.DataFrame(values, index=dates, columns=tickers)
    groups = {t: f"g{i % 3}" for i, t in enumerate(tickers)}
    if stocks > 4:
        groups[tickers[-1]] = np.nan  # a stock without a group: left out of everything
    return prices, factor, groups


@pytest.fixture(scope="module", params=list(MARKETS))
def market(request):
    return _market(request.param)


def _theirs(prices, factor, groups, options):
    import alphalens as al

    stacked = factor.stack().dropna()  # pandas 3 keeps NaN when stacking
    stacked.index.names = ["date", "asset"]
    by_group = options.get("by_group", False)
    al_options = {k: v for k, v in options.items() if k != "by_group"}
    printed = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(printed):
        warnings.simplefilter("ignore")
        data = al.utils.get_clean_factor_and_forward_returns(
            stacked,
            prices,
            groupby=groups,
            binning_by_group=by_group,
            periods=PERIODS,
            filter_zscore=None,
            max_loss=1.0,
            **al_options,
        )
        perf = al.performance
        out = {
            "data": data,
            "printed": printed.getvalue(),
            "ic": perf.factor_information_coefficient(data),
            "ic by group": perf.mean_information_coefficient(data, by_group=True),
            "means": perf.mean_return_by_quantile(data, demeaned=False),
            "demeaned": perf.mean_return_by_quantile(data, demeaned=True),
            "by group": perf.mean_return_by_quantile(data, by_group=True, demeaned=False)[0],
            "returns": perf.factor_returns(data),
            "alpha beta": perf.factor_alpha_beta(data),
            "autocorrelation": pd.concat(
                [perf.factor_rank_autocorrelation(data, h) for h in PERIODS], axis=1
            ),
        }
        buckets = sorted(data["factor_quantile"].unique())
        out["turnover"] = {
            h: pd.concat(
                [perf.quantile_turnover(data["factor_quantile"], k, h) for k in buckets], axis=1
            )
            for h in PERIODS
        }
    return out


@pytest.mark.parametrize("option", list(OPTIONS))
def test_every_figure_equals_alphalens(market, option):
    prices, factor, groups = market
    options = OPTIONS[option]
    theirs = _theirs(prices, factor, groups, options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # losses beyond 35 % on the tiny market, by design
        report = fl.evaluate(
            factor, prices=prices, periods=PERIODS, groupby=groups, drop_incomplete=True, **options
        )

    ours = report.factor_data()  # the same rows, dates dropped included
    data = theirs["data"]
    pd.testing.assert_index_equal(ours.index, data.index, check_exact=True, exact=False)
    for column in ("1D", "3D", "factor"):
        np.testing.assert_allclose(ours[column], data[column], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(ours["factor_quantile"], data["factor_quantile"])

    # What was dropped, and why, as alphalens reports it (in percent, to one decimal).
    dropped = re.search(
        r"Dropped ([\d.]+)% .*: ([\d.]+)% in forward returns computation and ([\d.]+)% in "
        r"binning phase",
        theirs["printed"],
    )
    assert dropped is not None
    share = report.loss["share"]
    forward = (
        share["no price that day"] + share["a period without a forward return (drop_incomplete)"]
    )
    forward += share.get("no group", 0.0)  # alphalens counts it with the forward returns
    binning = share["no bucket, 1d"]
    ours_dropped = [f"{100 * x:.1f}" for x in (forward + binning, forward, binning)]
    assert ours_dropped == list(dropped.groups())

    ic = theirs["ic"]
    np.testing.assert_allclose(report.ic.loc[ic.index].to_numpy(), ic.to_numpy(), atol=1e-9)
    assert report.ic.dropna(how="all").index.equals(ic.dropna(how="all").index)
    np.testing.assert_allclose(
        report.mean_ic_by_group().to_numpy(), theirs["ic by group"].to_numpy(), atol=1e-9
    )

    buckets = sorted(data["factor_quantile"].unique())  # buckets alphalens saw at all
    for demeaned, key in ((False, "means"), (True, "demeaned")):
        means, errors = theirs[key]
        ours_means = report.quantile_returns_demeaned if demeaned else report.quantile_returns
        np.testing.assert_allclose(ours_means.loc[buckets].to_numpy(), means.to_numpy(), atol=1e-9)
        np.testing.assert_allclose(
            report.quantile_std_errors(demeaned).loc[buckets].to_numpy(),
            errors.to_numpy(),
            atol=1e-9,
        )
    their_groups = theirs["by group"]
    cells = [(int(q), g) for q, g in their_groups.index]  # the (quantile, group) alphalens saw
    by_group = report.quantile_returns_by_group.swaplevel().loc[cells]
    np.testing.assert_allclose(by_group.to_numpy(), their_groups.to_numpy(), atol=1e-9)

    returns = theirs["returns"]
    np.testing.assert_allclose(
        report.factor_returns().loc[returns.index].to_numpy(), returns.to_numpy(), atol=1e-12
    )
    np.testing.assert_allclose(
        report.alpha_beta().to_numpy(), theirs["alpha beta"].to_numpy(), rtol=1e-9
    )

    autocorrelation = theirs["autocorrelation"]
    ours_autocorrelation = report.rank_autocorrelation_by_date()
    assert ours_autocorrelation.index.equals(autocorrelation.index)
    np.testing.assert_allclose(
        ours_autocorrelation.to_numpy(), autocorrelation.to_numpy(), atol=1e-9
    )
    for h in PERIODS:
        turnover = theirs["turnover"][h]
        ours_turnover = report.quantile_turnover(h)[[int(k) for k in turnover.columns]]
        assert ours_turnover.index.equals(turnover.index)
        np.testing.assert_allclose(ours_turnover.to_numpy(), turnover.to_numpy(), atol=1e-12)
