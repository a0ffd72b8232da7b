"""Company facts into fiscal quarters, as each figure was known on each filing day.

The rules, as a careful researcher would apply them by hand:

- **As first reported.** Every (concept, period) keeps the value of the earliest filing that
  reported it; a later filing with a different value (a 10-K/A, a restated comparative) is a new
  version from its own filing day. Values that agree once the finer one is rounded to the
  coarser one's precision (21,461,268 thousand and 21,461 million) are the same figure.
- **Quarters of flows.** A quarter's amount is a 3-month fact (80-100 days, so 13-week quarters
  of 52/53-week years count); else the difference of two year-to-date facts from the same fiscal
  year start (6 months minus 3, 9 minus 6, the year minus 9: cash flows are filed this way); else
  the fiscal year minus its three filed quarters (a fourth quarter is rarely filed alone). A
  derived quarter is known when the last of its parts is, and changes when one of them does.
  Earnings per share are not additive: only 3-month facts give them.
- **Balances** (equity, debt, cash, assets, shares) are instant facts dated at the period end.
  The share count falls back on the cover page's count of the same filing, then on the
  quarter's weighted average.
- **Which concept.** For each company, column and period, the concept that was filed first
  (ties: the earlier in :data:`.concepts.CONCEPTS`); the row's ``concepts`` says which.
- **Known from.** ``available_at`` is the first business day after the ``filed`` date: company
  facts carry no acceptance time, and a filing accepted after the close counts from the next
  day. A missing quarter stays missing; nothing is carried over from another period.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from factorlab.data.edgar.concepts import CONCEPTS

__all__ = ["QUARTER_DAYS", "YEAR_DAYS", "quarterly_rows", "same_figure"]

QUARTER_DAYS = (80, 100)  # the length of a fiscal quarter, in days (13 weeks is 91)
YEAR_DAYS = (350, 380)  # ... and of a fiscal year (52 or 53 weeks, or a calendar year)
_DIRECT, _CHAIN, _YEAR_SUM = 0, 1, 2  # where a quarter's value comes from, best first
_NOT_ADDITIVE = ("eps", "shares_average")  # a year of these is not the sum of its quarters
_KIND = {c.column: c.kind for c in CONCEPTS}
_PARTS = ["operating_income", "depreciation", "shares_cover", "shares_average"]


def same_figure(a: np.ndarray, b: np.ndarray, parts: int = 1) -> np.ndarray:
    """Whether ``a`` and ``b`` are the same reported figure up to rounding.

    A filing may report a figure in thousands and a later one in millions. Each value's
    precision is the largest power of ten (up to a million) it is a multiple of; two values
    reported at different precisions, the coarser a thousand or more, agree when they differ by
    at most half of it (times ``parts`` for a figure summed from that many rounded parts).
    Otherwise only equal values agree.

    Examples
    --------
    >>> same_figure(np.array([21461268000.0, 110.0]), np.array([21461000000.0, 115.0])).tolist()
    [True, False]
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    pa, pb = _precision(a), _precision(b)
    coarse = np.maximum(pa, pb)
    rounded = (pa != pb) & (coarse >= 1000)
    tolerance = np.where(rounded, 0.5 * coarse * parts, 0.0)
    with np.errstate(invalid="ignore"):
        return np.abs(a - b) <= tolerance


def _precision(x: np.ndarray) -> np.ndarray:
    unit = np.full(x.shape, 1e-4)
    for power in range(-3, 7):  # a handful of vector passes
        step = 10.0**power
        ratio = x / step
        unit = np.where(np.abs(ratio - np.rint(ratio)) < 1e-6, step, unit)
    return unit


