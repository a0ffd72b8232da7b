"""The ``factorlab`` command."""

from __future__ import annotations

import argparse
import ipaddress
import math
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd

from factorlab._files import cache_root
from factorlab._version import __version__
from factorlab.backtest import BacktestResult, backtest
from factorlab.data import Dataset, edgar, load_dataset
from factorlab.errors import ConfigError, DataError
from factorlab.factors import Scores, score, screen
from factorlab.monitor import run_monitor
from factorlab.notebook import notebook_dataset
from factorlab.params import as_int
from factorlab.risk import risk_model
from factorlab.run import find_notebooks, run_notebooks, versions
from factorlab.sweep import grid_from_mapping, sweep

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


def _load(args: argparse.Namespace) -> Dataset:
    """The dataset the common data options describe."""
    return notebook_dataset(
        args.dataset,
        args.tickers,
        args.start,
        args.end,
        args.n_tickers,
        args.years,
        args.seed,
        args.fundamentals,
    )


def _run(args: argparse.Namespace) -> int:

    parameters = {key: value for key, value in args.parameter}
    for name in ("dataset", "n_tickers", "years", "seed", "fundamentals"):
        value = getattr(args, name)
        if value is not None:
            parameters.setdefault(name, str(value))
    notebooks = find_notebooks(
        args.notebooks, Path(args.notebook_dir) if args.notebook_dir else None
    )
    output = Path(args.output or f"runs/{datetime.now():%Y%m%d-%H%M%S}")
    print(f"factorlab run: {len(notebooks)} notebook(s) into {output}")
    runs = run_notebooks(
        notebooks,
        output,
        parameters,
        html=not args.no_html,
        kernel=args.kernel,
        cell_timeout_s=args.cell_timeout,
    )
    for run in runs:
        mark = "ok    " if run.status == "ok" else "FAILED"
        print(
            f"  {mark} {run.notebook:<16} {run.seconds:6.1f} s"
            + (f"  {run.error}" if run.error else "")
        )
    print(f"summary: {output / 'summary.md'}")
    failed = [r.notebook for r in runs if r.status != "ok"]
    if failed:
        print(
            f"factorlab: error: {len(failed)} notebook(s) failed: {', '.join(failed)}",
            file=sys.stderr,
        )
        return 1
    return 0


def _dataset(args: argparse.Namespace) -> int:

    ds = _load(args)
    print(format_summary(ds))
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from factorlab.llm import Analyst  # pydantic and the model clients: only when asked

    print("factorlab doctor")
    for name, version in versions().items():
        print(f"  {name:<12} {version}")
    print(f"  cache        {cache_root()}")
    analyst = Analyst(model=args.model, host=args.host, timeout_s=5)
    print(f"  ollama       {analyst.status()}")
    try:
        ds = notebook_dataset("sample", n_tickers=20, years=3)
        print(f"  dataset      the lab market loads ({len(ds.tickers)} tickers, offline)")
    except Exception as err:  # doctor reports, it does not stop
        print(f"  dataset      the lab market does not load: {err}")
        return 1
    return 0


def _screen(args: argparse.Namespace) -> int:

    ds = _load(args)
    table = screen(
        ds, top=args.top, weights=args.weights, as_of=args.as_of, neutralize=args.neutralize
    )
    scores = [c for c in table.columns if c.endswith("_score")]
    columns = [c for c in ("name", "sector", *scores, "composite", "rank") if c in table]
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(
            f"Screen on {table.attrs['as_of']:%Y-%m-%d} ({table.attrs['universe']} stocks "
            f"ranked; weights {table.attrs['weights']})"
        )
        print(table[columns].round(3).to_string())
    for ticker, why in table.attrs["failed"].items():
        print(f"not loaded: {ticker} ({why})", file=sys.stderr)
    return 0


