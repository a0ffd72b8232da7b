"""fl.monitor and ``factorlab monitor``: alerts by kind, point in time, and a schedule that
neither repeats nor loses alerts across restarts."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pandas as pd
import pytest

import factorlab as fl
from factorlab.cli import main
from factorlab.monitor import Thresholds, run_monitor


def _market(momentum_jump: bool = True, steady_fall: bool = False) -> fl.Dataset:
    """Twelve stocks over 300 days; on the last 30, stock T11 rallies and T00 falls 30 %
    (with ``steady_fall``, by exactly 1 % a day)."""
    rng = np.random.default_rng(1)
    dates = pd.bdate_range("2023-01-02", periods=300)
    returns = rng.normal(0.0003, 0.01, (300, 12))
    if momentum_jump:
        returns[-30:, 11] += 0.01
        returns[-30:, 0] -= 0.012
    if steady_fall:
        returns[-30:, 0] = -0.01
    prices = pd.DataFrame(
        100 * np.cumprod(1 + returns, axis=0), index=dates, columns=[f"T{i:02d}" for i in range(12)]
    )
    volume = pd.DataFrame(1e6, index=dates, columns=prices.columns)
    return fl.Dataset(prices=prices, volume=volume)


def test_each_kind_of_alert_names_the_ticker_and_the_change():
    ds = _market()
    alerts = fl.monitor(
        ds,
        weights="momentum=1",
        since=ds.dates[-31],
        thresholds="top_n=3,zscore_move=1,rank_move=4,drawdown=0.15",
    )
    kinds = set(alerts["kind"])
    assert {"entered top", "drawdown", "rank move", "zscore move"} <= kinds
    drawdown = alerts[alerts["kind"] == "drawdown"].set_index("ticker")
    assert "T00" in drawdown.index and "below its high" in drawdown.loc["T00", "message"]
    entered = alerts[alerts["kind"] == "entered top"]["ticker"].tolist()
    assert "T11" in entered
    assert (alerts["date"] == ds.end).all()


def test_new_fundamentals_are_those_known_after_since(small_sample):
    since, until = pd.Timestamp("2022-06-30"), pd.Timestamp("2022-09-30")
    alerts = fl.monitor(small_sample, since=since, until=until)
    fresh = alerts[alerts["kind"] == "new fundamentals"]
    f = small_sample.as_of(until).fundamentals  # the tickers listed by then
    expected = f[(f["available_at"] > since) & (f["available_at"] <= until)]
    assert len(fresh) == len(expected) > 0


def test_a_filing_known_on_until_is_new_and_one_known_on_since_is_not(small_sample):
    since, until = pd.Timestamp("2022-06-30"), pd.Timestamp("2022-09-30")
    filings = small_sample.fundamentals.copy()
    listed = filings["ticker"].isin(small_sample.as_of(until).tickers)
    on_since, on_until = filings.index[listed & (filings["fiscal_period"] == "2022Q2")][:2]
    filings.loc[on_since, "available_at"] = since
    filings.loc[on_until, "available_at"] = until
    ds = fl.Dataset(
        prices=small_sample.prices,
        volume=small_sample.volume,
        fundamentals=filings,
        meta=small_sample.meta,
        benchmark=small_sample.benchmark,
    )
    messages = fl.monitor(ds, since=since, until=until)["message"]
    assert messages.str.startswith(f"{filings.loc[on_until, 'ticker']} reported 2022Q2").any()
    assert not messages.str.startswith(f"{filings.loc[on_since, 'ticker']} reported 2022Q2").any()


def test_alerts_do_not_depend_on_anything_after_until(small_sample):
    until = small_sample.dates[-60]
    alerts = fl.monitor(small_sample, since=small_sample.dates[-90], until=until)
    changed = small_sample.prices.copy()
    changed.loc[changed.index > until] *= 3.0  # the future moves
    filings = small_sample.fundamentals.copy()
    later = filings["available_at"] > until
    numbers = filings.select_dtypes("number").columns
    filings.loc[later, numbers] *= 5.0  # and so do the filings made public after until
    other = fl.Dataset(
        prices=changed,
        volume=small_sample.volume,
        fundamentals=filings,
        meta=small_sample.meta,
        benchmark=small_sample.benchmark,
    )
    again = fl.monitor(other, since=small_sample.dates[-90], until=until)
    pd.testing.assert_frame_equal(alerts.reset_index(drop=True), again.reset_index(drop=True))
    # the change is one the monitor sees, once it is known
    last = small_sample.dates[-1]
    assert not fl.monitor(other, since=until, until=last).equals(
        fl.monitor(small_sample, since=until, until=last)
    )


def test_bad_thresholds_and_dates_are_named(small_sample):
    with pytest.raises(fl.ConfigError, match="Unknown threshold\\(s\\) top; known: top_n"):
        fl.monitor(small_sample, thresholds="top=3")
    with pytest.raises(fl.ConfigError, match="since .* must be before until"):
        fl.monitor(small_sample, since="2024-12-31", until="2024-06-28")
    assert Thresholds.parse({"top_n": "5"}).top_n == 5


class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self) -> None:  # http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_the_command_writes_jsonl_posts_a_webhook_and_does_not_repeat_on_restart(tmp_path, capsys):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Hook.received = []
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    args = [
        "monitor",
        "--n-tickers",
        "40",
        "--years",
        "3",
        "--since",
        "2024-11-01",
        "--state",
        str(tmp_path / "state.json"),
        "--jsonl",
        str(tmp_path / "alerts.jsonl"),
        "--webhook",
        url,
    ]
    try:
        assert main(args) == 0
        first = capsys.readouterr().out
        lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
        assert len(lines) > 0 and f"{len(lines)} new alert(s)" in first
        assert len(_Hook.received) == 1 and len(_Hook.received[0]["alerts"]) == len(lines)
        assert main(args) == 0  # a restart on the same data: nothing new, nothing repeated
        assert "0 new alert(s)" in capsys.readouterr().out
        assert len((tmp_path / "alerts.jsonl").read_text().splitlines()) == len(lines)
        assert len(_Hook.received) == 1
        state = json.loads((tmp_path / "state.json").read_text())
        assert state["last_until"] == "2024-12-31" and len(state["sent"]) == len(lines)
    finally:
        server.shutdown()


def test_a_schedule_runs_until_stopped_and_a_dead_webhook_only_warns(tmp_path, small_sample):
    loads, said = [], []

    def load():
        loads.append(1)
        return small_sample

    sent = run_monitor(
        load,
        tmp_path / "state.json",
        since="2024-10-31",
        every_s=0.01,
        max_runs=3,
        webhook="http://127.0.0.1:9/none",
        echo=said.append,
    )
    assert len(loads) == 3 and sent > 0
    assert any("the webhook http://127.0.0.1:9/none failed" in line for line in said)

    def interrupted():
        raise KeyboardInterrupt

    said.clear()
    assert run_monitor(interrupted, tmp_path / "state.json", echo=said.append) == 0
    assert said == ["factorlab monitor: stopped"]


def test_a_stop_during_delivery_loses_nothing_and_writes_nothing_twice(tmp_path, small_sample):
    state, jsonl = tmp_path / "state.json", tmp_path / "alerts.jsonl"
    printed = []

    def stop_midway(line: str) -> None:
        printed.append(line)
        if len(printed) == 3:  # Ctrl-C while the alerts are being printed
            raise KeyboardInterrupt

    run_monitor(lambda: small_sample, state, since="2024-10-31", jsonl=jsonl, echo=stop_midway)
    pending = json.loads(state.read_text())["outbox"]
    assert len(pending) > 3 and not jsonl.exists()  # nothing lost: still in the outbox
    delivered = run_monitor(lambda: small_sample, state, jsonl=jsonl, echo=lambda line: None)
    assert delivered == len(pending)
    lines = jsonl.read_text().splitlines()
    assert len(lines) == len(set(lines)) == len(pending)
    assert json.loads(state.read_text())["outbox"] == []


def test_the_last_check_never_moves_back_and_a_filing_is_news_once(tmp_path, small_sample):
    state, jsonl = tmp_path / "state.json", tmp_path / "alerts.jsonl"
    older = small_sample.as_of("2024-11-29")
    quiet = {"echo": lambda line: None, "jsonl": jsonl}
    run_monitor(lambda: small_sample, state, since="2024-10-31", **quiet)
    run_monitor(lambda: older, state, **quiet)  # a stale reload ends earlier
    assert json.loads(state.read_text())["last_until"] == "2024-12-31"
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    filings = [a["message"] for a in lines if a["kind"] == "new fundamentals"]
    assert len(filings) == len(set(filings))


def test_every_must_be_a_positive_interval(tmp_path, capsys):
    for every in ("-1m", "nan", "0", "soon"):
        assert (
            main(
                [
                    "monitor",
                    "--n-tickers",
                    "30",
                    "--years",
                    "3",
                    f"--every={every}",
                    "--state",
                    str(tmp_path / "s.json"),
                ]
            )
            == 2
        )
        assert "--every must be at least 1 s" in capsys.readouterr().err


def test_with_a_window_moves_build_up_across_checks_and_are_reported_once(tmp_path):
    ds = _market(steady_fall=True)
    said = []
    state = tmp_path / "state.json"
    for day in ds.dates[-25:]:  # a daily schedule over the last 25 days
        run_monitor(
            lambda day=day: ds.as_of(day),
            state,
            weights="momentum=1",
            thresholds="drawdown=0.1",
            window_days=21,
            echo=said.append,
        )
    drawdowns = [line for line in said if "drawdown" in line and "T00" in line]
    assert len(drawdowns) == 1  # the fall is seen once it passes 10 %, and not every day after


def test_the_analyst_adds_a_labelled_paragraph_on_the_alerts(
    tmp_path, small_sample, closed_port_url
):
    said = []
    analyst = fl.Analyst(host=closed_port_url(), cache_dir=tmp_path / "answers")
    run_monitor(
        lambda: small_sample,
        tmp_path / "state.json",
        since="2024-11-29",
        analyst=analyst,
        echo=said.append,
    )
    paragraph = [line for line in said if line.startswith("analyst (")]
    assert len(paragraph) == 1
    assert "rule-based: Ollama not available" in paragraph[0] and " alerts: " in paragraph[0]


def test_scoring_a_year_of_history_gives_the_alerts_of_the_whole_history(small_sample, monkeypatch):
    since, until = small_sample.dates[-130], small_sample.dates[-40]
    trimmed = fl.monitor(small_sample, since=since, until=until)
    monkeypatch.setattr("factorlab.factors.screening._HISTORY_DAYS", 10**6)
    whole = fl.monitor(small_sample, since=since, until=until)
    assert len(trimmed) > 10 and trimmed["message"].equals(whole["message"])
    pd.testing.assert_frame_equal(trimmed, whole, rtol=1e-8)
