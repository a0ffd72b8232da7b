"""Who is in the lab market: sectors, readable tickers and names, and each firm's parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

# One row per sector: share of tickers, market beta, sector-factor volatility (annual), idiosyncratic
# volatility multiplier, revenue growth (annual), net and gross margin, sales/price, book/price and
# debt/equity at the start.
_SECTOR_NUMBERS = """
sector                 share  beta  vol_ann  idio_mult  growth_ann  net_margin  gross_margin  sales_to_price  book_to_price  debt_to_equity
Information Technology  0.15  1.20     0.12       1.20        0.10        0.14          0.60            0.10           0.10             0.4
Health Care             0.12  0.90     0.10       1.25        0.07        0.10          0.60            0.12           0.17             0.5
Financials              0.13  1.10     0.10       0.85        0.05        0.18          0.55            0.20           0.56             1.5
Consumer Discretionary  0.11  1.15     0.09       1.10        0.07        0.06          0.38            0.40           0.21             0.8
Consumer Staples        0.07  0.65     0.07       0.80        0.04        0.07          0.35            0.30           0.17             0.7
Industrials             0.13  1.05     0.08       0.95        0.05        0.08          0.30            0.35           0.24             0.7
Energy                  0.06  1.10     0.20       1.15        0.03        0.07          0.35            0.50           0.42             0.6
Materials               0.06  1.05     0.12       1.00        0.04        0.08          0.30            0.40           0.35             0.6
Utilities               0.05  0.55     0.07       0.70        0.03        0.10          0.40            0.25           0.42             1.3
Real Estate             0.05  0.85     0.10       0.85        0.04        0.15          0.55            0.10           0.42             1.0
Communication Services  0.07  1.00     0.09       1.05        0.06        0.10          0.50            0.20           0.24             0.8
"""
# Each sector's industries, and the words its firms' names use.
_SECTOR_WORDS = {
    "Information Technology": (
        ["Software", "Semiconductors", "IT Services", "Hardware"],
        ["Systems", "Software", "Micro", "Networks", "Data", "Logic"],
    ),
    "Health Care": (
        ["Pharmaceuticals", "Biotechnology", "Medical Devices", "Health Care Services"],
        ["Therapeutics", "Pharma", "Medical", "Biosciences", "Health"],
    ),
    "Financials": (
        ["Banks", "Insurance", "Asset Management", "Consumer Finance"],
        ["Bancorp", "Financial", "Capital", "Insurance", "Trust"],
    ),
    "Consumer Discretionary": (
        ["Retail", "Automobiles", "Hotels & Leisure", "Apparel"],
        ["Retail", "Motors", "Brands", "Leisure", "Outfitters"],
    ),
    "Consumer Staples": (
        ["Food & Beverage", "Household Products", "Food Retail"],
        ["Foods", "Beverage", "Consumer", "Farms", "Provisions"],
    ),
    "Industrials": (
        ["Machinery", "Aerospace & Defense", "Transportation", "Building Products"],
        ["Industrial", "Aerospace", "Machinery", "Logistics", "Engineering"],
    ),
    "Energy": (
        ["Oil & Gas Producers", "Oilfield Services", "Refining"],
        ["Energy", "Petroleum", "Resources", "Drilling", "Pipeline"],
    ),
    "Materials": (
        ["Chemicals", "Metals & Mining", "Packaging"],
        ["Chemicals", "Mining", "Materials", "Steel", "Minerals"],
    ),
    "Utilities": (
        ["Electric Utilities", "Gas Utilities", "Water Utilities"],
        ["Power", "Utilities", "Electric", "Water", "Gas"],
    ),
    "Real Estate": (
        ["REITs", "Real Estate Services"],
        ["Realty", "Properties", "Land", "Estates", "Residential"],
    ),
    "Communication Services": (
        ["Media", "Telecom", "Interactive Media"],
        ["Media", "Telecom", "Communications", "Broadcasting", "Interactive"],
    ),
}
SECTOR_COLUMNS = [
    *_SECTOR_NUMBERS.split("\n")[1].split(),
    "industries",
    "words",
]

_STEMS = """
Acme Apex Aurora Beacon Bluewater Boulder Brightline Cardinal Cascade Cedar Centurion Clearview
Cobalt Compass Copperleaf Cornerstone Crescent Crestview Cypress Delta Driftwood Eagle Eastgate
Echo Elmwood Emerald Evergreen Falcon Fairview Firefly Flagstone Foxglove Frontier Galaxy Garnet
Gateway Glacier Golden Granite Greystone Harbor Harvest Hawthorn Highland Horizon Hudson Iris
Ironwood Juniper Keystone Kingfisher Lakeside Landmark Lantern Laurel Liberty Lighthouse Linden
Lodestar Magnolia Maple Mariner Meadow Meridian Mesa Millstone Monarch Northwind Novus Oakmont
Obsidian Olympus Onyx Orchard Orion Osprey Pacific Paragon Pathfinder Peregrine Pinnacle Pioneer
Polaris Prairie Prism Quantum Quarry Radiant Redwood Ridgeline Riverbend Rockport Sable Saffron
Sagebrush Sapphire Sequoia Sentinel Shoreline Sierra Silverline Skyline Solstice Sparrow Spruce
Starling Sterling Stonebridge Summit Sundial Sunrise Tamarack Tidewater Timber Topaz Trillium
Tristar Tundra Unity Upland Valiant Vanguard Vantage Velvet Venture Verdant Vertex Vista Wavecrest
Westfield Whitestone Wildflower Willow Windward Wolfpack Yarrow Zenith Zephyr Alder Amber Anchor
Arbor Aspen Atlas Azure Birch Bramble Canyon Carver Citadel Condor Coral Dune Ember Fjord Grove
Helix Indigo Jasper Kestrel Lumen Marble Nimbus Opal Pebble Quill Raven Sable Thistle Vale Wren
"""
_SUFFIXES = ["Corp", "Inc", "Holdings", "Group", "Co", "Ltd"]

MAX_TICKERS = 5000


@dataclass(frozen=True)
class Universe:
    """The firms of one lab market and their fixed parameters (arrays indexed like ``tickers``)."""

    tickers: np.ndarray
    meta: pd.DataFrame  # name, sector, industry (listed/delisted are added once prices exist)
    sector_code: np.ndarray
    sectors: pd.DataFrame  # the sector table above, one row per sector
    beta: np.ndarray
    sector_loading: np.ndarray
    idio_vol_ann: np.ndarray
    start_price: np.ndarray
    start_cap: np.ndarray


def sector_table() -> pd.DataFrame:
    """The sector parameters the generator uses, one row per sector."""
    rows = []
    for line in _SECTOR_NUMBERS.strip().split("\n")[1:]:
        name, *numbers = line.rsplit(maxsplit=len(SECTOR_COLUMNS) - 3)  # names have spaces
        rows.append([name, *map(float, numbers), *_SECTOR_WORDS[name]])
    return pd.DataFrame(rows, columns=SECTOR_COLUMNS)


def make_universe(n_tickers: int, rng: np.random.Generator) -> Universe:
    """Draw ``n_tickers`` firms: sector, readable ticker and name, beta, volatility, size."""
    sectors = sector_table()
    counts = _allocate(sectors["share"].to_numpy(), n_tickers)
    sector_code = rng.permutation(np.repeat(np.arange(len(sectors)), counts))

    stems = list(dict.fromkeys(_STEMS.split()))
    names = np.empty(n_tickers, dtype=object)
    industries = np.empty(n_tickers, dtype=object)
    tickers = np.empty(n_tickers, dtype=object)
    taken: set[str] = set()
    for code, sector in sectors.iterrows():
        members = np.flatnonzero(sector_code == code)
        words = sector["words"]
        # Each (stem, word) pair at most once per sector, so names never repeat.
        pairs = rng.choice(len(stems) * len(words), size=len(members), replace=False)
        for slot, pair in zip(members, pairs, strict=True):
            stem, word = stems[pair // len(words)], words[pair % len(words)]
            suffix = _SUFFIXES[int(rng.integers(len(_SUFFIXES)))]
            names[slot] = f"{stem} {word} {suffix}"
            industries[slot] = sector["industries"][int(rng.integers(len(sector["industries"])))]
            tickers[slot] = _pick_ticker(stem, word, taken)
    meta = pd.DataFrame(
        {
            "name": names.astype(str),
            "sector": sectors["sector"].to_numpy()[sector_code].astype(str),
            "industry": industries.astype(str),
        },
        index=pd.Index(tickers.astype(str), name="ticker"),
    )

    beta = np.clip(
        sectors["beta"].to_numpy()[sector_code] + rng.normal(0, 0.25, n_tickers), 0.3, 2.2
    )
    sector_loading = np.clip(rng.normal(1.0, 0.2, n_tickers), 0.4, 1.6)
    start_cap = np.clip(np.exp(rng.normal(np.log(4e9), 1.0, n_tickers)), 1.5e8, 4e11)
    # Small firms are more volatile: idiosyncratic volatility falls gently with size.
    size_tilt = (start_cap / 4e9) ** -0.08
    idio_vol_ann = (
        0.24
        * sectors["idio_mult"].to_numpy()[sector_code]
        * size_tilt
        * np.exp(rng.normal(0, 0.3, n_tickers))
    )
    start_price = np.clip(np.exp(rng.normal(np.log(40), 0.8, n_tickers)), 4.0, 600.0)

    order = np.argsort(meta.index.to_numpy())  # columns in alphabetical order of ticker
    return Universe(
        tickers=meta.index.to_numpy()[order],
        meta=meta.iloc[order],
        sector_code=sector_code[order],
        sectors=sectors,
        beta=beta[order],
        sector_loading=sector_loading[order],
        idio_vol_ann=np.minimum(idio_vol_ann[order], 0.9),
        start_price=start_price[order],
        start_cap=start_cap[order],
    )


def _allocate(shares: np.ndarray, total: int) -> np.ndarray:
    """Split ``total`` into integer counts proportional to ``shares`` (largest remainder)."""
    exact = shares / shares.sum() * total
    counts = np.floor(exact).astype(int)
    leftover = total - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:leftover]] += 1
    return counts


def _pick_ticker(stem: str, word: str, taken: set[str]) -> str:
    """A 3-4 letter ticker read off the name, unique within ``taken`` (which it updates)."""
    s = re.sub("[^A-Z]", "", stem.upper())
    w = re.sub("[^A-Z]", "", word.upper())
    candidates = [
        s[:4],
        s[:3] + w[0],
        s[:2] + w[:2],
        s[0] + w[:3],
        s[:3],
        s[:3] + w[1],
        s[0] + s[2:4] + w[0],
        s[:2] + w[0] + w[-1],
        s[0] + s[-1] + w[:2],
    ]
    for candidate in candidates:
        if len(candidate) >= 3 and candidate not in taken:
            taken.add(candidate)
            return candidate
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for a in letters:
        for b in letters:
            candidate = s[:2] + a + b
            if candidate not in taken:
                taken.add(candidate)
                return candidate
    raise RuntimeError(f"no free ticker left for {stem} {word}")  # pragma: no cover