def _backtest_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of fl.backtest (and fl.score's weights) that `backtest` and `report` take."""
    parser.add_argument("--weights", default=None, help="e.g. value=0.5,momentum=0.5")
    parser.add_argument("--neutralize", default=None, help="sector, industry or none")
    parser.add_argument(
        "--rebalance", default="M", help="M, W, Q, Y, monthly, ME, W-FRI, ... or a number of days"
    )
    parser.add_argument("--quantiles", default=5, help="hold the top of this many")
    parser.add_argument("--top-n", default=None, help="hold the n best instead of a quantile")
    parser.add_argument(
        "--short", action="store_true", help="also short the bottom quantile (or the n worst)"
    )
    parser.add_argument(
        "--lag", default=1, help="trading days from the signal to the holding (at least 1)"
    )
    parser.add_argument(
        "--weighting",
        default="equal",
        choices=["equal", "signal", "cap"],
        help="weights within a leg",
    )
    parser.add_argument("--max-weight", default=None, help="largest weight of one stock")
    parser.add_argument("--cost-bps", default=10, help="costs in basis points of turnover")
    parser.add_argument(
        "--construct",
        default="quantiles",
        choices=["quantiles", "optimize"],
        help="how the book is built",
    )
    parser.add_argument(
        "--costs", default="flat", choices=["flat", "sqrt"], help="flat bps, or with market impact"
    )
    parser.add_argument("--aum", default=1e8, help="the book's size at the start (costs=sqrt)")


def _composite_backtest(args: argparse.Namespace) -> tuple[Dataset, Scores, BacktestResult]:
    ds = _load(args)
    scores = score(ds, weights=args.weights, neutralize=args.neutralize)
    result = backtest(
        scores.composite,
        ds,
        rebalance=args.rebalance,
        quantiles=args.quantiles,
        top_n=args.top_n,
        short=args.short,
        lag=args.lag,
        weighting=args.weighting,
        max_weight=args.max_weight,
        cost_bps=args.cost_bps,
        construct=args.construct,
        costs=args.costs,
        aum=args.aum,
    )
    return ds, scores, result


def _backtest(args: argparse.Namespace) -> int:

    _, scores, result = _composite_backtest(args)
    with pd.option_context("display.width", 160):
        print(f"Backtest of the composite ({scores.weights}): {result.rule}")
        print(result.stats().round(4).to_string())
    return 0


def _report(args: argparse.Namespace) -> int:

    ds, scores, result = _composite_backtest(args)
    model = risk_model(ds) if args.risk_model else None
    path = result.to_html(args.output, args.title, ds=ds, risk_model=model)
    print(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB): {result.rule}")
    return 0


def _fetch(args: argparse.Namespace) -> int:

    ds = load_dataset(
        "yahoo",
        tickers=args.tickers,
        start=args.start,
        end=args.end,
        benchmark=None if args.benchmark.lower() == "none" else args.benchmark,
        cache_dir=args.cache_dir,
        refresh=args.refresh,
        offline=args.offline,
        progress=not args.no_progress,
        fundamentals=args.fundamentals,
        user_agent=args.user_agent,
    )
    print(format_summary(ds))
    for ticker, reason in ds.failed.items():
        print(f"  failed: {ticker}: {reason}")
    if args.save:
        ds.save(args.save)
        print(f"saved to {args.save}; load it offline with fl.load_dataset({str(args.save)!r})")
    return 0


def _fetch_edgar(args: argparse.Namespace) -> int:
    if args.bulk is None and not args.tickers:
        raise ConfigError(
            "fetch-edgar needs tickers or CIKs (factorlab fetch-edgar AAPL MSFT), or --bulk "
            "[PATH_OR_URL] to import every filer."
        )
    folder = Path(args.cache_dir).expanduser() if args.cache_dir else None
    if args.bulk is not None:
        store = edgar.import_bulk(
            args.bulk or None,
            None if folder is None else folder / "bulk",
            user_agent=args.user_agent,
            workers=args.workers,
            progress=True,
        )
        failed = store.manifest["failed"]
        print(f"imported: {store}")
        print(f"  {len(failed)} filer(s) without quarters (IFRS, another currency, no figures)")
        if not args.tickers:
            return 0
    rows = edgar.fundamentals(
        args.tickers,
        args.user_agent,
        cache_dir=folder,
        offline=args.offline,
        refresh=args.refresh,
    )
    for ticker, group in rows.groupby("ticker", sort=False):
        print(
            f"  {ticker:<10} {group['period_end'].nunique():4d} quarters "
            f"{group['period_end'].min():%Y-%m-%d} .. {group['period_end'].max():%Y-%m-%d}, "
            f"{len(group)} rows (restatements included)"
        )
    for ticker, reason in rows.attrs["failed"].items():
        print(f"  failed: {ticker}: {reason}")
    for note in rows.attrs["notes"]:
        print(f"  note: {note}")
    if args.save:
        target = Path(args.save)
        if target.suffix == ".csv":
            rows.to_csv(target, index=False)
        else:
            rows.to_parquet(target, index=False)
        print(f"saved to {target}; fl.Dataset(prices=..., fundamentals=<these rows>) uses them")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    import yaml  # PyYAML reads the grid file: only for this command

    source = Path(args.grid)
    try:
        spec = yaml.safe_load(source.read_text())
    except OSError as err:
        raise ConfigError(f"Cannot read the grid file {source}: {err.strerror}.") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"The grid file {source} is not valid YAML: {err}.") from None
    grid = grid_from_mapping(spec)
    ds = _load(args)
    print(f"factorlab sweep: {grid!r} on {ds.source} ({len(ds.tickers)} tickers)")
    client = None
    if args.scheduler:
        try:
            from distributed import Client  # Dask: only when a scheduler is named
        except ImportError:
            raise ConfigError("--scheduler needs Dask: pip install 'factorlab[dask]'.") from None
        client = Client(args.scheduler)
    try:
        res = sweep(grid, ds, executor=client, store=args.store, workers=args.workers)
    finally:
        if client is not None:
            client.close()
    shown = ["weights", *[c for c in res.varying() if not c.endswith(" weight")]]
    figures = ["Sharpe ratio", "CAGR", "max drawdown", "turnover per year"]
    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(f"{len(res)} trials ({res.computed} computed, {res.reused} from the store)")
        print(res.best("Sharpe ratio", n=args.top)[[c for c in shown if c in res.table] + figures])
    dsr = res.deflated_sharpe()
    print(
        f"best Sharpe ratio {dsr['Sharpe ratio']:.2f}; by luck alone the best of {dsr['trials']} "
        f"would show {dsr['expected max Sharpe']:.2f}; deflated Sharpe ratio "
        f"{dsr['deflated Sharpe ratio']:.2f} (near 1: not luck)"
    )
    if res.table["information ratio"].notna().any():
        active = res.deflated_sharpe(active=True)
        print(
            f"over the benchmark: best information ratio {active['Sharpe ratio']:.2f}, luck's "
            f"{active['expected max Sharpe']:.2f}, deflated {active['deflated Sharpe ratio']:.2f}"
        )
    if len(res) >= 2 and len(res.moments()[0]) >= args.blocks:
        print(f"probability of backtest overfitting: {res.pbo(blocks=args.blocks).probability:.2f}")
    if args.save:
        print(f"saved to {res.save(args.save)}; fl.load_sweep(path, ds=ds) reads it")
    return 0