def quarterly_rows(facts: pd.DataFrame, tickers: dict[int, str]) -> pd.DataFrame:
    """Long fundamentals, one row per company, fiscal quarter and version, from ``facts``.

    Parameters
    ----------
    facts : DataFrame
        What :func:`.facts.flatten` gives, for one or many companies.
    tickers : dict
        CIK -> the ticker to label its rows with.

    Returns
    -------
    DataFrame
        ``ticker``, ``period_end``, ``available_at``, ``fiscal_period``, the fundamentals
        columns, and where each version came from: ``accn``, ``form``, ``filed`` (the filing
        that made it) and ``concepts`` (the concept behind each column). Sorted by ticker,
        period end and ``available_at``; a quarter restated later has a row per version.
    """
    if facts.empty:
        return _empty()
    versions = _versions(facts)
    flows = _flow_quarters(versions[versions["column"].map(_KIND) == "flow"])
    if flows.empty:
        return _empty()
    ends = flows[["cik", "end"]].drop_duplicates()
    stocks = _instants(versions[versions["column"].map(_KIND) == "stock"], ends)
    cover = _cover(versions, facts)
    chosen = _concat([_choose(flows), _choose(stocks), cover])
    chosen = chosen.merge(ends, on=["cik", "end"])
    rows = _assemble(chosen)
    rows["fiscal_period"] = _fiscal_periods(rows, facts)
    rows["ticker"] = rows["cik"].map(tickers)
    rows["available_at"] = rows["filed"] + pd.offsets.BDay(1)
    rows = rows.rename(columns={"end": "period_end"})
    first = ["ticker", "period_end", "available_at", "fiscal_period"]
    values = [c for c in _VALUE_COLUMNS if c in rows]
    out = rows[[*first, *values, "accn", "form", "filed", "concepts"]]
    return out.sort_values(["ticker", "period_end", "available_at"], ignore_index=True)


_VALUE_COLUMNS = [
    "revenue",
    "gross_profit",
    "ebitda",
    "net_income",
    "eps",
    "book_equity",
    "total_debt",
    "cash",
    "shares_outstanding",
    "total_assets",
    "operating_cash_flow",
    "capex",
    "dividends",
]


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames stacked, leaving out empty ones (their untyped columns would spoil dtypes)."""
    full = [f for f in frames if len(f)]
    return pd.concat(full, ignore_index=True) if full else frames[0].iloc[:0]


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        columns=[
            "ticker",
            "period_end",
            "available_at",
            "fiscal_period",
            *_VALUE_COLUMNS,
            "accn",
            "form",
            "filed",
            "concepts",
        ]
    )


def _versions(facts: pd.DataFrame) -> pd.DataFrame:
    """Each fact's first filing, and each later filing that changed its value."""
    key = ["cik", "tag", "start", "end"]
    f = facts.sort_values([*key, "filed", "accn"], kind="stable").reset_index(drop=True)
    f["fact"] = f.groupby(key, dropna=False, sort=False).ngroup()
    previous = f.groupby("fact")["val"].shift()
    unchanged = previous.notna() & same_figure(previous.to_numpy(), f["val"].to_numpy())
    f = f[~unchanged.to_numpy()]
    # Two filings on one day with different values: the day's last one stands.
    return f.drop_duplicates(["fact", "filed"], keep="last").reset_index(drop=True)


def _days(start: pd.Series, end: pd.Series) -> pd.Series:
    return (end - start).dt.days + 1


def _flow_quarters(v: pd.DataFrame) -> pd.DataFrame:
    """Quarterly versions of every flow concept: direct, chained year-to-date, year minus three."""
    v = v[v["start"].notna()].copy()
    v["days"] = _days(v["start"], v["end"])
    direct = v[v["days"].between(*QUARTER_DAYS)].assign(source=_DIRECT)
    direct = direct[
        ["cik", "column", "tag", "rank", "end", "filed", "val", "accn", "form", "source"]
    ]
    # per-share figures and average share counts are not sums over quarters: never derived
    derivable = v[(v["days"] <= YEAR_DAYS[1]) & ~v["column"].isin(_NOT_ADDITIVE)]
    chained = _combine(derivable, _chain_parts(derivable), _CHAIN)
    year_sum = _combine(derivable, _year_parts(derivable), _YEAR_SUM)
    return _concat([direct, chained, year_sum])


