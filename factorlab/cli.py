"""The ``factorlab`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from factorlab.errors import ConfigError, DataError

if TYPE_CHECKING:  # the data layer is imported when a command runs, to keep start-up fast
    from factorlab.data import Dataset

__all__ = ["format_summary", "main"]


def format_summary(ds: Dataset) -> str:
    """A short plain-text description of a dataset: what a reader should know before using it."""
    s = ds.summary()
    meta = ds.meta
    lines = [
        f"factorlab dataset '{s['source']}'",
        f"  tickers       {s['tickers']:,} in {s['sectors']} sectors",
        f"  dates         {s['start']:%Y-%m-%d} to {s['end']:%Y-%m-%d} ({s['days']:,} trading days)",
    ]
    if s["sectors"]:
        counts = meta["sector"].value_counts()
        lines.append("  sectors       " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    delisted = f"{s['delisted']}"
    if ds.truth is not None and len(ds.truth.delistings):
        kinds = ds.truth.delistings["kind"].value_counts()
        delisted += " (" + ", ".join(f"{v} {k}" for k, v in kinds.items()) + ")"
    lines.append(f"  listings      {s['listed_late']} listed after the start; delisted {delisted}")
    if ds.fundamentals is not None:
        lag = (ds.fundamentals["available_at"] - ds.fundamentals["period_end"]).dt.days
        lines.append(
            f"  fundamentals  {s['fundamental_rows']:,} quarterly rows, filed {lag.min()}-{lag.max()} "
            "days after quarter end"
        )
    if ds.benchmark is not None:
        b = ds.benchmark
        growth_ann = (b.iloc[-1] / b.iloc[0]) ** (252 / max(len(b) - 1, 1)) - 1
        lines.append(
            f"  benchmark     {b.name}: {b.iloc[0]:,.0f} to {b.iloc[-1]:,.0f} ({growth_ann:+.1%} a year)"
        )
    if ds.truth is not None:
        premia = ", ".join(f"{k} {v:+.1%}" for k, v in ds.truth.premia_ann.items())
        lines.append(f"  planted premia per year for +1 sd of exposure: {premia}")
    for note in ds.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``factorlab`` console script; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.handler(args)
    except (DataError, ConfigError) as err:
        print(f"factorlab: error: {err}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from factorlab.data import load_dataset

    options = {}
    if args.dataset == "sample":
        options = {"n_tickers": args.n_tickers, "years": args.years, "seed": args.seed}
    ds = load_dataset(args.dataset, **options)
    print(format_summary(ds))
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from factorlab.data import load_dataset

    ds = load_dataset(
        "yahoo", tickers=args.tickers, start=args.start, end=args.end,
        benchmark=None if args.benchmark.lower() == "none" else args.benchmark,
        cache_dir=args.cache_dir, refresh=args.refresh, offline=args.offline,
        progress=not args.no_progress,
    )  # fmt: skip
    print(format_summary(ds))
    for ticker, reason in ds.failed.items():
        print(f"  failed: {ticker}: {reason}")
    if args.save:
        ds.save(args.save)
        print(f"saved to {args.save}; load it offline with fl.load_dataset({str(args.save)!r})")
    return 0


def _create_model(args: argparse.Namespace) -> int:
    from factorlab.llm import Analyst

    analyst = Analyst(model=args.base, host=args.host)
    try:
        status = analyst.create_model(name=args.name, base=args.base)
    except Exception as err:  # the client's failures, shown as one line with the cause
        print(f"factorlab: error: could not create {args.name}: "
              f"{analyst.describe_failure(err)}", file=sys.stderr)  # fmt: skip
        return 2
    print(f"{args.name}: {status} (from {args.base}); use it with fl.Analyst(model={args.name!r})")
    return 0


def _parser() -> argparse.ArgumentParser:
    from factorlab import __version__

    parser = argparse.ArgumentParser(
        prog="factorlab",
        description="Factor investing research: datasets, factors, backtests, an LLM analyst.",
    )
    parser.add_argument("--version", action="version", version=f"factorlab {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser(
        "run",
        help="the main job: load the dataset and summarize it",
        description=(
            "Load a dataset (the embedded lab market by default, offline) and print what is in it."
        ),
    )
    run.add_argument("--dataset", default="sample", help="'sample' or a saved dataset folder")
    run.add_argument("--n-tickers", default=200, help="sample only: number of tickers")
    run.add_argument("--years", default=15, help="sample only: years of trading days")
    run.add_argument("--seed", default=42, help="sample only: random seed")
    run.set_defaults(handler=_run)
    fetch = commands.add_parser(
        "fetch",
        help="download tickers from Yahoo Finance (cached) and optionally save a dataset folder",
        description=(
            "Download prices, fundamentals and company info from Yahoo Finance through the cache, "
            "print what came back and what failed, and with --save write a dataset folder that "
            "fl.load_dataset(folder) loads offline."
        ),
    )
    fetch.add_argument("tickers", nargs="+", help="Yahoo symbols, e.g. AAPL MSFT NVDA")
    fetch.add_argument("--start", default="2015-01-01", help="first day (default 2015-01-01)")
    fetch.add_argument("--end", default=None, help="last day (default today)")
    fetch.add_argument("--benchmark", default="SPY", help="benchmark symbol, or 'none'")
    fetch.add_argument("--save", default=None, help="folder to save the dataset in")
    fetch.add_argument("--cache-dir", default=None, help="cache folder (default: per user)")
    fetch.add_argument("--refresh", action="store_true", help="download again, ignore the cache")
    fetch.add_argument("--offline", action="store_true", help="use only the cache")
    fetch.add_argument("--no-progress", action="store_true", help="no progress bars")
    fetch.set_defaults(handler=_fetch)
    create = commands.add_parser(
        "create-model",
        help="create the factorlab analyst model in Ollama from the shipped Modelfile",
        description=(
            "Create an Ollama model with factorlab's analyst system prompt and parameters "
            "(factorlab/llm/Modelfile) on top of a base model, through the Ollama client."
        ),
    )
    create.add_argument("--base", default="llama3.1:8b", help="base model (default llama3.1:8b)")
    create.add_argument("--name", default="factorlab-analyst", help="name of the new model")
    create.add_argument("--host", default=None, help="Ollama server (default $OLLAMA_HOST)")
    create.set_defaults(handler=_create_model)
    return parser


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