def _create_model(args: argparse.Namespace) -> int:
    from factorlab.llm import Analyst  # pydantic and the model clients: only when asked

    analyst = Analyst(model=args.base, host=args.host)
    try:
        status = analyst.create_model(name=args.name, base=args.base)
    except Exception as err:  # the client's failures, shown as one line with the cause
        print(
            f"factorlab: error: could not create {args.name}: {analyst.describe_failure(err)}",
            file=sys.stderr,
        )
        return 2
    print(f"{args.name}: {status} (from {args.base}); use it with fl.Analyst(model={args.name!r})")
    return 0


def _monitor(args: argparse.Namespace) -> int:

    def load():  # fresh each check: a Yahoo dataset picks up the new day
        return _load(args)

    every = _seconds(args.every) if args.every else None
    state = Path(args.state)
    analyst = None
    if args.analyst:
        from factorlab.llm import Analyst  # pydantic and the model clients: only when asked

        analyst = Analyst(model=args.model, host=args.ollama_host, timeout_s=60)
    sent = run_monitor(
        load,
        state,
        weights=args.weights,
        since=args.since,
        thresholds=args.thresholds,
        jsonl=Path(args.jsonl) if args.jsonl else None,
        webhook=args.webhook,
        every_s=every,
        max_runs=args.max_runs,
        window_days=args.window,
        analyst=analyst,
    )
    print(f"factorlab monitor: {sent} new alert(s); state in {state}")
    return 0