def _representatives(v: pd.DataFrame) -> pd.DataFrame:
    """One fact per company, column and span: the concept that reported it first.

    Ties go to the concept's rank. A filer may tag a quarter one way and the year-to-date
    another (Tesla's first 2018 10-Q: operating cash flow "from continuing operations"), so the
    parts of a sum need not share a concept.
    """
    first = v.groupby("fact", as_index=False).agg(first=("filed", "min"))
    spans = v.drop_duplicates("fact").merge(first, on="fact")
    spans = spans.sort_values(["first", "rank"]).drop_duplicates(["cik", "column", "start", "end"])
    return spans[["cik", "column", "tag", "rank", "start", "end", "fact", "days"]]


def _chain_parts(v: pd.DataFrame) -> pd.DataFrame:
    """Quarter = year-to-date at its end minus year-to-date at the quarter before, same start."""
    spans = _representatives(v).sort_values(["cik", "column", "start", "end"])
    previous = spans.groupby(["cik", "column", "start"])[["end", "fact"]].shift()
    gap = (spans["end"] - previous["end"]).dt.days
    ok = gap.between(*QUARTER_DAYS).to_numpy()
    targets = spans[ok].assign(target=np.arange(ok.sum()))
    later = targets[["target", "cik", "column", "tag", "rank", "end", "fact"]].assign(coef=1.0)
    earlier = later.assign(fact=previous.loc[ok, "fact"].astype(int).to_numpy(), coef=-1.0)
    return pd.concat([later, earlier], ignore_index=True)


def _year_parts(v: pd.DataFrame) -> pd.DataFrame:
    """Fourth quarter = the fiscal year minus its first three quarters, each filed as 3 months."""
    spans = _representatives(v)
    years = spans[spans["days"].between(*YEAR_DAYS)]
    quarters = spans[spans["days"].between(*QUARTER_DAYS)][
        ["cik", "column", "start", "end", "fact"]
    ]
    inside = years.merge(quarters, on=["cik", "column"], suffixes=("", "_q"))
    inside = inside[
        (inside["start_q"] >= inside["start"] - pd.Timedelta(days=7))
        & (inside["end_q"] <= inside["end"] - pd.Timedelta(days=QUARTER_DAYS[0]))
    ]
    inside = inside.drop_duplicates(["fact", "end_q"])
    three = inside[inside.groupby("fact")["fact"].transform("size").to_numpy() == 3]
    if three.empty:
        return pd.DataFrame(
            columns=["target", "cik", "column", "tag", "rank", "end", "fact", "coef"]
        )
    three = three.sort_values("fact", kind="stable")  # so first rows follow ngroup's order
    target = three.groupby("fact").ngroup().to_numpy()
    whole = three.drop_duplicates("fact").assign(target=np.unique(target), coef=1.0)
    whole = whole[["target", "cik", "column", "tag", "rank", "end", "fact", "coef"]]
    parts = three.assign(target=target, fact=three["fact_q"], coef=-1.0)
    parts = parts[["target", "cik", "column", "tag", "rank", "end", "fact", "coef"]]
    return pd.concat([whole, parts], ignore_index=True)


def _combine(v: pd.DataFrame, parts: pd.DataFrame, source: int) -> pd.DataFrame:
    """Versions of sums of facts (``parts``: target, fact, coef), one per changed filing day.

    A sum is known from the day every part is, and changes on each day one of them does; each
    version names the filing of the latest change.
    """
    if parts.empty:
        return pd.DataFrame(
            columns=[
                "cik",
                "column",
                "tag",
                "rank",
                "end",
                "filed",
                "val",
                "accn",
                "form",
                "source",
            ]
        )
    history = v[["fact", "filed", "val", "accn", "form"]].sort_values("filed")
    days = parts[["target", "fact"]].merge(history[["fact", "filed"]], on="fact")
    days = days[["target", "filed"]].drop_duplicates().rename(columns={"filed": "day"})
    grid = parts.merge(days, on="target").sort_values("day")
    known = pd.merge_asof(grid, history, left_on="day", right_on="filed", by="fact")
    known["term"] = known["coef"] * known["val"]
    size = parts.groupby("target").size().rename("size")
    # a sum counts only once every part is known: "known" (non-missing parts) == "size"
    totals = known.groupby(["target", "day"]).agg(
        val=("term", "sum"), filed=("filed", "max"), known=("val", "count")
    )
    totals = totals.join(size, on="target")
    totals = totals[(totals["known"] == totals["size"]) & totals["val"].notna()].reset_index()
    latest = known.sort_values("filed").drop_duplicates(["target", "day"], keep="last")
    totals = totals.merge(latest[["target", "day", "accn", "form"]], on=["target", "day"])
    head = parts.drop_duplicates("target")[["target", "cik", "column", "tag", "rank", "end"]]
    out = totals.merge(head, on="target").sort_values(["target", "day"])
    previous = out.groupby("target")["val"].shift()
    unchanged = previous.notna() & same_figure(
        previous.to_numpy(), out["val"].to_numpy(), parts=2 if source == _CHAIN else 4
    )
    out = out[~unchanged.to_numpy()]
    return out.assign(filed=out["day"], source=source)[
        ["cik", "column", "tag", "rank", "end", "filed", "val", "accn", "form", "source"]
    ]


