"""``factorlab monitor``: :func:`fl.monitor <factorlab.monitor.monitor>` once or on a schedule.

It remembers on disk (an atomic state file with an outbox) what it already sent, so a restart
repeats and loses nothing; alerts go to a JSONL file, a webhook and, optionally, the analyst.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from factorlab._files import write_atomic
from factorlab._json import json_safe
from factorlab.errors import ConfigError
from factorlab.factors.weights import Weights
from factorlab.monitor.alerts import Thresholds, monitor
from factorlab.params import DateLike, as_date, as_int

__all__ = ["run_monitor"]


def run_monitor(
    load: Any,
    state_path: Path,
    weights: Weights = None,
    since: DateLike | None = None,
    thresholds: Thresholds | Mapping[str, float] | str | None = None,
    jsonl: Path | None = None,
    webhook: str | None = None,
    every_s: float | None = None,
    max_runs: int | None = None,
    echo: Any = print,
    window_days: int | None = None,
    analyst: Any = None,
) -> int:
    """Check once (or every ``every_s`` seconds) and deliver the alerts not sent before.

    By default each check compares the last check's day with the newest day, so thresholds
    apply to that interval. With ``window_days``, each check compares the newest day with the
    day that many trading days before it, so moves build up across checks, and an alert is
    sent when its condition starts (a stock in a drawdown is reported once, and again only
    after it has recovered and fallen again). ``analyst`` (an ``fl.Analyst``) adds a short
    paragraph on each check's alerts, labelled with its source. Delivery is durable: the new
    alerts are first written to the state file (atomically) as an outbox, then printed,
    appended to ``jsonl`` and posted to ``webhook``, then cleared from the outbox. A restart
    after a crash or Ctrl-C delivers what the outbox still holds, skipping alerts already in
    the JSONL file, so nothing is lost and the file holds nothing twice (a webhook may see an
    alert again if the stop came between its POST and the clearing). ``load()`` gives the
    dataset, fresh each time. Returns the number of alerts delivered.
    """
    delivered, runs = 0, 0
    try:
        state = _read_state(state_path)
        if state.get("outbox"):
            delivered += _deliver(state, state_path, jsonl, webhook, echo)
        if since is not None and state.get("last_until"):
            echo(
                f"factorlab monitor: the state file's last check ({state['last_until']}) "
                "sets the start; --since applies only to a first check"
            )
        while True:
            try:
                delivered += _check(
                    load,
                    state,
                    state_path,
                    weights,
                    since,
                    thresholds,
                    jsonl,
                    webhook,
                    echo,
                    window_days,
                    analyst,
                )
            except (ConfigError, ValueError, OSError) as err:
                if every_s is None:
                    raise
                echo(f"factorlab monitor: this check failed ({err}); trying again next time")
            runs += 1
            if every_s is None or (max_runs is not None and runs >= max_runs):
                return delivered
            time.sleep(every_s)
    except KeyboardInterrupt:
        pending = len(_read_state(state_path).get("outbox", []))
        echo(
            "factorlab monitor: stopped"
            + (
                f"; {pending} alert(s) not yet delivered will be at the next start"
                if pending
                else ""
            )
        )
        return delivered


def _check(
    load: Any,
    state: dict[str, Any],
    state_path: Path,
    weights: Weights,
    since: DateLike | None,
    thresholds: Thresholds | Mapping[str, float] | str | None,
    jsonl: Path | None,
    webhook: str | None,
    echo: Any,
    window_days: int | None = None,
    analyst: Any = None,
) -> int:
    ds = load()
    last = state.get("last_until")
    if last is not None and as_date(last, "since") >= ds.end:
        echo(f"factorlab monitor: no new trading day since {as_date(last, 'since'):%Y-%m-%d}")
        return 0
    if window_days:
        start = ds.dates[max(len(ds.dates) - 1 - as_int(window_days, "window_days"), 0)]
    else:
        start = last if last is not None else since
    alerts = monitor(ds, weights=weights, since=start, thresholds=thresholds)
    records = [json_safe(row) for row in alerts.to_dict("records")]
    seen = set(state.get("sent", []))
    if window_days:  # edge-triggered: a condition is news when it was not active before
        active = set(state.get("active", []))
        fresh = [a for a in records if _condition(a) not in active and _key(a) not in seen]
        state["active"] = sorted({_condition(a) for a in records})
    else:
        fresh = [a for a in records if _key(a) not in seen]
    newest = max(filter(None, [last, f"{ds.end:%Y-%m-%d}"]))  # never moves back
    state.update(
        {
            "last_until": newest,
            "sent": [*state.get("sent", []), *(_key(a) for a in fresh)][-5000:],
            "outbox": fresh,
        }
    )
    if analyst is not None and fresh:
        state["outbox_note"] = _paragraph(analyst, fresh)
    _write_state(state_path, state)  # the outbox is on disk before anything is sent
    return _deliver(state, state_path, jsonl, webhook, echo)


def _deliver(
    state: dict[str, Any], state_path: Path, jsonl: Path | None, webhook: str | None, echo: Any
) -> int:
    outbox = state.get("outbox", [])
    for alert in outbox:
        echo(f"{alert['date']} {alert['kind']:<17} {alert['message']}")
    if state.get("outbox_note"):
        echo(state["outbox_note"])
    if jsonl is not None and outbox:
        written = _jsonl_keys(jsonl)
        with jsonl.open("a", encoding="utf-8") as handle:
            handle.writelines(json.dumps(a) + "\n" for a in outbox if _key(a) not in written)
    if webhook and outbox:
        _post(webhook, outbox, echo)
    state["outbox"] = []
    state.pop("outbox_note", None)
    _write_state(state_path, state)
    return len(outbox)


def _condition(alert: dict[str, Any]) -> str:
    """The condition an alert reports, whatever the day: a stock, a kind, a family."""
    if alert["kind"] == "new fundamentals":
        return _key(alert)
    return f"{alert['ticker']}|{alert['kind']}|{alert.get('family') or ''}"


def _paragraph(analyst: Any, alerts: list[dict[str, Any]]) -> str:
    """The analyst's paragraph on a check's alerts, with its source, or why there is none."""
    try:
        report = analyst.report(pd.DataFrame(alerts), kind="alerts")
    except Exception as err:  # the alerts are delivered whatever the analyst does
        return f"(no analyst paragraph: {err})"
    return f"analyst ({report.label}): {report.summary}"


def _jsonl_keys(path: Path) -> set[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return set()
    keys = set()
    for line in lines:
        try:
            keys.add(_key(json.loads(line)))
        except (ValueError, KeyError, TypeError):  # a line cut short by a crash
            continue
    return keys


def _write_state(path: Path, state: dict[str, Any]) -> None:

    text = json.dumps(state, indent=1)
    write_atomic(path, lambda target: target.write_text(text))


def _key(alert: dict[str, Any]) -> str:
    """What makes an alert the same one: a filing is news once, whatever the check's date."""
    if alert["kind"] == "new fundamentals":
        return f"{alert['ticker']}|{alert['kind']}|{alert['message']}"
    return f"{alert['date']}|{alert['ticker']}|{alert['kind']}|{alert['message']}"


def _read_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        raise ConfigError(
            f"The monitor state file {path} is damaged ({err}); delete it to start "
            "afresh (alerts since the default window will be sent again)."
        ) from err
    shapes: dict[str, type | tuple[type, ...]] = {
        "last_until": (str, type(None)),
        "sent": list,
        "outbox": list,
    }
    if not isinstance(data, dict) or any(
        k in data and not isinstance(data[k], shape) for k, shape in shapes.items()
    ):
        raise ConfigError(
            f"The monitor state file {path} is not a factorlab monitor state; "
            "delete it to start afresh."
        )
    return data


def _post(url: str, alerts: list[dict[str, Any]], echo: Any) -> None:
    body = json.dumps({"alerts": alerts}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    except Exception as err:  # a webhook that is down must not stop the monitor
        echo(
            f"factorlab monitor: the webhook {url} failed ({err}); these alerts were printed "
            "(and written to the JSONL file, if one is set), not posted"
        )
