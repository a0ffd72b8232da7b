"""A Dataset without a fundamental column says which metrics it loses."""

from __future__ import annotations

import pytest

import factorlab as fl


def test_missing_shares_outstanding_names_the_value_metrics_it_removes(small_sample):
    ds = small_sample
    f = ds.fundamentals.drop(columns="shares_outstanding")
    partial = fl.Dataset(prices=ds.prices, fundamentals=f, meta=ds.meta, volume=ds.volume)
    with pytest.warns(UserWarning) as caught:
        value = fl.factors.value(partial)
    message = " ".join(str(w.message) for w in caught)
    assert "shares_outstanding" in message
    for metric in ("earnings_yield", "book_to_price", "sales_to_price", "ebitda_to_ev"):
        assert metric in message
    assert "debt_to_equity (" not in message  # it does not need shares and is kept
    assert value.iloc[-1].notna().sum() > 10  # debt/equity still ranks them


def test_a_family_with_no_usable_metric_raises_naming_the_columns(small_sample):
    ds = small_sample
    f = ds.fundamentals.drop(columns=["revenue", "net_income"])
    partial = fl.Dataset(prices=ds.prices, fundamentals=f, meta=ds.meta)
    with pytest.raises(
        fl.DataError, match=r"growth factor needs fundamentals\.(net_income|revenue)"
    ):
        fl.factors.growth(partial)
