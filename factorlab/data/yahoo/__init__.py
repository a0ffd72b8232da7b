"""``fl.load_dataset("yahoo", ...)``: prices, fundamentals and meta from Yahoo Finance, cached.

The download (:mod:`.fetch`, with retries and yfinance imported only when something must be
downloaded), the cache (:mod:`.cache`), statements into point-in-time fundamentals
(:mod:`.statements`) and the loader that puts them together (:mod:`.loader`).
"""

from factorlab.data.yahoo.loader import load_yahoo

__all__ = ["load_yahoo"]