def _instants(v: pd.DataFrame, ends: pd.DataFrame) -> pd.DataFrame:
    """Balances dated at a quarter end, in every version."""
    v = v[v["start"].isna()].merge(ends, on=["cik", "end"])
    return v[["cik", "column", "tag", "rank", "end", "filed", "val", "accn", "form"]].assign(
        source=_DIRECT
    )


def _cover(v: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """The cover page's share count, dated at the period its filing reports.

    That period is the latest quarter or year end among the filing's duration facts, on or
    before the cover date.
    """
    cover = v[v["column"] == "shares_cover"]
    spans = facts[facts["start"].notna()]
    spans = spans[_days(spans["start"], spans["end"]) <= YEAR_DAYS[1]]
    reported = spans.groupby("accn")["end"].max().rename("period")
    cover = cover.join(reported, on="accn")
    cover = cover[cover["period"].notna() & (cover["period"] <= cover["end"])]
    cover = cover.assign(end=cover["period"], tag="dei:EntityCommonStockSharesOutstanding")
    cover = cover.sort_values("filed").drop_duplicates(["cik", "end", "filed"], keep="last")
    return cover[["cik", "column", "tag", "end", "filed", "val", "accn", "form"]]


def _choose(candidates: pd.DataFrame) -> pd.DataFrame:
    """Per company, column and period, the versions of one series.

    The series is the concept filed first (ties: its rank), and for a flow its best source
    (3-month facts over derived ones).
    """
    if candidates.empty:
        return candidates.drop(columns=["rank", "source"], errors="ignore")
    series = ["cik", "column", "end", "tag", "source"]
    first = candidates.groupby(series, as_index=False).agg(
        first=("filed", "min"), rank=("rank", "first")
    )
    best = first.sort_values(["first", "source", "rank"]).drop_duplicates(["cik", "column", "end"])
    out = candidates.merge(best[series], on=series)
    return out.drop(columns=["rank", "source"])


def _assemble(chosen: pd.DataFrame) -> pd.DataFrame:
    """Complete rows per company, period and filing day: every column as known that day."""
    chosen = chosen.sort_values("filed")
    key = ["cik", "end"]
    days = chosen[[*key, "filed"]].drop_duplicates().rename(columns={"filed": "day"})
    columns = chosen[[*key, "column"]].drop_duplicates()
    grid = columns.merge(days, on=key).sort_values("day")
    grid["series"] = grid["cik"].astype(str) + "|" + grid["end"].astype(str) + "|" + grid["column"]
    chosen = chosen.assign(
        series=chosen["cik"].astype(str) + "|" + chosen["end"].astype(str) + "|" + chosen["column"]
    )
    known = pd.merge_asof(
        grid,
        chosen[["series", "filed", "val", "tag", "accn", "form"]],
        left_on="day",
        right_on="filed",
        by="series",
    )
    wide = known.pivot_table(index=[*key, "day"], columns="column", values="val", aggfunc="first")
    tags = known.dropna(subset=["val"]).pivot_table(
        index=[*key, "day"], columns="column", values="tag", aggfunc="first"
    )
    tags = tags.reindex(wide.index)
    made_by = known[known["filed"] == known["day"]].drop_duplicates([*key, "day"])
    wide = wide.join(made_by.set_index([*key, "day"])[["accn", "form"]])
    rows = _derived(wide.reset_index(), tags.reset_index(drop=True))
    rows = rows.rename(columns={"day": "filed"}).sort_values([*key, "filed"])
    values = [c for c in _VALUE_COLUMNS if c in rows]
    previous = rows.groupby(key)[values].shift()
    same = (rows[values].fillna(np.inf) == previous.fillna(np.inf)).all(axis=1)
    first = rows.groupby(key).cumcount() == 0
    return rows[first | ~same].reset_index(drop=True)


def _derived(rows: pd.DataFrame, tags: pd.DataFrame) -> pd.DataFrame:
    """EBITDA and the share count from their parts; the ``concepts`` each row used."""
    for column in (*_VALUE_COLUMNS, *_PARTS):
        if column not in rows:
            rows[column] = np.nan
            tags[column] = np.nan
    rows["ebitda"] = rows["operating_income"] + rows["depreciation"]
    shares = rows["shares_outstanding"]
    rows["shares_outstanding"] = shares.fillna(rows["shares_cover"]).fillna(rows["shares_average"])
    names = tags.astype(object).where(tags.notna(), "")
    # a few distinct tags over many rows: strip the taxonomy once per tag, then look up
    bare = {t: re.sub(r"^(us-gaap|dei):", "", t) for t in pd.unique(names.to_numpy().ravel())}
    names = names.apply(lambda col: col.map(bare))
    names["ebitda"] = np.where(
        rows["ebitda"].notna(), names["operating_income"] + "+" + names["depreciation"], ""
    )
    for fallback in ("shares_cover", "shares_average"):
        names["shares_outstanding"] = names["shares_outstanding"].where(
            names["shares_outstanding"] != "", names[fallback]
        )
    text = pd.Series("", index=rows.index, dtype=object)
    for column in _VALUE_COLUMNS:  # one vector pass per column
        named = names[column] != ""
        piece = (column + "=" + names[column]).where(named, "")
        text = text + np.where(named & (text != ""), ", ", "") + piece
    rows["concepts"] = text.to_numpy()
    return rows.drop(columns=_PARTS)


def _fiscal_periods(rows: pd.DataFrame, facts: pd.DataFrame) -> np.ndarray:
    """``FY2024Q3``: the quarter's place in its fiscal year, named for the year it ends in.

    The fiscal year is the year-long duration fact that contains the period (or, before the
    year's 10-K, the year after the last one filed); without one, the calendar quarter
    (``2024Q3``).
    """
    spans = facts[facts["start"].notna()][["cik", "start", "end"]].drop_duplicates()
    years = spans[_days(spans["start"], spans["end"]).between(*YEAR_DAYS)]
    years = years.drop_duplicates(["cik", "end"]).sort_values("end")
    periods = rows[["cik", "end"]].assign(order=np.arange(len(rows))).sort_values("end")
    ahead = pd.merge_asof(
        periods,
        years.rename(columns={"end": "year_end"}),
        left_on="end",
        right_on="year_end",
        by="cik",
        direction="forward",
    )
    behind = pd.merge_asof(
        periods,
        years.rename(columns={"end": "last_end"}),
        left_on="end",
        right_on="last_end",
        by="cik",
        direction="backward",
        allow_exact_matches=False,
    )
    start = ahead["start"].where(ahead["start"] <= ahead["end"])
    start = start.fillna(behind["last_end"] + pd.Timedelta(days=1))
    start = start.where(ahead["end"] - start <= pd.Timedelta(days=YEAR_DAYS[1]))
    number = np.rint(_days(start, ahead["end"]) / 91.31).clip(1, 4)
    year = (start + pd.DateOffset(years=1) - pd.Timedelta(days=1)).dt.year
    fiscal = "FY" + year.astype("Int64").astype(str) + "Q" + number.astype("Int64").astype(str)
    ends = pd.DatetimeIndex(ahead["end"])
    calendar = pd.Series(ends.year.astype(str) + "Q" + ends.quarter.astype(str), index=ahead.index)
    labels = fiscal.where(start.notna(), calendar)
    return labels.to_numpy()[np.argsort(ahead["order"].to_numpy())]