def _seconds(text: str) -> float:
    """'30s', '15m', '1h', '1d' (or a number of seconds) as seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = str(text).strip().lower()
    try:
        seconds = float(text[:-1]) * units[text[-1]] if text[-1] in units else float(text)
    except (ValueError, IndexError):
        seconds = float("nan")
    if not math.isfinite(seconds) or seconds < 1:
        raise ConfigError(f"--every must be at least 1 s, like 30s, 15m, 1h or 1d; got {text!r}.")
    return seconds


def _serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn  # the optional serve extra: only for factorlab serve
    except ImportError:
        raise ConfigError(
            "factorlab serve needs the serve extra: pip install 'factorlab[serve]'."
        ) from None
    from factorlab.llm import Analyst  # pydantic and the model clients: only when asked
    from factorlab.serve import Access, create_app  # fastapi: only for this command

    token = args.token or os.environ.get("FACTORLAB_API_TOKEN") or None
    insecure = _check_bind(args.host, token, args.insecure)
    access = Access(
        token=token,
        model_calls_per_minute=as_int(
            args.model_calls_per_minute, "model-calls-per-minute", minimum=1
        ),
        max_body_bytes=as_int(args.max_body_bytes, "max-body-bytes", minimum=1024),
    )
    ds = _load(args)
    # A model call must fit inside a request's time limit, with a retry.
    app = create_app(
        ds, Analyst(model=args.model, host=args.ollama_host, timeout_s=20), access=access
    )

    port = as_int(args.port, "port")
    print(
        f"factorlab serve: {ds.source}, {len(ds.tickers)} tickers, on "
        f"http://{args.host}:{args.port} (API description at /docs); "
        + ("a bearer token is asked" if token else "no token is asked")
    )
    if insecure:
        print(
            f"WARNING: {args.host} is reachable from other machines and no token is asked "
            "(--insecure): anyone who reaches it can spend the model's time.",
            file=sys.stderr,
        )
    # uvicorn's proxy-headers middleware takes the client from X-Forwarded-For, and only from
    # the proxies named: trusting any other address (even this machine's) would let its
    # clients claim any address and dodge the limit.
    proxies = args.forwarded_allow_ips or os.environ.get("FORWARDED_ALLOW_IPS") or None
    uvicorn.run(
        app,
        host=args.host,
        port=port,
        log_level="warning",
        proxy_headers=proxies is not None,
        forwarded_allow_ips=proxies,
    )
    return 0


def _check_bind(host: str, token: str | None, insecure: bool) -> bool:
    """Whether the server runs open to other machines (allowed with --insecure only).

    Raises ConfigError for an address other machines can reach, without a token or --insecure.
    """
    if token or _loopback(host):
        return False
    if insecure:
        return True
    raise ConfigError(
        f"factorlab serve will not bind {host} without a token: other machines could call it. "
        "Pass --token (or set FACTORLAB_API_TOKEN), bind 127.0.0.1, or pass --insecure."
    )


def _loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name that resolves elsewhere


def _parser() -> argparse.ArgumentParser:

    parser = argparse.ArgumentParser(
        prog="factorlab",
        description="Factor investing research: datasets, factors, backtests, an LLM analyst.",
    )
    parser.add_argument("--version", action="version", version=f"factorlab {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser(
        "run",
        help="the main job: execute the notebooks and write them, HTML copies and a summary",
        description=(
            "Execute the numbered notebooks with papermill in a kernel of this environment, "
            "write each executed notebook and an HTML copy, and summary.md / summary.json "
            "(status, time, key figures, parameters, versions, dataset fingerprint). A failing "
            "notebook does not stop the others; the exit code is 1 if any failed."
        ),
    )
    run.add_argument(
        "notebooks",
        nargs="*",
        help="notebooks to run, by number (05), name or path (default: all, in order)",
    )
    run.add_argument("--output", default=None, help="folder (default runs/<timestamp>)")
    run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        help="a notebook parameter, e.g. -p cost_bps 25",
    )
    run.add_argument("--dataset", default=None, help="shortcut for -p dataset ...")
    run.add_argument("--n-tickers", default=None, help="shortcut for -p n_tickers ...")
    run.add_argument("--years", default=None, help="shortcut for -p years ...")
    run.add_argument("--seed", default=None, help="shortcut for -p seed ...")
    run.add_argument("--fundamentals", default=None, help="shortcut for -p fundamentals ...")
    run.add_argument("--no-html", action="store_true", help="skip the HTML copies")
    run.add_argument("--kernel", default=None, help="a Jupyter kernel (default: this Python)")
    run.add_argument("--cell-timeout", type=int, default=600, help="seconds per cell")
    run.add_argument(
        "--notebook-dir",
        default=None,
        help="folder of the notebooks (default: ./notebooks, else factorlab's own)",
    )
    run.set_defaults(handler=_run)

    def data_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--dataset", default="sample", help="'sample', 'yahoo' or a folder")
        command.add_argument("--tickers", default=None, help="e.g. AAPL,MSFT (yahoo: required)")
        command.add_argument("--start", default=None, help="first day")
        command.add_argument("--end", default=None, help="last day")
        command.add_argument("--n-tickers", default=200, help="sample only: number of tickers")
        command.add_argument("--years", default=15, help="sample only: years of trading days")
        command.add_argument("--seed", default=42, help="sample only: random seed")
        _fundamentals_option(command, "yahoo only: ")

    def analyst_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--model", default="llama3.1:8b", help="the analyst's Ollama model")
        command.add_argument(
            "--ollama-host", default=None, help="Ollama server (default $OLLAMA_HOST)"
        )

    dataset = commands.add_parser("dataset", help="load a dataset and summarize it")
    data_options(dataset)
    dataset.set_defaults(handler=_dataset)
    doctor = commands.add_parser(
        "doctor", help="versions, cache folder, is Ollama reachable, does the sample load"
    )
    doctor.add_argument("--model", default="llama3.1:8b", help="the model to look for")
    doctor.add_argument("--host", default=None, help="Ollama server (default $OLLAMA_HOST)")
    doctor.set_defaults(handler=_doctor)
    screen = commands.add_parser("screen", help="print the top of the screen")
    data_options(screen)
    screen.add_argument("--top", default=10, help="rows to show")
    screen.add_argument("--weights", default=None, help="e.g. value=0.5,momentum=0.5")
    screen.add_argument(
        "--as-of",
        default=None,
        help="screen as it could have been run on this day (default: the last)",
    )
    screen.add_argument("--neutralize", default=None, help="sector, industry or none")
    screen.set_defaults(handler=_screen)
    backtest = commands.add_parser(
        "backtest",
        help="backtest the composite and print stats",
        description="The options of fl.backtest, on the composite of fl.score.",
    )
    data_options(backtest)
    _backtest_arguments(backtest)
    backtest.set_defaults(handler=_backtest)
    report = commands.add_parser(
        "report",
        help="backtest the composite and write one self-contained HTML report",
        description=(
            "The backtest of `factorlab backtest`, written as one HTML file (figures inside, "
            "no network): equity against the benchmark, drawdowns, monthly returns, stats, "
            "costs and turnover, the deflated Sharpe ratio and, with --risk-model, attribution."
        ),
    )
    data_options(report)
    _backtest_arguments(report)
    report.add_argument("--output", default="report.html", help="the HTML file to write")
    report.add_argument("--title", default="Backtest report", help="the page's title")
    report.add_argument(
        "--risk-model", action="store_true", help="fit a risk model and add the attribution"
    )
    report.set_defaults(handler=_report)
    watch = commands.add_parser(
        "monitor",
        help="alerts when scores, ranks or prices move; once, or on a schedule with --every",
        description=(
            "Compare scores between the last check and the latest day and print alerts (top/"
            "bottom entries and exits, z-score and rank moves, drawdowns, new fundamentals), "
            "append them to a JSONL file and optionally POST them to a webhook. The state file "
            "remembers the last check, so a restart repeats and loses nothing. Ctrl-C stops it."
        ),
    )
    data_options(watch)
    watch.add_argument("--weights", default=None, help="family weights")
    watch.add_argument("--since", default=None, help="first check's start (default 21 days back)")
    watch.add_argument("--thresholds", default=None, help="e.g. top_n=10,drawdown=0.15")
    watch.add_argument("--every", default=None, help="repeat every 30s, 15m, 1h or 1d")
    watch.add_argument("--state", default="monitor_state.json", help="state file")
    watch.add_argument("--jsonl", default="alerts.jsonl", help="alerts file (JSON lines)")
    watch.add_argument("--webhook", default=None, help="URL to POST new alerts to")
    watch.add_argument(
        "--window",
        default=None,
        help="compare with this many trading days back (moves build up across "
        "checks; each condition is reported when it starts)",
    )
    watch.add_argument(
        "--analyst", action="store_true", help="add the analyst's paragraph on each check's alerts"
    )
    analyst_options(watch)
    watch.add_argument("--max-runs", type=int, default=None, help=argparse.SUPPRESS)
    watch.set_defaults(handler=_monitor)
    serve = commands.add_parser(
        "serve",
        help="the screen, scores, analyst and backtests over HTTP (needs factorlab[serve])",
        description="A small REST API with an OpenAPI description at /docs. It binds "
        "127.0.0.1 unless --host says otherwise.",
    )
    data_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", default=8000, help="port (default 8000)")
    serve.add_argument(
        "--token",
        default=None,
        help="bearer token every route but /health asks for (default $FACTORLAB_API_TOKEN)",
    )
    serve.add_argument(
        "--insecure",
        action="store_true",
        help="allow binding an address other machines reach without a token",
    )
    serve.add_argument(
        "--model-calls-per-minute",
        default=10,
        help="per client, on /analyze and /portfolio-report (default 10)",
    )
    serve.add_argument(
        "--max-body-bytes", default=64 * 1024, help="largest request body (default 65536)"
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default=None,
        help="the reverse proxies whose X-Forwarded-For names the client, so each client "
        "behind them has its own model-call limit: comma-separated addresses or networks "
        "(default $FORWARDED_ALLOW_IPS, else none: the client is the address that connects)",
    )
    analyst_options(serve)
    serve.set_defaults(handler=_serve)
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
    _fundamentals_option(fetch)
    fetch.add_argument(
        "--user-agent",
        default=None,
        help="for EDGAR: your name and email (or $FACTORLAB_SEC_USER_AGENT)",
    )
    fetch.set_defaults(handler=_fetch)
    edgar = commands.add_parser(
        "fetch-edgar",
        help="point-in-time fundamentals from SEC EDGAR: some tickers, or every filer with --bulk",
        description=(
            "With tickers or CIKs: download their company facts (cached a day), print each "
            "company's quarters and what failed, and with --save write the rows (.parquet or "
            ".csv). With --bulk: import the SEC's nightly companyfacts.zip (a path, a URL, or "
            "nothing for the SEC's own) into the store that fundamentals='edgar' then reads "
            "without a request per company."
        ),
    )
    edgar.add_argument("tickers", nargs="*", help="tickers or CIKs, e.g. AAPL MSFT 320193")
    edgar.add_argument(
        "--bulk",
        nargs="?",
        const="",
        default=None,
        metavar="PATH_OR_URL",
        help="import companyfacts.zip (default: download the SEC's nightly file)",
    )
    edgar.add_argument("--user-agent", default=None, help="your name and email, for the SEC")
    edgar.add_argument("--cache-dir", default=None, help="EDGAR cache folder (default: per user)")
    edgar.add_argument("--workers", type=int, default=None, help="--bulk: reading processes")
    edgar.add_argument("--save", default=None, help="write the rows to this .parquet or .csv")
    edgar.add_argument("--refresh", action="store_true", help="download again, ignore the cache")
    edgar.add_argument("--offline", action="store_true", help="use only the cache")
    edgar.set_defaults(handler=_fetch_edgar)
    sweep_command = commands.add_parser(
        "sweep",
        help="run a grid of score and backtest settings; print the best and the tests of luck",
        description=(
            "Run every combination of a YAML grid (parameter: list of values; weights may be "
            "'simplex: [value, growth, momentum]' with 'step: 0.1') on a dataset, locally or on a "
            "Dask scheduler, and print the best trials, the deflated Sharpe ratio and the "
            "probability of backtest overfitting. With --store, a rerun computes only what is "
            "missing."
        ),
    )
    sweep_command.add_argument("grid", help="the grid file (YAML)")
    data_options(sweep_command)
    sweep_command.add_argument(
        "--scheduler", default=None, help="a Dask scheduler, tcp://host:8786"
    )
    sweep_command.add_argument("--store", default=None, help="folder of finished trials")
    sweep_command.add_argument("--workers", type=int, default=None, help="local processes")
    sweep_command.add_argument("--top", type=int, default=5, help="best trials shown (default 5)")
    sweep_command.add_argument("--blocks", type=int, default=16, help="PBO blocks (default 16)")
    sweep_command.add_argument("--save", default=None, help="write the result to this JSON file")
    sweep_command.set_defaults(handler=_sweep)
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


def _fundamentals_option(command: argparse.ArgumentParser, scope: str = "") -> None:
    """``--fundamentals``, as the dataset commands share it."""
    command.add_argument(
        "--fundamentals",
        default="auto",
        choices=("auto", "yahoo", "edgar"),
        help=f"{scope}statements from SEC EDGAR (every quarter since 2009) or Yahoo (last five "
        "quarters); auto: EDGAR for US tickers when a SEC User-Agent is set",
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
